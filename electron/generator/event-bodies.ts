/**
 * The realistic part of an event: who (user id and how it is spelled), what (event type,
 * page, device) and how much (value). Shared by natural and injected rows.
 */
import type { EventMetadata } from './event-record';
import { WeightedTable, type Rng } from './prng';
import type { UserPool } from './users-csv';
import { UNKNOWN_USER_SHARE } from './users-csv';

/** Event types and how common they are. */
export const EVENT_TYPES = new WeightedTable<string>([
  ['login', 20],
  ['view_benefits', 22],
  ['view_plan', 14],
  ['logout', 15],
  ['claim_submitted', 8],
  ['download_document', 8],
  ['enroll', 6],
  ['update_profile', 4],
  ['contact_support', 3],
]);

/** Every event type the generator writes (for near-duplicates that change the type). */
export const EVENT_TYPE_NAMES = [
  'login',
  'view_benefits',
  'view_plan',
  'logout',
  'claim_submitted',
  'download_document',
  'enroll',
  'update_profile',
  'contact_support',
];

const PAGES: Record<string, readonly string[]> = {
  login: ['/login'],
  logout: ['/logout', '/home'],
  view_benefits: [
    '/benefits/medical',
    '/benefits/dental',
    '/benefits/vision',
    '/benefits/hsa',
    '/benefits/401k',
    '/benefits/life',
    '/benefits/wellness',
  ],
  view_plan: ['/plans/compare', '/plans/ppo-gold', '/plans/hmo-select', '/plans/hdhp-saver'],
  enroll: ['/benefits/medical/enroll', '/benefits/dental/enroll', '/benefits/vision/enroll', '/benefits/hsa/enroll'],
  claim_submitted: ['/claims/new'],
  download_document: [
    '/documents/summary-plan-description.pdf',
    '/documents/eob-2025.pdf',
    '/documents/id-card.pdf',
    '/documents/hsa-statement.pdf',
  ],
  update_profile: ['/profile', '/profile/dependents', '/profile/beneficiaries'],
  contact_support: ['/support', '/support/chat'],
};

/** Per event type: how often value is null, and its range in dollars or seconds. */
const VALUE_SHAPE: Record<string, { nullShare: number; min: number; max: number }> = {
  login: { nullShare: 0.85, min: 0, max: 10 },
  logout: { nullShare: 0.85, min: 0, max: 10 },
  view_benefits: { nullShare: 0.35, min: 0, max: 500 },
  view_plan: { nullShare: 0.35, min: 0, max: 500 },
  enroll: { nullShare: 0.1, min: 20, max: 450 },
  claim_submitted: { nullShare: 0.05, min: 15, max: 500 },
  download_document: { nullShare: 0.7, min: 0, max: 50 },
  update_profile: { nullShare: 0.9, min: 0, max: 10 },
  contact_support: { nullShare: 0.8, min: 0, max: 60 },
};

const DEVICES = new WeightedTable<string>([
  ['desktop', 55],
  ['mobile', 35],
  ['tablet', 10],
]);

/** How `metadata` is written: mostly whole, sometimes missing, null or short of a key. */
export type MetadataKind = 'full' | 'absent' | 'null' | 'no_device' | 'no_page' | 'null_device';
const METADATA_KINDS = new WeightedTable<MetadataKind>([
  ['full', 964],
  ['absent', 10],
  ['null', 7],
  ['no_device', 8],
  ['no_page', 8],
  ['null_device', 3],
]);

/** How `value` is written (docs/rules.md "Events"): numbers, decimal strings, bad values, null. */
export type ValueKind =
  | 'number'
  | 'null'
  | 'absent'
  | 'string_two_decimals'
  | 'string_negative_integer'
  | 'string_leading_dot'
  | 'string_trailing_dot'
  | 'string_integer'
  | 'bad_text'
  | 'bad_boolean'
  | 'bad_object'
  | 'bad_exponent'
  | 'bad_empty'
  | 'bad_padded';

const NUMERIC_VALUE_KINDS = new WeightedTable<ValueKind>([
  ['number', 9790],
  ['string_two_decimals', 50],
  ['string_negative_integer', 20],
  ['string_leading_dot', 15],
  ['string_trailing_dot', 15],
  ['string_integer', 20],
  ['bad_text', 25],
  ['bad_boolean', 15],
  ['bad_object', 10],
  ['bad_exponent', 15],
  ['bad_empty', 10],
  ['bad_padded', 15],
]);

const BAD_TEXTS = ['"n/a"', '"N/A"', '"unknown"', '"12,50"', '"$25.00"'];

/** The parts of an event other than user id and timestamp. */
export interface EventBody {
  eventType: string;
  valueText: string | undefined;
  valueKind: ValueKind;
  metadata: EventMetadata | null | undefined;
  metadataKind: MetadataKind;
}

/** `n`-th of a list, cycling: rare patterns take turns instead of being left to chance. */
function nth<T>(items: readonly T[], n: number): T {
  return items[n % items.length];
}

function valueTextOf(kind: ValueKind, cents: number, rng: Rng, n: number): string | undefined {
  const whole = Math.floor(cents / 100);
  switch (kind) {
    case 'number':
      return String(cents / 100);
    case 'null':
      return 'null';
    case 'absent':
      return undefined;
    case 'string_two_decimals':
      return `"${(cents / 100).toFixed(2)}"`;
    case 'string_negative_integer':
      return `"-${Math.max(1, whole % 50)}"`;
    case 'string_leading_dot':
      return `".${rng.int(1, 99)}"`;
    case 'string_trailing_dot':
      return `"${whole}."`;
    case 'string_integer':
      return `"${whole}"`;
    case 'bad_text':
      return nth(BAD_TEXTS, n);
    case 'bad_boolean':
      return nth(['true', 'false'], n);
    case 'bad_object':
      return nth(['{"x":1}', `{"amount":${cents / 100}}`], n);
    case 'bad_exponent':
      return nth(['"1e3"', '"2.5E2"', '"1e-2"'], n);
    case 'bad_empty':
      return '""';
    case 'bad_padded':
      return `" ${(cents / 100).toFixed(2)}"`;
  }
}

/**
 * Draws the event type, page, device and value of events. Keeps a count per value kind so
 * that the spellings of a rare kind (`"1e3"`, `"2.5E2"`...) take turns rather than being left
 * to chance: a small file then still shows each of them.
 */
export class BodyDrawer {
  private readonly seen = new Map<ValueKind, number>();

  /** The body of one event. */
  draw(rng: Rng): EventBody {
    const eventType = EVENT_TYPES.sample(rng);
    const shape = VALUE_SHAPE[eventType];
    let valueKind: ValueKind;
    if (rng.chance(shape.nullShare)) valueKind = rng.chance(0.02) ? 'absent' : 'null';
    else valueKind = NUMERIC_VALUE_KINDS.sample(rng);
    let cents = rng.int(shape.min * 100, shape.max * 100);
    // Premiums and claim amounts are often whole dollars.
    if (rng.chance(0.1)) cents -= cents % 100;
    let valueText: string | undefined;
    if (valueKind === 'number') valueText = String(cents / 100);
    else {
      const n = this.seen.get(valueKind) ?? 0;
      this.seen.set(valueKind, n + 1);
      valueText = valueTextOf(valueKind, cents, rng, n);
    }
    const metadataKind = METADATA_KINDS.sample(rng);
    return { eventType, valueKind, valueText, metadata: drawMetadata(eventType, metadataKind, rng), metadataKind };
  }
}

function drawMetadata(eventType: string, metadataKind: MetadataKind, rng: Rng): EventMetadata | null | undefined {
  const device = DEVICES.sample(rng);
  const page = rng.pick(PAGES[eventType]);
  let metadata: EventMetadata | null | undefined;
  switch (metadataKind) {
    case 'full':
      metadata = { device, page };
      break;
    case 'absent':
      metadata = undefined;
      break;
    case 'null':
      metadata = null;
      break;
    case 'no_device':
      metadata = { page };
      break;
    case 'no_page':
      metadata = { device };
      break;
    case 'null_device':
      metadata = { device: null, page };
      break;
  }
  return metadata;
}

/** A different device and page for the same event type (duplicates with other metadata). */
export function otherMetadata(eventType: string | null | undefined, rng: Rng): EventMetadata {
  const pages = PAGES[eventType ?? ''] ?? PAGES.view_benefits;
  return { device: DEVICES.sample(rng), page: rng.pick(pages) };
}

/** How a user id is spelled in an event. */
export type UserIdForm = 'plain' | 'padded' | 'numeric_number' | 'numeric_string' | 'numeric_padded' | 'unknown';

/** A chosen user: the trimmed id, how it is written, and whether it is known and in the US. */
export interface DrawnUser {
  key: string;
  written: string | number;
  form: UserIdForm;
  known: boolean;
  us: boolean;
}

/** Picks a user (a few heavy users, ~3% unknown ids) and a spelling of the id. */
export function drawUser(pool: UserPool, rng: Rng): DrawnUser {
  if (pool.ids.length === 0 || rng.chance(UNKNOWN_USER_SHARE)) {
    const n = pool.ids.length + 1 + rng.int(0, pool.unknownRange - 1);
    const key = `u${String(n).padStart(pool.idWidth, '0')}`;
    return { key, written: key, form: 'unknown', known: false, us: false };
  }
  const cum = pool.cumulativeActivity;
  const x = rng.next() * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  const key = pool.ids[lo];
  const us = pool.us[lo] === 1;
  if (pool.numeric[lo]) {
    const r = rng.next();
    if (r < 0.5) return { key, written: Number(key), form: 'numeric_number', known: true, us };
    if (r < 0.8) return { key, written: key, form: 'numeric_string', known: true, us };
    return { key, written: ` ${key} `, form: 'numeric_padded', known: true, us };
  }
  if (rng.chance(0.01)) return { key, written: `  ${key} `, form: 'padded', known: true, us };
  return { key, written: key, form: 'plain', known: true, us };
}
