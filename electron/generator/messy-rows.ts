/**
 * The injected rows: each one exercises a rule of docs/rules.md and is dropped (or, for
 * near-duplicates, deliberately kept) by exactly the stage the generator intends.
 */
import { effectiveValue, serializeEvent, type EventRecord } from './event-record';
import { EVENT_TYPE_NAMES, otherMetadata } from './event-bodies';
import type { Rng } from './prng';

/** Stage 1 (docs/rules.md "Stages") patterns, in injection order (the k-th row uses pattern k mod length). */
export const MISSING_USER_ID_PATTERNS = [
  'absent',
  'null',
  'empty_string',
  'spaces',
  'not_an_object',
  'tab_newline',
] as const;
export type MissingUserIdPattern = (typeof MISSING_USER_ID_PATTERNS)[number];

/**
 * A row without a usable user id. `not_an_object` (a bare `null` array element, which the
 * rules read as an event with no fields) only exists in JSON arrays: in newline-delimited
 * files such a line would be a malformed record instead, so it becomes blank white space there.
 */
export function missingUserIdRow(
  base: EventRecord,
  pattern: MissingUserIdPattern,
  jsonArray: boolean,
): { text: string; pattern: MissingUserIdPattern } {
  switch (pattern) {
    case 'absent':
      return { text: serializeEvent({ ...base, userId: undefined }), pattern };
    case 'null':
      return { text: serializeEvent({ ...base, userId: null }), pattern };
    case 'empty_string':
      return { text: serializeEvent({ ...base, userId: '' }), pattern };
    case 'spaces':
      return { text: serializeEvent({ ...base, userId: '   ' }), pattern };
    case 'not_an_object':
      if (jsonArray) return { text: 'null', pattern };
      return { text: serializeEvent({ ...base, userId: '\t\n ' }), pattern: 'tab_newline' };
    case 'tab_newline':
      return { text: serializeEvent({ ...base, userId: '\t\n ' }), pattern };
  }
}

/** Stage 0 (docs/rules.md "Stages") patterns for newline-delimited files: lines that are not a JSON object. */
export const MALFORMED_PATTERNS = [
  'truncated_json',
  'not_json',
  'json_array',
  'trailing_comma',
  'json_string',
  'json_null',
] as const;
export type MalformedPattern = (typeof MALFORMED_PATTERNS)[number];

/** A line that is not a JSON object, built around a plausible event. */
export function malformedLine(base: EventRecord, pattern: MalformedPattern, rng: Rng): string {
  const json = serializeEvent(base);
  switch (pattern) {
    case 'truncated_json':
      return json.slice(0, rng.int(10, Math.max(11, json.length - 5)));
    case 'not_json':
      return rng.pick(['not json', 'ERROR: upstream timeout', '<html><body>502 Bad Gateway</body></html>']);
    case 'json_array':
      return JSON.stringify([base.userId ?? null, base.eventType ?? null, base.timestamp ?? null]);
    case 'trailing_comma':
      return `${json.slice(0, -1)},}`;
    case 'json_string':
      return JSON.stringify(json);
    case 'json_null':
      return 'null';
  }
}

/**
 * Ways to write a duplicate so that it still matches under the rules ("Deduplication":
 * trimmed user_id, event_type, the timestamp text, value as float64).
 */
export type DuplicateVariant =
  'exact_copy' | 'other_metadata' | 'metadata_dropped' | 'value_respelled' | 'user_id_respelled' | 'extra_field';

const DUPLICATE_VARIANTS: readonly (readonly [DuplicateVariant, number])[] = [
  ['exact_copy', 40],
  ['other_metadata', 20],
  ['metadata_dropped', 10],
  ['value_respelled', 15],
  ['user_id_respelled', 10],
  ['extra_field', 5],
];

/** One duplicate variant, by the weights above. */
export function pickDuplicateVariant(rng: Rng): DuplicateVariant {
  let x = rng.next() * 100;
  for (const [v, w] of DUPLICATE_VARIANTS) {
    if (x < w) return v;
    x -= w;
  }
  return 'exact_copy';
}

/** The same value written differently: `3` as `3.0`, `12.5` as `"12.50"`, a string as a number. */
function respellValue(valueText: string | undefined): string | undefined {
  const v = effectiveValue(valueText);
  if (v === null) return undefined;
  if (valueText !== undefined && valueText.startsWith('"')) return String(v);
  if (Number.isInteger(v)) return `${v}.0`;
  return `"${v.toFixed(2)}"`;
}

function respellUserId(userId: string | number): string | number {
  if (typeof userId === 'number') return String(userId);
  const trimmed = userId.trim();
  if (/^\d+$/.test(trimmed)) return trimmed === userId ? Number(trimmed) : trimmed;
  return trimmed === userId ? `  ${trimmed} ` : trimmed;
}

/** A duplicate of `source` (an earlier, valid, kept event) written in `variant`. */
export function duplicateRow(
  source: EventRecord,
  requested: DuplicateVariant,
  rng: Rng,
): { text: string; variant: DuplicateVariant } {
  let variant = requested;
  let copy: EventRecord = { ...source };
  switch (variant) {
    case 'exact_copy':
      break;
    case 'other_metadata':
      copy.metadata = otherMetadata(source.eventType, rng);
      break;
    case 'metadata_dropped':
      copy.metadata = rng.chance(0.5) ? undefined : null;
      break;
    case 'value_respelled': {
      const respelled = respellValue(source.valueText);
      if (respelled === undefined) variant = 'exact_copy';
      else copy.valueText = respelled;
      break;
    }
    case 'user_id_respelled':
      copy.userId = respellUserId(source.userId as string | number);
      break;
    case 'extra_field':
      copy = { ...copy, extraText: '"retry":true' };
      break;
  }
  return { text: serializeEvent(copy), variant };
}

/** Rows that look like a duplicate but are not one under the rules. */
export type NearDuplicateVariant = 'zulu_as_offset' | 'value_changed' | 'event_type_changed';

/**
 * A near-duplicate of `source`, whose timestamp is in the canonical `...Z` form (so no other
 * event shares it): same event with `+00:00` instead of `Z` (a different string, so not a
 * duplicate), a value one cent off, or another event type.
 */
export function nearDuplicateRow(source: EventRecord, rng: Rng): { text: string; variant: NearDuplicateVariant } {
  const variant = rng.pick<NearDuplicateVariant>([
    'zulu_as_offset',
    'zulu_as_offset',
    'value_changed',
    'event_type_changed',
  ]);
  const copy: EventRecord = { ...source };
  switch (variant) {
    case 'zulu_as_offset':
      copy.timestamp = `${(source.timestamp as string).slice(0, -1)}+00:00`;
      break;
    case 'value_changed': {
      const v = effectiveValue(source.valueText);
      copy.valueText = v === null ? '1' : String(Math.round(v * 100 + 1) / 100);
      break;
    }
    case 'event_type_changed':
      copy.eventType = rng.pick(EVENT_TYPE_NAMES.filter((t) => t !== source.eventType));
      break;
  }
  return { text: serializeEvent(copy), variant };
}
