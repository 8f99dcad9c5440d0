/**
 * Where each daily range's rows start in a chunk's daily counts, whose rows come in range
 * order: each range is then a run of rows, written as a slice without copying the frame
 * (spilled-run.ts, docs/performance.md "Memory budget").
 */

/**
 * The first row of each range in `ids` (each row's range, below `ranges`), with the row count
 * last, so range b is rows [starts[b], starts[b + 1]); an empty range starts where the next
 * one does. Null when an id is lower than the one before it: the rows are not in range order.
 */
export function runStarts(ids: Uint32Array, ranges: number): number[] | null {
  const starts = new Array<number>(ranges + 1).fill(ids.length);
  let b = 0;
  starts[0] = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < b) return null;
    while (b < ids[i]) starts[++b] = i;
  }
  return starts;
}
