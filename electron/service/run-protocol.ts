/**
 * Messages between the engine service and the process (or thread) that hosts one run.
 * Plain serialisable values, so the same protocol works over `child_process.fork`,
 * `worker_threads` and Electron's `utilityProcess`.
 */
import type { EtlErrorInfo, ProgressEvent, RunReport, RunRequest } from '../../shared/pipeline';

/** Service → host. */
export type ToHostMessage = { type: 'run'; request: RunRequest } | { type: 'cancel' };

/** Host → service. */
export type FromHostMessage =
  | { type: 'event'; event: ProgressEvent }
  | { type: 'done'; report: RunReport }
  | { type: 'failed'; error: EtlErrorInfo };

export function isFromHostMessage(value: unknown): value is FromHostMessage {
  if (!value || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return type === 'event' || type === 'done' || type === 'failed';
}

/** The run worker's argument naming the scan worker's script: `--scan-worker=<path>`. */
export const SCAN_WORKER_FLAG = '--scan-worker=';
