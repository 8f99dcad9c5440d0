/**
 * docs/rules.md "Events" and "Details", per field: the user_id and value rules, escapes,
 * duplicate keys, unknown fields, metadata, deep nesting. Driven through runPipeline and read
 * back from the outputs. (Formats, lines and sniffing are in events-reader.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ev, reasons, run, usersCsv, warning } from './helpers';

describe('user_id', () => {
  const users = usersCsv([
    ['u1', '2024-01-01', 'US'],
    ['12345', '2024-01-01', 'US'],
    ['u0', '2024-01-01', 'US'],
    ['-7', '2024-01-01', 'US'],
  ]);

  test('a number becomes its decimal string', async () => {
    const r = await run([ev(12345, 1), ev(-7, 2), ev(999, 3)], { users });
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['12345', '-7'],
    );
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.user_id]),
      [[3, 'unknown_user', '999']],
    );
  });

  test('a number in any JSON form becomes a plain decimal string (no exponent) of the same value', async () => {
    const numbers = ['1e21', '1E2', '1e-7', '2.5E-3', '1.50', '12345678901234567890', '-3', '0.1'];
    const text = '[' + numbers.map((v, i) => `{"user_id":${v},"timestamp":"2025-01-15T10:00:0${i}Z"}`).join(',') + ']';
    const r = await run(text, { users });
    const ids = r.dropped.map((d) => d.user_id as string);
    assert.equal(ids.length, numbers.length);
    ids.forEach((id, i) => {
      assert.match(id, /^-?\d+(\.\d+)?$/, `${numbers[i]} -> ${JSON.stringify(id)} is not a decimal string`);
      assert.equal(Number(id), Number(numbers[i]), `${numbers[i]} -> ${id}`);
    });
  });

  test('numbers of equal value become the same user_id, however they are written', async () => {
    const groups = [
      ['10', '1e1', '10.0', '1.0e1', '100e-1'],
      ['1.5', '1.50', '15e-1'],
      ['0', '-0', '0.0', '-0.0', '0e5'],
    ];
    for (const group of groups) {
      const text = '[' + group.map((v, i) => `{"user_id":${v},"timestamp":"2025-01-15T10:00:0${i}Z"}`).join(',') + ']';
      const r = await run(text, { users });
      const ids = r.dropped.map((d) => d.user_id);
      assert.equal(ids.length, group.length);
      assert.equal(new Set(ids).size, 1, `${group.join(', ')} -> ${ids.map((x) => JSON.stringify(x)).join(', ')}`);
    }
  });

  test('surrounding white space is trimmed as String.prototype.trim does', async () => {
    const padded = [
      '  u1',
      'u1  ',
      ' u1 ',
      '\tu1\n',
      '\u00a0u1\u00a0',
      '\u3000u1\u3000',
      '\u2003u1\u2028',
      '\ufeffu1',
      'u1\r\n',
    ];
    const events = padded.map((u, i) => ev(u, i));
    const r = await run(events, { users });
    assert.equal(r.clean.length, padded.length);
    for (const row of r.clean) assert.equal(row.user_id, 'u1');
    // Daily summary groups the trimmed ids together.
    assert.deepEqual(r.daily, [{ user_id: 'u1', event_date: '2025-01-15', event_count: padded.length }]);
  });

  test('dropped rows keep the user_id as read, before trimming', async () => {
    const r = await run([ev('  nobody\u00a0', 1), ev(' u1 ', 2, { timestamp: 'bad' })], { users });
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.user_id]),
      [
        [1, 'unknown_user', '  nobody\u00a0'],
        [2, 'invalid_timestamp', ' u1 '],
      ],
    );
  });

  test('white space only, even non-ASCII, is a missing user_id', async () => {
    const r = await run([ev('\u00a0', 1), ev('\u3000 \t', 2), ev('\ufeff', 3)], { users });
    assert.deepEqual(reasons(r), { 1: 'missing_user_id', 2: 'missing_user_id', 3: 'missing_user_id' });
  });

  test('escaped strings are decoded (keys and values)', async () => {
    const text =
      '[{"user_id":"u\\u0030","event_type":"log\\u0069n","timestamp":"2025-01-15T10:00:00\\u005a","value":"\\u0031\\u0032"},' +
      '{"user\\u005fid":"u1","timestamp":"2025-01-15T10:00:01Z","metadata":{"dev\\u0069ce":"d\\"q\\"","page":"\\/a\\\\b"}},' +
      '{"user_id":"\\u0020u1\\t","timestamp":"2025-01-15T10:00:02Z"},' +
      '{"user_id":"\\ud83d\\ude00","timestamp":"2025-01-15T10:00:03Z"}]';
    const r = await run(text, { users });
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.event_type, x.timestamp, x.value, x.device, x.page]),
      [
        ['u0', 'login', '2025-01-15T10:00:00Z', 12, null, null],
        ['u1', null, '2025-01-15T10:00:01Z', null, 'd"q"', '/a\\b'],
        ['u1', null, '2025-01-15T10:00:02Z', null, null, null],
      ],
    );
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.user_id]),
      [[4, 'unknown_user', '\u{1F600}']],
    );
  });
});

describe('value', () => {
  test('numbers and decimal-number strings are read; anything else is null and counted', async () => {
    const good: [unknown, number][] = [
      ['12', 12],
      ['3.5', 3.5],
      ['-2.25', -2.25],
      ['5.', 5],
      ['.5', 0.5],
      ['+3', 3],
      ['-.5', -0.5],
      ['007', 7],
      ['0.1', 0.1],
      ['123456789.123456789', 123456789.123456789],
      [7, 7],
      [3.25, 3.25],
      [-0.5, -0.5],
      [1.5e2, 150],
      [0.1, 0.1],
    ];
    const bad: unknown[] = [
      '1e3',
      '1E3',
      ' 12',
      '12 ',
      '\u00a012',
      'n/a',
      '',
      '+',
      '-',
      '.',
      '+-1',
      '1.2.3',
      '1,5',
      '0x10',
      'Infinity',
      'NaN',
      '١٢',
      true,
      false,
      {},
      { v: 1 },
      [],
      [1],
    ];
    const events = [
      ...good.map(([v], i) => ev('u1', i, { value: v })),
      ...bad.map((v, i) => ev('u1', 100 + i, { value: v })),
      ev('u1', 200, { value: null }),
      ev('u1', 201),
    ];
    delete events[events.length - 1].value;
    const r = await run(events);
    assert.equal(r.clean.length, events.length);
    assert.deepEqual(
      r.clean.map((x) => x.value),
      [...good.map(([, n]) => n), ...bad.map(() => null), null, null],
    );
    assert.equal(warning(r, 'invalid_value'), bad.length);
  });

  test('JSON numbers in exponent form and with many digits keep their float64 value', async () => {
    const text =
      '[' +
      ['1e3', '1E-2', '-2.5e+1', '0.30000000000000004', '12345678901234567890', '1.7976931348623157e308']
        .map((v, i) => JSON.stringify(ev('u1', i)).replace('"value":null', `"value":${v}`))
        .join(',') +
      ']';
    const r = await run(text);
    assert.deepEqual(
      r.clean.map((x) => x.value),
      [1000, 0.01, -25, 0.30000000000000004, 12345678901234567890, 1.7976931348623157e308],
    );
    assert.equal(warning(r, 'invalid_value'), 0);
  });

  test('dropped rows hold the value after the value rule', async () => {
    const r = await run([
      ev('nobody', 1, { value: '4.5' }),
      ev('nobody', 2, { value: 'n/a' }),
      ev('nobody', 3, { value: 8 }),
    ]);
    assert.deepEqual(
      r.dropped.map((d) => d.value),
      [4.5, null, 8],
    );
    assert.equal(warning(r, 'invalid_value'), 1);
  });

  test('the invalid_value warning is absent when every value is fine', async () => {
    const r = await run([ev('u1', 1, { value: 1 }), ev('u1', 2, { value: null })]);
    assert.equal(
      r.report.warnings.find((w) => w.code === 'invalid_value'),
      undefined,
    );
  });
});

describe('fields', () => {
  test('duplicate keys: the last one wins, as in JSON.parse', async () => {
    const text =
      '[{"user_id":"nobody","user_id":"u1","timestamp":"bad","timestamp":"2025-01-15T10:00:00Z","value":1,"value":"2"},' +
      '{"user_id":"u1","timestamp":"2025-01-15T10:00:01Z","metadata":{"device":"a","page":"p"},"metadata":{"page":"q"}},' +
      '{"user_id":"u1","timestamp":"2025-01-15T10:00:02Z","metadata":{"device":"a","device":"b"}},' +
      '{"user_id":"u1","timestamp":"2025-01-15T10:00:03Z","metadata":{"device":"a"},"metadata":null}]';
    const parsed = JSON.parse(text) as { user_id: string; metadata?: { device?: string; page?: string } | null }[];
    const r = await run(text);
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.value, x.device, x.page]),
      [
        ['u1', 2, null, null],
        ['u1', null, parsed[1].metadata?.device ?? null, parsed[1].metadata?.page ?? null],
        ['u1', null, 'b', null],
        ['u1', null, null, null],
      ],
    );
  });

  test('keys are found in any order and spacing, and look-alike keys are not taken for them', async () => {
    // The scanner tries the usual key order first as raw bytes; nothing else may depend on it.
    const lines = [
      '{"metadata":{"page":"p1","device":"d1"},"value":1,"timestamp":"2025-01-15T10:00:00Z","event_type":"t1","user_id":"u1"}',
      '{"user_id" : "u1" , "event_type":"t2","timestamp"\t:"2025-01-15T10:00:01Z","value": 2,"metadata": {"device" :"d2","page":"p2"}}',
      '{"user_idx":"nobody","user_id":"u1","event_typ":"x","event_type":"t3","timestamp":"2025-01-15T10:00:02Z","value":3}',
      '{"user_id":"u1","timestamp":"2025-01-15T10:00:03Z","event_type":"t4","value":4,"metadata":{"page":"p4","device":"d4","device ":"x"}}',
      '{"user_\u0069d":"u1","event_type":"t5","\u0074imestamp":"2025-01-15T10:00:04Z","value":5}',
      '{"value":6,"user_id":"u1","timestamp":"2025-01-15T10:00:05Z","user_id":"nobody"}',
      // Keys compared a word at a time: look-alikes that differ only in the first or last word.
      '{"xser_id":"nobody","user_id":"u1","event_type":"t7","timestamp":"2025-01-15T10:00:06Z","value":7,"metadata":{"xevice":"x","device":"d7","pagE":"x","page":"p7"}}',
      '{"user_id":"u1","xvent_type":"t8","timestamp":"2025-01-15T10:00:07Z","value":8,"metadata":{"xevice":"x","pagX":"p8"}}',
    ];
    const expected = lines.map(
      (l) =>
        JSON.parse(l) as {
          user_id: string;
          event_type?: string;
          value: number;
          metadata?: { device?: string; page?: string };
        },
    );
    const r = await run(lines.join('\n') + '\n');
    const row = (e: (typeof expected)[number]) => [
      e.user_id,
      e.event_type ?? null,
      e.value,
      e.metadata?.device ?? null,
      e.metadata?.page ?? null,
    ];
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.event_type, x.value, x.device, x.page]),
      expected.filter((e) => e.user_id === 'u1').map(row),
    );
    assert.deepEqual(reasons(r), { 6: 'unknown_user' });
  });

  test('unknown fields are ignored, even when they hold objects with known names', async () => {
    const text =
      '[{"extra":{"user_id":"nobody","timestamp":"bad"},"user_id":"u1","list":[{"value":9}],"timestamp":"2025-01-15T10:00:00Z",' +
      '"device":"top-level","page":"top-level","metadata":{"device":"d","page":"p","os":"linux","nested":{"device":"x"}},"User_Id":"nobody"}]';
    const r = await run(text);
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.value, x.device, x.page]),
      [['u1', null, 'd', 'p']],
    );
  });

  test('metadata missing, null or not an object gives null device and page', async () => {
    const metas: unknown[] = [undefined, null, 'desktop', 5, [], ['desktop'], true, {}];
    const events = metas.map((m, i) => {
      const e = ev('u1', i);
      if (m !== undefined) e.metadata = m;
      return e;
    });
    const r = await run(events);
    assert.equal(r.clean.length, metas.length);
    for (const row of r.clean) {
      assert.equal(row.device, null);
      assert.equal(row.page, null);
    }
  });

  test('metadata with only one of device and page', async () => {
    const r = await run([ev('u1', 1, { metadata: { device: 'mobile' } }), ev('u1', 2, { metadata: { page: '/x' } })]);
    assert.deepEqual(
      r.clean.map((x) => [x.device, x.page]),
      [
        ['mobile', null],
        [null, '/x'],
      ],
    );
  });

  test('event_type absent or null is null; UTF-8 text survives', async () => {
    const e1 = ev('u1', 1);
    delete e1.event_type;
    const r = await run([
      e1,
      ev('u1', 2, { event_type: null }),
      ev('u1', 3, { event_type: 'café ☕ 😀', metadata: { page: '/ü' } }),
    ]);
    assert.deepEqual(
      r.clean.map((x) => [x.event_type, x.page]),
      [
        [null, null],
        [null, null],
        ['café ☕ 😀', '/ü'],
      ],
    );
  });
});

describe('valid JSON, however deeply nested', () => {
  // 600 levels of nesting in an unknown field: valid JSON (JSON.parse reads it), so the rules'
  // fatal "not valid JSON" does not apply, and an NDJSON line holding it IS a JSON object.
  const deep = '['.repeat(600) + ']'.repeat(600);
  const event = `{"user_id":"u1","timestamp":"2025-01-15T10:00:00Z","extra":${deep}}`;

  test('in a JSON array: read, the unknown field ignored', async () => {
    const text = `[${event}]`;
    assert.doesNotThrow(() => JSON.parse(text));
    const r = await run(text);
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1'],
    );
  });

  test('in an NDJSON line: an event, not malformed_record', async () => {
    const r = await run(event + '\n');
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1'],
    );
    assert.deepEqual(r.dropped, []);
  });

  test('deep objects, strings holding brackets, and fields after the deep part are all read', async () => {
    let obj = '{"k":"]}[{\\"","n":null}';
    for (let i = 0; i < 300; i++) obj = `{"a${i}":[1,"x]",${obj},{}],"b":[ ]}`;
    const text = `[{"user_id":"u1","metadata":{"junk":${obj},"device":"d","page":"p"},"deep":${obj},"timestamp":"2025-01-15T10:00:00Z","value":"2"},[${obj}]]`;
    assert.doesNotThrow(() => JSON.parse(text));
    const r = await run(text);
    assert.deepEqual(
      r.clean.map((x) => [x.user_id, x.device, x.page, x.value]),
      [['u1', 'd', 'p', 2]],
    );
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason]),
      [[2, 'missing_user_id']],
    );
  });

  test('invalid JSON deep inside is still invalid: fatal in an array, malformed_record in NDJSON', async () => {
    const broken = [
      '['.repeat(200) + '1,' + ']'.repeat(200), // trailing comma at the deepest level
      '['.repeat(200) + '}' + ']'.repeat(199), // mismatched bracket
      '{"a":'.repeat(100) + '1' + '}'.repeat(99), // one brace short
      '{"a":'.repeat(100) + '1,}' + '}'.repeat(99), // trailing comma in an object
      '['.repeat(100) + '{"a" 1}' + ']'.repeat(100), // missing colon
      '['.repeat(100) + 'tru' + ']'.repeat(100), // bad literal
    ];
    for (const x of broken) {
      const line = `{"user_id":"u1","timestamp":"2025-01-15T10:00:00Z","x":${x}}`;
      assert.throws(() => JSON.parse(line));
      const nd = await run(line + '\n' + JSON.stringify(ev('u2', 1)) + '\n');
      assert.deepEqual(
        nd.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]),
        [[1, 'malformed_record', line]],
        x.slice(0, 20),
      );
      assert.deepEqual(
        nd.clean.map((c) => c.user_id),
        ['u2'],
      );
      await assert.rejects(run(`[${line}]`), (err: Error) => err.name === 'EtlError' && /line 1\b/.test(err.message));
    }
  });
});
