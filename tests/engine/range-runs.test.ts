/**
 * A spilled partition's output rows are cut into merge ranges by position: each range must get
 * exactly its own rows, empty ranges included, and rows out of order must be noticed (the
 * caller sorts them first) rather than cut into wrong ranges.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runStarts } from '../../electron/engine/range-runs';

/** The rows of each range that runStarts' answer cuts `ids` into. */
function cut(ids: number[], ranges: number): number[][] {
  const starts = runStarts(Uint32Array.from(ids), ranges);
  assert.ok(starts, 'ids in order must give starts');
  assert.equal(starts.length, ranges + 1);
  return Array.from({ length: ranges }, (_, b) => ids.slice(starts[b], starts[b + 1]));
}

test('each range gets exactly its rows, in order, empty ranges included', () => {
  const ids = [0, 0, 2, 2, 2, 4];
  assert.deepEqual(cut(ids, 6), [[0, 0], [], [2, 2, 2], [], [4], []]);
});

test('ranges before the first row and after the last are empty', () => {
  assert.deepEqual(cut([3, 3], 5), [[], [], [], [3, 3], []]);
});

test('no rows: every range is empty', () => {
  assert.deepEqual(cut([], 3), [[], [], []]);
});

test('random ids in order: every row lands in its own range, none lost or repeated', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let trial = 0; trial < 50; trial++) {
    const ranges = 1 + (next() % 9);
    const ids = Array.from({ length: next() % 200 }, () => next() % ranges).sort((a, b) => a - b);
    const parts = cut(ids, ranges);
    parts.forEach((rows, b) =>
      assert.ok(
        rows.every((id) => id === b),
        `range ${b} holds only its rows`,
      ),
    );
    assert.deepEqual(parts.flat(), ids);
  }
});

test('rows out of range order are reported, not cut', () => {
  assert.equal(runStarts(Uint32Array.from([0, 2, 1]), 3), null);
  assert.equal(runStarts(Uint32Array.from([1, 0]), 2), null);
});
