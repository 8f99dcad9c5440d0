/**
 * Which chosen file goes where, and what is said about the rest (issue #15, "inputs that cannot
 * go wrong quietly"): no file is left out without being named, and Run waits while a file sits
 * in the other's slot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EMPTY_SLOTS,
  placeInputs,
  slotNeedingAttention,
  slotProblem,
  swapSlots,
} from '../../renderer/inputs/input-slots';
import { inputInfo } from './fake-client';

const events = inputInfo();
const users = inputInfo({ path: '/d/users.csv', name: 'users.csv', kind: 'users', format: 'csv' });
const extra = inputInfo({ path: '/d/extra.csv', name: 'extra.csv', kind: 'users', format: 'csv' });

test('three files dropped at once: the expected users.csv is used and the other CSV is named, whatever the order', () => {
  for (const order of [
    [events, users, extra],
    [events, extra, users],
    [extra, users, events],
  ]) {
    const p = placeInputs(EMPTY_SLOTS, order);
    assert.equal(p.slots.events, events);
    assert.equal(p.slots.users, users);
    assert.equal(p.unused.length, 1);
    assert.equal(p.unused[0].name, 'extra.csv');
    assert.match(p.unused[0].why, /another users file; users\.csv was used/);
  }
});

test('of two files of one kind, one that can be used wins over one with an error; else the first chosen', () => {
  const broken = inputInfo({
    path: '/d/users.csv',
    name: 'users.csv',
    kind: 'users',
    format: 'csv',
    error: { kind: 'input', message: 'no user_id column' },
  });
  const p = placeInputs(EMPTY_SLOTS, [broken, extra]);
  assert.equal(p.slots.users, extra);
  assert.equal(p.unused[0].name, 'users.csv');
  const a = inputInfo({ path: '/d/a.csv', name: 'a.csv', kind: 'users', format: 'csv' });
  assert.equal(placeInputs(EMPTY_SLOTS, [a, extra]).slots.users, a);
});

test('a file chosen later replaces the earlier one of its kind, and says nothing is unused', () => {
  const p = placeInputs({ events, users }, [extra]);
  assert.equal(p.slots.users, extra);
  assert.deepEqual(p.unused, []);
});

test('an unrecognised file fills an empty slot; with both full it is named, not dropped in', () => {
  const odd = inputInfo({ name: 'export.bin', path: '/d/export.bin', kind: 'unknown', format: 'unknown' });
  assert.equal(placeInputs({ events, users: null }, [odd]).slots.users, odd);
  const full = placeInputs({ events, users }, [odd]);
  assert.deepEqual(full.slots, { events, users });
  assert.equal(full.unused[0].name, 'export.bin');
});

test('Run waits while a slot holds the other kind of file, and says Swap fixes it', () => {
  const swapped = swapSlots({ events, users });
  assert.match(slotProblem(swapped)!, /wrong way round: use Swap/);
  assert.equal(slotNeedingAttention(swapped), 'events');
  // Two users files: the events slot holds one.
  assert.match(slotProblem({ events: extra, users })!, /extra\.csv looks like a users file, not events: use Swap/);
  assert.equal(slotProblem({ events, users }), null);
  assert.equal(slotNeedingAttention({ events, users }), null);
  assert.equal(slotNeedingAttention({ events, users: null }), 'users');
});
