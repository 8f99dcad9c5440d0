/** Axis maths for the preview's events-per-day chart (the counts come from the service). */

/** A "nice" axis maximum (1, 2, 5 x 10^n) at or above the largest value. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) if (step * exp >= value) return step * exp;
  return 10 * exp;
}
