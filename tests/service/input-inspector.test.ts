import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { firstArrayElements, inspectInput } from '../../electron/service/input-inspector';
import { run } from '../engine/helpers';
import { tempDir, writeEventsNdjson } from './fixtures';

let dir: string;
let cleanup: () => Promise<void>;
const file = (name: string) => path.join(dir, name);

before(async () => {
  ({ dir, cleanup } = await tempDir());
});
after(() => cleanup());

test('a JSON array of events: kind, format, exact rows and a peek with metadata flattened', async () => {
  await writeFile(
    file('raw_events.json'),
    '\uFEFF[{"user_id":"u1","event_type":"login","timestamp":"2025-01-01T00:00:00Z","value":"12","metadata":{"device":"mobile","page":"/"}},\n{"user_id":7}]',
  );
  const info = await inspectInput(file('raw_events.json'));
  assert.equal(info.kind, 'events');
  assert.equal(info.format, 'json');
  assert.equal(info.rowEstimate, 2);
  assert.equal(info.error, undefined);
  assert.deepEqual(info.peek.columns, ['user_id', 'event_type', 'timestamp', 'value', 'device', 'page']);
  assert.deepEqual(info.peek.rows[0], ['u1', 'login', '2025-01-01T00:00:00Z', '12', 'mobile', '/']);
  assert.deepEqual(info.peek.rows[1], ['7', null, null, null, null, null]);
});

test('newline-delimited events (.json sniffed by content, .ndjson by name)', async () => {
  await writeFile(file('lines.json'), '{"user_id":"a"}\r\n\r\nnot json\n{"user_id":"b"}\n');
  const info = await inspectInput(file('lines.json'));
  assert.equal(info.format, 'ndjson');
  assert.equal(info.rowEstimate, 3, 'non-blank lines');
  assert.deepEqual(
    info.peek.rows.map((r) => r[0]),
    ['a', 'b'],
  );
});

test('a large file gets a row estimate from its head', async () => {
  await writeEventsNdjson(file('big.ndjson'), 60_000);
  const info = await inspectInput(file('big.ndjson'));
  assert.equal(info.format, 'ndjson');
  assert.ok(info.bytes > 4 * 1024 * 1024);
  assert.ok(Math.abs(info.rowEstimate - 60_000) / 60_000 < 0.05, `estimate ${info.rowEstimate}`);
  assert.equal(info.peek.rows.length, 10);
});

test('users CSV: quoted fields, header matched case-insensitively', async () => {
  await writeFile(
    file('users.csv'),
    ' User_ID ,Signup_Date,COUNTRY,plan\r\nu1,2024-01-01,US,"PPO, Gold"\r\nu2,2024-02-01,"United States",HMO\r\n',
  );
  const info = await inspectInput(file('users.csv'));
  assert.equal(info.kind, 'users');
  assert.equal(info.format, 'csv');
  assert.equal(info.rowEstimate, 2);
  assert.deepEqual(info.peek.rows[0], ['u1', '2024-01-01', 'US', 'PPO, Gold']);
});

test('errors name the file and say what to do', async () => {
  await writeFile(file('no-country.csv'), 'user_id,signup_date\nu1,2024-01-01\n');
  const csv = await inspectInput(file('no-country.csv'));
  assert.equal(csv.error?.kind, 'input');
  assert.match(csv.error!.message, /no-country.csv has no country column .*line 1/);
  assert.equal(csv.error?.file, file('no-country.csv'));

  await writeFile(file('broken.json'), '[{"user_id": "u1",}]');
  const broken = await inspectInput(file('broken.json'));
  // Worded by the engine's scan, as the CLI words it: line, column, byte, and the text there.
  assert.match(broken.error!.message, /^broken.json is not valid JSON at line 1, column 19 \(byte 18\): a quoted key/);
  assert.deepEqual([broken.error!.line, broken.error!.column, broken.error!.offset], [1, 19, 18]);
  assert.equal(broken.error!.excerpt, '[{"user_id": "u1",}]\n                  ^');

  const missing = await inspectInput(file('nope.json'));
  assert.match(missing.error!.message, /Cannot read .*nope.json: it does not exist/);

  await writeFile(file('empty.csv'), '');
  assert.match((await inspectInput(file('empty.csv'))).error!.message, /empty.csv is empty/);
});

test('firstArrayElements splits a cut-off array head into whole elements', () => {
  const { elements } = firstArrayElements('[ {"a":"x,]"} , [1,2], 3, {"b": {"c": "}"}}, {"cut', 10);
  assert.deepEqual(elements, ['{"a":"x,]"}', '[1,2]', '3', '{"b": {"c": "}"}}']);
});

// docs/rules.md "Choices where the contract is open": a .json that is not an array is
// newline-delimited, and a line that is not an object is dropped. The peek and the run agree:
// neither refuses the file; the peek warns before the run, the run drops every line with a count.
test('a non-empty .json that is neither an array nor objects: the peek warns, the run drops every line as malformed', async () => {
  const text = 'hello\nuser_id,country\n\n  "just a string"\n[1, 2]\n';
  await writeFile(file('text.json'), text);
  const info = await inspectInput(file('text.json'));
  assert.equal(info.error, undefined, info.error?.message);
  assert.equal(info.kind, 'events');
  assert.equal(info.format, 'ndjson');
  assert.equal(info.rowEstimate, 4, 'the non-blank lines, as the run counts them');
  assert.match(
    info.notice ?? '',
    /^None of the 4 lines of text\.json is a JSON object: a run reads it as newline-delimited JSON and drops every such line as malformed_record\./,
  );

  const r = await run(text, { eventsName: 'text.json' });
  assert.equal(r.report.inputs[0].format, 'ndjson');
  assert.equal(r.report.stages[0].rows_in, info.rowEstimate);
  assert.deepEqual(r.report.stages[0].dropped, { malformed_record: 4 });
  assert.deepEqual(
    r.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]),
    [
      [1, 'malformed_record', 'hello'],
      [2, 'malformed_record', 'user_id,country'],
      [4, 'malformed_record', '  "just a string"'],
      [5, 'malformed_record', '[1, 2]'],
    ],
  );
  assert.equal(r.clean.length, 0);
});

test('a large .json of lines that are not objects: the peek of its head warns, and does not refuse it', async () => {
  await writeFile(file('big-text.json'), 'not an event, just text\n'.repeat(300_000));
  const info = await inspectInput(file('big-text.json'));
  assert.equal(info.error, undefined);
  assert.equal(info.format, 'ndjson');
  assert.match(info.notice ?? '', /^None of the first [\d,]+ lines of big-text\.json is a JSON object/);
  assert.ok(Math.abs(info.rowEstimate - 300_000) / 300_000 < 0.05, `estimate ${info.rowEstimate}`);
});
