/**
 * A run whose data does not fit its memory budget (memory-plan.ts), on disk in its spill folder
 * (spill-folder.ts). Design and figures: docs/performance.md "Memory budget".
 *
 * 1. Scan: each batch is split by a hash of `user_id` into partitions of users, each part
 *    written as an Arrow IPC file; the as-read extras go to files of their own.
 * 2. Partitions: deduplication, the users join and the daily counts only ever compare rows of
 *    one user, so each partition is read back and finished alone, by the same stage functions
 *    as an in-memory run (stages.ts). Its output rows are written in ranges: clean and dropped
 *    rows by `source_row` (input order), daily counts by the user's rank.
 * 3. Merge: each range's rows from every partition are read together and sorted (a range holds
 *    a bounded share of the rows), then the Parquet files are written by streaming over the
 *    merged ranges in order. The outputs are the in-memory run's, row for row and type for type.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataFrame, LazyDataFrame } from 'nodejs-polars';
import pl from './polars';
import {
  type EventBatches,
  cleanEventsWithRowQuery,
  collectExtras,
  countReasons,
  dailyCountsQuery,
  dailyKeyOfRank,
  dailySummaryFromCounts,
  droppedEventsQuery,
  droppedWithExtras,
  joinAndFilter,
  lostKeysOf,
  markDuplicates,
} from './stages';
import { releaseDeadFrames } from './native-memory';
import { runStarts } from './range-runs';
import { SPILL_FILE, spillBatch, type BatchSpill, type SpilledBatch } from './batch-spill';

/** A file of rows and the range of the events file (reader segment) its `source_row`s count from. */
interface SpillFile {
  path: string;
  segment: number;
}

/** What the partition phase found, for the stage reports. */
export interface PartitionTotals {
  duplicates: number;
  reasons: Map<number, number>;
  dedupMs: number;
  joinMs: number;
}

/** The outputs as spilled: clean and dropped rows by `source_row`, daily counts by `key`. */
type OutputKind = 'clean' | 'dropped' | 'daily';

/** A run's spilled events, from the scan to the merged outputs. */
export class SpilledRun implements BatchSpill {
  private readonly inputs: SpillFile[][];
  private extras: SpillFile[] = [];
  private seq = 0;
  /** Merge ranges of every output, set when the partitions are processed. */
  private rangeCount = 0;
  /** Each output's range width: range b holds the rows whose column value divided by it is b. */
  private widths: Record<OutputKind, number> = { clean: 1, dropped: 1, daily: 1 };

  constructor(
    readonly dir: string,
    readonly partitions: number,
  ) {
    this.inputs = Array.from({ length: partitions }, () => []);
  }

  /** Spills one batch from a scan on this thread (Arrow IPC stream bytes from the scanner). */
  add(ipc: Uint8Array, segment: number): void {
    const first = this.extras.length === 0 && this.inputs.every((files) => files.length === 0);
    this.record(spillBatch(ipc, this, String(this.seq++), first), segment);
  }

  /** Takes in the files of one batch, spilled here (`add`) or by a scan thread of range `segment`. */
  record(batch: SpilledBatch, segment: number): void {
    for (const [p, path] of batch.parts) this.inputs[p].push({ path, segment });
    if (batch.extras) this.extras.push({ path: batch.extras, segment });
  }

  /** Forgets every batch so far (the reader starts over); their files are overwritten or removed at the end. */
  discard(): void {
    for (const files of this.inputs) files.length = 0;
    this.extras = [];
  }

  /**
   * Stages 3-5 partition by partition, each one's output rows spilled in ranges. `rowOffsets`
   * makes each reader range's row numbers file-wide; `bucketRows` is how many rows of input
   * order one merge range covers; `onPartition` reports progress.
   */
  async processPartitions(opts: {
    rowOffsets: number[];
    totalRows: number;
    bucketRows: number;
    users: DataFrame;
    checkCancel: () => void;
    onPartition: (done: number) => void;
  }): Promise<PartitionTotals> {
    const shifts = opts.rowOffsets.map((offset) => (offset ? pl.col('source_row').add(offset).cast(pl.Int32) : null));
    const buckets = Math.max(1, Math.ceil(opts.totalRows / opts.bucketRows));
    const ranksPerBucket = Math.max(1, Math.ceil(opts.users.height / buckets));
    this.rangeCount = buckets;
    // Clean and dropped rows by input order, daily counts by the user's rank.
    this.widths = { clean: opts.bucketRows, dropped: opts.bucketRows, daily: dailyKeyOfRank(ranksPerBucket) };
    const totals: PartitionTotals = { duplicates: 0, reasons: new Map(), dedupMs: 0, joinMs: 0 };
    // (Nearly always null: only events whose key held a lone surrogate have one.)
    const lostKeys = lostKeysOf(this.extrasFrames(opts.rowOffsets));
    for (let p = 0; p < this.partitions; p++) {
      opts.checkCancel();
      // In file order (a scan of several threads hands its ranges' batches over interleaved),
      // so that the partition's outputs come out in source_row order for writeRanges.
      const inFileOrder = [...this.inputs[p]].sort((a, b) => a.segment - b.segment);
      let batches: EventBatches = inFileOrder.map(({ path, segment }) => {
        const f = pl.readIPC(path);
        return shifts[segment] ? f.withColumns(shifts[segment]) : f;
      });
      let t = performance.now();
      const deduplicated = await markDuplicates(batches, lostKeys);
      batches = deduplicated.batches.map((b) => b.drop('key_hash'));
      totals.duplicates += deduplicated.duplicates;
      totals.dedupMs += performance.now() - t;
      t = performance.now();
      batches = await joinAndFilter(batches, opts.users);
      for (const [code, n] of await countReasons(batches))
        totals.reasons.set(code, (totals.reasons.get(code) ?? 0) + n);
      totals.joinMs += performance.now() - t;
      this.writeRanges('clean', p, await cleanEventsWithRowQuery(batches).collect(), 'source_row');
      this.writeRanges('dropped', p, await droppedEventsQuery(batches).collect(), 'source_row');
      this.writeRanges('daily', p, await dailyCountsQuery(batches).collect(), 'key');
      batches = [];
      await Promise.all(this.inputs[p].map((f) => rm(f.path, { force: true })));
      releaseDeadFrames();
      opts.onPartition(p + 1);
    }
    return totals;
  }

  /**
   * Writes `frame` as one file per range of `column`; empty ranges get an empty file (it
   * carries the schema). Range starts are multiples of a fixed width (`this.widths`), so a
   * row's range is its value divided by the width (exact: the values are integers below 2^53
   * and the quotients small). The partition's rows come in `column` order, so each range is a
   * run of rows, written as a slice without copying the frame (rows out of order, never
   * expected, are sorted first; docs/performance.md "Memory budget").
   */
  private writeRanges(kind: OutputKind, partition: number, frame: DataFrame, column: string): void {
    const last = this.rangeCount - 1;
    const range = pl.col(column).div(pl.lit(this.widths[kind])).floor().clip(0, last).cast(pl.UInt32).alias('range');
    const rangeIds = (f: DataFrame) => f.select(range).getColumn('range').toTypedArray() as Uint32Array;
    let starts = runStarts(rangeIds(frame), this.rangeCount);
    if (!starts) {
      frame = frame.sort(column);
      starts = runStarts(rangeIds(frame), this.rangeCount)!;
    }
    for (let b = 0; b <= last; b++)
      frame.slice(starts[b], starts[b + 1] - starts[b]).writeIPC(this.rangePath(kind, b, partition), SPILL_FILE);
  }

  private rangePath(kind: OutputKind, range: number, partition: number): string {
    return join(this.dir, `${kind}-${range}-${partition}.ipc`);
  }

  /** Number of merge ranges (the same for every output). */
  get ranges(): number {
    return this.rangeCount;
  }

  /**
   * Merges one output's ranges, in order, into files of its final columns and returns the
   * streaming query over them that writes the Parquet file.
   */
  async mergeOutput(
    kind: OutputKind,
    finish: { users: DataFrame; extras: DataFrame | null },
    onRange: (done: number) => void,
  ): Promise<LazyDataFrame> {
    const merged: string[] = [];
    for (let b = 0; b < this.ranges; b++) {
      const parts = Array.from({ length: this.partitions }, (_, p) => this.rangePath(kind, b, p));
      // Scanned, not read: the parts are decoded by Polars' threads while the query runs, not
      // one by one on this thread first (docs/performance.md "Memory budget").
      const rows = pl.concat(
        parts.map((path) => pl.scanIPC(path)),
        { how: 'vertical', rechunk: false },
      );
      let out: LazyDataFrame;
      if (kind === 'clean') out = rows.sort('source_row').drop('source_row');
      else if (kind === 'dropped') out = droppedWithExtras(rows.sort('source_row'), finish.extras!);
      else out = dailySummaryFromCounts(rows.sort('key'), finish.users);
      const path = join(this.dir, `merged-${kind}-${b}.ipc`);
      (await out.collect()).writeIPC(path, SPILL_FILE);
      merged.push(path);
      await Promise.all(parts.map((part) => rm(part, { force: true })));
      releaseDeadFrames();
      onRange(b + 1);
    }
    return pl.concat(
      merged.map((path) => pl.scanIPC(path)),
      { how: 'vertical', rechunk: false },
    );
  }

  /** The as-read extras of every batch, file-wide, as one small table. */
  async extrasTable(rowOffsets: number[]): Promise<DataFrame> {
    return collectExtras(this.extrasFrames(rowOffsets));
  }

  /** The as-read extras of every batch, file-wide, a frame per batch. */
  private extrasFrames(rowOffsets: number[]): DataFrame[] {
    const shifts = rowOffsets.map((offset) => (offset ? pl.col('source_row').add(offset).cast(pl.Int32) : null));
    return this.extras.map(({ path, segment }) => {
      const f = pl.readIPC(path);
      return shifts[segment] ? f.withColumns(shifts[segment]) : f;
    });
  }
}
