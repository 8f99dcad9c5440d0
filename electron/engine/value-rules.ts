/**
 * Small byte-level rules of docs/rules.md "Inputs" and "Details": decimal strings for `value`, and
 * number parsing.
 */

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
const latin1 = new TextDecoder('latin1');

/**
 * Reads b[s..e) as a decimal number. `strict` accepts only the rules' decimal-string grammar
 * (optional sign, digits, optional fraction: `12`, `-2.25`, `5.`, `.5`); otherwise any JSON
 * number (already validated by the scanner). Returns NaN when the text does not qualify.
 */
export function parseDecimal(b: Uint8Array, s: number, e: number, strict: boolean): number {
  let p = s;
  let neg = false;
  if (p < e && (b[p] === 45 || (strict && b[p] === 43))) {
    neg = b[p] === 45;
    p++;
  }
  let mant = 0;
  let digits = 0;
  let fracDigits = 0;
  let intDigits = 0;
  while (p < e && b[p] >= 48 && b[p] <= 57) {
    mant = mant * 10 + (b[p] - 48);
    if (mant !== 0) digits++;
    intDigits++;
    p++;
  }
  if (p < e && b[p] === 46) {
    p++;
    while (p < e && b[p] >= 48 && b[p] <= 57) {
      mant = mant * 10 + (b[p] - 48);
      if (mant !== 0) digits++;
      fracDigits++;
      p++;
    }
  }
  if (p !== e) {
    // Exponents are fine in JSON numbers, never in decimal strings.
    if (strict) return NaN;
    return Number(latin1.decode(b.subarray(s, e)));
  }
  if (strict && intDigits + fracDigits === 0) return NaN;
  // Below 2^53 with an exact power of ten, one division is correctly rounded (Clinger's fast
  // path); longer numbers go through the engine's own parser.
  if (digits > 15 || fracDigits > 22) return Number(latin1.decode(b.subarray(s, e)));
  const v = fracDigits === 0 ? mant : mant / POW10[fracDigits];
  return neg ? -v : v;
}

const DECIMAL_STRING = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** String form of the decimal-string rule, for decoded (escaped) strings. */
export function parseDecimalString(text: string): number {
  return DECIMAL_STRING.test(text) ? Number(text) : NaN;
}
