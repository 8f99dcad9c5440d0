/**
 * A run whose data does not fit its memory budget (memory-plan.ts), on disk in its spill folder
 * (spill-folder.ts). Design and figures: docs/performance.md "Memory budget".
 *
 * 1. Scan: each batch is written whole, in input order, as the reader made it (batch-spill.ts),
 *    with its kept rows' (source_row, key_hash) in a small file of their own.
 * 2. Dedup passes: the hashes are read in a few passes, each over one share of them (by hash),
 *    to find the rows whose hash more than one row has. Only those can be duplicates.
 * 3. Chunks: the batches are read back a chunk of input order at a time, split as an in-memory
 *    run splits them as they arrive, and finished by the same stage functions (stages.ts);
 *    stage 3 compares the chunk's candidates against the first occurrences carried from
 *    earlier chunks (chunk-dedup.ts). Clean and dropped rows come out in input order, so each chunk's are
 *    written once, as Parquet, and joined onto their output file (parquet-join.ts) while the
 *    next query runs; its daily counts are split into ranges of users.
 * 4. Daily merge: each range's counts from every chunk are sorted and summed per user and day,
 *    finished as the summary's columns (the ids from the range's own users) and joined onto
 *    its output file. The outputs are the in-memory run's, row for row and type for type.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataFrame, Expr, LazyDataFrame } from 'nodejs-polars';
import pl from './polars';
import {
  type EventBatches,
  batchGroups,
  cleanEventsQuery,
  collectExtras,
  countReasons,
  dailyCountsQuery,
  dailyKeyOfRank,
  dailySummaryFromCounts,
  fileWide,
  fileWideRows,
  droppedEventsQuery,
  droppedWithExtras,
  joinAndFilter,
  lostKeysOf,
  OUTPUT_PARQUET,
  repeatedHashRows,
  splitBatchAsync,
} from './stages';
import { ChunkDedup } from './chunk-dedup';
import type { UsersLookup } from './users-lookup';
import { releaseDeadFrames } from './native-memory';
import { runStarts } from './range-runs';
import { writeSpill, type BatchSpill, type SpilledBatch } from './batch-spill';
import { ParquetJoin } from './parquet-join';

/**
 * The daily counts' spill files are LZ4-compressed Arrow IPC: about a quarter of the bytes, and
 * less CPU to write than the plain bytes cost the file system (docs/performance.md "Memory budget").
 */
const SPILL_FILE = { compression: 'lz4' } as const;

/** A spilled batch and the range of the events file (reader segment) its `source_row`s count from. */
interface SpillFile {
  batch: SpilledBatch;
  segment: number;
}

/** What the chunks found, for the stage reports. */
export interface ChunkTotals {
  duplicates: number;
  reasons: Map<number, number>;
  dedupMs: number;
  joinMs: number;
}

/** The three Parquet outputs. */
export type OutputKind = 'clean' | 'dropped' | 'daily';

/** Where each output is written, and what a failed write of it is reported as. */
export interface OutputTargets {
  path: (kind: OutputKind) => string;
  failure: (kind: OutputKind, err: unknown) => unknown;
}

/** A run's spilled events, from the scan to the files the Parquet outputs are written from. */
export class SpilledRun implements BatchSpill {
  private files: SpillFile[] = [];
  private targets: OutputTargets | null = null;
  private readonly joins = new Map<OutputKind, ParquetJoin>();
  /** Each output's last part being joined onto it (appendOutput). */
  private readonly joining = new Map<OutputKind, Promise<void>>();
  /** Daily counts per chunk and range of users: dailyParts[range][chunk]. */
  private dailyParts: string[][] = [];
  /** Users per range of daily keys: range r holds user ranks r * this up to the next range's. */
  private ranksPerRange = 1;

  constructor(readonly dir: string) {}

  /** Takes in the files of one batch of range `segment`, spilled by the reader (batch-spill.ts). */
  record(batch: SpilledBatch, segment: number): void {
    this.files.push({ batch, segment });
  }

  /** Forgets every batch so far (the reader starts over); their files are overwritten or removed at the end. */
  discard(): void {
    this.files = [];
  }

  /**
   * The batches in file order, each with the expression that makes its row numbers file-wide
   * (a scan of several threads hands its ranges' batches over interleaved; within a range they
   * come in order, and the sort is stable).
   */
  private inFileOrder(rowOffsets: number[]): { batch: SpilledBatch; shift: Expr | null }[] {
    const shifts = fileWideRows(rowOffsets);
    return this.ordered().map(({ batch, segment }) => ({ batch, shift: shifts[segment] }));
  }

  private ordered(): SpillFile[] {
    return [...this.files].sort((a, b) => a.segment - b.segment);
  }

  /**
   * The candidates: every kept row whose hash more than one kept row has, with the hash's last
   * row (repeatedHashRows), in `passes` passes over the hash files, each over the hashes equal
   * to it modulo `passes`.
   */
  async dedupCandidates(passes: number, rowOffsets: number[], onPass: (done: number) => void): Promise<DataFrame> {
    const files = this.inFileOrder(rowOffsets);
    // Scanned, so each pass holds only its share of the rows.
    const hashes = () => files.map(({ batch, shift }) => fileWide(pl.scanIPC(batch.hashes), shift));
    const parts: DataFrame[] = [];
    for (let p = 0; p < passes; p++) {
      const share =
        passes === 1 ? null : pl.col('key_hash').modulo(pl.lit(passes).cast(pl.UInt64)).eq(pl.lit(p).cast(pl.UInt64));
      const rows = pl.concat(
        hashes().map((f) => (share ? f.filter(share) : f)),
        { how: 'vertical', rechunk: false },
      );
      parts.push(await repeatedHashRows(rows));
      releaseDeadFrames();
      onPass(p + 1);
    }
    return pl.concat(parts, { how: 'vertical' });
  }

  /**
   * Stages 3-5, a chunk of `chunkRows` rows of input order at a time. Each chunk's clean and
   * dropped rows are written as a file of their final columns, its daily counts in
   * `dailyRanges` ranges of users; `onChunk` reports progress.
   */
  async processChunks(opts: {
    rowOffsets: number[];
    chunkRows: number;
    dailyRanges: number;
    candidates: DataFrame;
    users: UsersLookup;
    checkCancel: () => void;
    onChunk: (done: number) => void;
  }): Promise<ChunkTotals> {
    const files = this.inFileOrder(opts.rowOffsets);
    const chunks = this.chunksOf(opts.chunkRows);
    this.ranksPerRange = Math.max(1, Math.ceil(opts.users.frame.height / opts.dailyRanges));
    this.dailyParts = Array.from({ length: opts.dailyRanges }, () => []);
    const dedup = new ChunkDedup(opts.candidates);
    const totals: ChunkTotals = { duplicates: 0, reasons: new Map(), dedupMs: 0, joinMs: 0 };
    // Read and stage 3, in input order (each chunk's first occurrences are the next one's).
    const start = async ([first, last]: [number, number]) => {
      const inChunk = files.slice(first, last);
      // Scanned and split on Polars' threads: readIPC and an eager filter would hold this
      // thread, which is writing the chunk before.
      const read = await Promise.all(
        inChunk.map(async ({ batch, shift }) =>
          splitBatchAsync(await fileWide(pl.scanIPC(batch.events), shift).collect()),
        ),
      );
      const asRead = read.map((r) => r.asRead);
      const t = performance.now();
      // (lost keys: nearly always none; only events whose key held a lone surrogate have one.)
      const deduplicated = await dedup.mark(
        read.map((r) => r.events),
        lostKeysOf(asRead),
      );
      totals.duplicates += deduplicated.duplicates;
      totals.dedupMs += performance.now() - t;
      return {
        inChunk,
        batches: deduplicated.batches.map((b) => b.drop('key_hash')),
        extras: await collectExtras(asRead),
      };
    };
    let next: ReturnType<typeof start> | null = start(chunks[0]);
    // Each chunk's spill files are removed while the next chunks are worked on: freeing a large
    // file takes the file system a while (a file left is removed with the folder).
    const removals: Promise<unknown>[] = [];
    try {
      for (let c = 0; c < chunks.length; c++) {
        const { inChunk, batches, extras } = await next!;
        opts.checkCancel();
        // The next chunk is read and deduplicated on Polars' threads while this one is
        // finished: the two cores are busy at once (memory-plan.ts budgets for both chunks).
        next = c + 1 < chunks.length ? start(chunks[c + 1]) : null;
        await this.finishChunk(c, batches, opts.users, extras, totals);
        for (const { batch } of inChunk)
          for (const f of [batch.events, batch.hashes]) removals.push(rm(f, { force: true }).catch(() => undefined));
        releaseDeadFrames();
        opts.onChunk(c + 1);
      }
    } catch (err) {
      // Nothing may still read the spill folder once the run removes it.
      await next?.catch(() => undefined);
      throw err;
    } finally {
      await Promise.all(removals);
    }
    return totals;
  }

  /** Stages 4-5 of one chunk, and its clean rows, dropped rows and daily counts written. */
  private async finishChunk(
    c: number,
    deduplicated: EventBatches,
    users: UsersLookup,
    extras: DataFrame,
    totals: ChunkTotals,
  ): Promise<void> {
    const t = performance.now();
    const batches = await joinAndFilter(deduplicated, users);
    for (const [code, n] of await countReasons(batches)) totals.reasons.set(code, (totals.reasons.get(code) ?? 0) + n);
    totals.joinMs += performance.now() - t;
    await this.appendOutput('clean', `clean-${c}`, cleanEventsQuery(batches));
    await this.appendOutput('dropped', `dropped-${c}`, droppedWithExtras(droppedEventsQuery(batches), extras));
    this.writeDailyRanges(c, await dailyCountsQuery(batches).withColumns(this.dailyRange()).collect());
  }

  /** Chunks of consecutive batches of at most `chunkRows` rows (one batch at least); one, empty, for no batches. */
  private chunksOf(chunkRows: number): [number, number][] {
    const heights = this.ordered().map((f) => f.batch.rows);
    return heights.length === 0 ? [[0, 0]] : batchGroups(heights, chunkRows);
  }

  /** How many chunks of `chunkRows` rows processChunks will take. */
  chunkCount(chunkRows: number): number {
    return this.chunksOf(chunkRows).length;
  }

  /** Each daily count's range of users, `range`. */
  private dailyRange(): Expr {
    const width = pl.lit(dailyKeyOfRank(this.ranksPerRange));
    return pl
      .col('key')
      .div(width)
      .floor()
      .clip(0, this.dailyParts.length - 1)
      .cast(pl.UInt32)
      .alias('range');
  }

  /**
   * Writes a chunk's daily counts (sorted by key, with their dailyRange) as one file per range
   * of users; an empty range gets an empty file (it carries the columns). The counts come in
   * key order, so each range is a run of rows, written as a slice without copying (rows out of
   * order, never expected, are sorted first).
   */
  private writeDailyRanges(chunk: number, withRange: DataFrame): void {
    const rangeIds = (f: DataFrame) => f.getColumn('range').toTypedArray() as Uint32Array;
    let starts = runStarts(rangeIds(withRange), this.dailyParts.length);
    if (!starts) {
      withRange = withRange.sort('key');
      starts = runStarts(rangeIds(withRange), this.dailyParts.length)!;
    }
    const counts = withRange.select('key', 'event_count');
    for (let r = 0; r < this.dailyParts.length; r++)
      this.dailyParts[r].push(this.write(`daily-${r}-${chunk}`, counts.slice(starts[r], starts[r + 1] - starts[r])));
  }

  /** Number of daily ranges (set when the chunks are processed). */
  get dailyRanges(): number {
    return this.dailyParts.length;
  }

  /**
   * Sums each range's daily counts over the chunks (a user's events may be in any chunk), in
   * key order, and finishes them as the summary's columns, joined onto its output range by range.
   * `users` is usersFrame's, its rows in rank order: each range takes the ids of its own ranks.
   */
  async mergeDaily(users: DataFrame, onRange: (done: number) => void): Promise<void> {
    const last = this.dailyParts.length - 1;
    for (const [r, parts] of this.dailyParts.entries()) {
      const counts = sumRuns(
        pl.concat(
          parts.map((path) => pl.scanIPC(path)),
          { how: 'vertical', rechunk: false },
        ),
      );
      const first = r * this.ranksPerRange;
      const ranks = users.slice(first, r === last ? Math.max(0, users.height - first) : this.ranksPerRange);
      await this.appendOutput('daily', `summary-${r}`, dailySummaryFromCounts(counts, ranks));
      await Promise.all(parts.map((part) => rm(part, { force: true })));
      releaseDeadFrames();
      onRange(r + 1);
    }
  }

  /** Sets where the outputs are written; before processChunks. */
  writeOutputsTo(targets: OutputTargets): void {
    this.targets = targets;
  }

  /**
   * Writes `rows` (the next rows of output `kind`, in order) as a Parquet file in the spill
   * folder, and joins it onto the output: each row is encoded once. The join copies the part's
   * bytes while the run goes on to its next query (waiting for the copy left Polars' threads
   * idle); a failed join is reported by the output's next part, or by finishOutputs.
   */
  private async appendOutput(kind: OutputKind, name: string, rows: LazyDataFrame): Promise<void> {
    const targets = this.targets;
    if (!targets) throw new Error('writeOutputsTo must come before the chunks');
    await this.joining.get(kind);
    const part = join(this.dir, `${name}.parquet`);
    let out = this.joins.get(kind);
    try {
      await rows.sinkParquet(part, OUTPUT_PARQUET).collect();
      if (!out) this.joins.set(kind, (out = await ParquetJoin.create(targets.path(kind))));
    } catch (err) {
      throw targets.failure(kind, err);
    }
    const joined = out.append(part).then(
      () => rm(part, { force: true }),
      (err: unknown) => {
        throw targets.failure(kind, err);
      },
    );
    joined.catch(() => undefined); // (awaited by the output's next part, or by finishOutputs)
    this.joining.set(kind, joined);
  }

  /** Writes each output's footer: its file is complete. */
  async finishOutputs(): Promise<void> {
    await Promise.all(this.joining.values());
    for (const kind of ['clean', 'dropped', 'daily'] as const) {
      const out = this.joins.get(kind);
      if (!out) throw new Error(`No rows were written for ${kind}`);
      await out.finish().catch((err: unknown) => {
        throw this.targets!.failure(kind, err);
      });
    }
  }

  /** Closes any output left unfinished (a failed or cancelled run; its staging folder goes). */
  async close(): Promise<void> {
    await Promise.all([...this.joins.values()].map((j) => j.close().catch(() => undefined)));
  }

  private write(name: string, frame: DataFrame): string {
    const path = join(this.dir, `${name}.ipc`);
    writeSpill(path, () => frame.writeIPC(path, SPILL_FILE));
    return path;
  }
}

/**
 * The sum of `event_count` per key, in key order. Sorted, not grouped: the chunks' counts
 * nearly all have keys of their own, which a sort orders faster than a hash table groups them
 * (docs/performance.md "Memory budget").
 */
function sumRuns(counts: LazyDataFrame): LazyDataFrame {
  const sum = pl.col('sum');
  return counts
    .sort('key')
    .select('key', pl.col('event_count').cumSum().alias('sum'))
    .filter(pl.col('key').neq(pl.col('key').shift(-1)).fillNull(true))
    .select('key', sum.sub(sum.shift(1).fillNull(pl.lit(0).cast(pl.Int64))).alias('event_count'));
}
