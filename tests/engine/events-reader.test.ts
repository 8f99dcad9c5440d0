/**
 * SPEC "Inputs / Events" and "Details": both input formats, BOM, CRLF, blank lines, malformed
 * lines, format sniffing, the user_id and value rules, duplicate keys, unknown fields, metadata.
 * Driven through runPipeline and read back from the outputs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatFromName, sniffFormat } from '../../electron/engine/events-reader';
import { ev, ndjson, reasons, run, usersCsv, warning } from './helpers';

const enc = (s: string) => new TextEncoder().encode(s);

describe('sniffFormat / formatFromName', () => {
  test('.ndjson and .jsonl are always line-delimited, other names are sniffed', () => {
    assert.equal(formatFromName('/a/b/events.ndjson'), 'ndjson');
    assert.equal(formatFromName('events.jsonl'), 'ndjson');
    assert.equal(formatFromName('events.json'), null);
    assert.equal(formatFromName('events.txt'), null);
    assert.equal(formatFromName('events'), null);
  });

  test('the first non-blank character decides', () => {
    assert.equal(sniffFormat(enc('[{"a":1}]')), 'json');
    assert.equal(sniffFormat(enc(' \t\r\n [')), 'json');
    assert.equal(sniffFormat(enc('\ufeff[')), 'json');
    assert.equal(sniffFormat(enc('\ufeff \n[')), 'json');
    assert.equal(sniffFormat(enc('{"a":1}\n')), 'ndjson');
    assert.equal(sniffFormat(enc('\n\n{"a":1}')), 'ndjson');
    assert.equal(sniffFormat(enc('\ufeff{"a":1}')), 'ndjson');
    assert.equal(sniffFormat(enc('x[')), 'ndjson');
  });
});

describe('formats', () => {
  const events = [ev('u1', 1, { value: 2 }), ev('u2', 2, { event_type: 'click' }), ev('ca', 3), ev('nobody', 4)];

  test('a JSON array and the same events as NDJSON give the same outputs', async () => {
    const a = await run(events);
    const b = await run(ndjson(events));
    assert.equal(a.report.inputs[0].format, 'json');
    assert.equal(b.report.inputs[0].format, 'ndjson');
    assert.deepEqual(a.clean, b.clean);
    assert.deepEqual(a.daily, b.daily);
    assert.deepEqual(a.dropped, b.dropped);
    assert.deepEqual(a.clean.map((r) => r.user_id), ['u1', 'u2']);
    assert.deepEqual(reasons(a), { 3: 'non_us_user', 4: 'unknown_user' });
  });

  test('a pretty-printed JSON array with CRLF line ends and a BOM', async () => {
    const text = '\ufeff' + JSON.stringify(events, null, 2).replace(/\n/g, '\r\n') + '\r\n';
    const r = await run(text);
    assert.equal(r.report.inputs[0].format, 'json');
    assert.equal(r.report.inputs[0].rows, 4);
    assert.deepEqual(r.clean.map((x) => x.user_id), ['u1', 'u2']);
    assert.deepEqual(reasons(r), { 3: 'non_us_user', 4: 'unknown_user' });
  });

  test('NDJSON with a BOM and CRLF line ends; raw text of a malformed line has no line end', async () => {
    const lines = [JSON.stringify(ev('u1', 1)), 'not json', JSON.stringify(ev('u2', 2)), '{"user_id": "u1",'];
    const r = await run('\ufeff' + lines.join('\r\n') + '\r\n');
    assert.equal(r.report.inputs[0].format, 'ndjson');
    assert.deepEqual(r.clean.map((x) => x.user_id), ['u1', 'u2']);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]),
      [
        [2, 'malformed_record', 'not json'],
        [4, 'malformed_record', '{"user_id": "u1",'],
      ],
    );
  });

  test('a BOM before the first NDJSON line does not make it malformed', async () => {
    const r = await run('\ufeff' + JSON.stringify(ev('u1', 1)));
    assert.equal(r.report.inputs[0].format, 'ndjson');
    assert.equal(r.clean.length, 1);
    assert.equal(r.dropped.length, 0);
  });

  test('the last line needs no line end', async () => {
    const r = await run(JSON.stringify(ev('u1', 1)) + '\n' + JSON.stringify(ev('u2', 2)));
    assert.deepEqual(r.clean.map((x) => x.user_id), ['u1', 'u2']);
    const r2 = await run(JSON.stringify(ev('u1', 1)) + '\nbroken');
    assert.deepEqual(r2.dropped.map((d) => [d.source_row, d.raw]), [[2, 'broken']]);
  });

  test('blank lines (spaces and tabs only) are skipped but still count as lines', async () => {
    const text = ['', JSON.stringify(ev('u1', 1)), '   ', '\t \t', '', 'oops', '  \r', JSON.stringify(ev('nobody', 2)), ''].join('\n');
    const r = await run(text);
    // Line numbers: 2 = u1, 6 = oops, 8 = nobody.
    assert.deepEqual(r.clean.map((x) => x.user_id), ['u1']);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]),
      [
        [6, 'malformed_record', 'oops'],
        [8, 'unknown_user', null],
      ],
    );
    // extract rows_in = non-blank lines read.
    assert.equal(r.report.stages[0].rows_in, 3);
    assert.equal(r.report.inputs[0].rows, 3);
  });

  test('lines that are not one JSON object are malformed_record with their text kept', async () => {
    const bad = [
      '[1,2]',
      '[{"user_id":"u1","timestamp":"2025-01-15T10:00:00Z"}]',
      '"a string"',
      '42',
      'null',
      'true',
      '{"user_id":"u1"',
      '{"user_id":"u1"} trailing',
      '{"a":1}{"b":2}',
      "{'user_id':'u1'}",
      '{"user_id":"u1",}',
      '{user_id:"u1"}',
      '  {"user_id": nope}  ',
      '\u00e9t\u00e9',
    ];
    const lines = [JSON.stringify(ev('u1', 1)), ...bad, JSON.stringify(ev('u2', 2))];
    const r = await run(lines.join('\n') + '\n');
    assert.deepEqual(r.clean.map((x) => x.user_id), ['u1', 'u2']);
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]),
      bad.map((text, i) => [i + 2, 'malformed_record', text]),
    );
    for (const d of r.dropped) {
      for (const c of ['user_id', 'event_type', 'timestamp', 'value', 'device', 'page', 'duplicate_of']) assert.equal(d[c], null, c);
    }
    assert.deepEqual(r.report.stages[0], { ...r.report.stages[0], name: 'extract', rows_in: bad.length + 2, rows_out: 2, dropped: { malformed_record: bad.length } });
  });

  test('white space around an object on its line is allowed', async () => {
    const r = await run('  ' + JSON.stringify(ev('u1', 1)) + ' \t\n\t' + JSON.stringify(ev('u2', 2)) + '  \r\n');
    assert.deepEqual(r.clean.map((x) => x.user_id), ['u1', 'u2']);
  });

  test('.ndjson and .jsonl are line-delimited even when a line starts with [', async () => {
    const line = JSON.stringify([ev('u1', 1)]);
    for (const eventsName of ['events.ndjson', 'events.jsonl']) {
      const r = await run(line + '\n' + JSON.stringify(ev('u2', 2)) + '\n', { eventsName });
      assert.equal(r.report.inputs[0].format, 'ndjson', eventsName);
      assert.deepEqual(r.clean.map((x) => x.user_id), ['u2'], eventsName);
      assert.deepEqual(r.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]), [[1, 'malformed_record', line]], eventsName);
    }
  });

  test('.json and other names are sniffed by the first non-blank character', async () => {
    const nd = await run(ndjson([ev('u1', 1), ev('u2', 2)]), { eventsName: 'events.json' });
    assert.equal(nd.report.inputs[0].format, 'ndjson');
    assert.equal(nd.clean.length, 2);
    const arr = await run('\n  \t\r\n  ' + JSON.stringify([ev('u1', 1)]), { eventsName: 'events.json' });
    assert.equal(arr.report.inputs[0].format, 'json');
    assert.equal(arr.clean.length, 1);
    const txt = await run(JSON.stringify([ev('u1', 1), ev('u2', 2)]), { eventsName: 'events.txt' });
    assert.equal(txt.report.inputs[0].format, 'json');
    assert.equal(txt.clean.length, 2);
  });

  test('array elements that are not objects are events with no fields (missing_user_id)', async () => {
    const r = await run('[1, "u1", null, [], [{"user_id":"u1"}], true, false, 2.5, ' + JSON.stringify(ev('u1', 1)) + ']');
    assert.equal(r.report.inputs[0].rows, 9);
    assert.equal(r.report.stages[0].rows_in, 9);
    assert.equal(r.clean.length, 1);
    const expected: Record<number, string> = {};
    for (let i = 1; i <= 8; i++) expected[i] = 'missing_user_id';
    assert.deepEqual(reasons(r), expected);
    for (const d of r.dropped) assert.equal(d.user_id, null);
  });

  test('an empty array and an empty NDJSON file give empty outputs', async () => {
    for (const text of ['[]', ' [ ] \n', '', '\n \n']) {
      const r = await run(text);
      assert.equal(r.clean.length, 0, JSON.stringify(text));
      assert.equal(r.dropped.length, 0, JSON.stringify(text));
      assert.equal(r.report.stages[0].rows_in, 0, JSON.stringify(text));
    }
  });
});

describe('user_id', () => {
  const users = usersCsv([
    ['u1', '2024-01-01', 'US'],
    ['12345', '2024-01-01', 'US'],
    ['u0', '2024-01-01', 'US'],
    ['-7', '2024-01-01', 'US'],
  ]);

  test('a number becomes its decimal string', async () => {
    const r = await run([ev(12345, 1), ev(-7, 2), ev(999, 3)], { users });
    assert.deepEqual(r.clean.map((x) => x.user_id), ['12345', '-7']);
    assert.deepEqual(r.dropped.map((d) => [d.source_row, d.drop_reason, d.user_id]), [[3, 'unknown_user', '999']]);
  });

  test('surrounding white space is trimmed as String.prototype.trim does', async () => {
    const padded = ['  u1', 'u1  ', ' u1 ', '\tu1\n', '\u00a0u1\u00a0', '\u3000u1\u3000', '\u2003u1\u2028', '\ufeffu1', 'u1\r\n'];
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
    assert.deepEqual(r.dropped.map((d) => [d.source_row, d.drop_reason, d.user_id]), [[4, 'unknown_user', '\u{1F600}']]);
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
    const bad: unknown[] = ['1e3', '1E3', ' 12', '12 ', '\u00a012', 'n/a', '', '+', '-', '.', '+-1', '1.2.3', '1,5', '0x10', 'Infinity', 'NaN', '١٢', true, false, {}, { v: 1 }, [], [1]];
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
    const text = '[' + ['1e3', '1E-2', '-2.5e+1', '0.30000000000000004', '12345678901234567890', '1.7976931348623157e308'].map((v, i) => JSON.stringify(ev('u1', i)).replace('"value":null', `"value":${v}`)).join(',') + ']';
    const r = await run(text);
    assert.deepEqual(
      r.clean.map((x) => x.value),
      [1000, 0.01, -25, 0.30000000000000004, 12345678901234567890, 1.7976931348623157e308],
    );
    assert.equal(warning(r, 'invalid_value'), 0);
  });

  test('dropped rows hold the value after the value rule', async () => {
    const r = await run([ev('nobody', 1, { value: '4.5' }), ev('nobody', 2, { value: 'n/a' }), ev('nobody', 3, { value: 8 })]);
    assert.deepEqual(r.dropped.map((d) => d.value), [4.5, null, 8]);
    assert.equal(warning(r, 'invalid_value'), 1);
  });

  test('the invalid_value warning is absent when every value is fine', async () => {
    const r = await run([ev('u1', 1, { value: 1 }), ev('u1', 2, { value: null })]);
    assert.equal(r.report.warnings.find((w) => w.code === 'invalid_value'), undefined);
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

  test('unknown fields are ignored, even when they hold objects with known names', async () => {
    const text =
      '[{"extra":{"user_id":"nobody","timestamp":"bad"},"user_id":"u1","list":[{"value":9}],"timestamp":"2025-01-15T10:00:00Z",' +
      '"device":"top-level","page":"top-level","metadata":{"device":"d","page":"p","os":"linux","nested":{"device":"x"}},"User_Id":"nobody"}]';
    const r = await run(text);
    assert.deepEqual(r.clean.map((x) => [x.user_id, x.value, x.device, x.page]), [['u1', null, 'd', 'p']]);
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
    assert.deepEqual(r.clean.map((x) => [x.device, x.page]), [
      ['mobile', null],
      [null, '/x'],
    ]);
  });

  test('event_type absent or null is null; UTF-8 text survives', async () => {
    const e1 = ev('u1', 1);
    delete e1.event_type;
    const r = await run([e1, ev('u1', 2, { event_type: null }), ev('u1', 3, { event_type: 'café ☕ 😀', metadata: { page: '/ü' } })]);
    assert.deepEqual(r.clean.map((x) => [x.event_type, x.page]), [
      [null, null],
      [null, null],
      ['café ☕ 😀', '/ü'],
    ]);
  });
});

describe('valid JSON, however deeply nested', () => {
  // 600 levels of nesting in an unknown field: valid JSON (JSON.parse reads it), so the SPEC's
  // fatal "not valid JSON" does not apply, and an NDJSON line holding it IS a JSON object.
  const deep = '['.repeat(600) + ']'.repeat(600);
  const event = `{"user_id":"u1","timestamp":"2025-01-15T10:00:00Z","extra":${deep}}`;

  test('in a JSON array: read, the unknown field ignored', async () => {
    const text = `[${event}]`;
    assert.doesNotThrow(() => JSON.parse(text));
    const r = await run(text);
    assert.deepEqual(r.clean.map((x) => x.user_id), ['u1']);
  });

  test('in an NDJSON line: an event, not malformed_record', async () => {
    const r = await run(event + '\n');
    assert.deepEqual(r.clean.map((x) => x.user_id), ['u1']);
    assert.deepEqual(r.dropped, []);
  });

  test('deep objects, strings holding brackets, and fields after the deep part are all read', async () => {
    let obj = '{"k":"]}[{\\"","n":null}';
    for (let i = 0; i < 300; i++) obj = `{"a${i}":[1,"x]",${obj},{}],"b":[ ]}`;
    const text = `[{"user_id":"u1","metadata":{"junk":${obj},"device":"d","page":"p"},"deep":${obj},"timestamp":"2025-01-15T10:00:00Z","value":"2"},[${obj}]]`;
    assert.doesNotThrow(() => JSON.parse(text));
    const r = await run(text);
    assert.deepEqual(r.clean.map((x) => [x.user_id, x.device, x.page, x.value]), [['u1', 'd', 'p', 2]]);
    assert.deepEqual(r.dropped.map((d) => [d.source_row, d.drop_reason]), [[2, 'missing_user_id']]);
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
      assert.deepEqual(nd.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]), [[1, 'malformed_record', line]], x.slice(0, 20));
      assert.deepEqual(nd.clean.map((c) => c.user_id), ['u2']);
      await assert.rejects(run(`[${line}]`), (err: Error) => err.name === 'EtlError' && /line 1\b/.test(err.message));
    }
  });
});
