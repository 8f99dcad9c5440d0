/**
 * docs/rules.md "Events" and "Details": both input formats, BOM, CRLF, blank lines, malformed
 * lines, format sniffing, the user_id and value rules, duplicate keys, unknown fields, metadata.
 * Driven through runPipeline and read back from the outputs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatFromName, sniffFormat } from '../../electron/engine/events-reader';
import { ev, ndjson, reasons, run } from './helpers';

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
    assert.deepEqual(
      a.clean.map((r) => r.user_id),
      ['u1', 'u2'],
    );
    assert.deepEqual(reasons(a), { 3: 'non_us_user', 4: 'unknown_user' });
  });

  test('a pretty-printed JSON array with CRLF line ends and a BOM', async () => {
    const text = '\ufeff' + JSON.stringify(events, null, 2).replace(/\n/g, '\r\n') + '\r\n';
    const r = await run(text);
    assert.equal(r.report.inputs[0].format, 'json');
    assert.equal(r.report.inputs[0].rows, 4);
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1', 'u2'],
    );
    assert.deepEqual(reasons(r), { 3: 'non_us_user', 4: 'unknown_user' });
  });

  test('NDJSON with a BOM and CRLF line ends; raw text of a malformed line has no line end', async () => {
    const lines = [JSON.stringify(ev('u1', 1)), 'not json', JSON.stringify(ev('u2', 2)), '{"user_id": "u1",'];
    const r = await run('\ufeff' + lines.join('\r\n') + '\r\n');
    assert.equal(r.report.inputs[0].format, 'ndjson');
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1', 'u2'],
    );
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
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1', 'u2'],
    );
    const r2 = await run(JSON.stringify(ev('u1', 1)) + '\nbroken');
    assert.deepEqual(
      r2.dropped.map((d) => [d.source_row, d.raw]),
      [[2, 'broken']],
    );
  });

  test('blank lines (spaces and tabs only) are skipped but still count as lines', async () => {
    const text = [
      '',
      JSON.stringify(ev('u1', 1)),
      '   ',
      '\t \t',
      '',
      'oops',
      '  \r',
      JSON.stringify(ev('nobody', 2)),
      '',
    ].join('\n');
    const r = await run(text);
    // Line numbers: 2 = u1, 6 = oops, 8 = nobody.
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1'],
    );
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
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1', 'u2'],
    );
    assert.deepEqual(
      r.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]),
      bad.map((text, i) => [i + 2, 'malformed_record', text]),
    );
    for (const d of r.dropped) {
      for (const c of ['user_id', 'event_type', 'timestamp', 'value', 'device', 'page', 'duplicate_of'])
        assert.equal(d[c], null, c);
    }
    assert.deepEqual(r.report.stages[0], {
      ...r.report.stages[0],
      name: 'extract',
      rows_in: bad.length + 2,
      rows_out: 2,
      dropped: { malformed_record: bad.length },
    });
  });

  test('an object split over two lines is two malformed lines, never one event', async () => {
    // Each half is malformed alone; together they would be valid JSON. The reader scans a line's
    // object before it looks for the line end, so this is the case that must not slip through.
    const halves = [
      ['{"user_id":"u1",', '"timestamp":"2025-01-15T10:00:00Z"}'],
      ['{"user_id":"u1","timestamp":', '"2025-01-15T10:00:01Z"}'],
      ['{"user_id":"u1","metadata":{', '}}'],
      ['{"user_id":"u1","x":[', '1]}'],
    ];
    for (const eol of ['\n', '\r\n']) {
      const text = [JSON.stringify(ev('u2', 1)), ...halves.flat(), JSON.stringify(ev('u2', 2))].join(eol) + eol;
      const r = await run(text);
      assert.deepEqual(
        r.clean.map((x) => x.timestamp),
        ['2025-01-15T10:00:01Z', '2025-01-15T10:00:02Z'],
      );
      assert.deepEqual(
        r.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]),
        halves.flat().map((line, i) => [i + 2, 'malformed_record', line]),
      );
    }
  });

  test('white space around an object on its line is allowed', async () => {
    const r = await run('  ' + JSON.stringify(ev('u1', 1)) + ' \t\n\t' + JSON.stringify(ev('u2', 2)) + '  \r\n');
    assert.deepEqual(
      r.clean.map((x) => x.user_id),
      ['u1', 'u2'],
    );
  });

  test('.ndjson and .jsonl are line-delimited even when a line starts with [', async () => {
    const line = JSON.stringify([ev('u1', 1)]);
    for (const eventsName of ['events.ndjson', 'events.jsonl']) {
      const r = await run(line + '\n' + JSON.stringify(ev('u2', 2)) + '\n', { eventsName });
      assert.equal(r.report.inputs[0].format, 'ndjson', eventsName);
      assert.deepEqual(
        r.clean.map((x) => x.user_id),
        ['u2'],
        eventsName,
      );
      assert.deepEqual(
        r.dropped.map((d) => [d.source_row, d.drop_reason, d.raw]),
        [[1, 'malformed_record', line]],
        eventsName,
      );
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
    const r = await run(
      '[1, "u1", null, [], [{"user_id":"u1"}], true, false, 2.5, ' + JSON.stringify(ev('u1', 1)) + ']',
    );
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
