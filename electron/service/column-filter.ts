/**
 * Turns the Preview's column filter (contains, equals, range; values typed as text) into a
 * Polars expression on the column's own type, so it runs inside a lazy scan and never in JS.
 * Dates and instants are compared as the ISO text the grid shows (which sorts as time does),
 * so "2025-01" in a range bound means the whole month.
 */
import pl from 'nodejs-polars';
import type { ColumnFilter, ParquetColumnInfo } from '../../shared/service-contract';
import { inputError } from '../engine/errors';

/** The format the grid shows instants in (UTC, microseconds), for text comparisons. */
export const ISO_INSTANT = '%Y-%m-%dT%H:%M:%S%.6fZ';

type ValueKind = 'number' | 'boolean' | 'date' | 'instant' | 'text';

/** How a column's values are compared, from its readable type (`Int64`, `Datetime(us, UTC)`...). */
export function valueKind(type: string): ValueKind {
  if (/^(u?int|float|decimal)/i.test(type)) return 'number';
  if (/^bool/i.test(type)) return 'boolean';
  if (/^datetime/i.test(type)) return 'instant';
  if (/^date$/i.test(type)) return 'date';
  return 'text';
}

/** The column as the text the grid shows: what `contains` and text ranges compare. */
function asText(column: string, kind: ValueKind): pl.Expr {
  const col = pl.col(column);
  return kind === 'instant' ? col.dt.strftime(ISO_INSTANT) : kind === 'text' ? col : col.cast(pl.String);
}

/**
 * The Polars predicate for `filter` over a file with `columns`. Throws an input error naming
 * the file when the column is unknown or a bound is not a value of the column's type.
 */
export function filterExpression(filter: ColumnFilter, columns: ParquetColumnInfo[], file: string): pl.Expr {
  const info = columns.find((c) => c.name === filter.column);
  if (!info) {
    throw inputError(
      `${baseName(file)} has no column "${filter.column}" to filter on. Choose one of: ${columns.map((c) => c.name).join(', ')}.`,
      { file },
    );
  }
  const kind = valueKind(info.type);
  const col = pl.col(filter.column);
  if (kind === 'instant') filter = instantFilter(filter);
  if (filter.op !== 'range') {
    // Case-insensitive, and the user's text is literal (a "." is a dot, not any character).
    if (filter.op === 'contains') return asText(filter.column, kind).str.contains(`(?i)${escapeRegex(filter.value)}`);
    if (kind === 'number') return col.eq(pl.lit(toNumber(filter.value, info, file)));
    if (kind === 'boolean') return col.eq(pl.lit(toBoolean(filter.value, info, file)));
    return asText(filter.column, kind).eq(pl.lit(filter.value));
  }
  const parts: pl.Expr[] = [];
  if (kind === 'number') {
    if (present(filter.min)) parts.push(col.gtEq(pl.lit(toNumber(filter.min, info, file))));
    if (present(filter.max)) parts.push(col.ltEq(pl.lit(toNumber(filter.max, info, file))));
  } else if (kind === 'instant' && /^Datetime\(us\b/.test(info.type) && instantBounds(filter)) {
    // On the instants' own values (microseconds), not their text: formatting millions of
    // instants as text took most of a range filter's time (docs/performance.md).
    const { from, until } = instantBounds(filter)!;
    const micros = col.cast(pl.Int64);
    if (from !== null) parts.push(micros.gtEq(pl.lit(from)));
    if (until !== null) parts.push(micros.lt(pl.lit(until)));
  } else {
    const text = asText(filter.column, kind);
    if (present(filter.min)) parts.push(text.gtEq(pl.lit(filter.min)));
    // An inclusive upper bound on text is a prefix: max "2025-01-31" keeps every instant of that day.
    if (present(filter.max)) parts.push(text.str.slice(0, filter.max.length).ltEq(pl.lit(filter.max)));
  }
  if (parts.length === 0) {
    throw inputError(`The range filter on "${filter.column}" needs a minimum, a maximum or both.`, { file });
  }
  return parts.length === 1 ? parts[0] : parts[0].and(parts[1]);
}

/**
 * A range on instants as microseconds since the epoch: from the start of the min's period
 * (inclusive), until the start of the period after the max's (exclusive), the max being a
 * prefix as in the text comparison ("2025-01" ends before 2025-02-01). Null when a bound is not
 * an ISO prefix of a real date and time (the text comparison then decides, as before).
 */
export function instantBounds(filter: Extract<ColumnFilter, { op: 'range' }>): {
  from: bigint | null;
  until: bigint | null;
} | null {
  const from = present(filter.min) ? isoPrefixPeriod(filter.min) : null;
  const until = present(filter.max) ? isoPrefixPeriod(filter.max) : null;
  if ((present(filter.min) && !from) || (present(filter.max) && !until)) return null;
  return { from: from ? from.start : null, until: until ? until.end : null };
}

/** The period an ISO prefix (`2025`, `2025-01-15T10:23`, `...:45.5Z`) names, in microseconds. */
function isoPrefixPeriod(text: string): { start: bigint; end: bigint } | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?)?)?)?Z?$/.exec(text);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', sec = '00', frac] = m;
  const parts = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec)];
  const ms = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]);
  const back = new Date(ms);
  // A date or time that does not exist (2025-02-30, 24:00) is left to the text comparison.
  if (
    back.getUTCFullYear() !== parts[0] ||
    back.getUTCMonth() !== parts[1] - 1 ||
    back.getUTCDate() !== parts[2] ||
    back.getUTCHours() !== parts[3] ||
    back.getUTCMinutes() !== parts[4] ||
    back.getUTCSeconds() !== parts[5]
  )
    return null;
  const start = BigInt(ms) * 1000n + BigInt(((frac ?? '') + '000000').slice(0, 6));
  // The next period starts one step of the last unit given later.
  const given = m.slice(1, 8).filter((x) => x !== undefined).length;
  let end: bigint;
  if (given === 1) end = BigInt(Date.UTC(parts[0] + 1, 0, 1)) * 1000n;
  else if (given === 2) end = BigInt(Date.UTC(parts[0], parts[1], 1)) * 1000n;
  else if (given === 7) end = start + 10n ** BigInt(6 - frac!.length);
  else end = start + [86_400_000_000n, 3_600_000_000n, 60_000_000n, 1_000_000n][given - 3];
  return { start, end };
}

/**
 * The grid shows instants as `2025-01-15 10:23:45.5 UTC`; the filter compares ISO text
 * (`2025-01-15T10:23:45.500000Z`). What the user copied from the grid is turned into the latter.
 */
export function isoInstantText(text: string, exact: boolean): string {
  let t = text
    .trim()
    .replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, '$1T')
    .replace(/ ?(UTC|Z)$/i, 'Z');
  const full = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(t);
  // An exact instant needs all six fraction digits to equal the column's text.
  if (exact && full) t = `${full[1]}.${(full[2] ?? '').padEnd(6, '0')}Z`;
  return t;
}

function instantFilter(filter: ColumnFilter): ColumnFilter {
  if (filter.op === 'range') {
    return {
      ...filter,
      min: filter.min === undefined ? undefined : isoInstantText(filter.min, true),
      max: filter.max === undefined ? undefined : isoInstantText(filter.max, false),
    };
  }
  return { ...filter, value: isoInstantText(filter.value, filter.op === 'equals') };
}

/** A stable text for cache keys. */
export function filterKey(filter: ColumnFilter | undefined): string {
  if (!filter) return '';
  return filter.op === 'range'
    ? `${filter.column}:range:${filter.min ?? ''}\u0000${filter.max ?? ''}`
    : `${filter.column}:${filter.op}:${filter.value}`;
}

function present(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

function toNumber(text: string, info: ParquetColumnInfo, file: string): number {
  const n = text.trim() === '' ? NaN : Number(text.trim());
  if (!Number.isFinite(n)) {
    throw inputError(
      `"${text}" is not a number, and ${info.name} in ${baseName(file)} holds numbers (${info.type}). Type a number such as 42 or 1.5, or use "contains".`,
      { file },
    );
  }
  return n;
}

function toBoolean(text: string, info: ParquetColumnInfo, file: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === 'false') return t === 'true';
  throw inputError(`"${text}" is not true or false, and ${info.name} in ${baseName(file)} holds true/false values.`, {
    file,
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
