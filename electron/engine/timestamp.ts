/**
 * ISO 8601 timestamp validation and conversion, exactly as docs/rules.md "Valid timestamps" defines it.
 * Works on UTF-8 bytes so the reader can validate in place without creating strings.
 */

/** Where a parsed instant lands: days since 1970-01-01 (UTC) and microseconds into that day. */
export interface Instant {
  days: number;
  micros: number;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (exact for any year). */
export function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's algorithm: shift the year to start in March so leap days come last.
  // Integer division is written `(a / b) | 0` (and the era's floor spelled out for negative
  // years): V8 compiles that to an integer division, where Math.floor(a / b) made it guess from
  // the first values it saw and recompile the scanner when a later quotient had a fraction.
  const yy = m <= 2 ? y - 1 : y;
  const era = ((yy >= 0 ? yy : yy - 399) / 400) | 0;
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = (((153 * mp + 2) / 5) | 0) + d - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  return era * 146097 + doe - 719468;
}

function digit(b: Uint8Array, i: number): number {
  const c = b[i] - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function two(b: Uint8Array, i: number): number {
  const a = digit(b, i);
  const c = digit(b, i + 1);
  return a < 0 || c < 0 ? -1 : a * 10 + c;
}

/**
 * Validates the calendar date `YYYY-MM-DD` at b[s..s+10). Returns days since epoch, or NaN.
 */
export function parseDateBytes(b: Uint8Array, s: number): number {
  const y1 = two(b, s);
  const y2 = two(b, s + 2);
  if (y1 < 0 || y2 < 0 || b[s + 4] !== 45 || b[s + 7] !== 45) return NaN;
  const mo = two(b, s + 5);
  const d = two(b, s + 8);
  const y = y1 * 100 + y2;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
  return daysFromCivil(y, mo, d);
}

/**
 * Parses b[s..e) as a valid timestamp. On success writes the UTC instant into `out` and
 * returns true; any deviation from the grammar returns false (the row is `invalid_timestamp`).
 */
export function parseTimestampBytes(b: Uint8Array, s: number, e: number, out: Instant): boolean {
  const len = e - s;
  if (len < 10) return false;
  let days = parseDateBytes(b, s);
  if (days !== days) return false;
  if (len === 10) {
    // A date alone means midnight UTC, and takes no zone.
    out.days = days;
    out.micros = 0;
    return true;
  }
  const sep = b[s + 10];
  if (sep !== 84 /* T */ && sep !== 32 /* space */) return false;
  let i = s + 11;
  if (e - i < 5) return false;
  const hh = two(b, i);
  const mm = two(b, i + 3);
  if (hh < 0 || hh > 23 || b[i + 2] !== 58 || mm < 0 || mm > 59) return false;
  i += 5;
  let ss = 0;
  let frac = 0;
  if (i < e && b[i] === 58 /* : */) {
    ss = two(b, i + 1);
    if (ss < 0 || ss > 59 || i + 3 > e) return false;
    i += 3;
    if (i < e && (b[i] === 46 /* . */ || b[i] === 44) /* , */) {
      i++;
      let n = 0;
      while (i < e && n < 9) {
        const dg = digit(b, i);
        if (dg < 0) break;
        // Keep microseconds; further digits are validated but truncated (docs/rules.md).
        if (n < 6) frac = frac * 10 + dg;
        n++;
        i++;
      }
      if (n === 0) return false;
      if (i < e && digit(b, i) >= 0) return false; // more than 9 digits
      for (let k = n; k < 6; k++) frac *= 10;
    }
  }
  let offsetMin = 0;
  if (i < e) {
    const z = b[i];
    if (z === 90 /* Z */ || z === 122 /* z */) {
      i++;
    } else if (z === 43 /* + */ || z === 45 /* - */) {
      const oh = two(b, i + 1);
      if (oh < 0 || oh > 23 || i + 3 > e) return false;
      let om = 0;
      const rest = e - (i + 3);
      if (rest === 0) {
        i += 3;
      } else if (rest === 3 && b[i + 3] === 58) {
        om = two(b, i + 4);
        i += 6;
      } else if (rest === 2) {
        om = two(b, i + 3);
        i += 5;
      } else {
        return false;
      }
      if (om < 0 || om > 59) return false;
      offsetMin = (z === 43 ? 1 : -1) * (oh * 60 + om);
    } else {
      return false;
    }
  }
  if (i !== e) return false;
  // Local wall time minus the offset is UTC; it may cross into the previous or next day.
  let minuteOfDay = hh * 60 + mm - offsetMin;
  if (minuteOfDay < 0) {
    minuteOfDay += 1440;
    days -= 1;
  } else if (minuteOfDay >= 1440) {
    minuteOfDay -= 1440;
    days += 1;
  }
  out.days = days;
  out.micros = (minuteOfDay * 60 + ss) * 1_000_000 + frac;
  return true;
}

const encoder = new TextEncoder();

let scratch = new Uint8Array(256);

/** String form of {@link parseTimestampBytes}: the instant, or null when invalid. */
export function parseTimestamp(text: string): Instant | null {
  // Encoded into a reused buffer: this runs once per users.csv row.
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  const out: Instant = { days: 0, micros: 0 };
  return parseTimestampBytes(scratch, 0, written, out) ? out : null;
}
