/**
 * Hosts runs in Electron's utilityProcess (a Node child the main process owns). Electron's
 * module is passed in, so the service imports nothing from Electron.
 */
import type { UtilityProcess } from 'electron';
import { lowerPriority, runProcessEnv } from './fork-run-host';
import { SCAN_WORKER_FLAG, isFromHostMessage } from './run-protocol';
import type { HostedProcess, RunHostFactory } from './run-host';

type Fork = (
  modulePath: string,
  args?: string[],
  options?: { serviceName?: string; stdio?: 'ignore' | 'inherit' | 'pipe'; env?: NodeJS.ProcessEnv },
) => UtilityProcess;

/**
 * `workerPath` is the run worker's bundle; `scanWorkerScript`, where the engine's scan threads
 * load their script from, when the shell knows better than the engine (a packaged app).
 */
export function utilityProcessRunHost(
  utilityFork: Fork,
  workerPath: string,
  scanWorkerScript?: string,
): RunHostFactory {
  const args = scanWorkerScript ? [`${SCAN_WORKER_FLAG}${scanWorkerScript}`] : [];
  return {
    start(request): HostedProcess {
      const child = utilityFork(workerPath, args, {
        serviceName: 'ETL run',
        stdio: 'inherit',
        env: runProcessEnv(request),
      });
      let exited = false;
      const pending: unknown[] = [];
      let spawned = false;
      // Messages posted before 'spawn' are queued by Electron, but keep order explicit anyway.
      child.once('spawn', () => {
        spawned = true;
        lowerPriority(child.pid);
        for (const m of pending.splice(0)) child.postMessage(m);
      });
      return {
        send: (message) => {
          if (exited) return;
          if (spawned) child.postMessage(message);
          else pending.push(message);
        },
        kill: () => {
          if (!exited) child.kill();
        },
        onMessage: (listener) => {
          child.on('message', (message: unknown) => {
            if (isFromHostMessage(message)) listener(message);
          });
        },
        onExit: (listener) => {
          child.once('exit', (code: number) => {
            exited = true;
            listener(code, null);
          });
        },
      };
    },
  };
}
