/**
 * Reads `users.csv` (docs/rules.md "Users"): RFC 4180 quoting, a header matched case-insensitively,
 * first row wins for a repeated user_id, signup dates validated, country variants of the
 * United States normalised to `US`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { inputError } from './errors';
import { daysFromCivil, parseTimestamp } from './timestamp';

export interface UsersTable {
  userId: string[];
  /** Days since 1970-01-01, or null. */
  signupDays: (number | null)[];
  country: string[];
  rows: number;
  bytes: number;
  sha256: string;
  duplicateRows: number;
  invalidSignupDates: number;
  missingUserIds: number;
}

const US_NAMES = new Set(['us', 'usa', 'u.s.', 'u.s.a.', 'united states', 'united states of america']);

/** `US` for the rules' spellings of the United States, else the trimmed value as written. */
export function normalizeCountry(raw: string): string {
  const t = raw.trim();
  return US_NAMES.has(t.toLowerCase()) ? 'US' : t;
}

/**
 * `YYYY-MM-DD`, or a valid timestamp (docs/rules.md "Valid timestamps") cut to the date as written (no shift to UTC).
 * Returns days since epoch or null.
 */
export function parseSignupDate(raw: string): number | null {
  if (!parseTimestamp(raw)) return null;
  return daysFromCivil(Number(raw.slice(0, 4)), Number(raw.slice(5, 7)), Number(raw.slice(8, 10)));
}

/** Splits CSV text into records of fields (RFC 4180). Reports an unclosed quote's line. */
export function parseCsv(text: string, file: string): { records: string[][]; lines: number[] } {
  const records: string[][] = [];
  const lines: number[] = [];
  let record: string[] = [];
  let i = 0;
  let line = 1;
  let recordLine = 1;
  const n = text.length;
  // A field is taken as one slice of the text (quoted ones in pieces around doubled quotes),
  // never built a character at a time.
  for (;;) {
    let field: string;
    if (text.charCodeAt(i) === 34) {
      // Quoted field: "" is a quote; the field ends at a lone quote. Text after the closing
      // quote, up to the delimiter, is kept as it is.
      const quoteLine = line;
      field = '';
      let from = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0)
          throw inputError(
            `${basename(file)}: a quoted field opened on line ${quoteLine} is never closed. Close the quote (write "" for a quote inside a field).`,
            { file, line: quoteLine },
          );
        for (let k = text.indexOf('\n', i); k >= 0 && k < q; k = text.indexOf('\n', k + 1)) line++;
        if (text.charCodeAt(q + 1) === 34) {
          field += text.slice(from, q + 1);
          i = from = q + 2;
          continue;
        }
        field += text.slice(from, q);
        i = q + 1;
        break;
      }
      const rest = i;
      while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      field += text.slice(rest, i);
    } else {
      const from = i;
      while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      field = text.slice(from, i);
    }
    record.push(field);
    const c = i < n ? text.charCodeAt(i) : -1;
    if (c === 44) {
      i++;
      continue;
    }
    // End of a record: a line end or the end of the text. A line holding nothing is skipped.
    if (!(record.length === 1 && record[0] === '' && text.charCodeAt(i - 1) !== 34)) {
      records.push(record);
      lines.push(recordLine);
    }
    record = [];
    if (c === -1) break;
    i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    line++;
    recordLine = line;
    if (i >= n) break;
  }
  return { records, lines };
}

const isDelimiter = (c: number) => c === 44 || c === 10 || c === 13;

/** Reads and validates the users file. */
export async function readUsers(path: string): Promise<UsersTable> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a folder; choose the users.csv file inside it' : `${code ?? err}`;
    throw inputError(`Cannot read the users file ${path}: ${why}. Check the path and that you may read it.`, {
      file: path,
    });
  }
  if (!isUtf8(buf))
    throw inputError(`The users file ${path} is not valid UTF-8. Save it as UTF-8 CSV and run again.`, { file: path });
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { records } = parseCsv(text, path);
  if (records.length === 0)
    throw inputError(`The users file ${path} is empty: it needs a header row with user_id, signup_date and country.`, {
      file: path,
      line: 1,
    });
  const header = records[0].map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const missing = ['user_id', 'signup_date', 'country'].filter((h) => col(h) < 0);
  if (missing.length)
    throw inputError(
      `The users file ${path} has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} in its header (line 1 has: ${records[0].join(', ')}). The header must name user_id, signup_date and country.`,
      { file: path, line: 1 },
    );
  const iUser = col('user_id');
  const iDate = col('signup_date');
  const iCountry = col('country');
  const seen = new Set<string>();
  const out: UsersTable = {
    userId: [],
    signupDays: [],
    country: [],
    rows: records.length - 1,
    bytes: buf.length,
    sha256: createHash('sha256').update(buf).digest('hex'),
    duplicateRows: 0,
    invalidSignupDates: 0,
    missingUserIds: 0,
  };
  for (let r = 1; r < records.length; r++) {
    const rec = records[r];
    const id = (rec[iUser] ?? '').trim();
    if (id === '') {
      out.missingUserIds++;
      continue;
    }
    if (seen.has(id)) {
      out.duplicateRows++;
      continue;
    }
    seen.add(id);
    const rawDate = rec[iDate] ?? '';
    const days = parseSignupDate(rawDate);
    if (days === null) out.invalidSignupDates++;
    out.userId.push(id);
    out.signupDays.push(days);
    out.country.push(normalizeCountry(rec[iCountry] ?? ''));
  }
  return out;
}
