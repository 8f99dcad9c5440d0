/**
 * docs/rules.md "Details": a decimal-number string is an optional sign, digits, and an optional
 * fraction (`12`, `-2.25`, `5.`, `.5`), no exponent, no white space; its float64 is the
 * correctly rounded value, which is what Number() gives for such text.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDecimal, parseDecimalString } from '../../electron/engine/value-rules';

const enc = new TextEncoder();
const strict = (s: string) => {
  const b = enc.encode(s);
  return parseDecimal(b, 0, b.length, true);
};
const json = (s: string) => {
  const b = enc.encode(s);
  return parseDecimal(b, 0, b.length, false);
};

describe('decimal-number strings', () => {
  const good: [string, number][] = [
    ['12', 12],
    ['3.5', 3.5],
    ['-2.25', -2.25],
    ['5.', 5],
    ['.5', 0.5],
    ['+3', 3],
    ['-.5', -0.5],
    ['+.25', 0.25],
    ['0', 0],
    ['007', 7],
    ['0.1', 0.1],
    ['1234567890123456789', 1234567890123456789],
    ['0.30000000000000004', 0.30000000000000004],
    ['9007199254740993', 9007199254740992],
    ['123456789.123456789', 123456789.123456789],
  ];
  for (const [text, want] of good) {
    test(`${JSON.stringify(text)} is ${want}`, () => {
      assert.equal(strict(text), want);
      assert.equal(parseDecimalString(text), want);
    });
  }

  const bad = [
    '',
    '+',
    '-',
    '.',
    '+.',
    '-.',
    '1e3',
    '1E3',
    '1e-3',
    ' 12',
    '12 ',
    '\t12',
    '1 2',
    '1.2.3',
    '1,5',
    '0x10',
    'Infinity',
    '-Infinity',
    'NaN',
    'n/a',
    '++1',
    '+-1',
    '--1',
    '1-',
    '١٢',
    '１２',
    '12\n',
    '.e1',
  ];
  for (const text of bad) {
    test(`${JSON.stringify(text)} is not a decimal-number string`, () => {
      assert.ok(Number.isNaN(strict(text)), `bytes: ${strict(text)}`);
      assert.ok(Number.isNaN(parseDecimalString(text)), `string: ${parseDecimalString(text)}`);
    });
  }

  test('-0 and 0 are equal float64 values', () => {
    assert.equal(strict('-0') === 0, true);
    assert.equal(strict('-0.0') === strict('0'), true);
  });

  test('20,000 pseudo-random decimal strings round exactly as Number() does', () => {
    let seed = 20250115;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const digits = (n: number) => {
      let s = '';
      for (let i = 0; i < n; i++) s += String(Math.floor(rnd() * 10));
      return s;
    };
    let checked = 0;
    for (let k = 0; k < 20_000; k++) {
      const text =
        (rnd() < 0.3 ? '-' : rnd() < 0.1 ? '+' : '') +
        digits(Math.floor(rnd() * 20)) +
        (rnd() < 0.7 ? '.' + digits(Math.floor(rnd() * 26)) : '');
      if (!/\d/.test(text)) continue;
      checked++;
      const want = Number(text);
      const got = strict(text);
      if (got !== want) assert.fail(`${text}: ${got} !== ${want}`);
      if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) {
        const g = json(text);
        if (g !== want) assert.fail(`JSON number ${text}: ${g} !== ${want}`);
      }
    }
    assert.ok(checked > 15_000);
  });
});

describe('JSON numbers (any JSON number grammar)', () => {
  const cases: [string, number][] = [
    ['1e3', 1000],
    ['1E3', 1000],
    ['-2.5e+1', -25],
    ['1e-2', 0.01],
    ['0', 0],
    ['-0.5', -0.5],
    ['12345678901234567890', 12345678901234567890],
    ['1.7976931348623157e308', 1.7976931348623157e308],
    ['5e-324', 5e-324],
  ];
  for (const [text, want] of cases) {
    test(`${text} is ${want}`, () => assert.equal(json(text), want));
  }
});
