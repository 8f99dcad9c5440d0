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
/**
 * The share of the data budget each of a spilled run's phases may take: two chunks of input
 * order while they are processed (their stages copy), one dedup pass's hashes, one range of daily
 * counts while it is merged (docs/performance.md "Memory budget"). The chunks' share was 0.3:
 * a third more rows a chunk saved a tenth of the chunks' time, and the peaks measured stayed
 * under the budgets (20,000,000 events under 1GB: 806 MB). The passes' was 0.3 too: they come
 * between the scan and the chunks, with little else held (the users table), and half the
 * passes read the hash files half as often (50,000,000 events: 2 passes in 6.0-6.2 s, the
 * engine at 666 MiB, against 4 in 7-10 s).
 */
const CHUNK_SHARE = 0.4;
const DEDUP_SHARE = 0.5;
const DAILY_SHARE = 0.3;
/**
 * Memory per kept row of a dedup pass: its 12 bytes of hash and row, and a copy of the hash
 * while the hashes are sorted (measured: 16.5 bytes, the first of four passes over 47,500,000
 * kept rows took 187 MiB; docs/performance.md "Memory budget").
 */
const DEDUP_BYTES_PER_KEPT_ROW = 24;
/** Memory per kept row of the daily merge, at worst one user-day a row (measured). */
const DAILY_BYTES_PER_KEPT_ROW = 80;
/**
 * The data budget from which a spilled run scans on two threads, each splitting and writing its
 * own batches (batch-spill.ts): their batches and Polars' buffers take about 150 MB more than
 * one scan on the engine thread, which the chunks' share of a smaller budget cannot spare
 * (docs/performance.md "Memory budget").
 */
const TWO_SCAN_THREADS_FROM = 400e6;
/**
 * Scan batches of a spilled run: at most 131,072 rows (an in-memory run's are 262,144; see
 * segment-scan.ts), and no more than a chunk is expected to hold, for a batch is the smallest
 * chunk there is. At least 32,768: each batch and chunk has a fixed cost.
 */
const SPILL_BATCH_ROWS = { max: 1 << 17, min: 1 << 15 };
/** Bytes of a typical NDJSON event (the generator's: 155), for the batch size before the scan counts them. */
const TYPICAL_EVENT_BYTES = 155;
/** Disk a spilled run needs per byte of events file: its batches, then its outputs, as Arrow. */
const SPILL_DISK_PER_FILE_BYTE = 2.5;

/** The default budget: half of the machine's memory (the rest is the user's other work). */
export function defaultMemoryLimit(): number {
  return Math.floor(totalmem() / 2);
}

export interface SpillPlan {
  /** Chunks of input order the run is expected to take (for the log; the scan counts the rows). */
  chunks: number;
  /** Data (as an in-memory run holds it) per chunk of input order. */
  chunkBytes: number;
  /** Memory for one dedup pass over the kept rows' hashes. */
  dedupBytes: number;
  /** Memory for one range of daily counts while it is merged. */
  dailyBytes: number;
  /** Free disk the spill needs. */
  diskBytes: number;
  /** Scan threads: 2 spill their own batches; 1 scans on the engine thread, which spills them. */
  scanThreads: 1 | 2;
  /** Rows per scan batch. */
  batchRows: number;
  /** Rows of typical events per chunk, until the scan has counted them (spillSteps). */
  chunkRows: number;
}

/** Test and bench overrides of a spilled run's steps (see RunHooks.spill). */
export interface SpillTuning {
  /** Rows of input order per chunk (tests force many chunks on small inputs). */
  chunkRows?: number;
  dailyRanges?: number;
  dedupPasses?: number;
  /** Replaces the volume's free space (tests of the disk-space error). */
  freeBytes?: (dir: string) => Promise<number>;
}

/** null when a run over `fileBytes` of events fits `limit` in memory; else how it spills. */
export function planMemory(fileBytes: number, limit: number): SpillPlan | null {
  const inMemory = fileBytes * IN_MEMORY_PER_FILE_BYTE;
  // A budget below what the engine itself needs spills whatever the size (and is then exceeded
  // by the engine alone: docs/performance.md says by how much).
  if (inMemory <= limit - ENGINE_BASE_BYTES) return null;
  const dataBudget = Math.max(limit - ENGINE_BASE_BYTES, 16e6);
  // Two chunks are held at once: one finished while the next is read (spilled-run.ts).
  const chunkBytes = (dataBudget * CHUNK_SHARE) / 2;
  const chunkRows = chunkBytes / (IN_MEMORY_PER_FILE_BYTE * TYPICAL_EVENT_BYTES);
  const batchRows = Math.min(
    SPILL_BATCH_ROWS.max,
    Math.max(SPILL_BATCH_ROWS.min, 2 ** Math.floor(Math.log2(chunkRows))),
  );
  return {
    chunks: Math.max(1, Math.ceil(inMemory / chunkBytes)),
    chunkBytes,
    dedupBytes: dataBudget * DEDUP_SHARE,
    dailyBytes: dataBudget * DAILY_SHARE,
    diskBytes: Math.ceil(fileBytes * SPILL_DISK_PER_FILE_BYTE),
    scanThreads: dataBudget >= TWO_SCAN_THREADS_FROM ? 2 : 1,
    batchRows,
    chunkRows: Math.max(1, Math.floor(chunkRows)),
  };
}

/** How a spilled run steps through its data, once the scan has counted it. */
export interface SpillSteps {
  /** Rows of input order per chunk. */
  chunkRows: number;
  /** Ranges of users whose daily counts are merged at once. */
  dailyRanges: number;
  /** Passes over the kept rows' hashes, each over one share of the hashes. */
  dedupPasses: number;
}

/**
 * The steps for a scan of `rows` events (`keptRows` of them past stages 0-2) from `fileBytes`:
 * a chunk is the rows of `chunkBytes` as an in-memory run holds them; passes and ranges are
 * the fewest whose share of the kept rows fits their memory. Each at least one.
 */
export function spillSteps(
  plan: SpillPlan,
  rows: number,
  keptRows: number,
  fileBytes: number,
  tuning: SpillTuning = {},
): SpillSteps {
  const perRow = (fileBytes * IN_MEMORY_PER_FILE_BYTE) / Math.max(rows, 1) || 1;
  const atLeastOne = (n: number) => Math.max(1, n);
  return {
    chunkRows: atLeastOne(tuning.chunkRows ?? Math.floor(plan.chunkBytes / perRow)),
    dailyRanges: atLeastOne(tuning.dailyRanges ?? Math.ceil((keptRows * DAILY_BYTES_PER_KEPT_ROW) / plan.dailyBytes)),
    dedupPasses: atLeastOne(tuning.dedupPasses ?? Math.ceil((keptRows * DEDUP_BYTES_PER_KEPT_ROW) / plan.dedupBytes)),
  };
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
