/**
 * The generated sample run through the real engine: the report's stage counts must be
 * exactly the ones the generator injected (docs/rules.md "Stages").
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { StageName } from '../../shared/pipeline';
import { runPipeline } from '../../electron/engine/pipeline';
import { generateDataset } from '../../electron/generator/generate-dataset';
import { DEFAULT_OPTIONS } from '../../electron/generator/generate-options';
import { readRows } from '../engine/helpers';
import { compare, model } from '../model/spec-model';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'generator-pipeline-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

test('the engine drops exactly what the generator injected into the default sample', async () => {
  const data = generateDataset({ ...DEFAULT_OPTIONS, outDir: path.join(tmpRoot, 'data') });
  const report = await runPipeline({
    eventsPath: data.eventsPath,
    usersPath: data.usersPath,
    outDir: path.join(tmpRoot, 'out'),
  });
  const stage = (name: StageName) => {
    const s = report.stages.find((x) => x.name === name);
    assert.ok(s, `stage ${name} in the report`);
    return s;
  };
  assert.equal(stage('extract').rows_in, 8934);
  assert.equal(stage('extract').rows_out, 8934);
  const cleaned = stage('clean_user_id').rows_in - stage('clean_timestamp').rows_out;
  assert.equal(cleaned, 14);
  assert.equal(stage('clean_user_id').dropped.missing_user_id, 4);
  assert.equal(stage('clean_timestamp').dropped.invalid_timestamp, 10);
  assert.equal(stage('deduplicate').dropped.duplicate, 170);

  // The join and the US filter, derived by the model from the two files, and then every
  // output row, warning and input fact of the report.
  const want = model(
    fs.readFileSync(data.eventsPath, 'utf8'),
    data.eventsPath,
    fs.readFileSync(data.usersPath, 'utf8'),
  );
  assert.deepEqual(
    [stage('join_users').dropped.unknown_user, stage('filter_us').dropped.non_us_user, stage('filter_us').rows_out],
    [want.counts.unknown, want.counts.nonUs, want.clean.length],
  );
  const out = path.join(tmpRoot, 'out');
  compare(
    {
      report,
      clean: readRows(path.join(out, 'clean_events.parquet')),
      daily: readRows(path.join(out, 'daily_summary.parquet')),
      dropped: readRows(path.join(out, 'dropped_rows.parquet')),
    },
    want,
  );
});

test('the engine agrees on a newline-delimited file with CRLF, malformed and blank lines', async () => {
  const data = generateDataset({
    ...DEFAULT_OPTIONS,
    events: 40_000,
    users: 1500,
    seed: 3,
    format: 'ndjson',
    crlf: true,
    outDir: path.join(tmpRoot, 'nd'),
  });
  const report = await runPipeline({
    eventsPath: data.eventsPath,
    usersPath: data.usersPath,
    outDir: path.join(tmpRoot, 'nd-out'),
  });
  const dropped = Object.assign({}, ...report.stages.map((s) => s.dropped)) as Record<string, number>;
  const plan = data.events.plan;
  assert.equal(report.stages[0].rows_in, 40_000);
  assert.equal(dropped.malformed_record, plan.malformedRecord);
  assert.equal(dropped.missing_user_id, plan.missingUserId);
  assert.equal(dropped.invalid_timestamp, plan.invalidTimestamp);
  assert.equal(dropped.duplicate, plan.duplicate);
  const out = path.join(tmpRoot, 'nd-out');
  compare(
    {
      report,
      clean: readRows(path.join(out, 'clean_events.parquet')),
      daily: readRows(path.join(out, 'daily_summary.parquet')),
      dropped: readRows(path.join(out, 'dropped_rows.parquet')),
    },
    model(fs.readFileSync(data.eventsPath, 'utf8'), data.eventsPath, fs.readFileSync(data.usersPath, 'utf8')),
  );
});
