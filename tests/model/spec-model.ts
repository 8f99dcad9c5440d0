/**
 * The one test model of the pipeline's rules (docs/rules.md), used to check the engine on
 * random inputs and the generator's injected counts. Deliberately naive: JSON.parse, one
 * regular expression for timestamps, a plain RFC 4180 loop, and maps. It imports nothing from
 * electron/: if the engine and this model agree on thousands of odd rows, the engine follows
 * the rules (or both misread them the same way).
 *
 * What it covers: format sniffing, the six stages and their drop reasons, the dropped rows as
 * read, the three outputs, the warnings (invalid_value, duplicate_user_rows,
 * invalid_signup_date, missing_user_id_in_users, empty_input), the report's inputs and
 * outputs, and the fatal input errors (an events array that is not JSON, a users file without
 * its header columns). Numbers in the events are taken as JSON.parse gives them, so a number is
 * "as written" when it was written the way JavaScript writes it (the random inputs are).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { RunReport } from '../../shared/pipeline';

export type ModelFormat = 'json' | 'ndjson';

/** A fatal input error, as the rules define them: the run writes nothing. */
export class ModelFatal extends Error {
  constructor(
    readonly input: 'events' | 'users',
    why: string,
  ) {
    super(`${input}: ${why}`);
  }
}

export interface ModelCounts {
  /** Array elements, or non-blank lines. */
  rows: number;
  blankLines: number;
  malformed: number;
  missing: number;
  invalidTs: number;
  dup: number;
  unknown: number;
  nonUs: number;
  invalidValue: number;
}

export interface ModelUsers {
  byId: Map<string, { signup: string | null; country: string }>;
  /** Data rows, duplicates and rows without an id included. */
  rows: number;
  duplicateRows: number;
  invalidSignupDates: number;
  missingUserIds: number;
}

export interface ModelOutputs {
  format: ModelFormat;
  clean: Record<string, unknown>[];
  daily: Record<string, unknown>[];
  dropped: Record<string, unknown>[];
  counts: ModelCounts;
  users: ModelUsers;
  /** Code -> count, only the warnings with a count above 0. */
  warnings: Record<string, number>;
  inputs: { format: string; rows: number; bytes: number; sha256: string }[];
}

const TS =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/**
 * docs/rules.md "Valid timestamps": the grammar as one regular expression, plus its calendar
 * and range rules, with the instant computed by Date (milliseconds, and microseconds below).
 */
export function modelInstant(s: string): { ms: number; micros: number } | null {
  const m = TS.exec(s);
  if (!m) return null;
  const [, y, mo, d, hh, mi, ss, frac, sign, oh, om] = m;
  const Y = Number(y);
  const M = Number(mo);
  const D = Number(d);
  const leap = (Y % 4 === 0 && Y % 100 !== 0) || Y % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (M < 1 || M > 12 || D < 1 || D > dim[M - 1]) return null;
  if (hh !== undefined && (Number(hh) > 23 || Number(mi) > 59)) return null;
  if (ss !== undefined && Number(ss) > 59) return null;
  if (oh !== undefined && (Number(oh) > 23 || (om !== undefined && Number(om) > 59))) return null;
  const dt = new Date(0);
  dt.setUTCFullYear(Y, M - 1, D);
  dt.setUTCHours(Number(hh ?? 0), Number(mi ?? 0), Number(ss ?? 0), 0);
  let ms = dt.getTime();
  if (sign) ms -= (sign === '+' ? 1 : -1) * (Number(oh) * 60 + Number(om ?? 0)) * 60_000;
  return { ms, micros: frac ? Number((frac + '00000').slice(0, 6)) : 0 };
}

/** Microseconds since the epoch, or null when the rules call the text invalid. */
export function modelTimestamp(s: string): number | null {
  const i = modelInstant(s);
  return i && i.ms * 1000 + i.micros;
}

/** Whether a field is a valid timestamp: a string of the grammar above. */
export function isValidTimestamp(v: unknown): boolean {
  return typeof v === 'string' && modelInstant(v) !== null;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const US = new Set(['us', 'usa', 'u.s.', 'u.s.a.', 'united states', 'united states of america']);

/** docs/rules.md "Events": a number, a decimal-number string as its number, else null. */
export function modelValue(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return null;
}

/**
 * A number's plain decimal string, without an exponent or trailing zeros (docs/rules.md
 * "Numeric user_ids"): 1e21 -> "1000000000000000000000", 2.5e-7 -> "0.00000025".
 */
export function plainDecimal(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', exp] = m;
  let digits = int + frac;
  let point = int.length + Number(exp);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const part = digits.slice(point).replace(/0+$/, '');
  return sign + whole + (part ? `.${part}` : '');
}

/** RFC 4180, the plain way; blank lines are skipped; LF, CRLF or a lone CR end a record. */
export function modelCsv(text: string): string[][] {
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (any || field !== '') rows.push(row);
      row = [];
      field = '';
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || field !== '') {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** users.csv by the rules: first row wins, ids and countries trimmed, US spellings as `US`. */
export function modelUsers(usersText: string): ModelUsers {
  const csv = modelCsv(usersText);
  if (csv.length === 0) throw new ModelFatal('users', 'empty: no header');
  const header = csv[0].map((h) => h.trim().toLowerCase());
  const [iu, is, ic] = ['user_id', 'signup_date', 'country'].map((h) => header.indexOf(h));
  if (iu < 0 || is < 0 || ic < 0) throw new ModelFatal('users', `header without a required column: ${csv[0]}`);
  const out: ModelUsers = {
    byId: new Map(),
    rows: csv.length - 1,
    duplicateRows: 0,
    invalidSignupDates: 0,
    missingUserIds: 0,
  };
  for (const r of csv.slice(1)) {
    const id = (r[iu] ?? '').trim();
    if (!id) {
      out.missingUserIds++;
      continue;
    }
    if (out.byId.has(id)) {
      out.duplicateRows++;
      continue;
    }
    const sd = r[is] ?? ''; // not trimmed (docs/rules.md)
    const ok = modelTimestamp(sd) !== null;
    if (!ok) out.invalidSignupDates++;
    const country = (r[ic] ?? '').trim();
    out.byId.set(id, { signup: ok ? sd.slice(0, 10) : null, country: US.has(country.toLowerCase()) ? 'US' : country });
  }
  return out;
}

/** docs/rules.md: `.ndjson` and `.jsonl` are newline-delimited; other names by their first non-blank character. */
export function sniffFormat(fileName: string, text: string): ModelFormat {
  if (/\.(ndjson|jsonl)$/i.test(fileName)) return 'ndjson';
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  return /^[ \t\r\n]*\[/.test(body) ? 'json' : 'ndjson';
}

/** A field as read: a string as it is, a number as JSON writes it, other values as JSON text. */
const asText = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
/** user_id as read: a number as its plain decimal string. */
const idText = (v: unknown): string | null => (typeof v === 'number' ? plainDecimal(v) : asText(v));
const day = (micros: number) => new Date(Math.floor(micros / 86_400_000_000) * 86_400_000).toISOString().slice(0, 10);

/**
 * What the rules say a run over these two inputs gives. `eventsName` is the events file's
 * name (its extension decides the format with the text). Throws ModelFatal for a fatal input.
 */
export function model(eventsText: string, eventsName: string, usersText: string): ModelOutputs {
  const users = modelUsers(usersText);
  const format = sniffFormat(eventsName, eventsText);
  const counts: ModelCounts = {
    rows: 0,
    blankLines: 0,
    malformed: 0,
    missing: 0,
    invalidTs: 0,
    dup: 0,
    unknown: 0,
    nonUs: 0,
    invalidValue: 0,
  };
  const body = eventsText.startsWith('\ufeff') ? eventsText.slice(1) : eventsText;
  const records: { row: number; ev?: Record<string, unknown>; raw?: string }[] = [];
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw new ModelFatal('events', `not valid JSON: ${(err as Error).message}`);
    }
    (parsed as unknown[]).forEach((el, i) => {
      const isObj = typeof el === 'object' && el !== null && !Array.isArray(el);
      records.push({ row: i + 1, ev: isObj ? (el as Record<string, unknown>) : {} });
    });
  } else {
    const lines = body.split('\n');
    // A final line end ends the last line; without one, the last line is a line all the same.
    if (body.endsWith('\n')) lines.pop();
    lines.forEach((l, i) => {
      const line = l.endsWith('\r') ? l.slice(0, -1) : l;
      if (/^[ \t]*$/.test(line)) {
        counts.blankLines++;
        return;
      }
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        v = undefined;
      }
      if (typeof v === 'object' && v !== null && !Array.isArray(v))
        records.push({ row: i + 1, ev: v as Record<string, unknown> });
      else records.push({ row: i + 1, raw: line });
    });
  }

  const clean: Record<string, unknown>[] = [];
  const dropped: Record<string, unknown>[] = [];
  const seen = new Map<string, number>();
  for (const rec of records) {
    counts.rows++;
    if (rec.raw !== undefined) {
      counts.malformed++;
      dropped.push({
        source_row: rec.row,
        drop_reason: 'malformed_record',
        duplicate_of: null,
        user_id: null,
        event_type: null,
        timestamp: null,
        value: null,
        device: null,
        page: null,
        raw: rec.raw,
      });
      continue;
    }
    const e = rec.ev!;
    const meta =
      typeof e.metadata === 'object' && e.metadata !== null && !Array.isArray(e.metadata)
        ? (e.metadata as Record<string, unknown>)
        : {};
    const value = modelValue(e.value);
    if (value === null && e.value !== undefined && e.value !== null) counts.invalidValue++;
    const asRead = {
      user_id: idText(e.user_id),
      event_type: asText(e.event_type),
      timestamp: asText(e.timestamp),
      value,
      device: asText(meta.device),
      page: asText(meta.page),
    };
    const drop = (reason: string, duplicateOf: number | null = null) =>
      dropped.push({ source_row: rec.row, drop_reason: reason, duplicate_of: duplicateOf, ...asRead, raw: null });
    // Only a string or a number is an id; anything else counts as missing.
    const isId = typeof e.user_id === 'string' || typeof e.user_id === 'number';
    const user = isId ? asRead.user_id!.trim() : '';
    if (!user) {
      counts.missing++;
      drop('missing_user_id');
      continue;
    }
    const micros = typeof e.timestamp === 'string' ? modelTimestamp(e.timestamp) : null;
    if (micros === null) {
      counts.invalidTs++;
      drop('invalid_timestamp');
      continue;
    }
    // event_type as read (a number's JSON text), so 5 and null differ; value as float64 (-0 = 0).
    const key = JSON.stringify([user, asRead.event_type, e.timestamp, value === 0 ? 0 : value]);
    const first = seen.get(key);
    if (first !== undefined) {
      counts.dup++;
      drop('duplicate', first);
      continue;
    }
    seen.set(key, rec.row);
    const u = users.byId.get(user);
    if (!u) {
      counts.unknown++;
      drop('unknown_user');
      continue;
    }
    if (u.country !== 'US') {
      counts.nonUs++;
      drop('non_us_user');
      continue;
    }
    clean.push({
      user_id: user,
      event_type: asRead.event_type,
      timestamp: e.timestamp,
      timestamp_dt: micros,
      event_date: day(micros),
      value,
      device: asRead.device,
      page: asRead.page,
      signup_date: u.signup,
      country: 'US',
    });
  }

  const byKey = new Map<string, { user_id: string; event_date: string; event_count: number }>();
  for (const c of clean) {
    const k = `${c.user_id}\u0000${c.event_date}`;
    const d = byKey.get(k) ?? { user_id: c.user_id as string, event_date: c.event_date as string, event_count: 0 };
    d.event_count++;
    byKey.set(k, d);
  }
  const daily = [...byKey.values()].sort(
    (a, b) =>
      Buffer.compare(Buffer.from(a.user_id), Buffer.from(b.user_id)) ||
      (a.event_date < b.event_date ? -1 : a.event_date > b.event_date ? 1 : 0),
  );
  const warnings = Object.fromEntries(
    (
      [
        ['duplicate_user_rows', users.duplicateRows],
        ['invalid_signup_date', users.invalidSignupDates],
        ['missing_user_id_in_users', users.missingUserIds],
        ['invalid_value', counts.invalidValue],
        ['empty_input', counts.rows === 0 ? 1 : 0],
      ] as [string, number][]
    ).filter(([, n]) => n > 0),
  );
  const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
  const inputs = [
    { format, rows: counts.rows, bytes: Buffer.byteLength(eventsText), sha256: sha(eventsText) },
    { format: 'csv', rows: users.rows, bytes: Buffer.byteLength(usersText), sha256: sha(usersText) },
  ];
  return { format, clean, daily, dropped, counts, users, warnings, inputs };
}

/** Asserts the engine's outputs and report equal the model's. */
export function compare(
  got: {
    report: RunReport;
    clean: Record<string, unknown>[];
    daily: Record<string, unknown>[];
    dropped: Record<string, unknown>[];
  },
  want: ModelOutputs,
): void {
  const firstDiff = (a: Record<string, unknown>[], b: Record<string, unknown>[], what: string) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) assert.deepEqual(a[i], b[i], `${what}: row ${i} differs`);
  };
  firstDiff(got.dropped, want.dropped, 'dropped_rows');
  firstDiff(got.clean, want.clean, 'clean_events');
  firstDiff(got.daily, want.daily, 'daily_summary');
  const c = want.counts;
  const afterExtract = c.rows - c.malformed;
  const afterTs = afterExtract - c.missing - c.invalidTs;
  assert.deepEqual(
    got.report.stages.map((s) => [s.rows_in, s.rows_out]),
    [
      [c.rows, afterExtract],
      [afterExtract, afterExtract - c.missing],
      [afterExtract - c.missing, afterTs],
      [afterTs, afterTs - c.dup],
      [afterTs - c.dup, afterTs - c.dup - c.unknown],
      [afterTs - c.dup - c.unknown, afterTs - c.dup - c.unknown - c.nonUs],
    ],
  );
  assert.deepEqual(Object.fromEntries(got.report.warnings.map((w) => [w.code, w.count])), want.warnings, 'warnings');
  assert.deepEqual(
    got.report.inputs.map(({ format, rows, bytes, sha256 }) => ({ format, rows, bytes, sha256 })),
    want.inputs,
    'report inputs',
  );
  assert.deepEqual(
    got.report.outputs.map((o) => [o.path.split(/[\\/]/).pop(), o.rows]),
    [
      ['clean_events.parquet', want.clean.length],
      ['daily_summary.parquet', want.daily.length],
      ['dropped_rows.parquet', want.dropped.length],
    ],
    'report outputs',
  );
}
