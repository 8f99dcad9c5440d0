import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ExactMix,
  ExactSelector,
  planInjections,
  RowKindSequencer,
  type RowKind,
} from '../../electron/generator/injection-plan';
import { Rng } from '../../electron/generator/prng';

test('the default sample (8934 events, JSON) plans 14 cleaning drops and 170 duplicates', () => {
  const plan = planInjections(8934, 'json');
  assert.equal(plan.missingUserId + plan.invalidTimestamp, 14);
  assert.equal(plan.missingUserId, 4);
  assert.equal(plan.invalidTimestamp, 10);
  assert.equal(plan.duplicate, 170);
  assert.equal(plan.malformedRecord, 0);
  assert.equal(plan.blankLine, 0);
});

test('malformed and blank lines only exist in newline-delimited files', () => {
  const plan = planInjections(100_000, 'ndjson');
  assert.equal(plan.malformedRecord, 50);
  assert.equal(plan.blankLine, 50);
  assert.equal(
    plan.natural +
      plan.missingUserId +
      plan.invalidTimestamp +
      plan.duplicate +
      plan.nearDuplicate +
      plan.malformedRecord,
    100_000,
  );
});

test('tiny files inject nothing rather than more rows than they have', () => {
  for (const n of [0, 1, 2, 5]) {
    const plan = planInjections(n, 'ndjson');
    assert.equal(plan.natural, n);
  }
});

test('RowKindSequencer hands out exactly the planned counts, the first row natural', () => {
  const plan = planInjections(50_000, 'ndjson');
  const seq = new RowKindSequencer(plan);
  const rng = new Rng(3);
  const counts: Record<string, number> = {};
  const kinds: RowKind[] = [];
  for (let i = 0; i < plan.events; i++) {
    const k = seq.next(rng);
    kinds.push(k);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  assert.equal(kinds[0], 'natural');
  assert.deepEqual(counts, {
    natural: plan.natural,
    missingUserId: plan.missingUserId,
    invalidTimestamp: plan.invalidTimestamp,
    duplicate: plan.duplicate,
    nearDuplicate: plan.nearDuplicate,
    malformedRecord: plan.malformedRecord,
  });
  // Spread over the file, not bunched at one end.
  const firstHalfDuplicates = kinds.slice(0, 25_000).filter((k) => k === 'duplicate').length;
  assert.ok(firstHalfDuplicates > plan.duplicate * 0.4 && firstHalfDuplicates < plan.duplicate * 0.6);
});

test('ExactMix and ExactSelector choose exactly their counts', () => {
  const rng = new Rng(9);
  const mix = new ExactMix({ a: 3, b: 5 }, 40, 'rest');
  const got = Array.from({ length: 40 }, () => mix.next(rng));
  assert.equal(got.filter((x) => x === 'a').length, 3);
  assert.equal(got.filter((x) => x === 'b').length, 5);
  const sel = new ExactSelector(7, 20);
  assert.equal(Array.from({ length: 20 }, () => sel.take(rng)).filter(Boolean).length, 7);
});
