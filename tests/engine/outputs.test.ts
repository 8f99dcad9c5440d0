/**
 * docs/rules.md "Outputs", "run_report.json" and "Log": column names, order and types; row order;
 * UTC dates and microsecond instants; the report's shape and arithmetic; the log's lines; and
 * an independent read of every Parquet footer with parquetjs-lite (Snappy on every chunk).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { formatLogLine } from '../../electron/engine/log-format';
import { DEFAULT_USERS, LOG_LINE, readSchema, run, sha256, usersCsv, utcMicros, type RunResult } from './helpers';

// parquetjs-lite ships no types.

const parquet = require('parquetjs-lite');

const STAGE_NAMES = ['extract', 'clean_user_id', 'clean_timestamp', 'deduplicate', 'join_users', 'filter_us'];
const STAGE_REASON = [
  'malformed_record',
  'missing_user_id',
  'invalid_timestamp',
  'duplicate',
  'unknown_user',
  'non_us_user',
];

const CLEAN_SCHEMA: [string, string][] = [
  ['user_id', 'DataType(String)'],
  ['event_type', 'DataType(String)'],
  ['timestamp', 'DataType(String)'],
  ['timestamp_dt', 'DataType(Datetime(us,UTC))'],
  ['event_date', 'DataType(Date)'],
  ['value', 'DataType(Float64)'],
  ['device', 'DataType(String)'],
  ['page', 'DataType(String)'],
  ['signup_date', 'DataType(Date)'],
  ['country', 'DataType(String)'],
];
const DAILY_SCHEMA: [string, string][] = [
  ['user_id', 'DataType(String)'],
  ['event_date', 'DataType(Date)'],
  ['event_count', 'DataType(Int64)'],
];
const DROPPED_SCHEMA: [string, string][] = [
  ['source_row', 'DataType(Int64)'],
  ['drop_reason', 'DataType(String)'],
  ['duplicate_of', 'DataType(Int64)'],
  ['user_id', 'DataType(String)'],
  ['event_type', 'DataType(String)'],
  ['timestamp', 'DataType(String)'],
  ['value', 'DataType(Float64)'],
  ['device', 'DataType(String)'],
  ['page', 'DataType(String)'],
  ['raw', 'DataType(String)'],
];

interface Footer {
  rows: number;
  codecs: number[];
  names: string[];
  /** Per column: Parquet physical type and logical type, as a short string. */
  types: string[];
}

/** Parquet physical types by value. */
const PHYSICAL = ['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'];

/** The type the rules' "Parquet / Arrow type" means, as the footer states it. */
const FOOTER_TYPE: Record<string, string> = {
  'DataType(String)': 'BYTE_ARRAY STRING',
  'DataType(Datetime(us,UTC))': 'INT64 TIMESTAMP(MICROS,UTC)',
  'DataType(Date)': 'INT32 DATE',
  'DataType(Float64)': 'DOUBLE',
  'DataType(Int64)': 'INT64',
};

function footerType(el: { type: number; logicalType?: Record<string, unknown> | null }): string {
  const physical = PHYSICAL[el.type];
  const lt = el.logicalType ?? {};
  if (lt.STRING) return `${physical} STRING`;
  if (lt.DATE) return `${physical} DATE`;
  const ts = lt.TIMESTAMP as { isAdjustedToUTC: boolean; unit: Record<string, unknown> } | null | undefined;
  if (ts)
    return `${physical} TIMESTAMP(${Object.keys(ts.unit).find((k) => ts.unit[k]) ?? '?'},${ts.isAdjustedToUTC ? 'UTC' : 'local'})`;
  const int = lt.INTEGER as { bitWidth: number; isSigned: boolean } | null | undefined;
  if (int && !(int.bitWidth === 64 && int.isSigned)) return `${physical} INTEGER(${int.bitWidth},${int.isSigned})`;
  return physical;
}

async function footer(file: string): Promise<Footer> {
  const reader = await parquet.ParquetReader.openFile(file);
  try {
    const md = reader.metadata;
    const toNum = (v: unknown) =>
      typeof v === 'object' && v !== null && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : Number(v);
    const codecs: number[] = [];
    let groupRows = 0;
    for (const rg of md.row_groups) {
      groupRows += toNum(rg.num_rows);
      for (const c of rg.columns) codecs.push(c.meta_data.codec);
    }
    const rows = toNum(md.num_rows);
    assert.equal(groupRows, rows, `${file}: row groups add up to num_rows`);
    const types = (md.schema as { type: number; logicalType?: Record<string, unknown> | null; num_children?: number }[])
      .slice(1)
      .map(footerType);
    return { rows, codecs, names: Object.keys(reader.schema.fields), types };
  } finally {
    await reader.close();
  }
}

/**
 * A fixture touching every output rule. NDJSON, so source_row is the line number.
 * Users: u1, u2 US; ca Canada; plus sort-order users Z, a, é, ｡ (U+FF61), 😀 (U+1F600), all US.
 */
const USERS = usersCsv([
  ['u1', '2024-01-01', 'US'],
  ['u2', '2024-02-02', 'usa'],
  ['ca', '2024-03-03', 'Canada'],
  ['Z', '', 'US'],
  ['a', '2023-12-31', 'US'],
  ['é', '2024-03-05T23:30:00-05:00', 'US'],
  ['｡', '2024-01-01', 'US'],
  ['😀', '2024-01-01', 'US'],
]);
const LINES = [
  /* 1 */ {
    user_id: 'u2',
    event_type: 'login',
    timestamp: '2025-01-15T23:30:00-05:00',
    value: '12',
    metadata: { device: 'mobile', page: '/home' },
  },
  /* 2 */ { user_id: 'u1', event_type: 'click', timestamp: '2025-01-15T10:23:45.1234567Z', value: 3.5 },
  /* 3 */ 'not json',
  /* 4 */ { user_id: '  ', timestamp: '2025-01-15T10:00:00Z' },
  /* 5 */ { user_id: 'u1', timestamp: 'yesterday' },
  /* 6 */ {
    user_id: 'u1',
    event_type: 'click',
    timestamp: '2025-01-15T10:23:45.1234567Z',
    value: '3.5',
    metadata: { device: 'x' },
  },
  /* 7 */ { user_id: 'nobody', timestamp: '2025-01-15T10:00:00Z', value: 'n/a' },
  /* 8 */ { user_id: 'ca', timestamp: '2025-01-15T10:00:00Z' },
  /* 9 */ { user_id: '😀', timestamp: '2025-01-16 00:00' },
  /* 10 */ { user_id: '｡', timestamp: '2025-01-16' },
  /* 11 */ { user_id: 'é', timestamp: '2025-01-14T12:00:00Z' },
  /* 12 */ { user_id: 'a', timestamp: '2025-01-17T00:00:00+01:00' },
  /* 13 */ { user_id: 'Z', timestamp: '2025-01-20T00:00:00Z' },
  /* 14 */ { user_id: 'u1', timestamp: '2025-01-14T20:00:00-04:00' },
  /* 15 */ { user_id: 'a', timestamp: '2025-01-15T12:00:00Z' },
  /* 16 */ { user_id: 'u1', timestamp: '1999-12-31T23:59:59.999999-00:00' },
  /* 17 */ { user_id: 'u1', event_type: 'click', timestamp: '2025-01-15T10:23:45.1234567Z', value: 3.5 },
];
const TEXT = LINES.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

let r: RunResult;
before(async () => {
  r = await run(TEXT, { users: USERS });
});

describe('Parquet schemas', () => {
  test('clean_events.parquet: columns, order and types', () => {
    assert.deepEqual(readSchema(path.join(r.outDir, 'clean_events.parquet')), CLEAN_SCHEMA);
  });
  test('daily_summary.parquet: columns, order and types', () => {
    assert.deepEqual(readSchema(path.join(r.outDir, 'daily_summary.parquet')), DAILY_SCHEMA);
  });
  test('dropped_rows.parquet: columns, order and types', () => {
    assert.deepEqual(readSchema(path.join(r.outDir, 'dropped_rows.parquet')), DROPPED_SCHEMA);
  });
  test('empty inputs still give the three files with their full schemas', async () => {
    const e = await run('[]', { users: DEFAULT_USERS });
    assert.deepEqual(readSchema(path.join(e.outDir, 'clean_events.parquet')), CLEAN_SCHEMA);
    assert.deepEqual(readSchema(path.join(e.outDir, 'daily_summary.parquet')), DAILY_SCHEMA);
    assert.deepEqual(readSchema(path.join(e.outDir, 'dropped_rows.parquet')), DROPPED_SCHEMA);
    // An empty file has no row groups, so no column chunks and no codec: the report says so
    // instead of naming the codec the run asked for.
    const note = 'no column chunks (the file has no rows), so the file records no codec';
    assert.deepEqual(
      e.report.outputs.map((o) => [path.basename(o.path), o.rows, o.codec, o.codec_note]),
      [
        ['clean_events.parquet', 0, null, note],
        ['daily_summary.parquet', 0, null, note],
        ['dropped_rows.parquet', 0, null, note],
      ],
    );
    for (const o of e.report.outputs) {
      const f = await footer(path.join(e.outDir, path.basename(o.path)));
      assert.deepEqual([f.rows, f.codecs], [0, []], o.path);
    }
    const wrote = e.log.split('\n').filter((l) => l.includes(' - INFO - Wrote '));
    assert.deepEqual(
      wrote.map((l) => l.replace(/^.* - INFO - Wrote .*[\\/]/, '').replace(/\d+ bytes/, 'N bytes')),
      ['clean_events', 'daily_summary', 'dropped_rows'].map((n) => `${n}.parquet: 0 rows, N bytes, no codec: ${note}`),
    );
  });
});

describe('when every row is dropped', () => {
  const cases: [string, string, string, number][] = [
    ['all malformed', 'oops\nbad\n', 'malformed_record', 2],
    ['all without a user_id', '[1,2,3]', 'missing_user_id', 3],
    ['all with bad timestamps', '[{"user_id":"u1","timestamp":"never"}]', 'invalid_timestamp', 1],
    ['all unknown users', '[{"user_id":"nobody","timestamp":"2025-01-15"}]', 'unknown_user', 1],
    ['all non-US users', '[{"user_id":"ca","timestamp":"2025-01-15"}]', 'non_us_user', 1],
  ];
  for (const [what, text, reason, count] of cases) {
    test(`${what}: empty clean and daily files with full schemas, every row dropped as ${reason}`, async () => {
      const e = await run(text, { users: DEFAULT_USERS });
      assert.deepEqual(readSchema(path.join(e.outDir, 'clean_events.parquet')), CLEAN_SCHEMA);
      assert.deepEqual(readSchema(path.join(e.outDir, 'daily_summary.parquet')), DAILY_SCHEMA);
      assert.deepEqual(readSchema(path.join(e.outDir, 'dropped_rows.parquet')), DROPPED_SCHEMA);
      assert.equal(e.clean.length, 0);
      assert.equal(e.daily.length, 0);
      assert.deepEqual(
        e.dropped.map((d) => [d.source_row, d.drop_reason]),
        Array.from({ length: count }, (_, i) => [i + 1, reason]),
      );
      assert.equal(e.report.stages[5].rows_out, 0);
      // The empty files state no codec; the dropped rows' file states Snappy on its chunks.
      assert.deepEqual(
        e.report.outputs.map((o) => o.codec),
        [null, null, 'SNAPPY'],
      );
    });
  }
});

describe('rows', () => {
  test('clean events in input order, with UTC instants, UTC dates and the user columns', () => {
    assert.deepEqual(r.clean, [
      {
        user_id: 'u2',
        event_type: 'login',
        timestamp: '2025-01-15T23:30:00-05:00',
        timestamp_dt: utcMicros(2025, 1, 16, 4, 30),
        event_date: '2025-01-16',
        value: 12,
        device: 'mobile',
        page: '/home',
        signup_date: '2024-02-02',
        country: 'US',
      },
      {
        user_id: 'u1',
        event_type: 'click',
        timestamp: '2025-01-15T10:23:45.1234567Z',
        timestamp_dt: utcMicros(2025, 1, 15, 10, 23, 45, 123_456),
        event_date: '2025-01-15',
        value: 3.5,
        device: null,
        page: null,
        signup_date: '2024-01-01',
        country: 'US',
      },
      {
        user_id: '😀',
        event_type: null,
        timestamp: '2025-01-16 00:00',
        timestamp_dt: utcMicros(2025, 1, 16),
        event_date: '2025-01-16',
        value: null,
        device: null,
        page: null,
        signup_date: '2024-01-01',
        country: 'US',
      },
      {
        user_id: '｡',
        event_type: null,
        timestamp: '2025-01-16',
        timestamp_dt: utcMicros(2025, 1, 16),
        event_date: '2025-01-16',
        value: null,
        device: null,
        page: null,
        signup_date: '2024-01-01',
        country: 'US',
      },
      {
        user_id: 'é',
        event_type: null,
        timestamp: '2025-01-14T12:00:00Z',
        timestamp_dt: utcMicros(2025, 1, 14, 12),
        event_date: '2025-01-14',
        value: null,
        device: null,
        page: null,
        signup_date: '2024-03-05',
        country: 'US',
      },
      {
        user_id: 'a',
        event_type: null,
        timestamp: '2025-01-17T00:00:00+01:00',
        timestamp_dt: utcMicros(2025, 1, 16, 23),
        event_date: '2025-01-16',
        value: null,
        device: null,
        page: null,
        signup_date: '2023-12-31',
        country: 'US',
      },
      {
        user_id: 'Z',
        event_type: null,
        timestamp: '2025-01-20T00:00:00Z',
        timestamp_dt: utcMicros(2025, 1, 20),
        event_date: '2025-01-20',
        value: null,
        device: null,
        page: null,
        signup_date: null,
        country: 'US',
      },
      {
        user_id: 'u1',
        event_type: null,
        timestamp: '2025-01-14T20:00:00-04:00',
        timestamp_dt: utcMicros(2025, 1, 15, 0),
        event_date: '2025-01-15',
        value: null,
        device: null,
        page: null,
        signup_date: '2024-01-01',
        country: 'US',
      },
      {
        user_id: 'a',
        event_type: null,
        timestamp: '2025-01-15T12:00:00Z',
        timestamp_dt: utcMicros(2025, 1, 15, 12),
        event_date: '2025-01-15',
        value: null,
        device: null,
        page: null,
        signup_date: '2023-12-31',
        country: 'US',
      },
      {
        user_id: 'u1',
        event_type: null,
        timestamp: '1999-12-31T23:59:59.999999-00:00',
        timestamp_dt: utcMicros(1999, 12, 31, 23, 59, 59, 999_999),
        event_date: '1999-12-31',
        value: null,
        device: null,
        page: null,
        signup_date: '2024-01-01',
        country: 'US',
      },
    ]);
  });

  test('timestamp_dt read as JS Dates agrees to the millisecond, in UTC', async () => {
    const pl = (await import('nodejs-polars')).default;
    const dates = pl
      .readParquet(path.join(r.outDir, 'clean_events.parquet'))
      .getColumn('timestamp_dt')
      .toArray() as unknown as Date[];
    assert.equal(dates[0].toISOString(), '2025-01-16T04:30:00.000Z');
    assert.equal(dates[1].toISOString(), '2025-01-15T10:23:45.123Z');
  });

  test('daily summary: one row per user and UTC day, sorted by user_id byte order then date', () => {
    // UTF-8 byte order: "Z" (5A) < "a" (61) < "u1" < "u2" < "é" (C3 A9) < "｡" (EF BD A1) < "😀" (F0 9F 98 80).
    // (UTF-16 order would put 😀 before ｡; locale order would put a before Z.)
    assert.deepEqual(r.daily, [
      { user_id: 'Z', event_date: '2025-01-20', event_count: 1 },
      { user_id: 'a', event_date: '2025-01-15', event_count: 1 },
      { user_id: 'a', event_date: '2025-01-16', event_count: 1 },
      { user_id: 'u1', event_date: '1999-12-31', event_count: 1 },
      { user_id: 'u1', event_date: '2025-01-15', event_count: 2 },
      { user_id: 'u2', event_date: '2025-01-16', event_count: 1 },
      { user_id: 'é', event_date: '2025-01-14', event_count: 1 },
      { user_id: '｡', event_date: '2025-01-16', event_count: 1 },
      { user_id: '😀', event_date: '2025-01-16', event_count: 1 },
    ]);
    const total = r.daily.reduce((n, d) => n + (d.event_count as number), 0);
    assert.equal(total, r.clean.length);
  });

  test('dropped rows in input order with reason, duplicate_of, fields as read and raw', () => {
    assert.deepEqual(r.dropped, [
      {
        source_row: 3,
        drop_reason: 'malformed_record',
        duplicate_of: null,
        user_id: null,
        event_type: null,
        timestamp: null,
        value: null,
        device: null,
        page: null,
        raw: 'not json',
      },
      {
        source_row: 4,
        drop_reason: 'missing_user_id',
        duplicate_of: null,
        user_id: '  ',
        event_type: null,
        timestamp: '2025-01-15T10:00:00Z',
        value: null,
        device: null,
        page: null,
        raw: null,
      },
      {
        source_row: 5,
        drop_reason: 'invalid_timestamp',
        duplicate_of: null,
        user_id: 'u1',
        event_type: null,
        timestamp: 'yesterday',
        value: null,
        device: null,
        page: null,
        raw: null,
      },
      {
        source_row: 6,
        drop_reason: 'duplicate',
        duplicate_of: 2,
        user_id: 'u1',
        event_type: 'click',
        timestamp: '2025-01-15T10:23:45.1234567Z',
        value: 3.5,
        device: 'x',
        page: null,
        raw: null,
      },
      {
        source_row: 7,
        drop_reason: 'unknown_user',
        duplicate_of: null,
        user_id: 'nobody',
        event_type: null,
        timestamp: '2025-01-15T10:00:00Z',
        value: null,
        device: null,
        page: null,
        raw: null,
      },
      {
        source_row: 8,
        drop_reason: 'non_us_user',
        duplicate_of: null,
        user_id: 'ca',
        event_type: null,
        timestamp: '2025-01-15T10:00:00Z',
        value: null,
        device: null,
        page: null,
        raw: null,
      },
      {
        source_row: 17,
        drop_reason: 'duplicate',
        duplicate_of: 2,
        user_id: 'u1',
        event_type: 'click',
        timestamp: '2025-01-15T10:23:45.1234567Z',
        value: 3.5,
        device: null,
        page: null,
        raw: null,
      },
    ]);
  });

  test('every input row is either clean or dropped, exactly once', () => {
    assert.equal(r.clean.length + r.dropped.length, LINES.length);
  });
});

describe('run_report.json', () => {
  test('the file equals the returned report', () => {
    assert.deepEqual(r.reportFile, JSON.parse(JSON.stringify(r.report)));
  });

  test('timestamps are ISO 8601 UTC and in order', () => {
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    assert.match(r.reportFile.started_at, iso);
    assert.match(r.reportFile.finished_at, iso);
    assert.ok(Date.parse(r.reportFile.finished_at) >= Date.parse(r.reportFile.started_at));
  });

  test('inputs: path, bytes, sha256 (checked with node:crypto), format, rows', () => {
    const [events, users] = r.reportFile.inputs;
    assert.equal(r.reportFile.inputs.length, 2);
    assert.equal(path.resolve(events.path), r.eventsPath);
    assert.equal(events.bytes, fs.statSync(r.eventsPath).size);
    assert.equal(events.sha256, sha256(r.eventsPath));
    assert.equal(events.format, 'ndjson');
    assert.equal(events.rows, LINES.length);
    assert.equal(path.resolve(users.path), r.usersPath);
    assert.equal(users.bytes, fs.statSync(r.usersPath).size);
    assert.equal(users.sha256, sha256(r.usersPath));
    assert.equal(users.rows, 8);
  });

  test('stages: the six in order, chained, each dropping only its own reason', () => {
    const stages = r.reportFile.stages;
    assert.deepEqual(
      stages.map((s) => s.name),
      STAGE_NAMES,
    );
    assert.equal(stages[0].rows_in, LINES.length);
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i];
      if (i > 0) assert.equal(s.rows_in, stages[i - 1].rows_out, `${s.name}.rows_in`);
      assert.deepEqual(Object.keys(s.dropped), [STAGE_REASON[i]]);
      assert.equal(s.dropped[STAGE_REASON[i] as keyof typeof s.dropped], s.rows_in - s.rows_out);
      // The dropped parquet agrees with every stage's count.
      assert.equal(r.dropped.filter((d) => d.drop_reason === STAGE_REASON[i]).length, s.rows_in - s.rows_out, s.name);
      assert.equal(typeof s.ms, 'number');
      assert.ok(s.ms >= 0);
    }
    assert.deepEqual(
      stages.map((s) => [s.rows_in, s.rows_out]),
      [
        [17, 16],
        [16, 15],
        [15, 14],
        [14, 12],
        [12, 11],
        [11, 10],
      ],
    );
    assert.equal(stages[5].rows_out, r.clean.length);
  });

  test('outputs: the three Parquet files with rows, bytes and codec from the footer', async () => {
    const names = r.reportFile.outputs.map((o) => path.basename(o.path));
    assert.deepEqual(names, ['clean_events.parquet', 'daily_summary.parquet', 'dropped_rows.parquet']);
    const expectedRows = [r.clean.length, r.daily.length, r.dropped.length];
    for (const [i, o] of r.reportFile.outputs.entries()) {
      const file = path.join(r.outDir, names[i]);
      assert.equal(path.resolve(o.path), file);
      assert.equal(o.rows, expectedRows[i], names[i]);
      assert.equal(o.bytes, fs.statSync(file).size, names[i]);
      assert.equal(o.codec, 'SNAPPY');
    }
  });

  test('warnings: code, count, message', () => {
    for (const w of r.reportFile.warnings) {
      assert.equal(typeof w.code, 'string');
      assert.equal(typeof w.message, 'string');
      assert.ok(w.count > 0);
    }
    const byCode = Object.fromEntries(r.reportFile.warnings.map((w) => [w.code, w.count]));
    assert.equal(byCode.invalid_value, 1); // line 7: "n/a"
  });
});

describe('parquetjs-lite reads every footer independently', () => {
  const files: [string, [string, string][], () => number][] = [
    ['clean_events.parquet', CLEAN_SCHEMA, () => r.clean.length],
    ['daily_summary.parquet', DAILY_SCHEMA, () => r.daily.length],
    ['dropped_rows.parquet', DROPPED_SCHEMA, () => r.dropped.length],
  ];
  for (const [name, schema, rows] of files) {
    test(`${name}: SNAPPY on every column chunk, num_rows, column names`, async () => {
      const f = await footer(path.join(r.outDir, name));
      assert.equal(f.rows, rows());
      assert.ok(f.codecs.length >= schema.length, 'one chunk per column per row group');
      assert.equal(f.codecs.length % schema.length, 0);
      for (const c of f.codecs) assert.equal(c, 1, 'codec 1 = SNAPPY');
      assert.deepEqual(
        f.names,
        schema.map(([n]) => n),
      );
      // Physical and logical types in the footer: what any Parquet reader sees.
      assert.deepEqual(
        f.names.map((n, i) => `${n}: ${f.types[i]}`),
        schema.map(([n, t]) => `${n}: ${FOOTER_TYPE[t]}`),
      );
    });
  }
});

describe('etl.log', () => {
  test('every line has the seed format', () => {
    const lines = r.log.trimEnd().split('\n');
    assert.ok(lines.length > 5);
    for (const l of lines) assert.match(l, LOG_LINE);
  });

  test('counts: loaded, cleaned, deduplicated, joined, filtered, dropped summary', () => {
    const log = r.log;
    assert.match(log, / - INFO - .*Loaded 17 events/);
    assert.match(log, / - INFO - .*Loaded 8 users/);
    // Cleaning ends with 14 rows; A is the rows it started from (16, or 17 if counted before
    // the malformed line was dropped: the rules do not say), and N = A - B.
    const cleaned = / - INFO - Cleaned events: (\d+) -> 14 \(dropped (\d+) rows\)$/m.exec(log);
    assert.ok(cleaned, 'Cleaned events line');
    assert.ok(['16', '17'].includes(cleaned[1]));
    assert.equal(Number(cleaned[1]) - 14, Number(cleaned[2]));
    assert.match(log, / - INFO - Deduplication: 14 -> 12 \(removed 2 duplicates\)$/m);
    assert.match(log, /12 -> 11/);
    assert.match(log, /11 -> 10/);
    const lines = log.split('\n');
    const at = lines.findIndex((l) => / - INFO - DROPPED ROW SUMMARY:$/.test(l));
    assert.ok(at >= 0, 'DROPPED ROW SUMMARY: line');
    const block = lines.slice(at + 1, at + 7).join('\n');
    const expected: Record<string, number> = {
      malformed_record: 1,
      missing_user_id: 1,
      invalid_timestamp: 1,
      duplicate: 2,
      unknown_user: 1,
      non_us_user: 1,
    };
    for (const [reason, n] of Object.entries(expected)) assert.match(block, new RegExp(`${reason}: ${n}$`, 'm'));
    assert.match(log, / - WARNING - /);
  });

  test('the log ends with the output summary naming the files', () => {
    for (const name of ['clean_events.parquet', 'daily_summary.parquet', 'dropped_rows.parquet'])
      assert.match(r.log, new RegExp(name.replace('.', '\\.')));
  });

  test('the log lines are also sent as log events', () => {
    const messages = r.events.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message);
    const fileMessages = r.log
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(LOG_LINE, ''));
    assert.deepEqual(messages, fileMessages);
  });

  test('formatLogLine: YYYY-MM-DD HH:MM:SS,mmm - LEVEL - message, zero-padded local time', () => {
    const d = new Date(2025, 0, 5, 3, 4, 5, 7);
    assert.equal(formatLogLine(d, 'INFO', 'hello'), '2025-01-05 03:04:05,007 - INFO - hello');
    assert.equal(
      formatLogLine(new Date(2025, 11, 31, 23, 59, 59, 999), 'WARNING', 'w'),
      '2025-12-31 23:59:59,999 - WARNING - w',
    );
    assert.match(formatLogLine(new Date(), 'ERROR', 'x'), LOG_LINE);
  });
});

describe('progress events (hooks.onEvent)', () => {
  test('run-started first, run-finished last with the returned report', () => {
    assert.equal(r.events[0].type, 'run-started');
    const last = r.events[r.events.length - 1];
    assert.equal(last.type, 'run-finished');
    assert.deepEqual(last.type === 'run-finished' ? last.report : null, r.report);
    assert.ok(!r.events.some((e) => e.type === 'run-failed'));
  });

  test('each stage starts, then finishes with its report entry, in the order of docs/rules.md', () => {
    const marks = r.events
      .filter((e) => e.type === 'stage-started' || e.type === 'stage-finished')
      .map((e) => (e.type === 'stage-started' ? `start ${e.stage}` : `finish ${e.stage.name}`));
    assert.deepEqual(
      marks,
      STAGE_NAMES.flatMap((n) => [`start ${n}`, `finish ${n}`]),
    );
    const finished = r.events.flatMap((e) => (e.type === 'stage-finished' ? [e.stage] : []));
    assert.deepEqual(finished, r.report.stages);
  });

  test('warnings are sent as they happen, as in the report', () => {
    const sent = r.events.flatMap((e) => (e.type === 'warning' ? [e.warning] : []));
    assert.deepEqual(sent, r.report.warnings);
  });

  test('bytes-read ends at the whole events file', () => {
    const reads = r.events.flatMap((e) => (e.type === 'bytes-read' ? [e] : []));
    assert.ok(reads.length >= 1);
    const size = fs.statSync(r.eventsPath).size;
    const lastRead = reads[reads.length - 1];
    assert.equal(lastRead.totalBytes, size);
    assert.equal(lastRead.bytesRead, size);
    for (let i = 1; i < reads.length; i++) assert.ok(reads[i].bytesRead >= reads[i - 1].bytesRead);
  });
});
