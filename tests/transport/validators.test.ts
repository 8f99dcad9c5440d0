import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_SCHEMAS, validateRequest } from '../../shared/validators';

const page = { outDir: '/out', file: 'clean_events.parquet', offset: 0, limit: 200 };

/** Each channel: payloads it must accept, and malformed ones with the words the refusal must contain. */
const CASES: Record<keyof typeof REQUEST_SCHEMAS, { good: unknown[]; bad: [unknown, RegExp][] }> = {
  'etl:defaults': {
    good: [undefined, null],
    bad: [
      [{ x: 1 }, /payload must be empty/],
      ['x', /payload must be empty/],
    ],
  },
  'etl:cancel': { good: [undefined], bad: [[{ now: true }, /payload must be empty/]] },
  'etl:pick-inputs': { good: [undefined], bad: [[[], /payload must be empty/]] },
  'etl:pick-output-dir': { good: [null], bad: [[0, /payload must be empty/]] },
  'etl:inspect-input': {
    good: [{ path: '/data/raw_events.json' }],
    bad: [
      [undefined, /payload must be an object/],
      [{}, /field "path" is missing/],
      [{ path: 42 }, /field "path" must be a path/],
      [{ path: '' }, /field "path" must not be empty/],
      [{ path: 'a\0b' }, /field "path" must not contain a NUL/],
      [{ path: 'x'.repeat(5000) }, /field "path" is longer than 4096/],
      [{ path: '/a', extra: 1 }, /unexpected field "extra"/],
    ],
  },
  'etl:run': {
    good: [
      { eventsPath: '/e.json', usersPath: '/u.csv', outDir: '/out' },
      { eventsPath: '/e.json', usersPath: '/u.csv', outDir: '/out', memoryLimit: 1_500_000_000 },
    ],
    bad: [
      [{ eventsPath: '/e.json', usersPath: '/u.csv' }, /field "outDir" is missing/],
      [{ eventsPath: '/e', usersPath: '/u', outDir: '/o', memoryLimit: '1GB' }, /field "memoryLimit" must be a number/],
      [
        { eventsPath: '/e', usersPath: '/u', outDir: '/o', memoryLimit: 5e6 },
        /field "memoryLimit" must be at least 100 MB/,
      ],
      [{ eventsPath: '/e', usersPath: '/u', outDir: '/o', memoryLimit: 1.5e9 + 0.5 }, /whole number of bytes/],
      [{ eventsPath: ['/e.json'], usersPath: '/u.csv', outDir: '/o' }, /field "eventsPath" must be a path/],
      [{ eventsPath: '/e', usersPath: '/u', outDir: '/o', shell: 'rm -rf' }, /unexpected field "shell"/],
      ['run please', /payload must be an object/],
    ],
  },
  'etl:read-page': {
    good: [
      page,
      { ...page, file: 'dropped_rows.parquet', dropReason: 'duplicate', sort: { column: 'user_id', descending: true } },
      { ...page, filter: { column: 'device', op: 'equals', value: 'ios' } },
      { ...page, filter: { column: 'value', op: 'range', min: '1', max: '2' } },
    ],
    bad: [
      [{ ...page, limit: 0 }, /field "limit" must be at least 1/],
      [{ ...page, limit: 1001 }, /field "limit" must be at most 1000/],
      [{ ...page, limit: 2.5 }, /field "limit" must be a whole number/],
      [{ ...page, offset: -1 }, /field "offset" must be 0 or more/],
      [{ ...page, offset: '0' }, /field "offset" must be a number/],
      [{ ...page, file: '../../etc/passwd' }, /field "file" must be one of clean_events.parquet/],
      [{ ...page, sort: { column: 'user_id' } }, /field "sort.descending" is missing/],
      [{ ...page, sort: { column: '', descending: false } }, /field "sort.column" must not be empty/],
      [{ ...page, dropReason: 'duplicate' }, /field "dropReason" applies to dropped_rows.parquet only/],
      [{ ...page, filter: { column: 'value', op: 'range' } }, /field "filter" needs a min, a max or both/],
      [{ ...page, filter: { column: 'value', op: 'equals' } }, /field "filter.value" is missing/],
      [{ ...page, filter: { column: '', op: 'contains', value: 'a' } }, /field "filter.column" must not be empty/],
      [{ ...page, filter: { column: 'a', op: 'contains', value: 'a', regex: true } }, /unexpected field "regex"/],
      [
        { ...page, file: 'dropped_rows.parquet', dropReason: 'boring' },
        /field "dropReason" must be one of malformed_record/,
      ],
    ],
  },
  'etl:dropped-summary': {
    good: [{ outDir: '/o' }],
    bad: [[{ outdir: '/o' }, /field "outDir" is missing|unexpected field "outdir"/]],
  },
  'etl:export-dropped-csv': {
    good: [{ outDir: '/o' }, { outDir: '/o', dropReason: 'non_us_user' }],
    bad: [
      [{ outDir: '/o', dropReason: 'all' }, /field "dropReason" must be one of/],
      [{ outDir: 3 }, /field "outDir" must be a path/],
    ],
  },
  'etl:profile-column': {
    good: [
      { outDir: '/o', file: 'clean_events.parquet', column: 'value' },
      {
        outDir: '/o',
        file: 'dropped_rows.parquet',
        column: 'timestamp',
        dropReason: 'invalid_timestamp',
        filter: { column: 'device', op: 'contains', value: 'ios' },
      },
      {
        outDir: '/o',
        file: 'clean_events.parquet',
        column: 'value',
        filter: { column: 'value', op: 'range', min: '1' },
      },
    ],
    bad: [
      [{ outDir: '/o', file: 'clean_events.parquet' }, /field "column" is missing/],
      [{ outDir: '/o', file: 'clean_events.parquet', column: '' }, /field "column" must not be empty/],
      [
        { outDir: '/o', file: 'clean_events.parquet', column: 'v', dropReason: 'duplicate' },
        /field "dropReason" applies to dropped_rows.parquet only/,
      ],
      [
        { outDir: '/o', file: 'clean_events.parquet', column: 'v', filter: { column: 'v', op: 'like', value: 'x' } },
        /field "filter.op"|must have an op of contains, equals or range/,
      ],
    ],
  },
  'etl:run-history': { good: [undefined], bad: [[{ limit: 5 }, /payload must be empty/]] },
  'etl:output-report': { good: [{ outDir: '/o' }], bad: [[{}, /field "outDir" is missing/]] },
  'etl:reopen-run': {
    good: [{ id: '20261204153146123-1a2b3c4d' }],
    bad: [
      [{}, /field "id" is missing/],
      [{ id: '../../etc/passwd' }, /field "id" must be a run id from the history/],
      [{ id: '20261204153146123-1a2b3c4d', outDir: '/' }, /unexpected field "outDir"/],
    ],
  },
  'etl:html-report': { good: [{ outDir: '/o' }], bad: [[{ outDir: '/o', open: true }, /unexpected field "open"/]] },
  'etl:daily-counts': {
    good: [{ outDir: '/o' }],
    bad: [
      [undefined, /payload must be an object/],
      [{}, /field "outDir" is missing/],
      [{ outDir: 7 }, /field "outDir" must be a path/],
      [{ outDir: '' }, /field "outDir" must not be empty/],
      [{ outDir: '/o', file: 'clean_events.parquet' }, /unexpected field "file"/],
    ],
  },
  'etl:show-in-folder': {
    good: [{ path: '/o/clean_events.parquet' }],
    bad: [[{ path: null }, /field "path" must be a path/]],
  },
};

for (const [channel, { good, bad }] of Object.entries(CASES)) {
  test(`${channel}: accepts well-formed payloads and refuses malformed ones by field`, () => {
    for (const payload of good) assert.deepEqual(validateRequest(channel, payload).ok, true, JSON.stringify(payload));
    for (const [payload, message] of bad) {
      const result = validateRequest(channel, payload);
      assert.equal(result.ok, false, `accepted ${JSON.stringify(payload)}`);
      assert.equal(!result.ok && result.error.kind, 'input');
      assert.match(!result.ok ? result.error.message : '', new RegExp(`^Invalid request to ${channel}: `));
      assert.match(!result.ok ? result.error.message : '', message);
    }
  });
}

test('every channel of the map has a schema and test cases', () => {
  assert.deepEqual(Object.keys(CASES).sort(), Object.keys(REQUEST_SCHEMAS).sort());
});

test('an unknown channel is refused with the list of known ones', () => {
  const result = validateRequest('etl:format-disk', {});
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error.message : '', /Unknown request channel "etl:format-disk".*etl:run/);
});
