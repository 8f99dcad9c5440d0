/**
 * Paging, sorting and filtering a 1,000,000-row Parquet file: the right rows, types and order.
 * How fast pages come back is measured by `npm run bench` (issue 5), not here.
 */
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
      source_row: pl.Series(
        'source_row',
        Array.from({ length: ROWS }, (_, i) => i + 1),
        pl.Int64,
      ),
      drop_reason: Array.from({ length: ROWS }, (_, i) => REASONS[i % 4]),
      user_id: Array.from({ length: ROWS }, (_, i) => `u${(i * 7919) % 100003}`),
      timestamp: Array.from({ length: ROWS }, (_, i) => `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`),
      value: Array.from({ length: ROWS }, (_, i) => (i % 10 === 0 ? null : (i % 1000) / 4)),
    })
    .withColumns(
      pl
        .col('timestamp')
        .str.strptime(pl.Datetime('ms'), '%Y-%m-%dT%H:%M:%SZ')
        .cast(pl.Datetime('us', 'UTC'))
        .alias('timestamp_dt'),
    );
  // The pager pages any of the app's output names; this one plays dropped_rows.parquet.
  df.writeParquet(path.join(dir, 'dropped_rows.parquet'), { compression: 'snappy' });
});
after(() => cleanup());

test('200-row pages of a 1,000,000-row file at any offset, with schema, codec and size', async () => {
  const pager = new ParquetPager();
  const req = { outDir: dir, file: 'dropped_rows.parquet' as const, limit: 200 };
  for (const offset of [0, 500_000, 122_870, 999_800, 500_000]) {
    const page = await pager.readPage({ ...req, offset });
    assert.equal(page.rows.length, 200);
    assert.deepEqual(
      page.rows.map((r) => r[0]),
      Array.from({ length: 200 }, (_, i) => offset + i + 1),
      'int64 as a number, in file order (across a row group boundary too)',
    );
    assert.equal(page.totalRows, ROWS);
  }
  const last = await pager.readPage({ ...req, offset: ROWS - 50 });
  assert.equal(last.rows.length, 50, 'a page past the end is cut short');
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

test('sorted pages are in order within and across pages, nulls last', async () => {
  const pager = new ParquetPager();
  const req = {
    outDir: dir,
    file: 'dropped_rows.parquet' as const,
    limit: 200,
    sort: { column: 'value', descending: true },
  };
  const values: number[] = [];
  for (const offset of [0, 200, 400, 600, 300_000, 899_800]) {
    const page = await pager.readPage({ ...req, offset });
    const col = page.rows.map((r) => r[4] as number);
    for (let i = 1; i < col.length; i++) {
      assert.ok(col[i - 1] >= col[i], 'descending');
      // Whole rows, and equal values in file order.
      const [a, b] = [page.rows[i - 1], page.rows[i]];
      assert.equal(b[1], REASONS[((b[0] as number) - 1) % 4], 'each row is whole');
      if (col[i - 1] === col[i])
        assert.ok((a[0] as number) < (b[0] as number), 'stable: equal values keep the file order');
    }
    values.push(col[0]);
  }
  for (let i = 1; i < values.length; i++) assert.ok(values[i - 1] >= values[i], 'descending across pages');
  // Nulls go last.
  const tail = await pager.readPage({ ...req, offset: ROWS - 10, limit: 10 });
  assert.ok(tail.rows.every((r) => r[4] === null));
});

test('a sort of filtered rows, by a string column', async () => {
  const pager = new ParquetPager();
  const req = {
    outDir: dir,
    file: 'dropped_rows.parquet' as const,
    limit: 200,
    dropReason: 'unknown_user' as const,
    sort: { column: 'user_id', descending: false },
  };
  const expected = pl
    .readParquet(path.join(dir, 'dropped_rows.parquet'))
    .filter(pl.col('drop_reason').eq(pl.lit('unknown_user')))
    .sort({ by: 'user_id', descending: false, maintainOrder: true });
  for (const offset of [0, 123_456, ROWS / 4 - 100]) {
    const page = await pager.readPage({ ...req, offset });
    assert.equal(page.totalRows, ROWS / 4);
    assert.deepEqual(
      page.rows.map((r) => r[0]),
      expected.getColumn('source_row').slice(offset, 200).toArray().map(Number),
    );
  }
});

test('filtering dropped rows by reason counts and pages only that reason', async () => {
  const pager = new ParquetPager();
  const req = { outDir: dir, file: 'dropped_rows.parquet' as const, limit: 200, dropReason: 'duplicate' as const };
  const first = await pager.readPage({ ...req, offset: 0 });
  assert.equal(first.totalRows, ROWS / 4);
  assert.ok(first.rows.every((r) => r[1] === 'duplicate'));
  const next = await pager.readPage({ ...req, offset: 1000 });
  assert.equal(next.rows[0][0], 1000 * 4 + 2, 'input order kept inside the filter');
});

test('a missing file or column is an error naming it', async () => {
  const pager = new ParquetPager();
  await assert.rejects(
    pager.readPage({ outDir: dir, file: 'clean_events.parquet', offset: 0, limit: 10 }),
    /no clean_events.parquet in .* Run the pipeline first/,
  );
  await assert.rejects(
    pager.readPage({
      outDir: dir,
      file: 'dropped_rows.parquet',
      offset: 0,
      limit: 10,
      sort: { column: 'nope', descending: false },
    }),
    /has no column "nope"/,
  );
});

test('readableType turns Polars dtypes into short names', () => {
  assert.equal(readableType(pl.Datetime('us', 'UTC')), 'Datetime(us, UTC)');
  assert.equal(readableType(pl.Date), 'Date');
  assert.equal(readableType(pl.Int64), 'Int64');
});
