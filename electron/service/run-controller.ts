/**
 * One run at a time, hosted off the calling thread. Cancelling asks the engine to stop and
 * kills the host if it has not within a short grace period. A host that ended without a result
 * (killed or crashed) leaves its output folder to `afterAbort`, which recovers it (see
 * engine/atomic-output.ts) and says what it found; the reply says only that. The controller is
 * then ready for the next run.
 */
import type { EtlErrorInfo, ProgressEvent, RunReport, RunRequest } from '../../shared/pipeline';
import type { Result } from '../../shared/service-contract';
import { ProgressThrottle } from './progress-throttle';
import type { HostedProcess, RunHostFactory } from './run-host';

export interface RunControllerOptions {
  hosts: RunHostFactory;
  /** Receives the (throttled) progress of every run. */
  onProgress: (event: ProgressEvent) => void;
  /** How long a cancelled engine may take to stop by itself before its host is killed. */
  cancelGraceMs?: number;
  /**
   * Recovers the output folder after a host that ended without a result (killed or crashed);
   * resolves to a sentence on what the folder now holds, as checked.
   */
  afterAbort?: (request: RunRequest) => Promise<string>;
}

interface ActiveRun {
  host: HostedProcess;
  cancelled: boolean;
  exited: Promise<void>;
}

export class RunController {
  private active: ActiveRun | null = null;
  private readonly cancelGraceMs: number;

  constructor(private readonly options: RunControllerOptions) {
    this.cancelGraceMs = options.cancelGraceMs ?? 300;
  }

  get running(): boolean {
    return this.active !== null;
  }

  run(request: RunRequest): Promise<Result<RunReport>> {
    if (this.active) {
      return Promise.resolve({
        ok: false,
        error: {
          kind: 'busy',
          message: 'A run is already in progress. Wait for it to finish or cancel it, then try again.',
        },
      });
    }
    const throttle = new ProgressThrottle(this.options.onProgress);
    let host: HostedProcess;
    try {
      host = this.options.hosts.start(request);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return Promise.resolve({
        ok: false,
        error: { kind: 'internal', message: `Could not start the run process: ${message}.` },
      });
    }
    return new Promise<Result<RunReport>>((resolve) => {
      let outcome: Result<RunReport> | null = null;
      let sawFailedEvent = false;
      let markExited!: () => void;
      const run: ActiveRun = { host, cancelled: false, exited: new Promise((r) => (markExited = r)) };
      this.active = run;
      throttle.start();

      host.onMessage((message) => {
        if (message.type === 'event') {
          if (message.event.type === 'run-failed') sawFailedEvent = true;
          throttle.push(message.event);
        } else if (message.type === 'done') {
          outcome = { ok: true, value: message.report };
        } else if (message.type === 'failed') {
          outcome = { ok: false, error: message.error };
        }
      });

      host.onExit(async (code, signal) => {
        // A run that finished just before the cancel arrived keeps its real outcome.
        let outputs = "The output folder's state was not checked.";
        if (!outcome && this.options.afterAbort)
          outputs = await this.options
            .afterAbort(request)
            .catch(
              (err: unknown) =>
                `The output folder could not be checked: ${err instanceof Error ? err.message : String(err)}`,
            );
        const result: Result<RunReport> = outcome ?? {
          ok: false,
          error: run.cancelled ? cancelledInfo(outputs) : crashInfo(code, signal, host.lastError?.(), outputs),
        };
        if (!result.ok && !sawFailedEvent) throttle.push({ type: 'run-failed', error: result.error });
        throttle.stop();
        this.active = null;
        markExited();
        resolve(result);
      });

      host.send({ type: 'run', request });
    });
  }

  /** Stops the current run; resolves once its host is gone. `false` when nothing was running. */
  async cancel(): Promise<boolean> {
    const run = this.active;
    if (!run) return false;
    run.cancelled = true;
    run.host.send({ type: 'cancel' });
    const timer = setTimeout(() => run.host.kill(), this.cancelGraceMs);
    await run.exited;
    clearTimeout(timer);
    return true;
  }
}

function cancelledInfo(outputs: string): EtlErrorInfo {
  return { kind: 'cancelled', message: `The run was cancelled. ${outputs}` };
}

function crashInfo(
  code: number | null,
  signal: string | null,
  lastError: string | undefined,
  outputs: string,
): EtlErrorInfo {
  const how = signal ? `was stopped by signal ${signal}` : `exited with code ${code}`;
  const said = lastError ? ` Its last message: "${lastError.slice(0, 300)}".` : ' (It may have run out of memory.)';
  return {
    kind: 'internal',
    message: `The run process ${how} before finishing.${said} ${outputs} Try again, and report it with etl.log if it happens again.`,
  };
}
