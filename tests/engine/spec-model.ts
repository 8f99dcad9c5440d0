import assert from 'node:assert/strict';
import type { RunReport } from '../../shared/pipeline';

/**
 * A small, deliberately naive model of the pipeline built on JSON.parse, used to check
 * the engine on random inputs. It shares no code with the engine: if both agree on thousands
 * of odd rows, the engine follows the rules (or both misread it the same way).
 */

export interface ModelOutputs {
  clean: Record<string, unknown>[];
  daily: Record<string, unknown>[];
  dropped: Record<string, unknown>[];
  counts: {
    rows: number;
    malformed: number;
    missing: number;
    invalidTs: number;
    dup: number;
    unknown: number;
    nonUs: number;
    invalidValue: number;
  };
}

const TS =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/**
 * The rules' grammar as one regular expression, plus its calendar and range rules, with the
 * instant computed by Date: milliseconds since the epoch and the microseconds below them.
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

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const US = new Set(['us', 'usa', 'u.s.', 'u.s.a.', 'united states', 'united states of america']);

/** RFC 4180, the plain way. */
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

const text = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
const day = (micros: number) => new Date(Math.floor(micros / 86_400_000_000) * 86_400_000).toISOString().slice(0, 10);

/** What the rules say the three outputs hold. `eventsText` is the file's text. */
export function model(eventsText: string, format: 'json' | 'ndjson', usersText: string): ModelOutputs {
  const counts = { rows: 0, malformed: 0, missing: 0, invalidTs: 0, dup: 0, unknown: 0, nonUs: 0, invalidValue: 0 };
  const body = eventsText.startsWith('\ufeff') ? eventsText.slice(1) : eventsText;
  const records: { row: number; ev?: Record<string, unknown>; raw?: string }[] = [];
  if (format === 'json') {
    (JSON.parse(body) as unknown[]).forEach((el, i) => {
      const isObj = typeof el === 'object' && el !== null && !Array.isArray(el);
      records.push({ row: i + 1, ev: isObj ? (el as Record<string, unknown>) : {} });
    });
  } else {
    const lines = body.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((l, i) => {
      const line = l.endsWith('\r') ? l.slice(0, -1) : l;
      if (/^[ \t]*$/.test(line)) return;
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

  const users = new Map<string, { signup: string | null; country: string }>();
  const csv = modelCsv(usersText);
  const header = csv[0].map((h) => h.trim().toLowerCase());
  const [iu, is, ic] = ['user_id', 'signup_date', 'country'].map((h) => header.indexOf(h));
  for (const r of csv.slice(1)) {
    const id = (r[iu] ?? '').trim();
    if (!id || users.has(id)) continue;
    const sd = r[is] ?? '';
    const ok = modelTimestamp(sd) !== null;
    const country = (r[ic] ?? '').trim();
    users.set(id, { signup: ok ? sd.slice(0, 10) : null, country: US.has(country.toLowerCase()) ? 'US' : country });
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
    let value: number | null = null;
    if (typeof e.value === 'number') value = e.value;
    else if (typeof e.value === 'string' && DECIMAL.test(e.value)) value = Number(e.value);
    else if (e.value !== undefined && e.value !== null) counts.invalidValue++;
    const rawUser = text(e.user_id);
    const asRead = {
      user_id: rawUser,
      event_type: text(e.event_type),
      timestamp: text(e.timestamp),
      value,
      device: text(meta.device),
      page: text(meta.page),
    };
    const drop = (reason: string, duplicateOf: number | null = null) =>
      dropped.push({ source_row: rec.row, drop_reason: reason, duplicate_of: duplicateOf, ...asRead, raw: null });
    // Only a string or a number is an id (docs/rules.md "Inputs"); anything else counts as missing.
    const isId = typeof e.user_id === 'string' || typeof e.user_id === 'number';
    const user = rawUser === null || !isId ? '' : rawUser.trim();
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
    const key = JSON.stringify([user, asRead.event_type, e.timestamp, value === null ? null : value === 0 ? 0 : value]);
    const first = seen.get(key);
    if (first !== undefined) {
      counts.dup++;
      drop('duplicate', first);
      continue;
    }
    seen.set(key, rec.row);
    const u = users.get(user);
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
  return { clean, daily, dropped, counts };
}

/** Asserts the engine's outputs and report counts equal the model's. */
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
  assert.equal(got.report.warnings.find((w) => w.code === 'invalid_value')?.count ?? 0, c.invalidValue);
}
