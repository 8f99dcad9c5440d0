/**
 * Stage 3 of a spilled run, chunk by chunk in input order (spilled-run.ts). The dedup passes
 * found the candidates: every kept row whose hash more than one row has, with the hash's last
 * row (repeatedHashRows); only those rows are compared. A chunk's candidates are matched
 * against the first occurrences carried from earlier chunks, then the carried rows whose hash
 * never comes again are let go, so what is held is bounded by the duplicates still ahead, not
 * by the input.
 */
import type { DataFrame } from 'nodejs-polars';
import pl from './polars';
import { type Deduplicated, type EventBatches, applyDuplicates, dedupKeys, firstOccurrences } from './stages';

export class ChunkDedup {
  /** First occurrences of earlier chunks whose hash some later row still has, with their keys. */
  carried: DataFrame | null = null;
  /** The candidates in source_row order, and their rows, to find a chunk's run of them. */
  private readonly candidates: DataFrame;
  private readonly candidateRows: Int32Array;

  /** `candidates`: source_row, key_hash and last_row of every candidate (repeatedHashRows, all passes). */
  constructor(candidates: DataFrame) {
    this.candidates = candidates.sort('source_row');
    this.candidateRows = this.candidates.getColumn('source_row').cast(pl.Int32).toTypedArray() as Int32Array;
  }

  /**
   * Marks the duplicates in the next chunk's `batches` (in input order, after every earlier
   * chunk); `lostKeys`: lostKeysOf the chunk (null in nearly every chunk). The carried first
   * occurrences keep their own.
   */
  async mark(batches: EventBatches, lostKeys: DataFrame | null = null): Promise<Deduplicated> {
    const last = lastRowOf(batches);
    const rows = await dedupKeys(batches, this.candidatesIn(firstRowOf(batches), last), lostKeys).collect();
    const { duplicates, firsts } = await firstOccurrences(this.carried, rows);
    this.carried = firsts.filter(pl.col('last_row').gt(pl.lit(last)));
    return { batches: await applyDuplicates(batches, duplicates), duplicates: duplicates.height };
  }

  /** The candidates whose source_row is in [first, last], a run of them (a slice, not a copy). */
  private candidatesIn(first: number, last: number): DataFrame {
    const start = firstAtLeast(this.candidateRows, first);
    return this.candidates.slice(start, firstAtLeast(this.candidateRows, last + 1) - start);
  }
}

/** The index of the first of the ascending `rows` that is at least `row` (rows.length if none). */
function firstAtLeast(rows: Int32Array, row: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid] < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The lowest source_row of a chunk (its first batch's first row; 0 when it has none). */
function firstRowOf(batches: EventBatches): number {
  for (const b of batches) if (b.height > 0) return Number(b.getColumn('source_row').get(0));
  return 0;
}

/** The highest source_row of a chunk (its last batch's last row; -1 when it has none). */
function lastRowOf(batches: EventBatches): number {
  for (let i = batches.length - 1; i >= 0; i--)
    if (batches[i].height > 0) return Number(batches[i].getColumn('source_row').get(batches[i].height - 1));
  return -1;
}
