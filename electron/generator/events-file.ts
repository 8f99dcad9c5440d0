/**
 * Writes the events file row by row: natural events from the timeline, and the injected
 * messy rows in their exact planned numbers. Nothing is kept but a small ring of recent
 * natural events (the sources of duplicates), so the size of the file is not limited by memory.
 */
import type { EventsFormat } from '../../shared/pipeline';
import type { ChunkedWriter } from './chunked-writer';
import { BodyDrawer, drawUser, type MetadataKind, type UserIdForm, type ValueKind } from './event-bodies';
import { effectiveValue, serializeEvent, type EventRecord } from './event-record';
import { EventTimeline } from './event-timeline';
import { ExactSelector, planInjections, RowKindSequencer, type InjectionPlan } from './injection-plan';
import {
  duplicateRow,
  malformedLine,
  MALFORMED_PATTERNS,
  MISSING_USER_ID_PATTERNS,
  missingUserIdRow,
  nearDuplicateRow,
  pickDuplicateVariant,
  type DuplicateVariant,
  type MalformedPattern,
  type MissingUserIdPattern,
  type NearDuplicateVariant,
} from './messy-rows';
import { Rng } from './prng';
import {
  INVALID_TIMESTAMP_PATTERNS,
  invalidTimestamp,
  LOSSY_FORMS,
  VALID_FORM_TABLE,
  validTimestamp,
  type InvalidTimestampPattern,
  type ValidTimestampForm,
} from './timestamp-forms';
import type { UserPool } from './users-csv';

/** How many recent natural events duplicates may copy. */
export const DUPLICATE_WINDOW = 256;

/** What went into the events file, by category: the numbers a test or a reader can check. */
export interface EventsSummary {
  format: EventsFormat;
  /** Array elements, or non-blank lines: the extract stage's `rows_in`. */
  events: number;
  plan: InjectionPlan;
  missingUserId: Partial<Record<MissingUserIdPattern, number>>;
  invalidTimestamp: Partial<Record<InvalidTimestampPattern, number>>;
  duplicate: Partial<Record<DuplicateVariant, number>>;
  nearDuplicate: Partial<Record<NearDuplicateVariant, number>>;
  malformedRecord: Partial<Record<MalformedPattern, number>>;
  blankLines: number;
  /** Natural events (valid, unique): how their fields are spelled. */
  natural: {
    count: number;
    unknownUser: number;
    nonUsUser: number;
    userIdForms: Partial<Record<UserIdForm, number>>;
    timestampForms: Partial<Record<ValidTimestampForm, number>>;
    valueKinds: Partial<Record<ValueKind, number>>;
    metadataKinds: Partial<Record<MetadataKind, number>>;
    eventTypeNull: number;
    eventTypeAbsent: number;
    extraField: number;
  };
}

interface RingEntry {
  record: EventRecord;
  /** Timestamp in the canonical `...Z` form, unique to this event. */
  canonical: boolean;
  nearDuplicated: boolean;
}

function bump<K extends string>(counts: Partial<Record<K, number>>, key: K): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

const BLANK_LINES = ['', '   ', '\t', ' \t '];

/** Writes `events` rows in `format` to `out` and returns what went in. */
export function writeEventsFile(
  out: ChunkedWriter,
  options: { events: number; format: EventsFormat; seed: number; eol: string; bom: boolean },
  pool: UserPool,
): EventsSummary {
  const { events, format, eol } = options;
  const rng = new Rng(options.seed, 'events');
  const plan = planInjections(events, format);
  const kinds = new RowKindSequencer(plan);
  const blanks = new ExactSelector(plan.blankLine, events);
  const timeline = new EventTimeline(plan.natural);
  const withMillis = timeline.millisecondUnit;
  const jsonArray = format === 'json';
  const bodies = new BodyDrawer();

  const summary: EventsSummary = {
    format,
    events,
    plan,
    missingUserId: {},
    invalidTimestamp: {},
    duplicate: {},
    nearDuplicate: {},
    malformedRecord: {},
    blankLines: 0,
    natural: {
      count: 0,
      unknownUser: 0,
      nonUsUser: 0,
      userIdForms: {},
      timestampForms: {},
      valueKinds: {},
      metadataKinds: {},
      eventTypeNull: 0,
      eventTypeAbsent: 0,
      extraField: 0,
    },
  };

  const ring: RingEntry[] = [];
  let ringNext = 0;
  // Texts of lossy timestamps (minutes only, date only) used today, with the rest of the
  // dedup key: a repeat would be an accidental duplicate, so that event is written in full.
  let lossyDay = -1;
  const lossyKeys = new Set<string>();
  let missingIndex = 0;
  let invalidIndex = 0;
  let malformedIndex = 0;

  const naturalEvent = (): RingEntry => {
    const instant = timeline.next(rng);
    const user = drawUser(pool, rng);
    const body = bodies.draw(rng);
    let form = VALID_FORM_TABLE.sample(rng);
    let timestamp = validTimestamp(instant, withMillis, form, rng);
    const record: EventRecord = {
      userId: user.written,
      eventType: body.eventType,
      timestamp,
      valueText: body.valueText,
      metadata: body.metadata,
    };
    const typeRoll = rng.next();
    if (typeRoll < 0.003) {
      record.eventType = null;
      summary.natural.eventTypeNull++;
    } else if (typeRoll < 0.005) {
      record.eventType = undefined;
      summary.natural.eventTypeAbsent++;
    }
    if (rng.chance(0.02)) {
      record.extraText = `"session_id":"s-${rng.nextUint32().toString(16).padStart(8, '0')}"`;
      summary.natural.extraField++;
    }
    if (LOSSY_FORMS.has(form)) {
      const day = Math.floor(instant.seconds / 86_400);
      if (day !== lossyDay) {
        lossyDay = day;
        lossyKeys.clear();
      }
      const key = `${timestamp}|${user.key}|${record.eventType ?? ''}|${effectiveValue(record.valueText)}`;
      if (lossyKeys.has(key)) {
        form = 'canonical';
        timestamp = validTimestamp(instant, withMillis, form, rng);
        record.timestamp = timestamp;
      } else {
        lossyKeys.add(key);
      }
    }
    const n = summary.natural;
    n.count++;
    if (!user.known) n.unknownUser++;
    else if (!user.us) n.nonUsUser++;
    bump(n.userIdForms, user.form);
    bump(n.timestampForms, form);
    bump(n.valueKinds, body.valueKind);
    bump(n.metadataKinds, body.metadataKind);
    return { record, canonical: form === 'canonical', nearDuplicated: false };
  };

  /** A plausible event at the current point of the timeline (for rows that will be dropped). */
  const baseEvent = (): EventRecord => {
    const body = bodies.draw(rng);
    return {
      userId: drawUser(pool, rng).written,
      eventType: body.eventType,
      timestamp: validTimestamp(timeline.current(), withMillis, 'canonical', rng),
      valueText: body.valueText,
      metadata: body.metadata,
    };
  };

  const remember = (entry: RingEntry) => {
    if (ring.length < DUPLICATE_WINDOW) ring.push(entry);
    else ring[ringNext] = entry;
    ringNext = (ringNext + 1) % DUPLICATE_WINDOW;
  };

  const nearDuplicateSource = (): RingEntry | undefined => {
    for (let tries = 0; tries < 16; tries++) {
      const e = rng.pick(ring);
      if (e.canonical && !e.nearDuplicated) return e;
    }
    return ring.find((e) => e.canonical && !e.nearDuplicated);
  };

  const rowText = (): string => {
    const kind = kinds.next(rng);
    switch (kind) {
      case 'natural': {
        const entry = naturalEvent();
        remember(entry);
        return serializeEvent(entry.record);
      }
      case 'missingUserId': {
        const row = missingUserIdRow(
          baseEvent(),
          MISSING_USER_ID_PATTERNS[missingIndex++ % MISSING_USER_ID_PATTERNS.length],
          jsonArray,
        );
        bump(summary.missingUserId, row.pattern);
        return row.text;
      }
      case 'invalidTimestamp': {
        const pattern = INVALID_TIMESTAMP_PATTERNS[invalidIndex % INVALID_TIMESTAMP_PATTERNS.length];
        const occurrence = Math.floor(invalidIndex++ / INVALID_TIMESTAMP_PATTERNS.length);
        const base = baseEvent();
        // A known, non-blank user id, so the row reaches the timestamp stage.
        const user = drawUser(pool, rng);
        base.userId = user.written;
        base.timestamp = invalidTimestamp(timeline.current(), pattern, occurrence);
        bump(summary.invalidTimestamp, pattern);
        return serializeEvent(base);
      }
      case 'duplicate': {
        const variant = pickDuplicateVariant(rng);
        let source = rng.pick(ring).record;
        if (variant === 'value_respelled' && (summary.duplicate.value_respelled ?? 0) % 2 === 0) {
          // Every other one copies a whole-number value, so `3` reappears as `3.0`.
          source = ring.find((e) => /^\d+$/.test(e.record.valueText ?? ''))?.record ?? source;
        }
        const row = duplicateRow(source, variant, rng);
        bump(summary.duplicate, row.variant);
        return row.text;
      }
      case 'nearDuplicate': {
        const source = nearDuplicateSource();
        if (!source) {
          // No suitable source in the window (only in tiny files): a plain natural event.
          const entry = naturalEvent();
          remember(entry);
          return serializeEvent(entry.record);
        }
        source.nearDuplicated = true;
        const row = nearDuplicateRow(source.record, rng);
        bump(summary.nearDuplicate, row.variant);
        return row.text;
      }
      case 'malformedRecord': {
        const pattern = MALFORMED_PATTERNS[malformedIndex++ % MALFORMED_PATTERNS.length];
        bump(summary.malformedRecord, pattern);
        return malformedLine(baseEvent(), pattern, rng);
      }
    }
  };

  if (options.bom) out.write('\uFEFF');
  if (jsonArray) {
    if (events === 0) {
      out.write(`[]${eol}`);
      return summary;
    }
    out.write(`[${eol}`);
    for (let i = 0; i < events; i++) {
      const text = rowText();
      out.write(i === 0 ? text : `,${eol}${text}`);
    }
    out.write(`${eol}]${eol}`);
  } else {
    for (let i = 0; i < events; i++) {
      if (blanks.take(rng)) {
        out.write(rng.pick(BLANK_LINES) + eol);
        summary.blankLines++;
      }
      out.write(rowText() + eol);
    }
  }
  return summary;
}
