/**
 * End to end on the sample in data/ (written by `npm run generate`): the log's counts, and
 * all three Parquet outputs read back independently with parquetjs-lite (row counts equal the
 * report's, column names per docs/rules.md, Snappy on every column chunk).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { runPipeline } from '../../electron/engine/pipeline';
import type { RunReport } from '../../shared/pipeline';
import { sha256, tmpDir } from './helpers';
import { model } from '../model/spec-model';

const parquet = require('parquetjs-lite');

const ROOT = path.resolve(__dirname, '../..');
const EVENTS = path.join(ROOT, 'data/raw_events.json');
const USERS = path.join(ROOT, 'data/users.csv');

const COLUMNS: Record<string, string[]> = {
  'clean_events.parquet': [
    'user_id',
    'event_type',
    'timestamp',
    'timestamp_dt',
    'event_date',
    'value',
    'device',
    'page',
    'signup_date',
    'country',
  ],
  'daily_summary.parquet': ['user_id', 'event_date', 'event_count'],
  'dropped_rows.parquet': [
    'source_row',
    'drop_reason',
    'duplicate_of',
    'user_id',
    'event_type',
    'timestamp',
    'value',
    'device',
    'page',
    'raw',
  ],
};

let outDir: string;
let report: RunReport;
let log: string;

before(async () => {
  outDir = path.join(tmpDir(), 'out');
  report = await runPipeline({ eventsPath: EVENTS, usersPath: USERS, outDir });
  log = fs.readFileSync(path.join(outDir, 'etl.log'), 'utf8');
});

test('etl.log has the sample counts', () => {
  assert.match(log, /Loaded 8934 events/);
  assert.match(log, /Loaded 1000 users/);
  assert.match(log, /Cleaned events: 8934 -> 8920 \(dropped 14 rows\)/);
  assert.match(log, /Deduplication: 8920 -> 8750 \(removed 170 duplicates\)/);
  assert.match(log, /DROPPED ROW SUMMARY:/);
});

test('the join and the US filter drop what the model derives from the two files', () => {
  const want = model(fs.readFileSync(EVENTS, 'utf8'), EVENTS, fs.readFileSync(USERS, 'utf8'));
  const c = want.counts;
  const afterDedup = c.rows - c.malformed - c.missing - c.invalidTs - c.dup;
  const joined = afterDedup - c.unknown;
  assert.ok(c.unknown > 0 && c.nonUs > 0, 'the sample has unknown and non-US users');
  const line = (text: string) =>
    log
      .split('\n')
      .find((l) => l.includes(text))
      ?.replace(/^.* - INFO - /, '');
  assert.equal(
    line('Joined users:'),
    `Joined users: ${afterDedup} -> ${joined} (dropped ${c.unknown} events of unknown users)`,
  );
  assert.equal(
    line('Filtered to US users:'),
    `Filtered to US users: ${joined} -> ${joined - c.nonUs} (dropped ${c.nonUs} events of non-US users)`,
  );
  assert.deepEqual(
    [report.stages[4].dropped, report.stages[5].dropped, report.stages[5].rows_out],
    [{ unknown_user: c.unknown }, { non_us_user: c.nonUs }, want.clean.length],
  );
});

test('the report agrees with the log and the inputs', () => {
  assert.deepEqual(
    report.stages.map((s) => s.name),
    ['extract', 'clean_user_id', 'clean_timestamp', 'deduplicate', 'join_users', 'filter_us'],
  );
  assert.equal(report.stages[0].rows_in, 8934);
  assert.equal(report.stages[2].rows_out, 8920);
  assert.equal(report.stages[3].rows_out, 8750);
  for (let i = 1; i < report.stages.length; i++) assert.equal(report.stages[i].rows_in, report.stages[i - 1].rows_out);
  assert.equal(report.inputs[0].sha256, sha256(EVENTS));
  assert.equal(report.inputs[1].sha256, sha256(USERS));
  assert.equal(report.inputs[0].format, 'json');
  const dropped = report.stages.reduce((n, s) => n + s.rows_in - s.rows_out, 0);
  assert.equal(report.outputs.find((o) => o.path.endsWith('dropped_rows.parquet'))!.rows, dropped);
  assert.equal(report.outputs.find((o) => o.path.endsWith('clean_events.parquet'))!.rows, report.stages[5].rows_out);
});

for (const name of Object.keys(COLUMNS)) {
  test(`${name} read back with parquetjs-lite: rows, columns, SNAPPY on every chunk`, async () => {
    const file = path.join(outDir, name);
    const reader = await parquet.ParquetReader.openFile(file);
    try {
      const md = reader.metadata;
      const toNum = (v: { toNumber(): number } | number) => (typeof v === 'number' ? v : v.toNumber());
      const rows = toNum(md.num_rows);
      const entry = report.outputs.find((o) => path.basename(o.path) === name)!;
      assert.equal(rows, entry.rows);
      assert.ok(rows > 0);
      assert.equal(entry.codec, 'SNAPPY');
      assert.deepEqual(Object.keys(reader.schema.fields), COLUMNS[name]);
      let chunks = 0;
      let groupRows = 0;
      for (const rg of md.row_groups) {
        groupRows += toNum(rg.num_rows);
        for (const c of rg.columns) {
          chunks++;
          assert.equal(c.meta_data.codec, 1, `${name} ${c.meta_data.path_in_schema.join('.')}: SNAPPY`);
        }
      }
      assert.equal(groupRows, rows);
      assert.ok(chunks >= COLUMNS[name].length);
    } finally {
      await reader.close();
    }
  });
}
