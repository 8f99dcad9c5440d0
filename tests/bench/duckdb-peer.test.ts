/**
 * The DuckDB peer is the benchmark's reference implementation of docs/rules.md, so its SQL must be
 * faithful. Small inline inputs, one point of the rules each; fast (a few hundred ms).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { readerCaps, runDuckdbPeer, sniffFormat } from '../../electron/bench/duckdb-peer';
import { parseMemorySize } from '../../shared/memory-size';

const USERS = [
  ' User_ID ,Country,signup_date,extra',
  'u1,usa,2024-01-05,x',
  'u2,Canada,2024-02-30,x',
  'u1,CA,2020-01-01,x',
  ' 12 ,United States of America,2024-03-05T23:30:00-05:00,x',
  'u3, U.S. ,bad,x',
  'u4,,2024-01-01,',
  'u7,US', // short and long rows: padded / extra fields ignored (they defeat DuckDB's sniffer)
  'u8,US,2024-01-01,x,extra',
].join('\n');

const EVENTS = [
  '{"user_id":" u1 ","event_type":"click","timestamp":"2025-01-15T10:23:45Z","value":"3","metadata":{"device":"ios","page":"home"}}',
  '{"user_id":"u1","event_type":"click","timestamp":"2025-01-15T10:23:45Z","value":3.0}',
  '',
  '{"user_id":"u1","event_type":"click","timestamp":"2025-01-15T10:23:45+00:00","value":3}',
  'not json',
  '{"user_id":12,"event_type":null,"timestamp":"2025-01-15 23:30:00,1234567-05","value":"abc"}',
  '   \t',
  '{"user_id":"  ","timestamp":"2025-01-15"}',
  '{"user_id":"u2","timestamp":"2025-01-15"}',
  '{"user_id":"u9","timestamp":"2025-01-15"}',
  '{"user_id":"u3","timestamp":"2025-02-29"}',
  '{"user_id":"u3","timestamp":"2024-02-29T00:00:00.5+0130","value":".5"}',
  '{"user_id":"u3","timestamp":1705312345}',
  '{"user_id":"u4","timestamp":"2025-01-15T10:23"}',
  '{"user_id":"u1","timestamp":"2025-01-15T10:23:45Z","value":1,}',
  '[1,2]',
  '{"user_id":"u1","event_type":"x","timestamp":"2025-01-15T24:00:00Z"}',
  '{"user_id":"u1","event_type":"x","timestamp":"2025-01-15t10:00:00Z"}',
  '{"user_id":"u1","event_type":"x","timestamp":"2025-01-15T10:00:00.1234567890Z"}',
  '{"user_id":"u1","event_type":"x","timestamp":"2025-01-15T10:00:00+24:00"}',
  '{"user_id":"u1","event_type":"x","timestamp":"2025-01-15T10:00:00-23:59","value":"5."}',
  '{"user_id":"u1","event_type":"x","timestamp":"2025-01-15T10:00:00-23:59","value":"+5"}',
  '{"user_id":"u1","event_type":"x","timestamp":"2025-01-15T10:00:00-23:59","value":"1e3"}',
  '{"user_id":"u1","event_type":"y","timestamp":" 2025-01-15"}',
  '{"user_id":"u1","event_type":"y","timestamp":"2025-01-15Z"}',
  '{"user_id":"u1","event_type":"y","timestamp":"20250115T102345Z"}',
  '{"user_id":"u1","event_type":"y","timestamp":"2025-01-15T10:23:45.Z"}',
  '{"user_id":"u1","event_type":"y","timestamp":"2024-02-29 00:00:00z","value":NaN}',
];

async function rows(file: string, sql = 'SELECT * FROM t'): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    await con.run(`CREATE VIEW t AS SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
    const r = await con.runAndReadAll(sql);
    return r.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

function setup(name: string, events: string) {
  const dir = mkdtempSync(join(tmpdir(), 'peer-test-'));
  writeFileSync(join(dir, name), events);
  writeFileSync(join(dir, 'users.csv'), USERS);
  return { dir, events: join(dir, name), users: join(dir, 'users.csv'), out: join(dir, 'out') };
}

async function checkNdjson(text: string, forceTextPath: boolean) {
  const s = setup('raw_events.ndjson', text);
  try {
    const r = await runDuckdbPeer({ eventsPath: s.events, usersPath: s.users, outDir: s.out, forceTextPath });
    assert.equal(r.rowsIn, 26);
    assert.deepEqual(r.dropped, {
      malformed_record: 4,
      missing_user_id: 1,
      invalid_timestamp: 10,
      duplicate: 2,
      unknown_user: 1,
      non_us_user: 2,
    });
    const dropped = await rows(
      join(s.out, 'dropped_rows.parquet'),
      'SELECT source_row, drop_reason, duplicate_of, user_id, timestamp, raw FROM t',
    );
    const bySrc = new Map(dropped.map((d) => [Number(d.source_row), d]));
    assert.deepEqual(
      [...bySrc.keys()],
      [...bySrc.keys()].sort((a, b) => a - b),
      'input order',
    );
    assert.equal(bySrc.get(2)?.drop_reason, 'duplicate');
    assert.equal(bySrc.get(2)?.duplicate_of, '1');
    assert.equal(bySrc.get(5)?.raw, 'not json');
    assert.equal(bySrc.get(8)?.user_id, '  ', 'user_id as read, before trimming');
    assert.equal(bySrc.get(13)?.timestamp, '1705312345', 'non-string timestamp as JSON text');
    assert.equal(bySrc.get(15)?.drop_reason, 'malformed_record', 'JSON.parse rejects trailing commas');
    assert.equal(bySrc.get(16)?.drop_reason, 'malformed_record', 'an array line is not an object');
    assert.equal(bySrc.get(28)?.drop_reason, 'malformed_record', 'JSON.parse rejects NaN');
    assert.equal(bySrc.get(22)?.duplicate_of, '21', '"+5" equals "5."');
    for (const n of [11, 17, 18, 19, 20, 24, 25, 26, 27])
      assert.equal(bySrc.get(n)?.drop_reason, 'invalid_timestamp', `line ${n}`);
    assert.equal(bySrc.get(9)?.drop_reason, 'non_us_user');
    assert.equal(bySrc.get(14)?.drop_reason, 'non_us_user', 'empty country');
    assert.equal(bySrc.get(10)?.drop_reason, 'unknown_user');

    const clean = await rows(
      join(s.out, 'clean_events.parquet'),
      `SELECT user_id, timestamp, epoch_us(timestamp_dt)::VARCHAR AS us, event_date::VARCHAR AS d, value, signup_date::VARCHAR AS sd, country FROM t`,
    );
    assert.deepEqual(
      clean.map((c) => [c.user_id, c.timestamp, c.us, c.d, c.value, c.sd]),
      [
        ['u1', '2025-01-15T10:23:45Z', String(Date.UTC(2025, 0, 15, 10, 23, 45) * 1000), '2025-01-15', 3, '2024-01-05'],
        [
          'u1',
          '2025-01-15T10:23:45+00:00',
          String(Date.UTC(2025, 0, 15, 10, 23, 45) * 1000),
          '2025-01-15',
          3,
          '2024-01-05',
        ],
        [
          '12',
          '2025-01-15 23:30:00,1234567-05',
          String(Date.UTC(2025, 0, 16, 4, 30, 0) * 1000 + 123456),
          '2025-01-16',
          null,
          '2024-03-05',
        ],
        [
          'u3',
          '2024-02-29T00:00:00.5+0130',
          String(Date.UTC(2024, 1, 28, 22, 30, 0) * 1000 + 500000),
          '2024-02-28',
          0.5,
          null,
        ],
        [
          'u1',
          '2025-01-15T10:00:00-23:59',
          String(Date.UTC(2025, 0, 16, 9, 59, 0) * 1000),
          '2025-01-16',
          5,
          '2024-01-05',
        ],
        [
          'u1',
          '2025-01-15T10:00:00-23:59',
          String(Date.UTC(2025, 0, 16, 9, 59, 0) * 1000),
          '2025-01-16',
          null,
          '2024-01-05',
        ],
      ],
    );
    assert.ok(clean.every((c) => c.country === 'US'));
    const summary = await rows(
      join(s.out, 'daily_summary.parquet'),
      'SELECT user_id, event_date::VARCHAR AS d, event_count::INTEGER AS n FROM t',
    );
    assert.deepEqual(summary, [
      { user_id: '12', d: '2025-01-16', n: 1 },
      { user_id: 'u1', d: '2025-01-15', n: 2 },
      { user_id: 'u1', d: '2025-01-16', n: 2 },
      { user_id: 'u3', d: '2024-02-28', n: 1 },
    ]);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
}

test('peer: NDJSON through read_csv lines (LF)', async () => {
  await checkNdjson(EVENTS.join('\n') + '\n', false);
});

test('peer: NDJSON with CRLF and a BOM takes the exact read_text path, same result', async () => {
  await checkNdjson('\ufeff' + EVENTS.join('\r\n'), false);
});

test('peer: JSON array with non-object elements; output schema', async () => {
  const s = setup(
    'raw_events.json',
    '\ufeff [{"user_id":"u1","timestamp":"2025-01-15T10:23:45Z","value":"x"}, 3, null, "s", ' +
      '{"user_id":"u1","timestamp":"2025-01-15T10:23:45Z","value":null}, {"user_id":"u1","timestamp":"2025-01-15"}]',
  );
  try {
    assert.equal(await sniffFormat(s.events), 'json');
    const r = await runDuckdbPeer({ eventsPath: s.events, usersPath: s.users, outDir: s.out });
    assert.equal(r.rowsIn, 6);
    assert.deepEqual(r.dropped, { missing_user_id: 3, duplicate: 1 });
    const d = await rows(
      join(s.out, 'dropped_rows.parquet'),
      'SELECT source_row::INTEGER AS s, drop_reason AS r, duplicate_of::INTEGER AS o FROM t',
    );
    assert.deepEqual(d, [
      { s: 2, r: 'missing_user_id', o: null },
      { s: 3, r: 'missing_user_id', o: null },
      { s: 4, r: 'missing_user_id', o: null },
      { s: 5, r: 'duplicate', o: 1 },
    ]);
    const schema = async (f: string) =>
      (await rows(join(s.out, f), 'SELECT column_name AS n, column_type AS t FROM (DESCRIBE t)')).map(
        (x) => `${x.n}:${x.t}`,
      );
    assert.deepEqual(await schema('clean_events.parquet'), [
      'user_id:VARCHAR',
      'event_type:VARCHAR',
      'timestamp:VARCHAR',
      'timestamp_dt:TIMESTAMP WITH TIME ZONE',
      'event_date:DATE',
      'value:DOUBLE',
      'device:VARCHAR',
      'page:VARCHAR',
      'signup_date:DATE',
      'country:VARCHAR',
    ]);
    assert.deepEqual(await schema('daily_summary.parquet'), [
      'user_id:VARCHAR',
      'event_date:DATE',
      'event_count:BIGINT',
    ]);
    assert.deepEqual(await schema('dropped_rows.parquet'), [
      'source_row:BIGINT',
      'drop_reason:VARCHAR',
      'duplicate_of:BIGINT',
      'user_id:VARCHAR',
      'event_type:VARCHAR',
      'timestamp:VARCHAR',
      'value:DOUBLE',
      'device:VARCHAR',
      'page:VARCHAR',
      'raw:VARCHAR',
    ]);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('peer: JSON array fast path (read_json records) agrees with the rules on escapes, numbers, canonical timestamps', async () => {
  const s = setup(
    'raw_events.json',
    JSON.stringify([
      {
        user_id: 'u1',
        event_type: 'a',
        timestamp: '2025-01-15T10:23:45Z',
        value: '12',
        metadata: { device: 7, page: null },
      },
      { user_id: 12, event_type: 'a', timestamp: '2025-01-15T10:23:45Z', value: true },
      null,
      { user_id: 'u1', event_type: 'a', timestamp: '2025-01-15T10:23:45Z', value: 12.0 },
      { user_id: 'u1', timestamp: '2025-02-30T10:23:45Z' },
      { user_id: 'u1', timestamp: '2025-01-15T23:59:60Z' },
      { user_id: 'u1', timestamp: '2024-02-29T23:59:59Z', metadata: null },
    ])
      .replace(
        '"u1","event_type":"a","timestamp":"2025-01-15T10:23:45Z","value":12',
        '"u\\u0031","event_type":"a","timestamp":"2025-01-15T10:23:45Z","value":12',
      )
      .replace('"value":"12"', '"value":"\\u0031\\u0032"')
      .replace('"user_id":12,', '"user_id":12.0,'),
  );
  try {
    const r = await runDuckdbPeer({ eventsPath: s.events, usersPath: s.users, outDir: s.out });
    assert.equal(r.reader, 'read_json');
    assert.deepEqual(r.dropped, { missing_user_id: 1, duplicate: 1, invalid_timestamp: 2 });
    assert.equal(r.warnings.invalid_value, 1);
    const clean = await rows(
      join(s.out, 'clean_events.parquet'),
      'SELECT user_id, value, device, page, epoch_us(timestamp_dt)::VARCHAR AS us FROM t',
    );
    assert.deepEqual(clean, [
      { user_id: 'u1', value: 12, device: '7', page: null, us: String(Date.UTC(2025, 0, 15, 10, 23, 45) * 1000) },
      { user_id: '12', value: null, device: null, page: null, us: String(Date.UTC(2025, 0, 15, 10, 23, 45) * 1000) },
      { user_id: 'u1', value: null, device: null, page: null, us: String(Date.UTC(2024, 1, 29, 23, 59, 59) * 1000) },
    ]);
    const d = await rows(
      join(s.out, 'dropped_rows.parquet'),
      'SELECT source_row::INTEGER AS s, drop_reason AS r, duplicate_of::INTEGER AS o, user_id AS u FROM t',
    );
    assert.deepEqual(d, [
      { s: 3, r: 'missing_user_id', o: null, u: null },
      { s: 4, r: 'duplicate', o: 1, u: 'u1' },
      { s: 5, r: 'invalid_timestamp', o: null, u: 'u1' },
      { s: 6, r: 'invalid_timestamp', o: null, u: 'u1' },
    ]);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('peer: memory limit and temp directory become DuckDB settings', async () => {
  const s = setup('raw_events.ndjson', EVENTS.join('\n'));
  try {
    const tempDir = join(s.dir, 'duck-tmp');
    const r = await runDuckdbPeer({
      eventsPath: s.events,
      usersPath: s.users,
      outDir: s.out,
      memoryLimit: 150e6,
      tempDir,
    });
    assert.equal(r.rowsIn, 26, 'same result under a limit');
    // DuckDB reports its limit in MiB with one decimal: 150e6 bytes = 143.05 MiB.
    assert.equal(r.settings.memoryLimit, '143.0 MiB');
    assert.ok(Math.abs(parseMemorySize(r.settings.memoryLimit.replace(' ', ''))! - 150e6) < 0.06 * 2 ** 20);
    assert.equal(r.settings.tempDirectory, tempDir);
    const free = await runDuckdbPeer({ eventsPath: s.events, usersPath: s.users, outDir: s.out });
    assert.notEqual(free.settings.memoryLimit, '143.0 MiB', 'no limit given: DuckDB default');
    // Its readers' buffers follow the limit (16 GiB for read_csv without one: out of memory).
    assert.deepEqual(readerCaps(150e6), { maxLine: 2343750, bufferSize: 32 << 20 });
    assert.deepEqual(readerCaps(), { maxLine: 1 << 30 });
    const arr = join(s.dir, 'raw_events.json');
    writeFileSync(arr, '[{"user_id":"u1","timestamp":"2025-01-15"}, 3]');
    for (const forceArrayFallback of [false, true]) {
      const j = await runDuckdbPeer({
        eventsPath: arr,
        usersPath: s.users,
        outDir: s.out,
        memoryLimit: 150e6,
        forceArrayFallback,
      });
      assert.equal(j.rowsIn, 2, 'JSON array under a limit');
    }
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('peer CLI: --memory-limit is read like ours (1.5GB = 1.5e9 bytes), --temp-dir; a bad size is exit 2', () => {
  const s = setup('raw_events.ndjson', EVENTS.join('\n'));
  const cli = resolve(__dirname, '../../electron/bench/duckdb-peer-cli.ts');
  const tsx = resolve(__dirname, '../../node_modules/.bin/tsx');
  try {
    const io = ['--events', s.events, '--users', s.users, '--out', s.out];
    const tempDir = join(s.dir, 'duck-tmp');
    const ok = spawnSync(tsx, [cli, ...io, '--memory-limit', '1.5GB', '--temp-dir', tempDir], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const r = JSON.parse(ok.stdout.trim().split('\n').pop()!);
    assert.equal(r.settings.memoryLimit, '1.3 GiB', '1.5e9 bytes, as DuckDB prints it');
    assert.equal(r.settings.tempDirectory, tempDir);
    const bad = spawnSync(tsx, [cli, ...io, '--memory-limit', 'lots'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--memory-limit 'lots' is not a size/);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});
