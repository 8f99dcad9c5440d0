/**
 * One scan batch of a spilled run (spilled-run.ts), split by a hash of `user_id` into
 * partitions of users, each part written as an Arrow IPC file in the spill folder, its as-read
 * extras to a file of their own. The same code runs on the engine thread (a scan on that
 * thread) and on the scan threads, which spill their own batches when a run's budget has room
 * for two of them (memory-plan.ts `scanThreads`; docs/performance.md "Memory budget").
 */
import { join } from 'node:path';
import type { DataFrame, Expr } from 'nodejs-polars';
import pl from './polars';
import { splitBatch } from './stages';

/**
 * Spill files are LZ4-compressed Arrow IPC: about a quarter of the bytes, and less CPU to write
 * than the plain bytes cost the file system (docs/performance.md "Memory budget").
 */
export const SPILL_FILE = { compression: 'lz4' } as const;

/** Where a run's batches are spilled, and into how many partitions. */
export interface BatchSpill {
  dir: string;
  partitions: number;
}

/** The files one batch was written to. */
export interface SpilledBatch {
  /** [partition, path] of each part written (a partition the batch has no rows of gets none). */
  parts: [number, string][];
  /** The batch's as-read extras, if it has any. */
  extras: string | null;
}

let partitionExpr: { partitions: number; expr: Expr } | null = null;

/** The partition of each row's user: a fixed-seed hash, so a user_id always lands in the same one. */
function partitionOf(partitions: number): Expr {
  if (partitionExpr?.partitions !== partitions)
    partitionExpr = {
      partitions,
      expr: pl
        .col('user_id')
        .hash(0x5a17, 11, 13, 17)
        .cast(pl.UInt64)
        .modulo(pl.lit(partitions).cast(pl.UInt64))
        .cast(pl.UInt32)
        .alias('partition'),
    };
  return partitionExpr.expr;
}

/**
 * Splits and writes one batch (Arrow IPC stream bytes from the scanner). `name` makes its files'
 * names unique in the run. The first batch of a scan writes a file for every partition and for
 * its extras even when they are empty: those carry the columns.
 */
export function spillBatch(ipc: Uint8Array, spill: BatchSpill, name: string, first: boolean): SpilledBatch {
  const batch = splitBatch(pl.readIPCStream(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength)));
  const written: SpilledBatch = { parts: [], extras: null };
  // One pass splits the batch (a filter per partition was a pass per partition: see
  // docs/performance.md "Memory budget"); rows keep their order within each part.
  const parts = batch.events.withColumns(partitionOf(spill.partitions)).partitionBy('partition', true, true);
  const seen = new Set<number>();
  for (const part of parts) {
    const p = part.getColumn('partition').get(0) as number;
    seen.add(p);
    written.parts.push([p, writePart(spill.dir, p, name, part.drop('partition'))]);
  }
  if (first)
    for (let p = 0; p < spill.partitions; p++)
      if (!seen.has(p)) written.parts.push([p, writePart(spill.dir, p, name, batch.events.head(0))]);
  if (batch.asRead.height > 0 || first) {
    written.extras = join(spill.dir, `extras-${name}.ipc`);
    batch.asRead.writeIPC(written.extras, SPILL_FILE);
  }
  return written;
}

function writePart(dir: string, partition: number, name: string, part: DataFrame): string {
  const path = join(dir, `in-${partition}-${name}.ipc`);
  part.writeIPC(path, SPILL_FILE);
  return path;
}
