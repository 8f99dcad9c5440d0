/**
 * `users.csv`: one row per user with messy but rule-covered content (docs/rules.md "Users"): country
 * spellings of the United States, other countries, empty countries, duplicate user rows
 * (the first wins), bad and date-time signup dates, RFC 4180 quoted fields and an extra
 * column. Also returns the id pool the events draw their users from.
 */
import { ExactMix, ExactSelector } from './injection-plan';
import { Rng, WeightedTable } from './prng';
import type { ChunkedWriter } from './chunked-writer';

/** Exact per-row rates for users.csv (round(M * rate) rows each). */
export const USER_RATES = {
  duplicateRow: 0.003,
  emptyCountry: 0.012,
  slashSignup: 0.004,
  impossibleSignup: 0.003,
  dateTimeSignup: 0.005,
  emptySignup: 0.002,
  numericId: 0.02,
} as const;

/** Share of events whose user is not in users.csv. */
export const UNKNOWN_USER_SHARE = 0.03;

/** How the United States is written (docs/rules.md: all of these mean `US`), with weights. */
const US_SPELLINGS = new WeightedTable<string>([
  ['US', 62],
  ['usa', 7],
  [' U.S. ', 5],
  ['United States', 9],
  ['"United States"', 6],
  ['united states of america', 4],
  ['U.S.A.', 4],
  ['us', 2],
  ['Usa', 1],
]);

/** Other countries, as they turn up in an HR export. */
const OTHER_COUNTRIES = new WeightedTable<string>([
  ['CA', 30],
  ['GB', 18],
  ['MX', 16],
  ['DE', 10],
  ['IN', 8],
  ['FR', 6],
  ['IE', 4],
  ['Canada', 3],
  ['PR', 2],
  [' gb ', 2],
  ['"Mexico"', 1],
]);

/** Share of users outside the United States (empty countries are counted apart). */
const NON_US_SHARE = 0.17;

/** The extra column; some values need RFC 4180 quoting (comma, doubled quote). */
const PLANS = new WeightedTable<string>([
  ['PPO', 40],
  ['HMO', 30],
  ['HDHP', 18],
  ['"PPO, Gold"', 6],
  ['"HMO ""Select"""', 3],
  ['', 3],
]);

const SIGNUP_START_DAY = Date.UTC(2022, 0, 1) / 86_400_000;
const SIGNUP_END_DAY = Date.UTC(2025, 9, 31) / 86_400_000;

/** The users the events refer to. Ids are trimmed (as the rules compare them). */
export interface UserPool {
  /** Distinct user ids in users.csv, in file order of their first row. */
  ids: string[];
  /** Whether each id is purely numeric (events may write it as a JSON number). */
  numeric: Uint8Array;
  /** Whether each user's first row is in the United States (for the summary only). */
  us: Uint8Array;
  /** Cumulative activity weights: a few users produce many events. */
  cumulativeActivity: Float64Array;
  /** Zero-padding width of `u…` ids. */
  idWidth: number;
  /** How many unknown ids (`u` + numbers above the known ones) events may use. */
  unknownRange: number;
}

/** What went into users.csv, by category. */
export interface UsersSummary {
  rows: number;
  distinctUsers: number;
  duplicateRows: number;
  numericIds: number;
  /** Country of each user's first row: United States (any spelling), other, empty. */
  usRows: number;
  usSpellings: Record<string, number>;
  nonUsRows: number;
  emptyCountry: number;
  quotedFields: number;
  signup: { valid: number; slashes: number; impossible: number; dateTime: number; empty: number };
}

function isoDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** A standard normal sample (Box-Muller). */
function normal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Writes users.csv for `rows` data rows and returns the id pool and a summary. */
export function writeUsersCsv(
  out: ChunkedWriter,
  rows: number,
  seed: number,
  eol: string,
): { pool: UserPool; summary: UsersSummary } {
  const rng = new Rng(seed, 'users');
  const duplicateRows = rows > 1 ? Math.round(rows * USER_RATES.duplicateRow) : 0;
  const distinct = rows - duplicateRows;
  const unknownRange = Math.max(20, Math.ceil(distinct * 0.05));
  const idWidth = Math.max(5, String(distinct + unknownRange).length);
  const count = (rate: number) => Math.round(distinct * rate);

  const emptyCountry = new ExactSelector(count(USER_RATES.emptyCountry), distinct);
  const numericId = new ExactSelector(count(USER_RATES.numericId), distinct);
  const duplicateAfter = new ExactSelector(duplicateRows, distinct);
  const signupKinds = new ExactMix(
    {
      slashes: count(USER_RATES.slashSignup),
      impossible: count(USER_RATES.impossibleSignup),
      dateTime: count(USER_RATES.dateTimeSignup),
      empty: count(USER_RATES.emptySignup),
    },
    distinct,
    'valid',
  );

  const summary: UsersSummary = {
    rows,
    distinctUsers: distinct,
    duplicateRows,
    numericIds: 0,
    usRows: 0,
    usSpellings: {},
    nonUsRows: 0,
    emptyCountry: 0,
    quotedFields: 0,
    signup: { valid: 0, slashes: 0, impossible: 0, dateTime: 0, empty: 0 },
  };
  const pool: UserPool = {
    ids: new Array<string>(distinct),
    numeric: new Uint8Array(distinct),
    us: new Uint8Array(distinct),
    cumulativeActivity: new Float64Array(distinct),
    idWidth,
    unknownRange,
  };

  const countryCell = (): { cell: string; us: boolean } => {
    if (rng.chance(NON_US_SHARE)) {
      summary.nonUsRows++;
      return { cell: OTHER_COUNTRIES.sample(rng), us: false };
    }
    const cell = US_SPELLINGS.sample(rng);
    summary.usRows++;
    summary.usSpellings[cell] = (summary.usSpellings[cell] ?? 0) + 1;
    return { cell, us: true };
  };

  const signupCell = (): string => {
    const day = rng.int(SIGNUP_START_DAY, SIGNUP_END_DAY);
    const date = isoDate(day);
    const kind = signupKinds.next(rng);
    summary.signup[kind]++;
    const [y, m, d] = date.split('-');
    switch (kind) {
      case 'valid':
        return date;
      case 'slashes':
        return `${m}/${d}/${y}`;
      case 'impossible':
        return rng.pick([`${y}-02-30`, `${y}-04-31`, `${y}-11-31`, `${y}-13-05`]);
      case 'dateTime': {
        // Late-evening local times west of UTC: the rules keep the date as written.
        const hh = String(rng.int(19, 23));
        const mm = rng.pick(['00', '15', '30', '45']);
        return `${date}T${hh}:${mm}:00${rng.pick(['-05:00', '-08:00', '-04:00', 'Z'])}`;
      }
      case 'empty':
        return '';
    }
  };

  const quoteCount = (line: string) => {
    let n = 0;
    for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) === 34) n++;
    return n;
  };

  out.write(`user_id,signup_date,country,plan${eol}`);
  let activityTotal = 0;
  for (let k = 0; k < distinct; k++) {
    const isNumeric = numericId.take(rng);
    const id = isNumeric ? String(10_000 + k + 1) : `u${String(k + 1).padStart(idWidth, '0')}`;
    pool.ids[k] = id;
    pool.numeric[k] = isNumeric ? 1 : 0;
    if (isNumeric) summary.numericIds++;
    activityTotal += Math.exp(normal(rng) * 0.9);
    pool.cumulativeActivity[k] = activityTotal;

    const signup = signupCell();
    let country: string;
    if (emptyCountry.take(rng)) {
      summary.emptyCountry++;
      country = '';
      pool.us[k] = 0;
    } else {
      const c = countryCell();
      country = c.cell;
      pool.us[k] = c.us ? 1 : 0;
    }
    const idCell = rng.chance(0.01) ? `"${id}"` : id;
    const line = `${idCell},${signup},${country},${PLANS.sample(rng)}`;
    if (quoteCount(line) > 0) summary.quotedFields++;
    out.write(line + eol);

    if (duplicateAfter.take(rng)) {
      // A later row for an earlier user, with other details: the first row must win.
      const earlier = rng.int(0, k);
      const dupId = pool.ids[earlier];
      const dupIdCell = rng.chance(0.5) ? ` ${dupId}` : dupId;
      const dupCountry = pool.us[earlier] ? OTHER_COUNTRIES.sample(rng) : 'US';
      const dupLine = `${dupIdCell},${isoDate(rng.int(SIGNUP_START_DAY, SIGNUP_END_DAY))},${dupCountry},PPO`;
      if (quoteCount(dupLine) > 0) summary.quotedFields++;
      out.write(dupLine + eol);
    }
  }
  return { pool, summary };
}
