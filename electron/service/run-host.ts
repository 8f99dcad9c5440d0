/**
 * Where a run executes: never on the service's own thread, so the window (or the HTTP server)
 * stays responsive and a crash of the engine cannot take the service down.
 * main.ts hosts runs in Electron's utilityProcess; tests and browser mode use `fork`.
 */
import type { RunRequest } from '../../shared/pipeline';
import type { FromHostMessage, ToHostMessage } from './run-protocol';

/** One started host process; lives for exactly one run. */
export interface HostedProcess {
  send(message: ToHostMessage): void;
  /** Ends the process at once (used after the cancel grace period). */
  kill(): void;
  onMessage(listener: (message: FromHostMessage) => void): void;
  /** Called once when the process is gone, with its exit code (null when killed by a signal). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** The last line the process wrote to stderr, when known: explains a crash. */
  lastError?(): string | undefined;
}

/** Starts hosts; injectable so tests can use a fake or a deliberately crashing one. */
export interface RunHostFactory {
  /** `request` is the run the process will get: whether it spills decides its malloc settings. */
  start(request: RunRequest): HostedProcess;
}
