/**
 * A small, independent reading of the rules' stages (extract, clean, deduplicate, join,
 * filter), written only to check the generator's injected counts. Deliberately simple and
 * separate from the engine, so a bug in one does not hide a bug in the other.
 */

/** Row counts per stage. */
export interface OracleCounts {
  rowsIn: number;
  malformed: number;
  missingUserId: number;
  invalidTimestamp: number;
  duplicate: number;
  unknownUser: number;
  nonUs: number;
  kept: number;
  blankLines: number;
}

const TS =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

/** docs/rules.md "Valid timestamps". */
export function isValidTimestamp(ts: unknown): boolean {
  if (typeof ts !== 'string') return false;
  const m = TS.exec(ts);
  if (!m) return false;
  const [, y, mo, d, hh, mi, ss, oh, om] = m;
  // A date alone must not carry a zone; the regex only allows a zone after a time.
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  if (day > days[month - 1]) return false;
  if (hh !== undefined && (Number(hh) > 23 || Number(mi) > 59)) return false;
  if (ss !== undefined && Number(ss) > 59) return false;
  if (oh !== undefined && Number(oh) > 23) return false;
  if (om !== undefined && Number(om) > 59) return false;
  // `+HH:MM` / `+HHMM` / `+HH` only: a zone like `+05:3` is not matched by the regex.
  return true;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** docs/rules.md "Events": a number, a decimal string as its number, else null. */
export function valueOf(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return null;
}

/** docs/rules.md "Events": a string or a number, trimmed; null when absent or empty. */
export function userIdOf(v: unknown): string | null {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/** RFC 4180 records of a CSV text. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const US = new Set(['us', 'usa', 'u.s.', 'u.s.a.', 'united states', 'united states of america']);

/** users.csv as a map from trimmed user id to "is in the United States" (first row wins). */
export function readUsers(csv: string): { users: Map<string, boolean>; rows: number; ignoredDuplicates: number } {
  const [header, ...rows] = parseCsv(csv.replace(/^\uFEFF/, ''));
  const col = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name);
  const idCol = col('user_id');
  const countryCol = col('country');
  const users = new Map<string, boolean>();
  let ignoredDuplicates = 0;
  for (const r of rows) {
    const id = (r[idCol] ?? '').trim();
    if (users.has(id)) {
      ignoredDuplicates++;
      continue;
    }
    users.set(id, US.has((r[countryCol] ?? '').trim().toLowerCase()));
  }
  return { users, rows: rows.length, ignoredDuplicates };
}

/** Runs the stages of docs/rules.md over an events text and a users.csv text, counting each drop. */
export function runOracle(eventsText: string, format: 'json' | 'ndjson', usersCsv: string): OracleCounts {
  const counts: OracleCounts = {
    rowsIn: 0,
    malformed: 0,
    missingUserId: 0,
    invalidTimestamp: 0,
    duplicate: 0,
    unknownUser: 0,
    nonUs: 0,
    kept: 0,
    blankLines: 0,
  };
  const text = eventsText.replace(/^\uFEFF/, '');
  let records: unknown[];
  if (format === 'json') {
    records = JSON.parse(text) as unknown[];
    counts.rowsIn = records.length;
  } else {
    records = [];
    for (const line of text.split('\n')) {
      const l = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (/^[ \t]*$/.test(l)) {
        counts.blankLines++;
        continue;
      }
      counts.rowsIn++;
      let parsed: unknown;
      try {
        parsed = JSON.parse(l);
      } catch {
        parsed = undefined;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) counts.malformed++;
      else records.push(parsed);
    }
    // The final line end leaves one empty string after split: not a line.
    counts.blankLines--;
  }
  const { users } = readUsers(usersCsv);
  const seen = new Set<string>();
  for (const rec of records) {
    const e = (rec !== null && typeof rec === 'object' && !Array.isArray(rec) ? rec : {}) as Record<string, unknown>;
    const userId = userIdOf(e.user_id);
    if (userId === null) {
      counts.missingUserId++;
      continue;
    }
    if (!isValidTimestamp(e.timestamp)) {
      counts.invalidTimestamp++;
      continue;
    }
    const eventType = typeof e.event_type === 'string' ? e.event_type : null;
    const key = JSON.stringify([userId, eventType, e.timestamp, valueOf(e.value)]);
    if (seen.has(key)) {
      counts.duplicate++;
      continue;
    }
    seen.add(key);
    const us = users.get(userId);
    if (us === undefined) counts.unknownUser++;
    else if (!us) counts.nonUs++;
    else counts.kept++;
  }
  return counts;
}
