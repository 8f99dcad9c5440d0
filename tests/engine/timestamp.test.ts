/**
 * docs/rules.md "Valid timestamps": every accepted form with the UTC instant it denotes (computed with
 * Date.UTC, independently of the engine), and every rejected form.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTimestamp } from '../../electron/engine/timestamp';
import { utc } from './helpers';
import { modelInstant } from '../model/spec-model';

type Instant = { days: number; micros: number };

function accepts(text: string, expected: Instant): void {
  assert.deepEqual(parseTimestamp(text), expected, `${JSON.stringify(text)} should be valid`);
}

describe('accepted forms', () => {
  const base = utc(2025, 1, 15, 10, 23, 45);

  test('T or one space between date and time', () => {
    accepts('2025-01-15T10:23:45', base);
    accepts('2025-01-15 10:23:45', base);
    accepts('2025-01-15T10:23:45Z', base);
    accepts('2025-01-15 10:23:45Z', base);
  });

  test('HH:MM without seconds, with and without a zone', () => {
    accepts('2025-01-15T10:23', utc(2025, 1, 15, 10, 23));
    accepts('2025-01-15 10:23', utc(2025, 1, 15, 10, 23));
    accepts('2025-01-15T10:23Z', utc(2025, 1, 15, 10, 23));
    accepts('2025-01-15T10:23+01:00', utc(2025, 1, 15, 9, 23));
    accepts('2025-01-15T10:23-0130', utc(2025, 1, 15, 11, 53));
  });

  test('boundaries of hours, minutes, seconds', () => {
    accepts('2025-01-15T00:00:00Z', utc(2025, 1, 15));
    accepts('2025-01-15T23:59:59Z', utc(2025, 1, 15, 23, 59, 59));
    accepts('2025-01-15T23:59', utc(2025, 1, 15, 23, 59));
  });

  test('fractions with . and , of 1 to 9 digits, truncated to microseconds', () => {
    const cases: [string, number][] = [
      ['1', 100_000],
      ['12', 120_000],
      ['123', 123_000],
      ['1234', 123_400],
      ['12345', 123_450],
      ['123456', 123_456],
      ['1234567', 123_456],
      ['12345678', 123_456],
      ['123456789', 123_456],
      ['000001', 1],
      ['0000009', 0], // truncated, not rounded up to 1 µs
      ['999999999', 999_999], // never rounds into the next second
      ['000000000', 0],
    ];
    for (const [digits, micros] of cases) {
      for (const sep of ['.', ',']) {
        accepts(`2025-01-15T10:23:45${sep}${digits}`, utc(2025, 1, 15, 10, 23, 45, micros));
        accepts(`2025-01-15T10:23:45${sep}${digits}Z`, utc(2025, 1, 15, 10, 23, 45, micros));
        accepts(`2025-01-15 10:23:45${sep}${digits}+02:00`, utc(2025, 1, 15, 8, 23, 45, micros));
      }
    }
  });

  test('zones Z, z, +HH:MM, -HH:MM, +HHMM, -HHMM, +HH, -HH', () => {
    accepts('2025-01-15T10:23:45Z', base);
    accepts('2025-01-15T10:23:45z', base);
    accepts('2025-01-15T10:23:45+05:30', utc(2025, 1, 15, 4, 53, 45));
    accepts('2025-01-15T10:23:45-05:30', utc(2025, 1, 15, 15, 53, 45));
    accepts('2025-01-15T10:23:45+0530', utc(2025, 1, 15, 4, 53, 45));
    accepts('2025-01-15T10:23:45-0530', utc(2025, 1, 15, 15, 53, 45));
    accepts('2025-01-15T10:23:45+05', utc(2025, 1, 15, 5, 23, 45));
    accepts('2025-01-15T10:23:45-05', utc(2025, 1, 15, 15, 23, 45));
    accepts('2025-01-15T10:23:45+00:00', base);
    accepts('2025-01-15T10:23:45-00:00', base);
    accepts('2025-01-15T10:23:45+0000', base);
    accepts('2025-01-15T10:23:45+00', base);
  });

  test('offsets up to 23:59 either way', () => {
    accepts('2025-01-15T12:00:00+23:59', utc(2025, 1, 14, 12, 1));
    accepts('2025-01-15T12:00:00-23:59', utc(2025, 1, 16, 11, 59));
    accepts('2025-01-15T12:00:00+2359', utc(2025, 1, 14, 12, 1));
    accepts('2025-01-15T12:00:00-23', utc(2025, 1, 16, 11));
  });

  test('a date alone is midnight UTC', () => {
    accepts('2025-01-15', utc(2025, 1, 15));
    accepts('1970-01-01', { days: 0, micros: 0 });
    accepts('2024-02-29', utc(2024, 2, 29));
    accepts('2000-02-29', utc(2000, 2, 29));
    accepts('9999-12-31', utc(9999, 12, 31));
  });

  test('offsets crossing midnight', () => {
    accepts('2025-01-15T23:30:00-05:00', utc(2025, 1, 16, 4, 30));
    accepts('2025-01-15T00:30:00+01:00', utc(2025, 1, 14, 23, 30));
    accepts('2025-01-15T19:00:00-05', utc(2025, 1, 16, 0, 0));
    accepts('2025-01-15T05:00:00+05', utc(2025, 1, 15, 0, 0));
    accepts('2025-01-15T04:59:59.999999+05', utc(2025, 1, 14, 23, 59, 59, 999_999));
  });

  test('offsets crossing month and year ends', () => {
    accepts('2025-01-31T22:00:00-03:00', utc(2025, 2, 1, 1, 0));
    accepts('2025-02-01T01:00:00+03:00', utc(2025, 1, 31, 22, 0));
    accepts('2025-04-30T23:00:00-0100', utc(2025, 5, 1, 0, 0));
    accepts('2024-12-31T23:59:59.999999-00:01', utc(2025, 1, 1, 0, 0, 59, 999_999));
    accepts('2025-01-01T00:00:00+00:01', utc(2024, 12, 31, 23, 59));
    accepts('2025-01-01T00:00+14:00', utc(2024, 12, 31, 10, 0));
  });

  test('offsets crossing leap days', () => {
    accepts('2024-02-28T23:00:00-02:00', utc(2024, 2, 29, 1, 0));
    accepts('2024-03-01T00:30:00+01:00', utc(2024, 2, 29, 23, 30));
    accepts('2025-03-01T00:30:00+01:00', utc(2025, 2, 28, 23, 30));
    accepts('2024-02-29T23:30:00-01:00', utc(2024, 3, 1, 0, 30));
    accepts('2025-02-28T23:30:00-01:00', utc(2025, 3, 1, 0, 30));
  });

  test('instants before 1970 have negative days and non-negative micros', () => {
    accepts('1969-12-31T23:59:59.5Z', { days: -1, micros: 86_399_500_000 });
    accepts('1970-01-01T00:30:00+01:00', { days: -1, micros: 23.5 * 3600 * 1_000_000 });
    accepts('1900-03-01', utc(1900, 3, 1));
  });
});

describe('rejected forms', () => {
  const rejected: [string, string][] = [
    ['lowercase t', '2025-01-15t10:23:45Z'],
    ['underscore separator', '2025-01-15_10:23:45Z'],
    ['slash separator', '2025-01-15/10:23:45'],
    ['two spaces', '2025-01-15  10:23:45'],
    ['tab separator', '2025-01-15\t10:23:45'],
    ['double T', '2025-01-15TT10:23:45'],
    ['slashes in the date', '2025/01/15 10:23:45'],
    ['slashed date alone', '2025/01/15'],
    ['US date', '01/15/2025'],
    ['dots in the date', '2025.01.15'],
    ['basic format', '20250115T102345Z'],
    ['basic date', '20250115'],
    ['basic time', '2025-01-15T102345Z'],
    ['week date', '2025-W03-3'],
    ['week date with time', '2025-W03-3T10:23:45Z'],
    ['ordinal date', '2025-015'],
    ['ordinal date with time', '2025-015T10:23:45Z'],
    ['epoch seconds', '1736936625'],
    ['epoch millis', '1736936625000'],
    ['empty string', ''],
    ['only a space', ' '],
    ['leading space', ' 2025-01-15T10:23:45Z'],
    ['trailing space', '2025-01-15T10:23:45Z '],
    ['leading tab', '\t2025-01-15'],
    ['trailing newline', '2025-01-15\n'],
    ['trailing space after date alone', '2025-01-15 '],
    ['trailing non-breaking space', '2025-01-15T10:23:45Z\u00a0'],
    ['February 30', '2025-02-30'],
    ['February 29 of a common year', '2025-02-29'],
    ['February 29 of 1900', '1900-02-29'],
    ['February 29 of 2023 with a time', '2023-02-29T12:00:00Z'],
    ['April 31', '2025-04-31'],
    ['month 13', '2025-13-01'],
    ['month 00', '2025-00-10'],
    ['day 00', '2025-01-00'],
    ['day 32', '2025-01-32'],
    ['one-digit month', '2025-1-15'],
    ['one-digit day', '2025-01-5'],
    ['two-digit year', '25-01-15'],
    ['expanded year', '+002025-01-15'],
    ['negative year', '-2025-01-15'],
    ['hour 24', '2025-01-15T24:00:00Z'],
    ['hour 24 without seconds', '2025-01-15T24:00'],
    ['minute 60', '2025-01-15T10:60:00Z'],
    ['second 60 (leap second)', '2025-01-15T23:59:60Z'],
    ['one-digit hour', '2025-01-15T1:23:45'],
    ['one-digit minute', '2025-01-15T10:2'],
    ['one-digit second', '2025-01-15T10:23:4'],
    ['hour alone', '2025-01-15T10'],
    ['T with nothing after', '2025-01-15T'],
    ['colon with no seconds', '2025-01-15T10:23:'],
    ['offset +24:00', '2025-01-15T10:23:45+24:00'],
    ['offset -24:00', '2025-01-15T10:23:45-24:00'],
    ['offset +24', '2025-01-15T10:23:45+24'],
    ['offset minutes 60', '2025-01-15T10:23:45+05:60'],
    ['offset minutes 60, basic', '2025-01-15T10:23:45+0560'],
    ['offset one-digit hour', '2025-01-15T10:23:45+5'],
    ['offset one-digit minute', '2025-01-15T10:23:45+05:3'],
    ['offset three digits', '2025-01-15T10:23:45+053'],
    ['offset with seconds', '2025-01-15T10:23:45+05:30:00'],
    ['offset sign alone', '2025-01-15T10:23:45+'],
    ['offset with unicode minus', '2025-01-15T10:23:45\u221205:00'],
    ['space before the zone', '2025-01-15T10:23:45 Z'],
    ['space before the offset', '2025-01-15T10:23:45 +01:00'],
    ['zone name', '2025-01-15T10:23:45 UTC'],
    ['zone name glued', '2025-01-15T10:23:45UTC'],
    ['two zones', '2025-01-15T10:23:45+01:00Z'],
    ['Z twice', '2025-01-15T10:23:45ZZ'],
    ['fraction with 10 digits', '2025-01-15T10:23:45.1234567890'],
    ['fraction with 10 digits and Z', '2025-01-15T10:23:45.1234567890Z'],
    ['fraction after HH:MM', '2025-01-15T10:23.5'],
    ['comma fraction after HH:MM', '2025-01-15T10:23,5Z'],
    ['fraction with no digits', '2025-01-15T10:23:45.'],
    ['comma fraction with no digits', '2025-01-15T10:23:45,'],
    ['fraction with no digits then Z', '2025-01-15T10:23:45.Z'],
    ['fraction with other separator', '2025-01-15T10:23:45:123'],
    ['fraction with letters', '2025-01-15T10:23:45.12a'],
    ['zone after a date alone (Z)', '2025-01-15Z'],
    ['zone after a date alone (offset)', '2025-01-15+01:00'],
    ['zone after a date alone (-HH)', '2025-01-15-05'],
    ['full-width digits', '２０２５-01-15'],
    ['Arabic-Indic digits', '٢٠٢٥-01-15'],
    ['words', 'yesterday'],
    ['NaN', 'NaN'],
  ];
  for (const [what, text] of rejected) {
    test(`${what}: ${JSON.stringify(text)}`, () => {
      assert.equal(parseTimestamp(text), null);
    });
  }
});

describe('against an independent reading of the rules grammar', () => {
  // The test model of the rules' timestamps (tests/model/spec-model.ts), as days and microseconds of day.
  // Compared on 100,000 pseudo-random mutations of valid strings.
  function oracle(s: string): Instant | null {
    const i = modelInstant(s);
    if (!i) return null;
    const days = Math.floor(i.ms / 86_400_000);
    return { days, micros: (i.ms - days * 86_400_000) * 1000 + i.micros };
  }

  test('100,000 mutations of valid timestamps: same verdict and same instant', () => {
    const seeds = [
      '2025-01-15T10:23:45Z',
      '2025-01-15 10:23:45.123456789+05:30',
      '2024-02-29T23:59:59,5-0130',
      '2025-12-31T00:00+23',
      '2025-01-15',
      '1999-12-31T23:59z',
      '2000-02-29 00:00:00-00:00',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999999999-23:59',
    ];
    const alphabet = '0123456789-:T tZz+.,W/\u00a0';
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return Math.floor((seed / 0x80000000) * n);
    };
    let valid = 0;
    for (let k = 0; k < 100_000; k++) {
      let s = seeds[rnd(seeds.length)];
      for (let j = 1 + rnd(3); j > 0; j--) {
        const pos = rnd(s.length + 1);
        const ch = alphabet[rnd(alphabet.length)];
        const op = rnd(4);
        if (op === 0) s = s.slice(0, pos) + ch + s.slice(pos + 1);
        else if (op === 1) s = s.slice(0, pos) + s.slice(pos + 1);
        else if (op === 2) s = s.slice(0, pos) + ch + s.slice(pos);
        else s = s.slice(0, pos) + String(rnd(10)) + s.slice(pos + 1);
      }
      const want = oracle(s);
      if (want) valid++;
      const got = parseTimestamp(s);
      if (JSON.stringify(got) !== JSON.stringify(want))
        assert.fail(`${JSON.stringify(s)}: got ${JSON.stringify(got)}, the rules say ${JSON.stringify(want)}`);
    }
    assert.ok(valid > 5000, `${valid} valid mutations`);
  });
});

describe('calendar arithmetic', () => {
  test('every first, 28th and last day of every month of years 0000-9999 maps to the day Date gives', () => {
    const mismatches: string[] = [];
    const d = new Date(0);
    for (let y = 0; y <= 9999; y++) {
      for (let m = 1; m <= 12; m++) {
        const last =
          new Date(Date.UTC(2001, m, 0)).getUTCDate() +
          (m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0);
        for (const day of [1, 28, last]) {
          d.setUTCFullYear(y, m - 1, day);
          d.setUTCHours(0, 0, 0, 0);
          const want = d.getTime() / 86_400_000;
          const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const got = parseTimestamp(text);
          if (got?.days !== want) mismatches.push(`${text}: ${got?.days} (want ${want})`);
        }
      }
    }
    assert.deepEqual(mismatches.slice(0, 5), []);
  });
});
