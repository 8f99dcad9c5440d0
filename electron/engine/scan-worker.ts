/**
 * Worker-thread entry: scans one range of the events file and posts its batches (transferred,
 * not copied) and its result to the engine thread. See `events-reader.ts`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EtlErrorInfo } from '../../shared/pipeline';
import { EtlError } from './errors';
import { batchSpiller, type BatchSpill, type SpilledBatch } from './batch-spill';
import { toIpcStream } from './column-builders';
import type { ScannedBatch } from './event-columns';
import { scanSegment, type ScanTally, type SegmentOptions, type SegmentSpec } from './segment-scan';

export type ScanWorkerMessage =
  | { type: 'batch'; ipc: Uint8Array }
  | { type: 'spilled'; batch: SpilledBatch }
  | { type: 'bytes'; bytes: number; tally: ScanTally }
  | { type: 'done'; result: Awaited<ReturnType<typeof scanSegment>> }
  | { type: 'error'; message: string; info?: EtlErrorInfo };

// Batches are handed over by transferring their buffers, and the first buffer a thread ever
// detaches makes V8 throw away all code compiled on the assumption that none ever would be (its
// "detaching protector"): the whole scanner, just after it was optimised. Detaching one now,
// before anything is compiled, spares that second compilation.
const spare = new ArrayBuffer(8);
structuredClone(spare, { transfer: [spare] });

/** The reader's batch and block sizes, as a scan on its own thread would take them. */
export type ScanTuning = Pick<SegmentOptions, 'batchRows' | 'blockBytes' | 'uncached'>;

/**
 * A spilled run's scan threads spill their own batches (batch-spill.ts) and post only the files'
 * names: the engine thread, which used to split and write every batch, was the scan's
 * bottleneck. `tag` names this thread's files apart from the other's.
 */
export type ThreadSpill = BatchSpill & { tag: string };

export type ScanWorkerData = SegmentSpec & { tuning: ScanTuning; spill?: ThreadSpill };

const { tuning, spill, ...spec } = workerData as ScanWorkerData;
const port = parentPort!;
const post = (m: ScanWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** This thread's batches to disk. */
function spiller(to: ThreadSpill): (batch: ScannedBatch) => void {
  const spill = batchSpiller(to, to.tag);
  return (batch) => post({ type: 'spilled', batch: spill(batch) });
}

scanSegment(spec, {
  ...tuning,
  onBatch: spill
    ? spiller(spill)
    : (batch) => {
        const ipc = toIpcStream(batch);
        post({ type: 'batch', ipc }, [ipc.buffer as ArrayBuffer]);
      },
  // Twice per block (read, then scanned): a few messages per 8 MiB, so no pacing is needed here;
  // the service paces what reaches the UI (progress-throttle.ts).
  onBytes: (bytes, tally) => post({ type: 'bytes', bytes, tally }),
}).then(
  (result) => post({ type: 'done', result }),
  // An error classified here (an input gone mid-run) keeps its kind and file across the thread.
  (err: unknown) =>
    post({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      ...(err instanceof EtlError && { info: err.info }),
    }),
);
