/**
 * How many rows of each messy kind a generated file holds. Counts are exact functions of the
 * number of events (round(N * rate)), never random draws, so the committed sample and any
 * reproduction of it drop exactly the same rows under the rules' stages.
 *
 * With the defaults (8934 events, JSON array) this gives 4 missing user ids + 10 invalid
 * timestamps (14 dropped by the two cleaning stages) and 170 duplicates.
 */
import type { EventsFormat } from '../../shared/pipeline';
import type { Rng } from './prng';

/** Rates per event. Chosen so that N = 8934 gives the sample's documented counts. */
export const INJECTION_RATES = {
  /** Stage 1 (docs/rules.md "Stages"): user_id absent, null, "" or blank. */
  missingUserId: 0.00045,
  /** Stage 2 (docs/rules.md "Stages"): a timestamp that is not a valid ISO 8601 date-time. */
  invalidTimestamp: 0.0011,
  /** Stage 3 (docs/rules.md "Stages"): the same (user_id, event_type, timestamp, value) as an earlier kept event. */
  duplicate: 0.019,
  /** Looks like a duplicate but is not one under the rules (e.g. `Z` vs `+00:00`). */
  nearDuplicate: 0.001,
  /** Stage 0 (docs/rules.md "Stages"), newline-delimited files only: a line that is not a JSON object. */
  malformedRecord: 0.0005,
  /** Newline-delimited files only: blank lines, skipped and not counted as rows. */
  blankLine: 0.0005,
} as const;

/** Exact counts of injected rows for one file. */
export interface InjectionPlan {
  events: number;
  missingUserId: number;
  invalidTimestamp: number;
  duplicate: number;
  nearDuplicate: number;
  malformedRecord: number;
  blankLine: number;
  /** Events drawn fresh from the timeline (everything that is not injected or a near-duplicate). */
  natural: number;
}

/** The exact counts for `events` rows in `format` (malformed and blank lines only in ndjson). */
export function planInjections(events: number, format: EventsFormat): InjectionPlan {
  const count = (rate: number) => Math.round(events * rate);
  const ndjson = format === 'ndjson';
  const plan = {
    events,
    missingUserId: count(INJECTION_RATES.missingUserId),
    invalidTimestamp: count(INJECTION_RATES.invalidTimestamp),
    duplicate: count(INJECTION_RATES.duplicate),
    nearDuplicate: count(INJECTION_RATES.nearDuplicate),
    malformedRecord: ndjson ? count(INJECTION_RATES.malformedRecord) : 0,
    blankLine: ndjson ? count(INJECTION_RATES.blankLine) : 0,
    natural: 0,
  };
  const injected = () =>
    plan.missingUserId + plan.invalidTimestamp + plan.duplicate + plan.nearDuplicate + plan.malformedRecord;
  // Tiny files: keep at least one natural event so duplicates have something to copy.
  if (events > 0 && injected() >= events) {
    plan.missingUserId = plan.invalidTimestamp = plan.duplicate = plan.nearDuplicate = plan.malformedRecord = 0;
  }
  plan.natural = events - injected();
  return plan;
}

/** The kinds of row a position in the events file can hold. */
export type RowKind =
  'natural' | 'missingUserId' | 'invalidTimestamp' | 'duplicate' | 'nearDuplicate' | 'malformedRecord';

type InjectedKind = 'missingUserId' | 'invalidTimestamp' | 'duplicate' | 'nearDuplicate' | 'malformedRecord';

/**
 * Hands out categories position by position so that each ends with exactly its count and
 * they are spread uniformly over the positions (selection sampling, Knuth's Algorithm S,
 * over several categories at once). Positions not given a category get `fallback`. O(1) memory.
 */
export class ExactMix<K extends string, F extends string> {
  private slotsLeft: number;
  private readonly kinds: K[];
  private readonly left: number[];
  private readonly fallback: F;

  constructor(counts: Record<K, number>, slots: number, fallback: F) {
    this.kinds = Object.keys(counts) as K[];
    this.left = this.kinds.map((k) => counts[k]);
    this.slotsLeft = slots;
    this.fallback = fallback;
  }

  /** The category of the next position. Call exactly `slots` times. */
  next(rng: Rng): K | F {
    const slots = this.slotsLeft--;
    let x = rng.next() * slots;
    for (let i = 0; i < this.kinds.length; i++) {
      if (x < this.left[i]) {
        this.left[i]--;
        return this.kinds[i];
      }
      x -= this.left[i];
    }
    return this.fallback;
  }
}

/** Which kind each row of the events file is; the first row is always natural. */
export class RowKindSequencer {
  private readonly mix: ExactMix<InjectedKind, 'natural'>;
  private first = true;

  constructor(plan: InjectionPlan) {
    // The first row is natural (so duplicates always have a source): the mix covers the rest.
    this.mix = new ExactMix(
      {
        missingUserId: plan.missingUserId,
        invalidTimestamp: plan.invalidTimestamp,
        duplicate: plan.duplicate,
        nearDuplicate: plan.nearDuplicate,
        malformedRecord: plan.malformedRecord,
      },
      Math.max(0, plan.events - (plan.natural > 0 ? 1 : 0)),
      'natural',
    );
    if (plan.natural === 0) this.first = false;
  }

  /** The kind of the next row. Call exactly `plan.events` times. */
  next(rng: Rng): RowKind {
    if (this.first) {
      this.first = false;
      return 'natural';
    }
    return this.mix.next(rng);
  }
}

/** Chooses exactly `count` of `slots` positions, uniformly, one decision per position. */
export class ExactSelector {
  private slotsLeft: number;
  private left: number;

  constructor(count: number, slots: number) {
    this.left = Math.min(count, slots);
    this.slotsLeft = slots;
  }

  /** Whether the current position is one of the chosen. Call exactly `slots` times. */
  take(rng: Rng): boolean {
    const slots = this.slotsLeft--;
    if (this.left > 0 && rng.next() * slots < this.left) {
      this.left--;
      return true;
    }
    return false;
  }
}
