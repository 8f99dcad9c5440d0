/** Paging, sorting and filtering a 1,000,000-row Parquet file fast enough to scroll. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pl from 'nodejs-polars';
import { ParquetPager, readableType } from '../../electron/service/parquet-pager';
import { tempDir } from './fixtures';

const ROWS = 1_000_000;
const REASONS = ['invalid_timestamp', 'duplicate', 'unknown_user', 'non_us_user'];
let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  const df = pl
    .DataFrame({
      source_row: pl.Series('source_row', Array.from({ length: ROWS }, (_, i) => i + 1), pl.Int64),
      drop_reason: Array.from({ length: ROWS }, (_, i) => REASONS[i % 4]),
      user_id: Array.from({ length: ROWS }, (_, i) => `u${(i * 7919) % 100003}`),
      timestamp: Array.from({ length: ROWS }, (_, i) => `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`),
      value: Array.from({ length: ROWS }, (_, i) => (i % 10 === 0 ? null : (i % 1000) / 4)),
    })
    .withColumns(pl.col('timestamp').str.strptime(pl.Datetime('ms'), '%Y-%m-%dT%H:%M:%SZ').cast(pl.Datetime('us', 'UTC')).alias('timestamp_dt'));
  // The pager pages any of the app's output names; this one plays dropped_rows.parquet.
  df.writeParquet(path.join(dir, 'dropped_rows.parquet'), { compression: 'snappy' });
});
after(() => cleanup());

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work();
  return [value, performance.now() - start];
}

test('200-row pages of a 1,000,000-row file come back well under 100 ms, with schema, codec and size', async () => {
  const pager = new ParquetPager();
  const req = { outDir: dir, file: 'dropped_rows.parquet' as const, limit: 200 };
  await pager.readPage({ ...req, offset: 0 }); // first touch reads the footer
  for (const offset of [0, 500_000, 999_800]) {
    // Best of three: the machine running the tests is shared, and one slow tick measures the
    // neighbours rather than the pager.
    let best = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      const [page, ms] = await timed(() => pager.readPage({ ...req, offset }));
      best = Math.min(best, ms);
      assert.equal(page.rows.length, 200);
      assert.equal(page.rows[0][0], offset + 1, 'int64 as a number, in file order');
      assert.equal(page.totalRows, ROWS);
    }
    assert.ok(best < 100, `page at ${offset} took ${best.toFixed(1)} ms at best`);
  }
  const page = await pager.readPage({ ...req, offset: 0, limit: 1 });
  assert.equal(page.codec, 'SNAPPY');
  assert.ok(page.bytes > 0);
  assert.deepEqual(page.columns, [
    { name: 'source_row', type: 'Int64' },
    { name: 'drop_reason', type: 'String' },
    { name: 'user_id', type: 'String' },
    { name: 'timestamp', type: 'String' },
    { name: 'value', type: 'Float64' },
    { name: 'timestamp_dt', type: 'Datetime(us, UTC)' },
  ]);
  assert.equal(page.rows[0][5], '2025-01-01T00:00:00.000000Z', 'timestamps as ISO strings');
});

test('sorted pages: the sorted view is built once, then every page is well under 100 ms and in order', async () => {
  const pager = new ParquetPager();
  const req = { outDir: dir, file: 'dropped_rows.parquet' as const, limit: 200, sort: { column: 'value', descending: true } };
  const [, firstMs] = await timed(() => pager.readPage({ ...req, offset: 0 }));
  const values: number[] = [];
  for (const offset of [200, 400, 600, 300_000, 899_800]) {
    const [page, ms] = await timed(() => pager.readPage({ ...req, offset }));
    assert.ok(ms < 100, `sorted page at ${offset} took ${ms.toFixed(1)} ms (the sort itself took ${firstMs.toFixed(0)} ms)`);
    const col = page.rows.map((r) => r[4] as number);
    for (let i = 1; i < col.length; i++) assert.ok(col[i - 1] >= col[i], 'descending');
    values.push(col[0]);
  }
  for (let i = 1; i < values.length; i++) assert.ok(values[i - 1] >= values[i], 'descending across pages');
  // Nulls go last.
  const tail = await pager.readPage({ ...req, offset: ROWS - 10, limit: 10 });
  assert.ok(tail.rows.every((r) => r[4] === null));
});

test('filtering dropped rows by reason counts and pages only that reason', async () => {
  const pager = new ParquetPager();
  const req = { outDir: dir, file: 'dropped_rows.parquet' as const, limit: 200, dropReason: 'duplicate' as const };
  const first = await pager.readPage({ ...req, offset: 0 });
  assert.equal(first.totalRows, ROWS / 4);
  assert.ok(first.rows.every((r) => r[1] === 'duplicate'));
  const [next, ms] = await timed(() => pager.readPage({ ...req, offset: 1000 }));
  assert.ok(ms < 100, `filtered page took ${ms.toFixed(1)} ms`);
  assert.equal(next.rows[0][0], 1000 * 4 + 2, 'input order kept inside the filter');
});

test('a missing file or column is an error naming it', async () => {
  const pager = new ParquetPager();
  await assert.rejects(pager.readPage({ outDir: dir, file: 'clean_events.parquet', offset: 0, limit: 10 }), /no clean_events.parquet in .* Run the pipeline first/);
  await assert.rejects(
    pager.readPage({ outDir: dir, file: 'dropped_rows.parquet', offset: 0, limit: 10, sort: { column: 'nope', descending: false } }),
    /has no column "nope"/,
  );
});

test('readableType turns Polars dtypes into short names', () => {
  assert.equal(readableType(pl.Datetime('us', 'UTC')), 'Datetime(us, UTC)');
  assert.equal(readableType(pl.Date), 'Date');
  assert.equal(readableType(pl.Int64), 'Int64');
});
