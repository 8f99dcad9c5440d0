/**
 * Columns found for a run of batches at once (a lookup over all their rows, in row order),
 * handed back to each batch: its own rows of them, appended without copying the batch's
 * columns (stages.ts attachColumns, users-lookup.ts attachUsers).
 */
import type { DataFrame } from 'nodejs-polars';

/** Each of `batches` with its own rows of `found` (as many rows as the batches together). */
export function withFoundRows(batches: DataFrame[], found: DataFrame): DataFrame[] {
  let offset = 0;
  return batches.map((b) => {
    // Each batch's rows as one chunk that lines up with the batch. (The typings pick hstack's
    // in-place overload; called like this it returns the new frame.)
    const joined = b.hstack(found.slice(offset, b.height).rechunk()) as unknown as DataFrame;
    offset += b.height;
    return joined;
  });
}
