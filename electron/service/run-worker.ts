/**
 * Entry point of the process that hosts one run. It speaks the run protocol over whichever
 * channel it was started with: Electron's `process.parentPort` (utilityProcess), Node's IPC
 * (`process.send`, under fork) or `worker_threads`' parentPort.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { parentPort as threadPort } from 'node:worker_threads';
import { runPipeline } from '../engine/pipeline';
import { toErrorInfo } from '../engine/errors';
import type { RunSource } from '../engine/output-lock';
import { SCAN_WORKER_FLAG, type FromHostMessage, type ToHostMessage } from './run-protocol';

interface Channel {
  /** Who hosts this process, as the output folder's lock names the run. */
  source: RunSource;
  /** `then` runs once the message has left this process (fork) or been queued (others). */
  post(message: FromHostMessage, then?: () => void): void;
  listen(listener: (message: ToHostMessage) => void): void;
}

function openChannel(): Channel {
  const electronPort = (
    process as unknown as {
      parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void };
    }
  ).parentPort;
  if (electronPort) {
    return {
      source: 'app',
      post: (m, then) => {
        electronPort.postMessage(m);
        if (then) setTimeout(then, 50);
      },
      listen: (l) => electronPort.on('message', (e) => l(e.data as ToHostMessage)),
    };
  }
  if (process.send) {
    // Forked by the engine service outside Electron: browser mode.
    return {
      source: 'browser',
      post: (m, then) => {
        process.send!(m, undefined, undefined, () => then?.());
      },
      listen: (l) => process.on('message', (m) => l(m as ToHostMessage)),
    };
  }
  if (threadPort) {
    const port = threadPort;
    return {
      source: 'api',
      post: (m, then) => {
        port.postMessage(m);
        then?.();
      },
      listen: (l) => port.on('message', l),
    };
  }
  throw new Error('run-worker.ts must be started by the engine service (no parent channel found).');
}

/**
 * The engine keeps every core busy (Polars and its own workers are multi-threaded). Running it
 * at a lower priority keeps the window or the HTTP server responsive on small machines. On
 * Linux a priority belongs to a thread, so every thread that exists now is lowered; threads
 * started later inherit it. Best effort: where it is refused, the run goes on as it is.
 */
function lowerOwnPriority(): void {
  let tids: string[] = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    // Not Linux.
  }
  for (const tid of tids.length ? tids.map(Number) : [0]) {
    try {
      os.setPriority(tid, Math.max(os.getPriority(tid), 10));
    } catch {
      // Refused or the thread is gone.
    }
  }
}

lowerOwnPriority();
const channel = openChannel();
// Where the scan threads' script is, when the process that started this one says (a packaged app).
const workerScript = process.argv.find((a) => a.startsWith(SCAN_WORKER_FLAG))?.slice(SCAN_WORKER_FLAG.length);
const abort = new AbortController();
let started = false;

channel.listen((message) => {
  if (message.type === 'cancel') {
    abort.abort();
    return;
  }
  if (message.type !== 'run' || started) return;
  started = true;
  runPipeline(message.request, {
    scan: { workerScript },
    signal: abort.signal,
    source: channel.source,
    onEvent: (event) => channel.post({ type: 'event', event }),
  }).then(
    (report) => finish({ type: 'done', report }),
    (err) => finish({ type: 'failed', error: toErrorInfo(err) }),
  );
});

function finish(message: FromHostMessage): void {
  // One process per run: leave once the result is out, so memory never piles up.
  channel.post(message, () => process.exit(0));
}
