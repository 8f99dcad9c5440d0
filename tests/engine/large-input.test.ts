/**
 * An input larger than one internal batch (2^20 rows) and one read block (8 MiB), but under
 * the size the reader splits between threads: nothing in the rules depends on the input's
 * size, so row numbers, deduplication across the batch boundary, and a multi-byte character
 * split across the block boundary must all hold.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pl from 'nodejs-polars';
import { runPipeline } from '../../electron/engine/pipeline';
import { DEFAULT_USERS, tmpDir, writeFile } from './helpers';

const BLOCK = 8 * 1024 * 1024;
const ROWS = (1 << 20) + 4; // 1,048,580 lines

test('1,048,580 NDJSON lines over 8 MiB: batch and block boundaries change nothing', async () => {
  const dir = tmpDir();
  const filler = '{"user_id":1}'; // no timestamp: invalid_timestamp
  const lines: string[] = [];
  const A = '{"user_id":"u1","event_type":"a","timestamp":"2025-01-15T10:00:00Z"}';
  const B = '{"user_id":"u2","event_type":"b","timestamp":"2025-01-16T10:00:00Z","value":1}';
  const C = '{"user_id":"u1","event_type":"c","timestamp":"2025-01-17T10:00:00Z"}';
  lines.push(A);
  let offset = Buffer.byteLength(A) + 1;
  let specialLine = 0;
  let special = '';
  while (lines.length < ROWS - 5) {
    if (!specialLine && offset + 200 > BLOCK) {
      // A line whose "é" has its first byte at BLOCK - 1 and its second at BLOCK.
      const prefix = '{"user_id":"u2","event_type":"';
      const pad = 'p'.repeat(BLOCK - offset - Buffer.byteLength(prefix) - 1);
      special = `${pad}é€😀`;
      const line = `${prefix}${special}","timestamp":"2025-01-15T12:00:00Z"}`;
      assert.equal(
        Buffer.from(line)
          .subarray(BLOCK - offset - 1, BLOCK - offset + 1)
          .toString(),
        'é',
      );
      lines.push(line);
      specialLine = lines.length;
      offset += Buffer.byteLength(line) + 1;
      continue;
    }
    lines.push(filler);
    offset += filler.length + 1;
  }
  lines.push(B); // line 1,048,576: the last row of the first 2^20
  lines.push(B); // 1,048,577: duplicate of the line before, across the boundary
  lines.push(A); // 1,048,578: duplicate of line 1
  lines.push('not json'); // 1,048,579
  lines.push(C); // 1,048,580
  assert.equal(lines.length, ROWS);
  const events = writeFile(dir, 'big.ndjson', lines.join('\n') + '\n');
  const size = fs.statSync(events).size;
  assert.ok(size > BLOCK && size < 16 * 1024 * 1024, `${size} bytes`);
  const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
  const outDir = path.join(dir, 'out');

  const report = await runPipeline({ eventsPath: events, usersPath: users, outDir });

  assert.deepEqual(
    report.stages.map((s) => [s.name, s.rows_in, s.rows_out]),
    [
      ['extract', ROWS, ROWS - 1],
      ['clean_user_id', ROWS - 1, ROWS - 1],
      ['clean_timestamp', ROWS - 1, 6],
      ['deduplicate', 6, 4],
      ['join_users', 4, 4],
      ['filter_us', 4, 4],
    ],
  );
  const clean = pl
    .readParquet(path.join(outDir, 'clean_events.parquet'))
    .select('user_id', 'event_type', 'timestamp')
    .toRecords();
  assert.deepEqual(clean, [
    { user_id: 'u1', event_type: 'a', timestamp: '2025-01-15T10:00:00Z' },
    { user_id: 'u2', event_type: special, timestamp: '2025-01-15T12:00:00Z' },
    { user_id: 'u2', event_type: 'b', timestamp: '2025-01-16T10:00:00Z' },
    { user_id: 'u1', event_type: 'c', timestamp: '2025-01-17T10:00:00Z' },
  ]);
  const dropped = pl.readParquet(path.join(outDir, 'dropped_rows.parquet'));
  assert.equal(dropped.height, ROWS - 4);
  const notTs = dropped
    .filter(pl.col('drop_reason').neq(pl.lit('invalid_timestamp')))
    .select('source_row', 'drop_reason', 'duplicate_of', 'raw')
    .toRecords()
    .map((r) => ({
      ...r,
      source_row: Number(r.source_row),
      duplicate_of: r.duplicate_of === null ? null : Number(r.duplicate_of),
    }));
  assert.deepEqual(notTs, [
    { source_row: (1 << 20) + 1, drop_reason: 'duplicate', duplicate_of: 1 << 20, raw: null },
    { source_row: (1 << 20) + 2, drop_reason: 'duplicate', duplicate_of: 1, raw: null },
    { source_row: (1 << 20) + 3, drop_reason: 'malformed_record', duplicate_of: null, raw: 'not json' },
  ]);
  // Source rows stay line numbers, in input order, all the way through.
  const rows = dropped.getColumn('source_row').toArray().map(Number);
  const expected: number[] = [];
  for (let line = 2; line <= ROWS - 1; line++) if (line !== specialLine && line !== 1 << 20) expected.push(line);
  assert.equal(rows.length, expected.length);
  assert.ok(
    rows.every((v, i) => v === expected[i]),
    'dropped rows are every other line, in input order',
  );
  // The numeric user_id of the filler lines is its decimal string.
  const ids = dropped
    .filter(pl.col('drop_reason').eq(pl.lit('invalid_timestamp')))
    .getColumn('user_id')
    .unique()
    .toArray();
  assert.deepEqual(ids, ['1']);
});
