/**
 * Deduplication groups rows by a 64-bit hash of their key and checks every match; a hash
 * collision must fall back to exact grouping. A constant "hash" makes every key collide.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pl from 'nodejs-polars';
import { markDuplicates } from '../../electron/engine/stages';

function frame() {
  const rows = [
    // user_id, event_type, timestamp, value, reason (0 kept so far, 3 invalid_timestamp)
    ['u1', 'login', '2025-01-15T10:00:00Z', 3, 0],
    ['u1', 'login', '2025-01-15T10:00:00Z', 3.0, 0], // duplicate of row 1
    ['u1', 'login', '2025-01-15T10:00:00+00:00', 3, 0], // other text: not a duplicate
    [null, null, '2025-01-15T10:00:00Z', null, 0],
    [null, null, '2025-01-15T10:00:00Z', null, 0], // nulls equal: duplicate of row 4
    ['u2', 'view', 'bad', 1, 3], // dropped earlier: never a first occurrence
    ['u2', 'view', 'bad', 1, 0],
    ['u2', 'view', 'bad', 1, 0], // duplicate of row 7, not of row 6
  ] as const;
  return pl.DataFrame({
    source_row: pl.Series('source_row', rows.map((_, i) => i + 1), pl.Int32),
    reason: pl.Series('reason', rows.map((r) => r[4]), pl.Int32),
    user_id: pl.Series('user_id', rows.map((r) => r[0]), pl.Utf8),
    event_type: pl.Series('event_type', rows.map((r) => r[1]), pl.Utf8),
    timestamp: pl.Series('timestamp', rows.map((r) => r[2]), pl.Utf8),
    value: pl.Series('value', rows.map((r) => r[3]), pl.Float64),
  });
}

const verdicts = (df: pl.DataFrame) =>
  df.getColumn('reason').toArray().map((reason, i) => [Number(reason), reason === 4 ? Number(df.getColumn('first_row').toArray()[i]) : null]);

const expected = [[0, null], [4, 1], [0, null], [0, null], [4, 4], [3, null], [0, null], [4, 7]];

test('duplicates by hashed key: first occurrence kept, later exact matches marked', async () => {
  assert.deepEqual(verdicts(await markDuplicates(frame())), expected);
});

test('when every key collides, the exact grouping gives the same verdicts', async () => {
  assert.deepEqual(verdicts(await markDuplicates(frame(), pl.lit(42).cast(pl.UInt64))), expected);
});
