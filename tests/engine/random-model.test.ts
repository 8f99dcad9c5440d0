/**
 * Random inputs full of the rules' corner cases (padded and numeric ids, every timestamp form,
 * value strings, duplicates, odd metadata, blank and malformed lines), run through the engine
 * and through tests/model/spec-model.ts (JSON.parse and the rules' rules, nothing else). The three outputs
 * and the report's counts must agree exactly, whatever the format, line ends, batch size, or
 * number of scan threads.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runPipeline } from '../../electron/engine/pipeline';
import { readRows, tmpDir, writeFile, type RunResult } from './helpers';
import { EtlError } from '../../electron/engine/errors';
import { compare, model, ModelFatal } from '../model/spec-model';

const USERS =
  'Country,user_id,signup_date,plan\n' +
  [
    'US,u1,2024-01-01,a',
    'usa,u2,2024-03-05T23:30:00-05:00,b',
    'Canada,ca,2024-01-01,c',
    '" United States ",1,2024-01-01,d',
    'Mexico,7,2024-01-01,e',
    'US,é,bad-date,f',
    'u.s.,Z,,g',
    ',a,2024-01-01,h',
    'US,😀,2024-02-29,i',
    'Canada,u1,2020-01-01,duplicate row: ignored',
    'US,,2024-01-01,no user_id: ignored',
    'US,1000000000000000000000,2024-01-01,the id 1e21 is written as its digits',
    '"U.S.A.","with,comma",2024-01-01,j',
  ].join('\n') +
  '\n';

const USER_IDS: unknown[] = [
  'u1',
  'u2',
  'ca',
  'nobody',
  ' u1 ',
  'u1\u00a0',
  '\u3000u2',
  '',
  '   ',
  null,
  undefined,
  1,
  7,
  1.0,
  1e21,
  2.5e-7,
  -12345678901,
  true,
  'é',
  'Z',
  'a',
  '😀',
  'U1',
  'with,comma',
];
const TYPES: unknown[] = ['login', 'click', null, undefined, '', 5, 'Login', 'café'];
const TIMESTAMPS: unknown[] = [
  '2025-01-15T10:00:00Z',
  '2025-01-15T10:00:00+00:00',
  '2025-01-15 10:00',
  '2025-01-15T23:30:00-05:00',
  '2025-01-16T00:30:00+01:00',
  '2025-01-15',
  '2024-02-29T12:00:00.1234567z',
  '2024-12-31T23:59:59,999-0001',
  '1969-12-31T23:00:00Z',
  '2025-02-30T10:00:00Z',
  '2025-01-15t10:00:00Z',
  '20250115T100000Z',
  '',
  ' 2025-01-15',
  1736936625,
  null,
  undefined,
  true,
];
const VALUES: unknown[] = [
  null,
  undefined,
  3,
  3.5,
  '3',
  '3.0',
  '3.50',
  -0.5,
  '-.5',
  '5.',
  '+3',
  'n/a',
  true,
  {},
  [1],
  '1e3',
  ' 1',
  0,
  '-0',
];
const METAS: unknown[] = [
  undefined,
  null,
  { device: 'd', page: 'p' },
  { device: 'x' },
  { page: '/é' },
  'str',
  [],
  { device: 5, page: null, os: 'l' },
];
const JUNK = ['oops', '[1]', '{"a":', '42', 'null', '{"user_id":"u1"} x', "{'a':1}"];
const BLANK = ['', '  ', '\t', ' \t '];

/** A random timestamp in one of the rules' forms (sometimes with an impossible part). */
function randomTimestamp(r: (n: number) => number): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const y = [1969, 1970, 1999, 2000, 2023, 2024, 2025, 2100][r(8)];
  const mo = 1 + r(12);
  const d = 1 + r(r(10) === 0 ? 31 : 28) + (r(20) === 0 ? 3 : 0);
  let t = `${y}-${p2(mo)}-${p2(d)}`;
  if (r(8) === 0) return t;
  t += r(2) ? 'T' : ' ';
  t += `${p2(r(r(30) === 0 ? 25 : 24))}:${p2(r(60))}`;
  if (r(4)) {
    t += `:${p2(r(r(30) === 0 ? 61 : 60))}`;
    if (r(2))
      t +=
        (r(2) ? '.' : ',') +
        String(r(1e9))
          .padStart(9, '0')
          .slice(0, 1 + r(9));
  }
  const z = r(9);
  const oh = p2(r(r(30) === 0 ? 25 : 24));
  const om = p2(r(60));
  const sign = r(2) ? '+' : '-';
  t += [
    '',
    'Z',
    'z',
    `${sign}${oh}:${om}`,
    `${sign}${oh}${om}`,
    `${sign}${oh}`,
    `${sign}${oh}:${om}`,
    `${sign}${oh}`,
    'Z',
  ][z];
  return t;
}

function makeEvents(n: number, seed: number): Record<string, unknown>[] {
  let s = seed;
  const r = (k: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return Math.floor((s / 0x80000000) * k);
  };
  const pick = <T>(xs: T[]): T =>
    xs === (TIMESTAMPS as unknown[]) && r(2) === 0 ? (randomTimestamp(r) as T) : xs[r(xs.length)];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const e: Record<string, unknown> = {};
    const fields: [string, unknown][] = [
      ['user_id', pick(USER_IDS)],
      ['event_type', pick(TYPES)],
      ['timestamp', pick(TIMESTAMPS)],
      ['value', pick(VALUES)],
      ['metadata', pick(METAS)],
    ];
    if (pick([0, 1, 2]) === 0) fields.push(['extra', { user_id: 'nobody', nested: [1, { timestamp: 'x' }] }]);
    for (const [k, v] of fields) if (v !== undefined) e[k] = v;
    out.push(e);
  }
  return out;
}

/** NDJSON with blank and malformed lines sprinkled in. */
function ndjsonText(events: Record<string, unknown>[], seed: number, eol: string, bom: boolean): string {
  let s = seed;
  const r = (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return Math.floor((s / 0x80000000) * n);
  };
  const lines: string[] = [];
  for (const e of events) {
    if (r(10) === 0) lines.push(BLANK[r(BLANK.length)]);
    if (r(15) === 0) lines.push(JUNK[r(JUNK.length)]);
    lines.push(JSON.stringify(e));
  }
  return (bom ? '\ufeff' : '') + lines.join(eol) + eol;
}

/**
 * Re-writes JSON text without changing its value: characters inside strings (keys included)
 * become \\uXXXX escapes, and white space is added between tokens (`ws` chars only, so NDJSON
 * lines stay single lines).
 */
function mangle(json: string, seed: number, ws: string): string {
  let s = seed;
  const r = (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return Math.floor((s / 0x80000000) * n);
  };
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') {
        out += c + json[i + 1];
        i++;
      } else if (c === '"') {
        out += c;
        inString = false;
      } else {
        // A whole code point: both halves of a surrogate pair, or neither.
        const cp = json.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        i += ch.length - 1;
        if (r(4) === 0)
          for (const unit of [...Array(ch.length).keys()])
            out += '\\u' + ch.charCodeAt(unit).toString(16).padStart(4, '0');
        else out += ch;
      }
    } else {
      if (c === '"') inString = true;
      if ('{}[],:'.includes(c) && r(3) === 0) out += ws[r(ws.length)];
      out += c;
      if ('{}[],:'.includes(c) && r(3) === 0) out += ws[r(ws.length)];
    }
  }
  return out;
}

async function runBoth(
  eventsText: string,
  name: string,
  format: 'json' | 'ndjson',
  scan?: { workers?: number; parallelFrom?: number; batchRows?: number },
) {
  const dir = tmpDir();
  const eventsPath = writeFile(dir, name, eventsText);
  const usersPath = writeFile(dir, 'users.csv', USERS);
  const outDir = path.join(dir, 'out');
  const report = await runPipeline({ eventsPath, usersPath, outDir }, scan ? { scan } : {});
  const got = {
    report,
    clean: readRows(path.join(outDir, 'clean_events.parquet')),
    daily: readRows(path.join(outDir, 'daily_summary.parquet')),
    dropped: readRows(path.join(outDir, 'dropped_rows.parquet')),
  } as Pick<RunResult, 'report' | 'clean' | 'daily' | 'dropped'>;
  const want = model(eventsText, name, USERS);
  assert.equal(want.format, format, 'the model sniffs the format the test meant');
  return { got, want };
}

describe('engine vs the rules model on random inputs', () => {
  const events = makeEvents(3000, 7);

  test('sanity: the random input exercises every drop reason', () => {
    const want = model(ndjsonText(events, 11, '\n', false), 'events.ndjson', USERS);
    for (const k of ['malformed', 'missing', 'invalidTs', 'dup', 'unknown', 'nonUs', 'invalidValue'] as const)
      assert.ok(want.counts[k] > 20, `${k}: ${want.counts[k]}`);
    assert.ok(want.clean.length > 100);
    // Every warning the users file can earn, so compare() checks each count.
    assert.deepEqual(Object.keys(want.warnings).sort(), [
      'duplicate_user_rows',
      'invalid_signup_date',
      'invalid_value',
      'missing_user_id_in_users',
    ]);
    // The number 1e21 joins its user by its digits; 5 and null event types are not one key.
    assert.ok(want.clean.some((c) => c.user_id === '1000000000000000000000'));
    const keyOf = (d: Record<string, unknown>) => JSON.stringify([d.user_id, d.timestamp, d.value]);
    const nullTyped = new Set(want.clean.filter((c) => c.event_type === null).map(keyOf));
    assert.ok(
      want.clean.some((c) => c.event_type === '5' && nullTyped.has(keyOf(c))),
      'an event typed 5 is kept beside an equal one typed null',
    );
  });

  test('NDJSON in a .jsonl file without a final line end', async () => {
    const text = ndjsonText(events, 19, '\n', false).replace(/\n$/, '');
    assert.ok(!text.endsWith('\n'));
    const { got, want } = await runBoth(text, 'events.jsonl', 'ndjson');
    compare(got, want);
  });

  test('an empty events file and an empty array: no rows and the empty_input warning', async () => {
    for (const [text, name, format] of [
      ['', 'events.json', 'ndjson'],
      [' \n[]\n', 'events.json', 'json'],
    ] as const) {
      const { got, want } = await runBoth(text, name, format);
      assert.deepEqual(want.warnings.empty_input, 1);
      compare(got, want);
    }
  });

  test('fatal inputs: a JSON array cut anywhere, a users file without its columns; the model and the engine agree', async () => {
    const full = JSON.stringify(events.slice(0, 40));
    let s = 23;
    const r = (n: number) => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return Math.floor((s / 0x80000000) * n);
    };
    for (let i = 0; i < 6; i++) {
      const cut = 1 + r(full.length - 2);
      const text = full.slice(0, cut);
      assert.throws(
        () => model(text, 'events.json', USERS),
        (e) => e instanceof ModelFatal && e.input === 'events',
      );
      const dir = tmpDir();
      const eventsPath = writeFile(dir, 'events.json', text);
      const usersPath = writeFile(dir, 'users.csv', USERS);
      await assert.rejects(runPipeline({ eventsPath, usersPath, outDir: path.join(dir, 'out') }), (e: EtlError) => {
        assert.deepEqual([e.info.kind, e.info.file], ['input', eventsPath], e.message);
        return true;
      });
    }
    const noCountry = USERS.replace(/^Country,/, 'Land,');
    assert.throws(
      () => model(full, 'events.json', noCountry),
      (e) => e instanceof ModelFatal && e.input === 'users',
    );
    const dir = tmpDir();
    const usersPath = writeFile(dir, 'users.csv', noCountry);
    const eventsPath = writeFile(dir, 'events.json', full);
    await assert.rejects(runPipeline({ eventsPath, usersPath, outDir: path.join(dir, 'out') }), (e: EtlError) => {
      assert.deepEqual([e.info.kind, e.info.file], ['input', usersPath], e.message);
      return true;
    });
  });

  test('NDJSON, LF', async () => {
    const text = ndjsonText(events, 11, '\n', false);
    const { got, want } = await runBoth(text, 'events.ndjson', 'ndjson');
    compare(got, want);
  });

  test('JSON array', async () => {
    const text = JSON.stringify(events);
    const { got, want } = await runBoth(text, 'events.json', 'json');
    compare(got, want);
  });

  test('NDJSON with BOM and CRLF, two scan threads, small batches', async () => {
    const text = ndjsonText(events, 13, '\r\n', true);
    const { got, want } = await runBoth(text, 'events.json', 'ndjson', { parallelFrom: 1, batchRows: 37 });
    compare(got, want);
  });

  test('pretty JSON array (one element per line), two scan threads, small batches', async () => {
    const text = '\ufeff[\n' + events.map((e) => JSON.stringify(e)).join(',\n') + '\n]\n';
    const { got, want } = await runBoth(text, 'events.json', 'json', { parallelFrom: 1, batchRows: 53 });
    compare(got, want);
  });

  test('escapes inside strings and keys, white space between tokens: NDJSON and JSON array', async () => {
    const nd = ndjsonText(events, 17, '\n', false)
      .split('\n')
      .map((l, i) => (l.startsWith('{"') ? mangle(l, i + 1, ' \t') : l))
      .join('\n');
    assert.notEqual(nd, ndjsonText(events, 17, '\n', false));
    const a = await runBoth(nd, 'events.ndjson', 'ndjson');
    compare(a.got, a.want);
    const arr = mangle(JSON.stringify(events), 5, ' \t\r\n');
    assert.deepEqual(JSON.parse(arr), JSON.parse(JSON.stringify(events)));
    const b = await runBoth(arr, 'events.json', 'json');
    compare(b.got, b.want);
  });

  test('JSON array indented by JSON.stringify(_, null, 2), two scan threads', async () => {
    const text = JSON.stringify(events, null, 2).replace(/\n/g, '\r\n');
    const { got, want } = await runBoth(text, 'events.json', 'json', { parallelFrom: 1 });
    compare(got, want);
  });
});
