/**
 * One scan batch of a spilled run (spilled-run.ts), written to the spill folder whole, in input
 * order, as the reader finished it: every column as one Arrow IPC file, and its kept rows'
 * (source_row, key_hash) as another, read again by each dedup pass. The reader's column
 * buffers are written as they are, without going through Polars: the scan threads that spill
 * them (or the engine thread, for a scan on that thread) never load Polars, and no batch is
 * converted, compressed or collected on the way (docs/performance.md "Memory budget"). The
 * files are plain Arrow, which Polars scans lazily when the chunks read them.
 */
import { closeSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { writeFailure } from './atomic-output';
import { Int32Column, toIpcFileParts } from './column-builders';
import type { ScannedBatch } from './event-columns';
import { REASON_CODE } from './reason-codes';

/** Where a run's batches are spilled. */
export interface BatchSpill {
  dir: string;
}

/** The files one batch was written to. */
export interface SpilledBatch {
  /** Every column of the batch, as the reader made them (with key_hash). */
  events: string;
  /** source_row and key_hash of the batch's kept rows (stages 0-2 passed). */
  hashes: string;
  /** Rows in the batch. */
  rows: number;
}

/**
 * Writes the batches of one scan, each as it comes; `tag` names this scan's files apart from
 * another's in the same run (a scan thread's range, or the engine thread).
 */
export function batchSpiller(spill: BatchSpill, tag: string): (batch: ScannedBatch) => SpilledBatch {
  let n = 0;
  return (batch) => spillBatch(batch, spill, `${tag}-${n++}`);
}

/** Writes one batch of the reader. `name` makes its files' names unique in the run. */
export function spillBatch(batch: ScannedBatch, spill: BatchSpill, name: string): SpilledBatch {
  const written: SpilledBatch = {
    events: join(spill.dir, `batch-${name}.ipc`),
    hashes: join(spill.dir, `hash-${name}.ipc`),
    rows: batch.source_row.length,
  };
  writeSpill(written.events, () => writeParts(written.events, toIpcFileParts(batch)));
  writeSpill(written.hashes, () => writeParts(written.hashes, toIpcFileParts(keptHashes(batch))));
  return written;
}

/**
 * Writes a file from its pieces with one `writev`: the batch's buffers go to the file as they
 * are, with no buffer of the whole file made and filled first (a fresh allocation per batch).
 */
function writeParts(path: string, parts: Uint8Array[]): void {
  const fd = openSync(path, 'w');
  try {
    let rest = parts;
    while (rest.length > 0) {
      let wrote = writevSync(fd, rest);
      // A short write (a disk filling up) goes on with the rest: the next write says why it stops.
      if (wrote === 0) throw new Error('the file system took no more bytes');
      while (rest.length > 0 && wrote >= rest[0].length) {
        wrote -= rest[0].length;
        rest = rest.slice(1);
      }
      if (wrote > 0) rest = [rest[0].subarray(wrote), ...rest.slice(1)];
    }
  } finally {
    closeSync(fd);
  }
}

const R_OK = REASON_CODE.ok;

/** source_row and key_hash of the rows that passed stages 0-2 (reason 0). */
function keptHashes(batch: ScannedBatch): Pick<ScannedBatch, 'source_row' | 'key_hash'> {
  const n = batch.source_row.length;
  const reasons = batch.reason.values as Int32Array;
  const rows = batch.source_row.values as Int32Array;
  const hashes = batch.key_hash.values as Uint32Array;
  const keptRows = new Int32Column(n);
  const keptHashes = new Uint32Array(2 * n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (reasons[i] !== R_OK) continue;
    keptRows.push(rows[i]);
    keptHashes[2 * kept] = hashes[2 * i];
    keptHashes[2 * kept + 1] = hashes[2 * i + 1];
    kept++;
  }
  return {
    source_row: keptRows.finish(),
    key_hash: { type: 'uint64', length: kept, nullCount: 0, values: keptHashes.subarray(0, 2 * kept) },
  };
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
