/**
 * Reads `users.csv` (docs/rules.md "Users"): RFC 4180 quoting, a header matched case-insensitively,
 * first row wins for a repeated user_id, signup dates validated, country variants of the
 * United States normalised to `US`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { parseCsv, type CsvRecords } from './csv-reader';
import { EtlError, inputError } from './errors';
import { refuseSpecialFile } from './input-file';
import { excerptAt, lineAndColumn, textPosition } from './text-position';
import { firstInvalid } from './utf8-check';
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

/**
 * What a run reports about users.csv once the users are a frame (stages.ts usersFrame): the
 * table without its columns, which as JavaScript arrays hold a string per user that every
 * garbage collection of the run would otherwise trace (docs/performance.md "Memory budget").
 */
export type UsersFacts = Omit<UsersTable, 'userId' | 'signupDays' | 'country'>;

/** The facts of `users`, without its columns. */
export function usersFacts(users: UsersTable): UsersFacts {
  const { userId: _id, signupDays: _days, country: _country, ...facts } = users;
  return facts;
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

/** Where a users file's header names its columns. */
export interface UsersColumns {
  userId: number;
  signupDate: number;
  country: number;
}

/**
 * Finds user_id, signup_date and country in a header record (trimmed, any case, any order);
 * throws the one message for a header without them, used by the run and the input peek alike.
 * Given the text the header was parsed from, the error points at the header's line (at the
 * repeated column, for a repeated name) with an excerpt.
 */
export function usersColumns(
  header: string[],
  path: string,
  source?: { text: string; parsed: Pick<CsvRecords, 'headerStarts'> },
): UsersColumns {
  const names = header.map((h) => h.trim().toLowerCase());
  const at = (column: number) => {
    const start = source?.parsed.headerStarts[column];
    return source && start !== undefined ? textPosition(source.text, start) : { line: 1 };
  };
  // A repeated name leaves it unclear which column is meant: the user must say.
  const repeated = [...new Set(names.filter((n, i) => n !== '' && names.indexOf(n) !== i))];
  if (repeated.length) {
    const where = at(names.indexOf(repeated[0], names.indexOf(repeated[0]) + 1));
    throw new EtlError({
      kind: 'input',
      message: `The users file ${path} names ${repeated.map((n) => `"${n}"`).join(', ')} more than once in its header (line ${where.line}). Rename or remove the repeated column${repeated.length > 1 ? 's' : ''} so each name appears once.`,
      file: path,
      ...where,
    });
  }
  const missing = ['user_id', 'signup_date', 'country'].filter((name) => !names.includes(name));
  if (missing.length) {
    const where = at(0);
    throw new EtlError({
      kind: 'input',
      message: `The users file ${path} has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} in its header (line ${where.line} has: ${header.join(', ')}). The header must name user_id, signup_date and country.`,
      file: path,
      ...where,
    });
  }
  return {
    userId: names.indexOf('user_id'),
    signupDate: names.indexOf('signup_date'),
    country: names.indexOf('country'),
  };
}

/**
 * Refuses a users file that is not UTF-8, naming the line, column and byte of the first bad
 * byte with an excerpt, as the events scan does (the run and the input peek alike).
 */
export async function checkUsersUtf8(buf: Buffer, path: string): Promise<void> {
  if (isUtf8(buf)) return;
  const offset = firstInvalid(buf);
  const { line, column } = await lineAndColumn(path, offset);
  const excerpt = await excerptAt(path, offset).catch(() => undefined);
  throw new EtlError({
    kind: 'input',
    message: `The users file ${path} is not valid UTF-8 at line ${line}, column ${column} (byte ${offset}). Save it as UTF-8 CSV and run again.`,
    file: path,
    line,
    column,
    offset,
    ...(excerpt !== undefined ? { excerpt } : {}),
  });
}

/** Reads and validates the users file. */
export async function readUsers(path: string): Promise<UsersTable> {
  let buf: Buffer;
  await refuseSpecialFile(path, 'users file');
  try {
    buf = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a folder; choose the users.csv file inside it' : `${code ?? err}`;
    throw inputError(`Cannot read the users file ${path}: ${why}. Check the path and that you may read it.`, {
      file: path,
    });
  }
  await checkUsersUtf8(buf, path);
  const text = buf.toString('utf8');
  const parsed = parseCsv(text, path);
  const { records } = parsed;
  if (records.length === 0)
    throw inputError(`The users file ${path} is empty: it needs a header row with user_id, signup_date and country.`, {
      file: path,
      line: 1,
    });
  const { userId: iUser, signupDate: iDate, country: iCountry } = usersColumns(records[0], path, { text, parsed });
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
