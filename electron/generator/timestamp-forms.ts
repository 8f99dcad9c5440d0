/**
 * Timestamp text for generated events: the valid ISO 8601 variants the rules accept
 * ("Valid timestamps") and the invalid patterns it rejects, each rendered from an instant.
 */
import type { Instant } from './event-timeline';
import { WeightedTable, type Rng } from './prng';

const PAD2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

let cachedDay = -1;
let cachedDate = '';

/** `YYYY-MM-DD` of a UTC day number, cached because consecutive events share a day. */
function dateOfDay(day: number): string {
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
  }
  return cachedDate;
}

/** The calendar parts of a moment in seconds since the epoch (already shifted for a zone). */
interface Parts {
  date: string;
  hh: string;
  mm: string;
  ss: string;
}

function partsOf(seconds: number): Parts {
  const day = Math.floor(seconds / 86_400);
  const sod = seconds - day * 86_400;
  const h = Math.floor(sod / 3600);
  const m = Math.floor((sod - h * 3600) / 60);
  return { date: dateOfDay(day), hh: PAD2[h], mm: PAD2[m], ss: PAD2[sod % 60] };
}

function millisText(instant: Instant): string {
  return String(instant.millis).padStart(3, '0');
}

/** The common form, `2025-03-14T09:26:53Z` (with `.mmm` when the timeline counts milliseconds). */
export function canonicalTimestamp(instant: Instant, withMillis: boolean): string {
  const p = partsOf(instant.seconds);
  return `${p.date}T${p.hh}:${p.mm}:${p.ss}${withMillis ? `.${millisText(instant)}` : ''}Z`;
}

/** The valid variants the generator writes; `canonical` is by far the most common. */
export type ValidTimestampForm =
  | 'canonical'
  | 'fraction_3'
  | 'fraction_6'
  | 'fraction_9'
  | 'fraction_comma'
  | 'fraction_1'
  | 'offset_+05:30'
  | 'offset_-0800'
  | 'offset_+01'
  | 'offset_+00:00'
  | 'offset_-05:00'
  | 'space_separator_z'
  | 'space_separator_no_zone'
  | 'no_zone'
  | 'lowercase_z'
  | 'minutes_only_z'
  | 'minutes_only_no_zone'
  | 'date_only';

/** Forms that drop part of the instant, so two events can share their text (see the caller). */
export const LOSSY_FORMS: ReadonlySet<ValidTimestampForm> = new Set([
  'minutes_only_z',
  'minutes_only_no_zone',
  'date_only',
]);

/** How often each valid form is written, per 1000 natural events. */
export const VALID_FORM_TABLE = new WeightedTable<ValidTimestampForm>([
  ['canonical', 900],
  ['fraction_3', 20],
  ['fraction_6', 8],
  ['fraction_9', 4],
  ['fraction_comma', 4],
  ['fraction_1', 4],
  ['offset_+05:30', 6],
  ['offset_-0800', 6],
  ['offset_+01', 5],
  ['offset_+00:00', 5],
  ['offset_-05:00', 6],
  ['space_separator_z', 6],
  ['space_separator_no_zone', 5],
  ['no_zone', 6],
  ['lowercase_z', 5],
  ['minutes_only_z', 4],
  ['minutes_only_no_zone', 3],
  ['date_only', 3],
]);

function randomDigits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

function withOffset(instant: Instant, withMillis: boolean, offsetMinutes: number, zone: string): string {
  const p = partsOf(instant.seconds + offsetMinutes * 60);
  return `${p.date}T${p.hh}:${p.mm}:${p.ss}${withMillis ? `.${millisText(instant)}` : ''}${zone}`;
}

/**
 * `instant` written in a valid form. Every form except the lossy ones keeps the whole
 * instant, so distinct instants always give distinct text.
 */
export function validTimestamp(instant: Instant, withMillis: boolean, form: ValidTimestampForm, rng: Rng): string {
  const p = partsOf(instant.seconds);
  const hms = `${p.hh}:${p.mm}:${p.ss}`;
  const ms = withMillis ? millisText(instant) : '';
  const frac = withMillis ? `.${ms}` : '';
  switch (form) {
    case 'canonical':
      return `${p.date}T${hms}${frac}Z`;
    case 'fraction_3':
      return `${p.date}T${hms}.${withMillis ? ms : randomDigits(rng, 3)}Z`;
    case 'fraction_6':
      return `${p.date}T${hms}.${ms}${randomDigits(rng, 6 - ms.length)}Z`;
    case 'fraction_9':
      return `${p.date}T${hms}.${ms}${randomDigits(rng, 9 - ms.length)}Z`;
    case 'fraction_comma':
      return `${p.date}T${hms},${withMillis ? ms : randomDigits(rng, 3)}Z`;
    case 'fraction_1':
      return withMillis ? `${p.date}T${hms}${frac}0Z` : `${p.date}T${hms}.${rng.int(1, 9)}Z`;
    case 'offset_+05:30':
      return withOffset(instant, withMillis, 330, '+05:30');
    case 'offset_-0800':
      return withOffset(instant, withMillis, -480, '-0800');
    case 'offset_+01':
      return withOffset(instant, withMillis, 60, '+01');
    case 'offset_+00:00':
      return `${p.date}T${hms}${frac}+00:00`;
    case 'offset_-05:00':
      return withOffset(instant, withMillis, -300, '-05:00');
    case 'space_separator_z':
      return `${p.date} ${hms}${frac}Z`;
    case 'space_separator_no_zone':
      return `${p.date} ${hms}${frac}`;
    case 'no_zone':
      return `${p.date}T${hms}${frac}`;
    case 'lowercase_z':
      return `${p.date}T${hms}${frac}z`;
    case 'minutes_only_z':
      return `${p.date}T${p.hh}:${p.mm}Z`;
    case 'minutes_only_no_zone':
      return `${p.date}T${p.hh}:${p.mm}`;
    case 'date_only':
      return p.date;
  }
}

/**
 * Invalid timestamp patterns, in the order they are injected: the k-th invalid row uses
 * pattern k mod length. The first ten are the ones in the default sample.
 */
export const INVALID_TIMESTAMP_PATTERNS = [
  'slashes',
  'epoch_number',
  'impossible_date',
  'basic_format',
  'week_date',
  'lowercase_t',
  'trailing_space',
  'empty_string',
  'hour_24',
  'epoch_string',
  'null',
  'missing',
  'ordinal_date',
  'leading_space',
  'offset_out_of_range',
  'minute_60',
  'two_digit_year',
  'english_date',
  'zone_name',
] as const;
export type InvalidTimestampPattern = (typeof INVALID_TIMESTAMP_PATTERNS)[number];

/** `undefined` means the field is left out of the event. */
export type InvalidTimestampValue = string | number | null | undefined;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMPOSSIBLE_DATES = ['02-30', '02-29', '04-31', '06-31', '09-31', '11-31', '02-31', '13-01', '00-10'];

function isoWeek(seconds: number): { year: number; week: number; weekday: number } {
  const d = new Date(seconds * 1000);
  const weekday = d.getUTCDay() || 7;
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 4 - weekday));
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((thursday.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return { year: thursday.getUTCFullYear(), week, weekday };
}

/**
 * `instant` written in an invalid pattern (docs/rules.md "Valid timestamps": everything else is invalid).
 * `occurrence` counts earlier rows of the same pattern, so variants (which impossible date) take turns.
 */
export function invalidTimestamp(
  instant: Instant,
  pattern: InvalidTimestampPattern,
  occurrence = 0,
): InvalidTimestampValue {
  const p = partsOf(instant.seconds);
  const [year, month, day] = p.date.split('-');
  const hms = `${p.hh}:${p.mm}:${p.ss}`;
  switch (pattern) {
    case 'slashes':
      return `${year}/${month}/${day} ${hms}`;
    case 'epoch_number':
      return instant.seconds;
    case 'impossible_date':
      return `${year}-${IMPOSSIBLE_DATES[occurrence % IMPOSSIBLE_DATES.length]}T${hms}Z`;
    case 'basic_format':
      return `${year}${month}${day}T${p.hh}${p.mm}${p.ss}Z`;
    case 'week_date': {
      const w = isoWeek(instant.seconds);
      return `${w.year}-W${PAD2[w.week]}-${w.weekday}`;
    }
    case 'lowercase_t':
      return `${p.date}t${hms}Z`;
    case 'trailing_space':
      return `${p.date}T${hms}Z `;
    case 'empty_string':
      return '';
    case 'hour_24':
      return `${p.date}T24:00:00Z`;
    case 'epoch_string':
      return String(instant.seconds);
    case 'null':
      return null;
    case 'missing':
      return undefined;
    case 'ordinal_date': {
      const ordinal = Math.floor((instant.seconds - Date.UTC(Number(year), 0, 1) / 1000) / 86_400) + 1;
      return `${year}-${String(ordinal).padStart(3, '0')}`;
    }
    case 'leading_space':
      return ` ${p.date}T${hms}Z`;
    case 'offset_out_of_range':
      return `${p.date}T${hms}+24:00`;
    case 'minute_60':
      return `${p.date}T${p.hh}:60:00Z`;
    case 'two_digit_year':
      return `${year.slice(2)}-${month}-${day}T${hms}Z`;
    case 'english_date':
      return `${MONTHS[Number(month) - 1]} ${Number(day)}, ${year} ${hms}`;
    case 'zone_name':
      return `${p.date}T${hms} UTC`;
  }
}
