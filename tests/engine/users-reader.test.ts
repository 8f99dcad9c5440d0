/**
 * docs/rules.md "Users": RFC 4180 CSV, the United States' spellings, signup_date rules. Unit tests of
 * the reader's pieces (the pipeline-level behaviour is in stages.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EtlError } from '../../electron/engine/errors';
import { parseCsv } from '../../electron/engine/csv-reader';
import { normalizeCountry, parseSignupDate } from '../../electron/engine/users-reader';

const days = (iso: string) => Date.parse(iso + 'T00:00:00Z') / 86_400_000;

describe('parseCsv (RFC 4180)', () => {
  test('plain records, LF and CRLF, with and without a final line end', () => {
    assert.deepEqual(parseCsv('a,b,c\n1,2,3\n', 'f.csv').records, [
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    assert.deepEqual(parseCsv('a,b\r\n1,2\r\n3,4', 'f.csv').records, [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  test('empty fields are kept, blank lines are not records', () => {
    assert.deepEqual(parseCsv('a,b,c\n,,\n\n1,,3\n\r\n', 'f.csv').records, [
      ['a', 'b', 'c'],
      ['', '', ''],
      ['1', '', '3'],
    ]);
    assert.deepEqual(parseCsv('a,b,\n', 'f.csv').records, [['a', 'b', '']]);
  });

  test('quoted fields: commas, doubled quotes, CR, LF and CRLF inside', () => {
    const { records } = parseCsv('"a,1","say ""hi""","two\nlines","x\r\ny",""\n"",z\n', 'f.csv');
    assert.deepEqual(records, [
      ['a,1', 'say "hi"', 'two\nlines', 'x\r\ny', ''],
      ['', 'z'],
    ]);
  });

  test('lenient forms: text after a closing quote, a quote inside a plain field, a lone quoted empty field, CR line ends', () => {
    const { records, lines } = parseCsv('"ab"cd,e"f,"x""y"z\r""\rlast,"a\n""b"""', 'f.csv');
    assert.deepEqual(records, [['abcd', 'e"f', 'x"yz'], [''], ['last', 'a\n"b"']]);
    assert.deepEqual(lines, [1, 2, 3]);
  });

  test('record line numbers count the line breaks inside quotes', () => {
    const { records, lines } = parseCsv('h1,h2\n"a\nb",c\r\nd,e\n', 'f.csv');
    assert.equal(records.length, 3);
    assert.deepEqual(lines, [1, 2, 4]);
  });

  test('an unclosed quote is an input error naming the file and the line it opened on', () => {
    assert.throws(
      () => parseCsv('h1,h2\nx,y\n"never closed,z\nmore\n', '/some/where/users.csv'),
      (err: unknown) => {
        assert.ok(err instanceof EtlError);
        assert.equal(err.info.kind, 'input');
        assert.deepEqual([err.info.line, err.info.column, err.info.offset], [3, 1, 10]);
        assert.match(err.message, /^users\.csv: a quoted field opened at line 3, column 1 \(byte 10\) is never closed/);
        assert.equal(err.info.excerpt, '"never closed,z\n^');
        return true;
      },
    );
  });
});

describe('normalizeCountry', () => {
  test('every spelling of the United States, any case, trimmed, is US', () => {
    for (const s of [
      'US',
      'us',
      'uS',
      'USA',
      'usa',
      'U.S.',
      'u.s.',
      'U.S.A.',
      'u.s.a.',
      ' u.s.a. ',
      'United States',
      'UNITED STATES',
      'united states',
      'United States of America',
      'united states of america',
      '\tUSA\n',
      '\u00a0US\u3000',
    ]) {
      assert.equal(normalizeCountry(s), 'US', JSON.stringify(s));
    }
  });

  test('anything else is kept as written, trimmed', () => {
    const cases: [string, string][] = [
      ['Canada', 'Canada'],
      ['  Canada ', 'Canada'],
      ['U.S', 'U.S'],
      ['U S', 'U S'],
      ['USA.', 'USA.'],
      ['United  States', 'United  States'],
      ['America', 'America'],
      ['', ''],
      ['   ', ''],
      ['us of a', 'us of a'],
    ];
    for (const [raw, want] of cases) assert.equal(normalizeCountry(raw), want, JSON.stringify(raw));
  });
});

describe('parseSignupDate', () => {
  test('YYYY-MM-DD', () => {
    assert.equal(parseSignupDate('2024-03-05'), days('2024-03-05'));
    assert.equal(parseSignupDate('2024-02-29'), days('2024-02-29'));
    assert.equal(parseSignupDate('1970-01-01'), 0);
    assert.equal(parseSignupDate('1969-12-31'), -1);
  });

  test('a valid date-time keeps its date as written, with no shift to UTC', () => {
    assert.equal(parseSignupDate('2024-03-05T23:30:00-05:00'), days('2024-03-05'));
    assert.equal(parseSignupDate('2024-03-05T00:30:00+05:00'), days('2024-03-05'));
    assert.equal(parseSignupDate('2024-03-05 12:00'), days('2024-03-05'));
    assert.equal(parseSignupDate('2024-03-05T12:00:00.123456789Z'), days('2024-03-05'));
  });

  test('anything else is null', () => {
    for (const s of [
      '04/11/2022',
      '2024-02-30',
      '2023-02-29',
      '2024-3-5',
      '20240305',
      '2024-03-05T24:00:00Z',
      '2024-03-05t10:00',
      '2024-03-05Z',
      ' 2024-03-05',
      '2024-03-05 ',
      'yesterday',
      '2024-W10-2',
      '2024-065',
    ]) {
      assert.equal(parseSignupDate(s), null, JSON.stringify(s));
    }
  });
});
