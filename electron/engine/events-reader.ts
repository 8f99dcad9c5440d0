/**
 * Reads `raw_events.json` in either input format of docs/rules.md "Events". Large files are split in
 * two at a record boundary and scanned by two worker threads at once (the machine this is
 * built for has two cores); small files, and arrays whose layout gives no safe split point,
 * are scanned on this thread. Either way the rows, their order and every error are the same.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EventsFormat } from '../../shared/pipeline';
import { EtlError, cancelledError, inputError, inputGoneError } from './errors';
import { emptyTally, type ScanTally } from './event-columns';
import { batchSpiller, type BatchSpill, type SpilledBatch } from './batch-spill';
import { toIpcStream } from './column-builders';
import type { ScanTuning, ScanWorkerData, ScanWorkerMessage, ThreadSpill } from './scan-worker';
import { describeProblem } from './scan-problem';
import { openSequential } from './sequential-read';
import { refuseSpecialFile } from './input-file';
import type { ScanProblem, SegmentResult, SegmentSpec } from './segment-scan';
import { excerptAt, lineAndColumn } from './text-position';

export interface EventsReadOptions {
  /** A batch of rows of range `segment` (ranges are numbered in file order). */
  onBatch: (ipc: Uint8Array, segment: number) => void;
  /** Forget every batch so far: the parallel scan was abandoned and starts over. */
  onDiscard?: () => void;
  /** Bytes read so far, and the counts of the rows scanned so far (all ranges together). */
  onBytes?: (bytesRead: number, totalBytes: number, tally: ScanTally) => void;
  /** Called once the scan is running (its threads started), or has failed before it could. */
  onStarted?: () => void;
  signal?: AbortSignal;
  /** Worker threads for large files (default 2; 1 scans on this thread). */
  workers?: number;
  /** Files from this size up are scanned in parallel (default 16 MiB). */
  parallelFrom?: number;
  blockBytes?: number;
  batchRows?: number;
  /**
   * The bundled scan worker's script. The caller knows where it is (a packaged app ships it
   * outside its archive); by default, scan-worker.js beside this code, else the TypeScript
   * source through tsx.
   */
  workerScript?: string;
  /**
   * A spilled run's folder: every batch is written there as it is scanned (batch-spill.ts), by
   * the scan threads themselves or on this thread, and reported through `onSpilled` instead of
   * `onBatch`.
   */
  spill?: BatchSpill;
  onSpilled?: (batch: SpilledBatch, segment: number) => void;
}

export interface EventsReadResult {
  format: EventsFormat;
  bytes: number;
  /**
   * SHA-256 of the file, for the run report. Hashed once the scan is done: during the scan both
   * cores are busy with it, while the later stages leave some room.
   */
  sha256: Promise<string>;
  tally: ScanTally;
  /** What to add to `source_row` of each range's rows to make it file-wide. */
  rowOffsets: number[];
}

/** The counts of several ranges, summed (a new object). */
function addTallies(tallies: ScanTally[]): ScanTally {
  const sum = emptyTally();
  for (const t of tallies) for (const k of Object.keys(sum) as (keyof ScanTally)[]) sum[k] += t[k];
  return sum;
}

/** `.ndjson`/`.jsonl` are always line-delimited; other names are sniffed (docs/rules.md "Details"). */
export function formatFromName(path: string): EventsFormat | null {
  const ext = extname(path).toLowerCase();
  return ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : null;
}

const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** The format a file's first non-blank character implies: `[` means a JSON array. */
export function sniffFormat(head: Uint8Array): EventsFormat {
  let p = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (p < head.length && isWs(head[p])) p++;
  return head[p] === 91 ? 'json' : 'ndjson';
}

/**
 * A split point near `mid`: after a line end (NDJSON), or, for an array, at the start of a
 * line that begins an object right after a line ending in ','. The array guess is checked
 * afterwards (the first range must end exactly between two elements).
 */
export function findSplit(window: Uint8Array, windowOffset: number, format: EventsFormat): number | null {
  for (let i = window.indexOf(10); i >= 0 && i < window.length - 1; i = window.indexOf(10, i + 1)) {
    if (format === 'ndjson') return windowOffset + i + 1;
    let a = i - 1;
    while (a >= 0 && isWs(window[a])) a--;
    let z = i + 1;
    while (z < window.length && isWs(window[z])) z++;
    if (a >= 0 && window[a] === 44 && window[z] === 123) return windowOffset + i + 1;
  }
  return null;
}

/** The hash of the events file, for the report; `uncached` as for the scan (sequential-read.ts). */
async function sha256File(path: string, uncached: boolean, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  // One buffer, read into again and again: a stream's fresh buffer per chunk left up to a few
  // hundred megabytes of them for the collector at 10,000,000 events.
  const buf = Buffer.allocUnsafe(4 << 20);
  // The scan read this file moments ago; failing now means it went away during the run.
  const gone = (err: unknown) => inputGoneError('events file', path, err);
  const fh = await openSequential(path, { uncached, blockBytes: buf.length }).catch((err: unknown) => {
    throw gone(err);
  });
  try {
    for (let pos = 0; ;) {
      // (A cancelled run, or one stopped for a bad users file, stops hashing too.)
      if (signal?.aborted) throw cancelledError();
      const bytesRead = await fh.read(buf, 0, buf.length, pos).catch((err: unknown) => {
        throw gone(err);
      });
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** A scan thread running `script`, or else the bundled .js beside this code, or else the .ts source through tsx. */
function startScanWorker(spec: SegmentSpec, tuning: ScanTuning, script?: string, spill?: ThreadSpill): Worker {
  const workerData: ScanWorkerData = { ...spec, tuning, spill };
  if (script) return new Worker(script, { workerData });
  const js = join(__dirname, 'scan-worker.js');
  if (existsSync(js)) return new Worker(js, { workerData });
  // Running from source (tests, `npm run etl`): load the TypeScript through tsx's CJS hook.
  const boot = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'scan-worker.ts'))});`;
  return new Worker(boot, { eval: true, workerData });
}

interface WorkerHandlers {
  onBatch: (ipc: Uint8Array) => void;
  onSpilled?: (batch: SpilledBatch) => void;
  onBytes: (bytes: number, tally: ScanTally) => void;
}

function runWorker(
  spec: SegmentSpec,
  tuning: ScanTuning,
  script: string | undefined,
  handlers: WorkerHandlers,
  stop: AbortSignal,
  spill?: ThreadSpill,
): Promise<SegmentResult> {
  if (stop.aborted) return Promise.reject(cancelledError());
  const { onBatch, onSpilled, onBytes } = handlers;
  const worker = startScanWorker(spec, tuning, script, spill);
  return new Promise((resolve, reject) => {
    const end = () => void worker.terminate();
    stop.addEventListener('abort', end, { once: true });
    const settle = () => stop.removeEventListener('abort', end);
    worker.on('message', (m: ScanWorkerMessage) => {
      // Once the scan is stopped, late messages from this worker are ignored.
      if (stop.aborted) return;
      if (m.type === 'batch') onBatch(m.ipc);
      else if (m.type === 'spilled') onSpilled?.(m.batch);
      else if (m.type === 'bytes') onBytes(m.bytes, m.tally);
      else if (m.type === 'done') {
        settle();
        resolve(m.result);
        end();
      } else {
        settle();
        reject(m.info ? new EtlError(m.info) : new Error(`events scan worker failed: ${m.message}`));
      }
    });
    worker.on('error', (err) => {
      settle();
      reject(err);
    });
    worker.on('exit', (code) => {
      settle();
      reject(stop.aborted ? cancelledError() : new Error(`events scan worker exited with code ${code}`));
    });
  });
}

/** Reads and scans the events file. Rejects with an input error naming the file and place. */
export async function readEvents(path: string, opts: EventsReadOptions): Promise<EventsReadResult> {
  const name = basename(path);
  let size: number;
  let head: Buffer;
  // Near the middle, for a parallel scan's split point (read with the head: one open).
  let window: { bytes: Buffer; offset: number } | null = null;
  const workers = opts.workers ?? 2;
  try {
    await refuseSpecialFile(path, 'events file');
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (st.isDirectory())
        throw inputError(`The events file ${path} is a folder; choose the raw_events.json file inside it.`, {
          file: path,
        });
      size = st.size;
      head = Buffer.alloc(Math.min(size, 1 << 16));
      const mid = Math.floor(size / 2);
      const parallel = workers >= 2 && size >= (opts.parallelFrom ?? 16 << 20);
      if (parallel) window = { bytes: Buffer.alloc(Math.min(1 << 20, size - mid)), offset: mid };
      await Promise.all([
        fh.read(head, 0, head.length, 0),
        window && fh.read(window.bytes, 0, window.bytes.length, window.offset),
      ]);
    } finally {
      await fh.close();
    }
  } catch (err) {
    opts.onStarted?.();
    if (err instanceof EtlError) throw err;
    throw inputError(
      `Cannot open the events file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}. Check the path and that you may read it.`,
      { file: path },
    );
  }
  const format = formatFromName(path) ?? sniffFormat(head);
  // Hashed once, after the scan or during it (below); stopped with the run, or when the scan fails.
  let hashing: Promise<string> | null = null;
  const stopHashing = new AbortController();
  const hashFile = (): Promise<string> => {
    if (!hashing) {
      const signal = opts.signal ? AbortSignal.any([opts.signal, stopHashing.signal]) : stopHashing.signal;
      hashing = sha256File(path, opts.spill !== undefined, signal);
      hashing.catch(() => undefined); // awaited by the caller, if the run gets that far
    }
    return hashing;
  };

  const fail = async (problem: ScanProblem): Promise<never> => {
    stopHashing.abort();
    if (problem.kind === 'cancelled') throw cancelledError();
    const { line, column } = await lineAndColumn(path, problem.offset);
    const excerpt = await excerptAt(path, problem.offset).catch(() => undefined);
    throw new EtlError(describeProblem(path, name, problem, line, column, excerpt));
  };
  const finish = async (results: SegmentResult[]): Promise<EventsReadResult> => {
    for (const r of results) if (r.problem) await fail(r.problem);
    const tally = addTallies(results.map((r) => r.tally));
    const rowOffsets: number[] = [];
    let records = 0;
    for (const r of results) {
      rowOffsets.push(records);
      records += r.records;
    }
    return { format, bytes: size, sha256: hashFile(), tally, rowOffsets };
  };
  // (Only the folder: `spill` may be a whole SpilledRun.)
  const spill = opts.spill && { dir: opts.spill.dir };
  const sequential = async (): Promise<EventsReadResult> => {
    const spec: SegmentSpec = { path, start: 0, end: size, format, first: true, last: true };
    opts.onStarted?.();
    // Loaded only for a scan on this thread: with scan threads, this thread never needs it.
    const { scanSegment } = require('./segment-scan') as typeof import('./segment-scan');
    const spillHere = spill && batchSpiller(spill, 'main');
    const result = await scanSegment(spec, {
      blockBytes: opts.blockBytes,
      batchRows: opts.batchRows,
      uncached: spill !== undefined,
      onBatch: spillHere
        ? (batch) => opts.onSpilled?.(spillHere(batch), 0)
        : (batch) => opts.onBatch(toIpcStream(batch), 0),
      onBytes: (b, tally) => opts.onBytes?.(b, size, tally),
      isCancelled: () => opts.signal?.aborted === true,
    });
    return finish([result]);
  };

  if (window === null) return sequential();
  const split = findSplit(window.bytes, window.offset, format);
  if (split === null) return sequential();

  const specs: SegmentSpec[] = [
    { path, start: 0, end: split, format, first: true, last: false },
    { path, start: split, end: size, format, first: false, last: true },
  ];
  const done = [0, 0];
  const tallies: ScanTally[] = [emptyTally(), emptyTally()];
  // Stops both workers: on cancel (even one that came while the file was being opened), and
  // when one fails (the other must not go on sending).
  const failed = new AbortController();
  const stop = opts.signal ? AbortSignal.any([opts.signal, failed.signal]) : failed.signal;
  let results: SegmentResult[];
  let running: Promise<SegmentResult>[] = [];
  // Threads that spill write their batches themselves, so this thread waits for them: it hashes
  // the file meanwhile, in the scan's spare time, where after the scan the hash held back the
  // dedup passes (docs/performance.md "Memory budget"). In memory this thread takes the
  // batches in, and hashes after the scan.
  if (spill) hashFile();
  try {
    running = specs.map((spec, i) =>
      runWorker(
        spec,
        { batchRows: opts.batchRows, blockBytes: opts.blockBytes, uncached: spill !== undefined },
        opts.workerScript,
        {
          onBatch: (ipc) => opts.onBatch(ipc, i),
          onSpilled: (batch) => opts.onSpilled?.(batch, i),
          onBytes: (bytes, tally) => {
            done[i] = bytes;
            tallies[i] = tally;
            opts.onBytes?.(done[0] + done[1], size, addTallies(tallies));
          },
        },
        stop,
        spill && { ...spill, tag: `t${i}` },
      ),
    );
    opts.onStarted?.();
    results = await Promise.all(running);
  } catch (err) {
    failed.abort();
    // Every thread has exited before the caller hears of it: a spilling thread still writing
    // would race the removal of the spill folder (each settles when its thread exits).
    await Promise.allSettled(running);
    if (opts.signal?.aborted) throw cancelledError();
    if (err instanceof EtlError) {
      stopHashing.abort();
      throw err;
    }
    // Worker threads unavailable or failed (an unusual runtime): the same scan on this thread.
    opts.onDiscard?.();
    return sequential();
  }
  if (format === 'json') {
    // The first range reads exactly as one pass would, so a problem there is real as it is.
    if (results[0].problem) return finish([results[0]]);
    // The array split is a guess: unless the first range ended exactly between two elements,
    // the second range's view may be wrong. Start over on one thread.
    if (!results[0].cleanBoundary) {
      opts.onDiscard?.();
      return sequential();
    }
  }
  return finish(results);
}
