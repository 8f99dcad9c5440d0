/**
 * Names the way an invalid timestamp is wrong, for the dropped-rows view: "slashes",
 * "epoch number", "impossible date"... The rules' valid form is in "Valid timestamps";
 * this only explains rejects, it never decides validity.
 */

export const TIMESTAMP_PATTERNS = [
  'missing',
  'empty',
  'surrounding white space',
  'not a string',
  'epoch number',
  'slashes',
  'basic format',
  'week or ordinal date',
  'impossible date',
  'impossible time',
  'bad zone or separator',
  'written-out date',
  'other',
] as const;
export type TimestampPattern = (typeof TIMESTAMP_PATTERNS)[number];

const ISO_START = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

export function classifyTimestamp(raw: string | null | undefined): TimestampPattern {
  if (raw === null || raw === undefined) return 'missing';
  if (raw.trim() === '') return 'empty';
  if (raw !== raw.trim()) return 'surrounding white space';
  if (/^(true|false)$/.test(raw) || /^[{[]/.test(raw)) return 'not a string';
  if (/^[+-]?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(raw) && !/^\d{8}$/.test(raw)) return 'epoch number';
  if (raw.includes('/')) return 'slashes';
  if (/^\d{8}(T\d{2,6})?/.test(raw)) return 'basic format';
  if (/^\d{4}-W\d{2}/.test(raw) || /^\d{4}-?\d{3}(?:[T ]|$)/.test(raw)) return 'week or ordinal date';
  const m = ISO_START.exec(raw);
  if (m) {
    const [, y, mo, d, h, mi, s] = m;
    if (!dateExists(Number(y), Number(mo), Number(d))) return 'impossible date';
    if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59)))
      return 'impossible time';
    return 'bad zone or separator';
  }
  if (/\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b/i.test(raw))
    return 'written-out date';
  return 'other';
}

function dateExists(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}
