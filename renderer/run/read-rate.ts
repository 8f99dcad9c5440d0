/**
 * Reading speed and time left while the events file is read, from the samples the `bytes-read`
 * events carry (bytes and rows at a moment of the run). Pure: the same samples always give the
 * same estimate. The rate is taken over the last few seconds, so it follows a run that speeds up
 * or slows down instead of averaging over its whole past.
 */

/** Bytes and rows read at `ms` milliseconds into the run. */
export interface ReadSample {
  ms: number;
  bytes: number;
  rows: number;
}

export interface ReadRate {
  bytesPerSec: number;
  rowsPerSec: number;
  /** Milliseconds left to read the rest of the file at this rate. */
  etaMs: number;
}

/** The rate is measured over about this much of the latest run time. */
export const RATE_WINDOW_MS = 3000;
/** Samples kept by the run state: enough to span the window at the service's pace (~20/s). */
export const MAX_SAMPLES = 80;
/** Shorter spans give rates too noisy to show. */
const MIN_SPAN_MS = 200;

/** Adds a sample, keeping the list short and ordered; a sample with no new time replaces none. */
export function addSample(samples: readonly ReadSample[], sample: ReadSample): ReadSample[] {
  const last = samples[samples.length - 1];
  // The service repeats the last position as a heartbeat: same time, nothing new to learn.
  if (last && sample.ms <= last.ms) return samples as ReadSample[];
  const next = [...samples, sample];
  return next.length > MAX_SAMPLES ? next.slice(next.length - MAX_SAMPLES) : next;
}

/**
 * Rates over the latest window, and the time left to read `totalBytes`. Null until the samples
 * span enough time with some bytes read (the first moments of a run say nothing yet).
 */
export function readRate(samples: readonly ReadSample[], totalBytes: number): ReadRate | null {
  if (samples.length < 2) return null;
  const last = samples[samples.length - 1];
  // The earliest sample still inside the window (but always one before the last).
  let first = samples[samples.length - 2];
  for (let i = samples.length - 2; i >= 0 && last.ms - samples[i].ms <= RATE_WINDOW_MS; i--) first = samples[i];
  const spanMs = last.ms - first.ms;
  const bytes = last.bytes - first.bytes;
  if (spanMs < MIN_SPAN_MS || bytes <= 0) return null;
  const bytesPerSec = (bytes / spanMs) * 1000;
  const rowsPerSec = (Math.max(0, last.rows - first.rows) / spanMs) * 1000;
  const etaMs = (Math.max(0, totalBytes - last.bytes) / bytesPerSec) * 1000;
  return { bytesPerSec, rowsPerSec, etaMs };
}

/**
 * Time left in a group of counted steps (a spilled run's dedup passes, its chunks, ...), at
 * the pace of its steps so far: they are alike in size, and each can take longer than the
 * reading rate's window. Null before the first step is done.
 */
export function stepsTimeLeft(steps: { done: number; total: number; elapsedMs: number }): number | null {
  if (steps.done <= 0 || steps.elapsedMs <= 0) return null;
  return (Math.max(0, steps.total - steps.done) * steps.elapsedMs) / steps.done;
}

/** "about 40 s left", rounded as a person would say it; "a moment" under two seconds. */
export function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 2000) return 'a moment left';
  const s = ms / 1000;
  if (s < 10) return `about ${Math.round(s)} s left`;
  if (s < 60) return `about ${Math.round(s / 5) * 5} s left`;
  const min = Math.round(s / 60);
  return `about ${min} min left`;
}

/** 1234567 rows/s -> "1.2 M rows/s"; smaller figures in thousands or as they are. */
export function formatRowRate(rowsPerSec: number): string {
  if (rowsPerSec >= 1e6) return `${(rowsPerSec / 1e6).toFixed(1)} M rows/s`;
  if (rowsPerSec >= 1e4) return `${Math.round(rowsPerSec / 1e3)} k rows/s`;
  return `${Math.round(rowsPerSec)} rows/s`;
}
