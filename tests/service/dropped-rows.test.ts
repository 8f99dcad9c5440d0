import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pl from 'nodejs-polars';
import { droppedRowsAt, droppedSummary, exportDroppedCsv, scanDropped } from '../../electron/service/dropped-rows';
import { classifyTimestamp } from '../../electron/service/timestamp-patterns';
import { tempDir } from './fixtures';

let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  const rows = [
    ['missing_user_id', '2025-01-01T00:00:00Z'],
    ['invalid_timestamp', '2025/01/02 10:00'],
    ['invalid_timestamp', '01/02/2025'],
    ['invalid_timestamp', '1736000000'],
    ['invalid_timestamp', '2025-02-30T10:00:00Z'],
    ['invalid_timestamp', '20250115T102345Z'],
    ['invalid_timestamp', ''],
    ['invalid_timestamp', null],
    ['invalid_timestamp', 'soon'],
    ['duplicate', '2025-01-01T00:00:00Z'],
    ['duplicate', '2025-01-01T00:00:00Z'],
    ['non_us_user', '2025-01-01T00:00:00Z'],
  ] as const;
  pl.DataFrame({
    source_row: pl.Series(
      'source_row',
      rows.map((_, i) => i + 1),
      pl.Int64,
    ),
    drop_reason: rows.map((r) => r[0]),
    duplicate_of: pl.Series(
      'duplicate_of',
      rows.map((r) => (r[0] === 'duplicate' ? 1 : null)),
      pl.Int64,
    ),
    user_id: rows.map((_, i) => `u${i}`),
    timestamp: pl.Series(
      'timestamp',
      rows.map((r) => r[1]),
      pl.String,
    ),
  }).writeParquet(path.join(dir, 'dropped_rows.parquet'), { compression: 'snappy' });
});
after(() => cleanup());

test('counts dropped rows by reason', async () => {
  const summary = await droppedSummary(dir);
  assert.deepEqual(summary.byReason, { missing_user_id: 1, invalid_timestamp: 8, duplicate: 2, non_us_user: 1 });
});

test('groups invalid timestamps by pattern, with an example of each', async () => {
  const { timestampPatterns } = await droppedSummary(dir);
  const byPattern = Object.fromEntries(timestampPatterns.map((p) => [p.pattern, p]));
  assert.equal(byPattern['slashes'].count, 2);
  assert.match(byPattern['slashes'].example, /\//);
  assert.deepEqual(Object.fromEntries(timestampPatterns.map((p) => [p.pattern, p.count])), {
    slashes: 2,
    'epoch number': 1,
    'impossible date': 1,
    'basic format': 1,
    empty: 1,
    missing: 1,
    other: 1,
  });
  assert.equal(timestampPatterns[0].pattern, 'slashes', 'most frequent first');
});

test('exports the dropped rows of one reason to CSV in the output folder', async () => {
  const result = await exportDroppedCsv(dir, 'duplicate');
  assert.equal(result.path, path.join(dir, 'dropped_rows_duplicate.csv'));
  assert.equal(result.rows, 2);
  const lines = (await readFile(result.path, 'utf8')).trim().split('\n');
  assert.equal(lines[0], 'source_row,drop_reason,duplicate_of,user_id,timestamp');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^10,duplicate,1,u9,/);
  const all = await exportDroppedCsv(dir);
  assert.equal(all.rows, 12);
  assert.equal(path.basename(all.path), 'dropped_rows.csv');
});

test('asking before any run says what to do', async () => {
  const empty = await tempDir();
  try {
    await assert.rejects(droppedSummary(empty.dir), /no dropped_rows.parquet .* Run the pipeline first/);
  } finally {
    await empty.cleanup();
  }
});

test('read a slice at a time, the summary and the first rows of each reason are those of the whole file', async () => {
  // Reasons and bad timestamps spread so that slices of 1, 4 and 7 rows split them
  // differently: a pattern's first row, and a reason's third, come in later slices.
  const reasons = ['non_us_user', 'invalid_timestamp', 'duplicate', 'invalid_timestamp', 'unknown_user'];
  reasons.push('invalid_timestamp', 'malformed_record');
  const stamps = ['2025/01/02 10:00', '1736000000', '01/02/2025', null, '', '2025-02-30T10:00:00Z', 'soon'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 8;
  const rows = Array.from({ length: 43 }, () => ({
    reason: reasons[next() % reasons.length],
    timestamp: stamps[next() % stamps.length],
  }));
  const { dir: sliced, cleanup: done } = await tempDir();
  try {
    // (Awaited: the sink writes the file when the query is collected, asynchronously.)
    await pl
      .DataFrame({
        source_row: pl.Series(
          'source_row',
          rows.map((_, i) => i * 2 + 1),
          pl.Int64,
        ),
        drop_reason: rows.map((r) => r.reason),
        timestamp: pl.Series(
          'timestamp',
          rows.map((r) => r.timestamp),
          pl.String,
        ),
      })
      .lazy()
      .sinkParquet(path.join(sliced, 'dropped_rows.parquet'), { compression: 'snappy', rowGroupSize: 5 })
      .collect();
    // The same, one row at a time in file order.
    const byReason: Record<string, number> = {};
    const firstRows: Record<string, number[]> = {};
    const patterns = new Map<string, { pattern: string; count: number; example: string }>();
    rows.forEach((r, i) => {
      byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
      if ((firstRows[r.reason] ??= []).length < 3) firstRows[r.reason].push(i);
      if (r.reason !== 'invalid_timestamp') return;
      const pattern = classifyTimestamp(r.timestamp);
      const entry = patterns.get(pattern) ?? { pattern, count: 0, example: r.timestamp ?? '(null)' };
      entry.count++;
      patterns.set(pattern, entry);
    });
    const timestampPatterns = [...patterns.values()].sort(
      (a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern),
    );
    assert.ok(timestampPatterns.length >= 5 && Object.keys(byReason).length === 5);
    assert.ok(
      timestampPatterns.some((p) => p.count > 1 && p.pattern === 'slashes'),
      'two values of one pattern',
    );
    for (const sliceRows of [1, 4, 7, 1 << 18]) {
      const scan = await scanDropped(sliced, 3, sliceRows);
      assert.deepEqual(scan.summary, { byReason, timestampPatterns }, `slices of ${sliceRows} rows`);
      assert.deepEqual(scan.firstRows, firstRows, `slices of ${sliceRows} rows`);
    }
    const at = await droppedRowsAt(sliced, [0, 17, 42]);
    assert.deepEqual(
      at,
      [0, 17, 42].map((i) => ({
        source_row: String(i * 2 + 1),
        drop_reason: rows[i].reason,
        timestamp: rows[i].timestamp,
      })),
    );
  } finally {
    await done();
  }
});
