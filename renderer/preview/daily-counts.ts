/**
 * Daily event counts for the preview chart: daily_summary.parquet holds one row per
 * (user_id, event_date), so the chart sums event_count per event_date.
 */
import type { Cell } from '../../shared/service-contract';

export interface DayCount {
  date: string;
  count: number;
}

/** Adds one page of rows into `totals` (mutated: pages arrive one by one). */
export function addDailyRows(totals: Map<string, number>, columns: string[], rows: Cell[][]): void {
  const dateIdx = columns.indexOf('event_date');
  const countIdx = columns.indexOf('event_count');
  if (dateIdx < 0 || countIdx < 0) return;
  for (const row of rows) {
    const date = row[dateIdx];
    const count = Number(row[countIdx]);
    if (typeof date !== 'string' || !Number.isFinite(count)) continue;
    const day = date.slice(0, 10);
    totals.set(day, (totals.get(day) ?? 0) + count);
  }
}

/** Totals sorted by date (ISO dates sort as strings). */
export function sortedDays(totals: Map<string, number>): DayCount[] {
  return [...totals.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([date, count]) => ({ date, count }));
}

/** A "nice" axis maximum (1, 2, 5 x 10^n) at or above the largest value. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) if (step * exp >= value) return step * exp;
  return 10 * exp;
}
