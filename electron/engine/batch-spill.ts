/**
 * One scan batch of a spilled run (spilled-run.ts), written to the spill folder whole, in input
 * order: its events as one Arrow IPC file, its kept rows' (source_row, key_hash) as another
 * (read again by each dedup pass), and its as-read extras as a third. The same code runs on
 * the engine thread (a scan on that thread) and on the scan threads, which spill their own
 * batches when a run's budget has room for two of them (memory-plan.ts `scanThreads`;
 * docs/performance.md "Memory budget").
 */
import { join } from 'node:path';
import pl from './polars';
import { writeFailure } from './atomic-output';
import { keptHashes, splitBatch } from './stages';

/**
 * Spill files are LZ4-compressed Arrow IPC: about a quarter of the bytes, and less CPU to write
 * than the plain bytes cost the file system (docs/performance.md "Memory budget").
 */
export const SPILL_FILE = { compression: 'lz4' } as const;

/** Where a run's batches are spilled. */
export interface BatchSpill {
  dir: string;
}

/** The files one batch was written to. */
export interface SpilledBatch {
  /** Every event of the batch, as splitBatch leaves them (with key_hash). */
  events: string;
  /** source_row and key_hash of the batch's kept rows (stages 0-2 passed). */
  hashes: string;
  /** Rows in the batch. */
  rows: number;
  /** The batch's as-read extras, if it has any. */
  extras: string | null;
}

/**
 * Splits and writes one batch (Arrow IPC stream bytes from the scanner). `name` makes its files'
 * names unique in the run. The first batch of a scan writes its extras even when they are
 * empty: that file carries their columns.
 */
export function spillBatch(ipc: Uint8Array, spill: BatchSpill, name: string, first: boolean): SpilledBatch {
  const batch = splitBatch(pl.readIPCStream(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength)));
  const written: SpilledBatch = {
    events: join(spill.dir, `batch-${name}.ipc`),
    hashes: join(spill.dir, `hash-${name}.ipc`),
    rows: batch.events.height,
    extras: null,
  };
  writeSpill(written.events, () => batch.events.writeIPC(written.events, SPILL_FILE));
  // Plain: two integer columns compress little, and each dedup pass reads them all again.
  writeSpill(written.hashes, () => keptHashes(batch.events).writeIPC(written.hashes));
  if (batch.asRead.height > 0 || first) {
    const extras = (written.extras = join(spill.dir, `extras-${name}.ipc`));
    writeSpill(extras, () => batch.asRead.writeIPC(extras, SPILL_FILE));
  }
  return written;
}

/**
 * Writes a spill file; a failed write (a disk filled mid-run) is the clear error naming it,
 * also across a scan thread (an EtlError keeps its kind there).
 */
export function writeSpill(path: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    throw writeFailure(path, err);
  }
}
