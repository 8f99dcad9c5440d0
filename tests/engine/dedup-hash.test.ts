/**
 * Deduplication finds candidates by a 64-bit hash of each row's key (computed by the reader)
 * and checks every match; a hash collision must fall back to exact grouping. Here the hash
 * comes from Polars, and a constant "hash" makes every key collide. A spilled run finds the
 * same duplicates a chunk of input order at a time (chunk-dedup.ts), its first occurrences
 * carried from chunk to chunk.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pl from 'nodejs-polars';
import { ChunkDedup } from '../../electron/engine/chunk-dedup';
import { markDuplicates, repeatedHashRows } from '../../electron/engine/stages';

async function frame() {
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
  const df = pl.DataFrame({
    source_row: pl.Series(
      'source_row',
      rows.map((_, i) => i + 1),
      pl.Int32,
    ),
    reason: pl.Series(
      'reason',
      rows.map((r) => r[4]),
      pl.Int32,
    ),
    user_id: pl.Series(
      'user_id',
      rows.map((r) => r[0]),
      pl.Utf8,
    ),
    event_type: pl.Series(
      'event_type',
      rows.map((r) => r[1]),
      pl.Utf8,
    ),
    timestamp: pl.Series(
      'timestamp',
      rows.map((r) => r[2]),
      pl.Utf8,
    ),
    value: pl.Series(
      'value',
      rows.map((r) => r[3]),
      pl.Float64,
    ),
  });
  // As the reader does: hash the key of rows still kept, 0 for rows dropped earlier.
  const hashed = df.withColumns(
    pl
      .struct(['user_id', 'event_type', 'timestamp', 'value'].map((k) => pl.col(k)))
      .hash(1, 2, 3, 4)
      .alias('h'),
  );
  return hashed
    .withColumns(
      pl.when(pl.col('reason').eq(0)).then(pl.col('h')).otherwise(pl.lit(0).cast(pl.UInt64)).alias('key_hash'),
    )
    .drop('h');
}

const verdicts = (batches: pl.DataFrame[]) => {
  const df = pl.concat(batches, { how: 'vertical' });
  return df
    .getColumn('reason')
    .toArray()
    .map((reason, i) => [Number(reason), reason === 4 ? Number(df.getColumn('first_row').toArray()[i]) : null]);
};
/** Two batches, so duplicates span them as in a real run. */
const batches = async () => {
  const df = await frame();
  return [df.slice(0, 4), df.slice(4, 4)];
};

const expected = [
  [0, null],
  [4, 1],
  [0, null],
  [0, null],
  [4, 4],
  [3, null],
  [0, null],
  [4, 7],
];

const marked = expected.filter(([reason]) => reason === 4).length;

test('duplicates by hashed key: first occurrence kept, later exact matches marked, and counted', async () => {
  const result = await markDuplicates(await batches());
  assert.deepEqual(verdicts(result.batches), expected);
  assert.equal(result.duplicates, marked);
});

test('when every key collides, the exact grouping gives the same verdicts and count', async () => {
  const result = await markDuplicates(await batches(), null, pl.lit(42).cast(pl.UInt64));
  assert.deepEqual(verdicts(result.batches), expected);
  assert.equal(result.duplicates, marked);
});

/**
 * The spilled path: the repeated hashes of every batch (one dedup pass), then each batch
 * marked as a chunk of its own, in order, with `keyHash` replacing every kept row's hash.
 */
async function inChunks(keyHash?: pl.Expr): Promise<{ batches: pl.DataFrame[]; duplicates: number }> {
  const df = await frame();
  const hashed = keyHash
    ? df.withColumns(
        pl.when(pl.col('reason').eq(0)).then(keyHash).otherwise(pl.lit(0).cast(pl.UInt64)).alias('key_hash'),
      )
    : df;
  // One row per chunk: every duplicate's first occurrence is in an earlier chunk.
  const chunks = Array.from({ length: hashed.height }, (_, i) => hashed.slice(i, 1));
  const hashes = pl.concat(
    // The kept rows' hashes, as a spilled batch's hash file holds them (batch-spill.ts).
    chunks.map((c) => c.filter(pl.col('reason').eq(0)).select('source_row', 'key_hash')),
    { how: 'vertical' },
  );
  const dedup = new ChunkDedup(await repeatedHashRows(hashes.lazy()));
  const out: pl.DataFrame[] = [];
  let duplicates = 0;
  for (const chunk of chunks) {
    const marked = await dedup.mark([chunk]);
    out.push(...marked.batches);
    duplicates += marked.duplicates;
  }
  // Nothing is carried past the last row of any repeated hash.
  assert.equal(dedup.carried?.height ?? 0, 0, 'the carried first occurrences are let go');
  return { batches: out, duplicates };
}

test('a spilled run, a chunk at a time, gives the same verdicts and count', async () => {
  const result = await inChunks();
  assert.deepEqual(verdicts(result.batches), expected);
  assert.equal(result.duplicates, marked);
});

test('a spilled run whose every key collides gives the same verdicts and count', async () => {
  const result = await inChunks(pl.lit(42).cast(pl.UInt64));
  assert.deepEqual(verdicts(result.batches), expected);
  assert.equal(result.duplicates, marked);
});
