import type { ProgressEvent, RunReport, RunRequest } from '../../shared/pipeline';

export interface RunHooks {
  /** Called for every progress event, synchronously, in order. */
  onEvent?: (event: ProgressEvent) => void;
  /** Aborting cancels the run; outputs already in place stay as they were. */
  signal?: AbortSignal;
}

/** Runs the whole SPEC pipeline. Rejects with an EtlError for bad input or cancellation. */
export async function runPipeline(_req: RunRequest, _hooks: RunHooks = {}): Promise<RunReport> {
  throw new Error('not implemented yet');
}
