/**
 * Byte ranges compared four bytes at a time through DataViews: the scanner matches its key
 * templates with it, and dictionary columns their values.
 */

/** a[at..at+n) equals b[bt..bt+n). */
export function sameBytes(a: DataView, at: number, b: DataView, bt: number, n: number): boolean {
  let k = 0;
  for (; k + 4 <= n; k += 4) if (a.getUint32(at + k, true) !== b.getUint32(bt + k, true)) return false;
  for (; k < n; k++) if (a.getUint8(at + k) !== b.getUint8(bt + k)) return false;
  return true;
}
