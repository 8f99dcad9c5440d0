/**
 * The instants of the natural events: spread over 2025 with more traffic on weekdays, in US
 * business hours and during open enrolment (November), and strictly increasing, so no two
 * natural events ever share a timestamp and random generation never makes an accidental
 * duplicate (docs/rules.md "Deduplication"). O(1) memory per event; one table of 8760 hours.
 */
import type { Rng } from './prng';

/** 2025-01-01T00:00:00Z in seconds. */
export const TIMELINE_START_S = Date.UTC(2025, 0, 1) / 1000;
const HOURS_IN_2025 = 365 * 24;

/**
 * Above this many natural events the timeline counts milliseconds instead of seconds
 * (every timestamp then carries a `.mmm` fraction), so instants stay unique within 2025.
 */
export const MILLISECOND_THRESHOLD = 12_000_000;

/** Relative traffic by UTC hour: US working hours are roughly 13:00-01:00 UTC. */
const HOUR_WEIGHTS = [
  0.9, 0.7, 0.5, 0.35, 0.3, 0.3, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 1.0, 1.25, 1.45, 1.55, 1.6, 1.6, 1.55, 1.5, 1.4,
  1.3, 1.2, 1.05,
];

function hourWeight(hourIndex: number): number {
  const ms = (TIMELINE_START_S + hourIndex * 3600) * 1000;
  const date = new Date(ms);
  const weekday = date.getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? 0.45 : 1;
  const month = date.getUTCMonth();
  const season = month === 10 ? 1.6 : month === 0 ? 1.25 : 1;
  return HOUR_WEIGHTS[date.getUTCHours()] * weekend * season;
}

let cachedCumulative: Float64Array | null = null;

function cumulativeWeights(): Float64Array {
  if (cachedCumulative) return cachedCumulative;
  const cum = new Float64Array(HOURS_IN_2025 + 1);
  for (let h = 0; h < HOURS_IN_2025; h++) cum[h + 1] = cum[h] + hourWeight(h);
  cachedCumulative = cum;
  return cum;
}

/** One instant: whole seconds since the epoch, plus milliseconds when the timeline needs them. */
export interface Instant {
  seconds: number;
  /** 0-999; always 0 unless the timeline counts milliseconds. */
  millis: number;
}

/**
 * Yields `count` strictly increasing instants by stratified sampling of the yearly traffic
 * curve: the i-th instant falls in the i-th 1/count slice of the year's traffic.
 */
export class EventTimeline {
  /** Whether instants carry milliseconds (see MILLISECOND_THRESHOLD). */
  readonly millisecondUnit: boolean;
  private readonly count: number;
  private readonly cum: Float64Array;
  private readonly unitsPerSecond: number;
  private index = 0;
  private hour = 0;
  private lastUnit = -1;
  private lastInstant: Instant = { seconds: TIMELINE_START_S, millis: 0 };

  constructor(count: number) {
    this.count = Math.max(1, count);
    this.millisecondUnit = count > MILLISECOND_THRESHOLD;
    this.unitsPerSecond = this.millisecondUnit ? 1000 : 1;
    this.cum = cumulativeWeights();
  }

  /** The next instant. Calling it more than `count` times keeps going, still increasing. */
  next(rng: Rng): Instant {
    const cum = this.cum;
    const total = cum[HOURS_IN_2025];
    const p = Math.min((this.index + rng.next()) / this.count, 0.999999999);
    this.index++;
    const target = p * total;
    while (this.hour < HOURS_IN_2025 - 1 && cum[this.hour + 1] <= target) this.hour++;
    const within = (target - cum[this.hour]) / (cum[this.hour + 1] - cum[this.hour]);
    let unit = Math.floor((this.hour + within) * 3600 * this.unitsPerSecond);
    if (unit <= this.lastUnit) unit = this.lastUnit + 1;
    this.lastUnit = unit;
    const seconds = TIMELINE_START_S + Math.floor(unit / this.unitsPerSecond);
    const millis = this.millisecondUnit ? unit % 1000 : 0;
    this.lastInstant = { seconds, millis };
    return this.lastInstant;
  }

  /** The most recent instant (the timeline's start before the first call). */
  current(): Instant {
    return this.lastInstant;
  }
}
