/**
 * docs/rules.md "Stages": every drop reason through runPipeline, the first stage that
 * rejects wins, deduplication keys, and the users.csv rules the join and US filter depend on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ev, ndjson, reasons, run, usersCsv, warning } from './helpers';

describe('clean: user_id', () => {
  test('absent, null, "" and white space only are missing_user_id; user_id as read is kept', async () => {
    const absent = ev('x', 1);
    delete absent.user_id;
    const r = await run([absent, ev(null, 2), ev('', 3), ev('   ', 4), ev('u1', 5)]);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.user_id]),
      [
        [1, 'missing_user_id', null],
        [2, 'missing_user_id', null],
        [3, 'missing_user_id', ''],
        [4, 'missing_user_id', '   '],
      ],
    );
    assert.equal(r.clean.length, 1);
    assert.deepEqual(r.report.stages[1], {
      ...r.report.stages[1],
      name: 'clean_user_id',
      rows_in: 5,
      rows_out: 1,
      dropped: { missing_user_id: 4 },
    });
  });

  test('a missing user_id wins over an invalid timestamp (first stage that rejects)', async () => {
    const r = await run([ev(null, 1, { timestamp: 'bad' }), ev('', 2, { timestamp: null })]);
    assert.deepEqual(reasons(r), { 1: 'missing_user_id', 2: 'missing_user_id' });
  });
});

describe('clean: timestamp', () => {
  test('absent, null, not a string, or not valid is invalid_timestamp; the text is kept as read', async () => {
    const absent = ev('u1', 0);
    delete absent.timestamp;
    const text =
      '[' +
      [
        JSON.stringify(absent),
        '{"user_id":"u1","timestamp":null}',
        '{"user_id":"u1","timestamp":1736936625}',
        '{"user_id":"u1","timestamp":1736936625.5}',
        '{"user_id":"u1","timestamp":true}',
        '{"user_id":"u1","timestamp":{"iso":"2025-01-15T10:00:00Z"}}',
        '{"user_id":"u1","timestamp":["2025-01-15T10:00:00Z"]}',
        '{"user_id":"u1","timestamp":""}',
        '{"user_id":"u1","timestamp":"2025-02-30T10:00:00Z"}',
        '{"user_id":"u1","timestamp":" 2025-01-15T10:00:00Z"}',
        '{"user_id":"u1","timestamp":"20250115T102345Z"}',
        '{"user_id":"u1","timestamp":"2025-01-15T10:23:"}',
        '{"user_id":"u1","timestamp":"2025-01-15T10:23:45+"}',
        '{"user_id":"u1","timestamp":"2025-01-15T10:23:45.1234567890Z"}',
        '{"user_id":"u1","timestamp":"2025-01-15\\t10:00"}',
        '{"user_id":"u1","timestamp":"2025-01-15T10:00:00Z","x":1}',
      ].join(',') +
      ']';
    const r = await run(text);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.timestamp]),
      [
        [1, 'invalid_timestamp', null],
        [2, 'invalid_timestamp', null],
        [3, 'invalid_timestamp', '1736936625'],
        [4, 'invalid_timestamp', '1736936625.5'],
        [5, 'invalid_timestamp', 'true'],
        [6, 'invalid_timestamp', '{"iso":"2025-01-15T10:00:00Z"}'],
        [7, 'invalid_timestamp', '["2025-01-15T10:00:00Z"]'],
        [8, 'invalid_timestamp', ''],
        [9, 'invalid_timestamp', '2025-02-30T10:00:00Z'],
        [10, 'invalid_timestamp', ' 2025-01-15T10:00:00Z'],
        [11, 'invalid_timestamp', '20250115T102345Z'],
        [12, 'invalid_timestamp', '2025-01-15T10:23:'],
        [13, 'invalid_timestamp', '2025-01-15T10:23:45+'],
        [14, 'invalid_timestamp', '2025-01-15T10:23:45.1234567890Z'],
        [15, 'invalid_timestamp', '2025-01-15\t10:00'],
      ],
    );
    assert.deepEqual(
      r.clean.map((x) => x.timestamp),
      ['2025-01-15T10:00:00Z'],
    );
    const s = r.report.stages[2];
    assert.deepEqual(s, {
      ...s,
      name: 'clean_timestamp',
      rows_in: 16,
      rows_out: 1,
      dropped: { invalid_timestamp: 15 },
    });
  });

  test('every accepted form passes through the pipeline with its original text', async () => {
    const forms = [
      '2025-01-15T10:23:45Z',
      '2025-01-15 10:23:45',
      '2025-01-15T10:23',
      '2025-01-15T10:23:45,5z',
      '2025-01-15T10:23:45.123456789+05:30',
      '2025-01-15T10:23:45-0530',
      '2025-01-15T10:23:45+05',
      '2025-01-15',
    ];
    const r = await run(forms.map((timestamp) => ({ user_id: 'u1', timestamp })));
    assert.deepEqual(
      r.clean.map((x) => x.timestamp),
      forms,
    );
    assert.equal(r.dropped.length, 0);
  });
});

describe('deduplicate', () => {
  test('exact (user_id, event_type, timestamp, value) matches of an earlier kept event are duplicates', async () => {
    const e = { user_id: 'u1', event_type: 'click', timestamp: '2025-01-15T10:00:00Z', value: 3 };
    const r = await run([
      e, // 1 kept
      { ...e, value: 3.0 }, // 2 dup of 1 (3 equals 3.0)
      { ...e, value: '3' }, // 3 dup of 1 (value as float64 after the value rule)
      { ...e, value: '3.00' }, // 4 dup of 1
      { ...e, metadata: { device: 'other', page: '/other' } }, // 5 dup of 1: metadata is not in the key
      { ...e, user_id: '  u1\u00a0' }, // 6 dup of 1: user_id trimmed
      { ...e, timestamp: '2025-01-15T10:00:00+00:00' }, // 7 kept: the original string differs
      { ...e, timestamp: '2025-01-15T10:00:00z' }, // 8 kept
      { ...e, event_type: 'Click' }, // 9 kept
      { ...e, value: 3.5 }, // 10 kept
      { ...e, user_id: 'u2' }, // 11 kept
      { ...e, timestamp: '2025-01-15T10:00:00+00:00', value: 3 }, // 12 dup of 7
    ]);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.duplicate_of]),
      [
        [2, 'duplicate', 1],
        [3, 'duplicate', 1],
        [4, 'duplicate', 1],
        [5, 'duplicate', 1],
        [6, 'duplicate', 1],
        [12, 'duplicate', 7],
      ],
    );
    assert.equal(r.clean.length, 6);
    // Dropped duplicates keep their fields as read.
    assert.equal(r.dropped.find((d) => d.source_row === 6)!.user_id, '  u1\u00a0');
    assert.equal(r.dropped.find((d) => d.source_row === 5)!.device, 'other');
    assert.equal(r.dropped.find((d) => d.source_row === 3)!.value, 3);
  });

  test('nulls are equal to nulls (event_type, value), absent equals null', async () => {
    const a = { user_id: 'u1', timestamp: '2025-01-15T10:00:00Z' };
    const r = await run([
      a,
      { ...a, event_type: null, value: null },
      { ...a, value: 'n/a' },
      { ...a, value: 0 },
      { ...a, event_type: '' },
    ]);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.duplicate_of]),
      [
        [2, 'duplicate', 1],
        [3, 'duplicate', 1],
      ],
    );
  });

  test('0 and -0 are one float64 value', async () => {
    const a = '"user_id":"u1","timestamp":"2025-01-15T10:00:00Z"';
    const r = await run(`[{${a},"value":0},{${a},"value":-0.0},{${a},"value":"-0"},{${a},"value":"+0.0"}]`);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.duplicate_of]),
      [
        [2, 'duplicate', 1],
        [3, 'duplicate', 1],
        [4, 'duplicate', 1],
      ],
    );
  });

  test('the first occurrence in input order is kept, every later one points at it', async () => {
    const e = (n: number) => ({ user_id: 'u1', event_type: `t${n}`, timestamp: '2025-01-15T10:00:00Z' });
    const r = await run([e(2), e(1), e(2), e(1), e(2)]);
    assert.deepEqual(
      r.clean.map((x) => x.event_type),
      ['t2', 't1'],
    );
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.duplicate_of]),
      [
        [3, 1],
        [4, 2],
        [5, 1],
      ],
    );
  });

  test('rows dropped earlier are never duplicates and never the kept first of a group', async () => {
    const text = ndjson([
      { user_id: null, event_type: 'a', timestamp: '2025-01-15T10:00:00Z' }, // 1 missing_user_id
      { user_id: null, event_type: 'a', timestamp: '2025-01-15T10:00:00Z' }, // 2 missing_user_id, not duplicate
      { user_id: '  ', event_type: 'a', timestamp: '2025-01-15T10:00:00Z' }, // 3 missing_user_id
      { user_id: 'u1', event_type: 'a', timestamp: 'bad' }, // 4 invalid_timestamp
      { user_id: 'u1', event_type: 'a', timestamp: 'bad' }, // 5 invalid_timestamp, not duplicate
      { user_id: 'u1', event_type: 'a', timestamp: 12 }, // 6 invalid_timestamp
      { user_id: 'u1', event_type: 'a', timestamp: '12' }, // 7 invalid_timestamp (same text as 6)
      { user_id: 'u1', event_type: 'a', timestamp: '2025-01-15T10:00:00Z' }, // 8 kept
      { user_id: 'u1', event_type: 'a', timestamp: '2025-01-15T10:00:00Z' }, // 9 duplicate of 8
    ]);
    const r = await run('{"user_id":"u1"\n' + text); // line 1 malformed: everything shifts by one
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.duplicate_of]),
      [
        [1, 'malformed_record', null],
        [2, 'missing_user_id', null],
        [3, 'missing_user_id', null],
        [4, 'missing_user_id', null],
        [5, 'invalid_timestamp', null],
        [6, 'invalid_timestamp', null],
        [7, 'invalid_timestamp', null],
        [8, 'invalid_timestamp', null],
        [10, 'duplicate', 9],
      ],
    );
  });

  test('deduplication comes before the join and the US filter', async () => {
    const r = await run([ev('nobody', 1), ev('nobody', 1), ev('ca', 2), ev('ca', 2), ev('u1', 3), ev('u1', 3)]);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.duplicate_of]),
      [
        [1, 'unknown_user', null],
        [2, 'duplicate', 1],
        [3, 'non_us_user', null],
        [4, 'duplicate', 3],
        [6, 'duplicate', 5],
      ],
    );
    const dd = r.report.stages[3];
    assert.deepEqual(dd, { ...dd, name: 'deduplicate', rows_in: 6, rows_out: 3, dropped: { duplicate: 3 } });
  });
});

describe('join users and filter US', () => {
  test('unknown_user when the user_id is not in users.csv (exact, after trimming both sides)', async () => {
    const users = usersCsv([
      ['  u1 ', '2024-01-01', 'US'],
      ['U2', '2024-01-01', 'US'],
    ]);
    const r = await run([ev('u1', 1), ev('U2', 2), ev('u2', 3), ev('u1x', 4), ev(' U2', 5)], { users });
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1', 'U2', 'U2'],
    );
    assert.deepEqual(reasons(r), { 3: 'unknown_user', 4: 'unknown_user' });
    const s = r.report.stages[4];
    assert.deepEqual(s, { ...s, name: 'join_users', rows_in: 5, rows_out: 3, dropped: { unknown_user: 2 } });
  });

  test('non_us_user for any other country, empty, blank, or missing from the row', async () => {
    const users =
      'user_id,signup_date,country\n' +
      [
        'c1,2024-01-01,Canada',
        'c2,2024-01-01,',
        'c3,2024-01-01,"   "',
        'c4,2024-01-01',
        'c5',
        'c6,2024-01-01,U.S',
        'c7,2024-01-01,America',
        'c8,2024-01-01,U S A',
        'c9,2024-01-01,USA.',
        'c10,2024-01-01,United States of Americas',
        'c11,2024-01-01,Ü.S.',
        'ok,2024-01-01,US',
      ].join('\n') +
      '\n';
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'ok'];
    const r = await run(
      ids.map((u, i) => ev(u, i)),
      { users },
    );
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['ok'],
    );
    const expected: Record<number, string> = {};
    for (let i = 1; i <= 11; i++) expected[i] = 'non_us_user';
    assert.deepEqual(reasons(r), expected);
    const s = r.report.stages[5];
    assert.deepEqual(s, { ...s, name: 'filter_us', rows_in: 12, rows_out: 1, dropped: { non_us_user: 11 } });
  });

  test('every spelling of the United States, any case, padded, is US', async () => {
    const spellings = [
      'US',
      'us',
      'Us',
      'USA',
      'usa',
      'UsA',
      'U.S.',
      'u.s.',
      'U.S.A.',
      'u.s.a.',
      ' u.s.a. ',
      'United States',
      'united states',
      'UNITED STATES',
      'United States of America',
      'united STATES of america',
      '\tUSA\u00a0',
    ];
    const users =
      'user_id,signup_date,country\n' + spellings.map((c, i) => `p${i},2024-01-01,"${c}"`).join('\n') + '\n';
    const r = await run(
      spellings.map((_, i) => ev(`p${i}`, i)),
      { users },
    );
    assert.equal(r.dropped.length, 0);
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      spellings.map((_, i) => `p${i}`),
    );
    for (const row of r.clean) assert.equal(row.country, 'US');
  });
});

describe('users.csv', () => {
  test('header names are trimmed and case-insensitive, in any order, extra columns ignored', async () => {
    const users =
      ' Plan , COUNTRY,Signup_Date ,  User_ID  ,notes\n"Gold, PPO",United States,2024-05-06,u7,x\nHMO,Canada,2024-01-01,u8,y\n';
    const r = await run([ev('u7', 1), ev('u8', 2)], { users });
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.signup_date, x.country]),
      [['u7', '2024-05-06', 'US']],
    );
    assert.deepEqual(reasons(r), { 2: 'non_us_user' });
  });

  test('RFC 4180 quoting: commas, doubled quotes and line breaks inside quotes; CRLF; BOM', async () => {
    const users =
      '\ufeffuser_id,signup_date,country,plan\r\n' +
      '"u,1",2024-01-01,"United States","PPO, Gold"\r\n' +
      '"u""q""",2024-01-02,US,"say ""hi"""\r\n' +
      'u3,2024-01-03,US,"two\r\nlines, and ""quotes"""\r\n' +
      '"u\n4","2024-01-04","US",\r\n' +
      'u5,2024-01-05,"U.S.A.",last';
    const r = await run([ev('u,1', 1), ev('u"q"', 2), ev('u3', 3), ev('u\n4', 4), ev('u5', 5)], { users });
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.signup_date, x.country]),
      [
        ['u,1', '2024-01-01', 'US'],
        ['u"q"', '2024-01-02', 'US'],
        ['u3', '2024-01-03', 'US'],
        ['u\n4', '2024-01-04', 'US'],
        ['u5', '2024-01-05', 'US'],
      ],
    );
    assert.equal(r.report.inputs[1].rows, 5);
  });

  test('a repeated user_id: the first row wins and the ignored rows are counted in a warning', async () => {
    const users = usersCsv([
      ['u1', '2024-01-01', 'US'],
      ['u2', '2024-02-02', 'Canada'],
      ['u1', '2023-01-01', 'Canada'],
      ['u2', '2024-02-02', 'US'],
      [' u1 ', '2022-01-01', 'US'],
    ]);
    const r = await run([ev('u1', 1), ev('u2', 2)], { users });
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.signup_date, x.country]),
      [['u1', '2024-01-01', 'US']],
    );
    assert.deepEqual(reasons(r), { 2: 'non_us_user' });
    assert.equal(warning(r, 'duplicate_user_rows'), 3);
    assert.deepEqual(
      r.log
        .split('\n')
        .filter((l) => l.includes(' - WARNING - '))
        .map((l) => l.replace(/^.* - WARNING - /, '')),
      ['3 users.csv rows repeat an earlier user_id and were ignored (the first row wins)'],
    );
  });

  test('signup_date: YYYY-MM-DD, or a valid date-time cut to its date as written; anything else null and counted', async () => {
    const dates: [string, string | null][] = [
      ['2024-03-05', '2024-03-05'],
      ['2024-03-05T23:30:00-05:00', '2024-03-05'],
      ['2024-03-05T01:00:00+05:00', '2024-03-05'],
      ['2024-03-05 12:00', '2024-03-05'],
      ['2024-02-29T10:00:00.123Z', '2024-02-29'],
      ['04/11/2022', null],
      ['2024-02-30', null],
      ['2023-02-29', null],
      ['2024-3-5', null],
      ['20240305', null],
      ['2024-03-05T25:00:00Z', null],
      ['2024-03-05t10:00:00Z', null],
      ['2024-03-05Z', null],
      ['yesterday', null],
    ];
    const users = usersCsv(dates.map(([d], i) => [`s${i}`, d, 'US']));
    const r = await run(
      dates.map((_, i) => ev(`s${i}`, i)),
      { users },
    );
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.signup_date]),
      dates.map(([, want], i) => [`s${i}`, want]),
    );
    assert.equal(warning(r, 'invalid_signup_date'), dates.filter(([, w]) => w === null).length);
  });

  test('an empty signup_date is null', async () => {
    const r = await run([ev('e1', 1)], { users: 'user_id,signup_date,country\ne1,,US\n' });
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.signup_date]),
      [['e1', null]],
    );
  });

  test('blank lines in users.csv are not users', async () => {
    const r = await run([ev('u1', 1)], { users: 'user_id,signup_date,country\n\nu1,2024-01-01,US\n\n\n' });
    assert.equal(r.clean.length, 1);
    assert.equal(r.report.inputs[1].rows, 1);
  });
});
