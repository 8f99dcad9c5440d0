/**
 * Whether a run fits its memory budget, and if not, how it spills (spilled-run.ts). The plan
 * is made from the events file's size before the scan starts, from ratios measured on the
 * generator's data (docs/performance.md "Memory budget"): a run held in memory peaks at about 1.35 times the file
 * plus the engine itself (Node, Polars and the scan threads, about 250 MB).
 */
import { statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { MIN_MEMORY_LIMIT } from '../../shared/memory-size';

/** Memory the engine needs whatever the data: Node, Polars, two scan threads and their buffers. */
export const ENGINE_BASE_BYTES = 250e6;
/** Peak memory of an in-memory run per byte of events file (1.8-1.9 GB at 1.4 GB, measured). */
const IN_MEMORY_PER_FILE_BYTE = 1.35;
/** The share of the budget one partition's data may take while it is processed (its stages copy). */
const PARTITION_SHARE = 0.3;
/**
 * The share one merge range's data may take: half a partition's, since a range's parts and
 * their sorted copy are held at once (at 20,000,000 events under 1GB, ranges of 0.3 peaked
 * 150 MiB higher than the partitions; docs/performance.md "Memory budget").
 */
const MERGE_SHARE = 0.15;
/**
 * The data budget from which a spilled run scans on two threads, each splitting and writing its
 * own batches (batch-spill.ts): their batches and Polars' buffers take about 150 MB more than
 * one scan on the engine thread, which the partitions' share of a smaller budget cannot spare
 * (docs/performance.md "Memory budget").
 */
const TWO_SCAN_THREADS_FROM = 400e6;
/** Disk a spilled run needs per byte of events file: its batches, then its outputs, as Arrow. */
const SPILL_DISK_PER_FILE_BYTE = 2.5;

/** The default budget: half of the machine's memory (the rest is the user's other work). */
export function defaultMemoryLimit(): number {
  return Math.floor(totalmem() / 2);
}

export interface SpillPlan {
  /** Partitions of users, each processed alone. */
  partitions: number;
  /** Data (as an in-memory run holds it) per range of input order, merged at once when the outputs are written. */
  bucketBytes: number;
  /** Free disk the spill needs. */
  diskBytes: number;
  /** Scan threads: 2 spill their own batches; 1 scans on the engine thread, which spills them. */
  scanThreads: 1 | 2;
}

/** Test and bench overrides of the plan (see RunHooks.spill). */
export interface SpillTuning {
  partitions?: number;
  /** Rows per merge range (tests force many ranges on small inputs). */
  bucketRows?: number;
  /** Replaces the volume's free space (tests of the disk-space error). */
  freeBytes?: (dir: string) => Promise<number>;
}

/** null when a run over `fileBytes` of events fits `limit` in memory; else how it spills. */
export function planMemory(fileBytes: number, limit: number, tuning: SpillTuning = {}): SpillPlan | null {
  const inMemory = fileBytes * IN_MEMORY_PER_FILE_BYTE;
  // A budget below what the engine itself needs spills whatever the size (and is then exceeded
  // by the engine alone: docs/performance.md says by how much).
  if (inMemory <= limit - ENGINE_BASE_BYTES) return null;
  const dataBudget = Math.max(limit - ENGINE_BASE_BYTES, 16e6);
  const partitions =
    tuning.partitions ?? Math.min(1024, Math.max(2, Math.ceil(inMemory / (dataBudget * PARTITION_SHARE))));
  return {
    partitions,
    bucketBytes: dataBudget * MERGE_SHARE,
    diskBytes: Math.ceil(fileBytes * SPILL_DISK_PER_FILE_BYTE),
    scanThreads: dataBudget >= TWO_SCAN_THREADS_FROM ? 2 : 1,
  };
}

/**
 * Rows of input order per merge range, once the scan has counted the file's `rows`: the share of
 * `bucketBytes` in the file, at the in-memory run's bytes per file byte. At least one.
 */
export function mergeRangeRows(plan: SpillPlan, rows: number, fileBytes: number): number {
  return Math.max(1, Math.floor((plan.bucketBytes * Math.max(rows, 1)) / (fileBytes * IN_MEMORY_PER_FILE_BYTE || 1)));
}

/**
 * Whether a run over the events file at `eventsPath` will spill under `limit` (default: the
 * default budget), `elsewhere` bytes of it being held by other processes of the run. Known
 * before the engine process starts, which a spilled run starts with other malloc settings
 * (allocator-env.ts). False for a limit below the minimum and for a file that cannot be read:
 * the run itself reports those.
 */
export function runWillSpill(eventsPath: string, limit = defaultMemoryLimit(), elsewhere = 0): boolean {
  if (!(limit >= MIN_MEMORY_LIMIT)) return false;
  try {
    const stats = statSync(resolve(eventsPath));
    return stats.isFile() && planMemory(stats.size, limit - elsewhere) !== null;
  } catch {
    return false;
  }
}
