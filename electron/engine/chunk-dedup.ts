/**
 * Stage 3 of a spilled run, chunk by chunk in input order (spilled-run.ts). The dedup passes
 * found every hash that more than one kept row has, with the last such row (`repeated`); only
 * those rows are compared. A chunk's rows are matched against the first occurrences carried
 * from earlier chunks, then the carried rows whose hash never comes again are let go, so what
 * is held is bounded by the duplicates still ahead, not by the input.
 */
import type { DataFrame } from 'nodejs-polars';
import pl from './polars';
import { type Deduplicated, type EventBatches, applyDuplicates, dedupKeys, firstOccurrences } from './stages';

export class ChunkDedup {
  /** First occurrences of earlier chunks whose hash some later row still has, with their keys. */
  carried: DataFrame | null = null;

  /** `repeated`: key_hash and last_row of each repeated hash (repeatedHashRows, all passes). */
  constructor(private readonly repeated: DataFrame) {}

  /**
   * Marks the duplicates in the next chunk's `batches` (in input order, after every earlier
   * chunk); `lostKeys`: lostKeysOf the chunk (null in nearly every chunk). The carried first
   * occurrences keep their own.
   */
  async mark(batches: EventBatches, lostKeys: DataFrame | null = null): Promise<Deduplicated> {
    const rows = await dedupKeys(batches, this.repeated, lostKeys).collect();
    const { duplicates, firsts } = await firstOccurrences(this.carried, rows);
    const last = lastRowOf(batches);
    this.carried = firsts.filter(pl.col('last_row').gt(pl.lit(last)));
    return { batches: await applyDuplicates(batches, duplicates), duplicates: duplicates.height };
  }
}

/** The highest source_row of a chunk (its last batch's last row; -1 when it has none). */
function lastRowOf(batches: EventBatches): number {
  for (let i = batches.length - 1; i >= 0; i--)
    if (batches[i].height > 0) return Number(batches[i].getColumn('source_row').get(batches[i].height - 1));
  return -1;
}
