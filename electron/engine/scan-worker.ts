/**
 * Worker-thread entry: scans one range of the events file and posts its batches (transferred,
 * not copied) and its result to the engine thread. See `events-reader.ts`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EtlErrorInfo } from '../../shared/pipeline';
import { EtlError } from './errors';
import { scanSegment, type ScanTally, type SegmentSpec } from './segment-scan';

export type ScanWorkerMessage =
  | { type: 'batch'; ipc: Uint8Array }
  | { type: 'bytes'; bytes: number; tally: ScanTally }
  | { type: 'done'; result: Awaited<ReturnType<typeof scanSegment>> }
  | { type: 'error'; message: string; info?: EtlErrorInfo };

// Batches are handed over by transferring their buffers, and the first buffer a thread ever
// detaches makes V8 throw away all code compiled on the assumption that none ever would be (its
// "detaching protector"): the whole scanner, just after it was optimised. Detaching one now,
// before anything is compiled, spares that second compilation.
const spare = new ArrayBuffer(8);
structuredClone(spare, { transfer: [spare] });

/**
 * Optional flow control (a spilled run, whose engine thread writes each batch to disk and must
 * not fall behind with batches piling up in memory): the count of batches posted and not yet
 * taken in, shared with the engine thread, and the most there may be. The scan waits here,
 * off the engine thread, while the count is at the limit.
 */
export interface ScanFlow {
  inFlight: Int32Array;
  max: number;
}

const { flow, ...spec } = workerData as SegmentSpec & { flow?: ScanFlow };
const port = parentPort!;
const post = (m: ScanWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

scanSegment(spec, {
  onBatch: (ipc) => {
    post({ type: 'batch', ipc }, [ipc.buffer as ArrayBuffer]);
    if (!flow) return;
    // (A bounded wait, in a loop: a terminated thread stops at the next turn.)
    for (let n = Atomics.add(flow.inFlight, 0, 1) + 1; n >= flow.max; n = Atomics.load(flow.inFlight, 0))
      Atomics.wait(flow.inFlight, 0, n, 100);
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
