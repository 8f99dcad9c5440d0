/** Hosts runs in a child Node process (`child_process.fork`): plain Node, tests and browser mode. */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withAllocatorEnv } from '../engine/allocator-env';
import { runWillSpill } from '../engine/memory-plan';
import type { RunRequest } from '../../shared/pipeline';
import { isFromHostMessage } from './run-protocol';
import type { HostedProcess, RunHostFactory } from './run-host';

/**
 * The run worker script: the bundled `dist/electron/run-worker.js` when running from a build,
 * else the TypeScript source, loaded through tsx.
 */
export function defaultRunWorkerPath(): string {
  const bundled = path.join(__dirname, 'run-worker.js');
  if (existsSync(bundled)) return bundled;
  return path.join(__dirname, 'run-worker.ts');
}

/** `echoStderr`: also copy the engine's log lines to this process's stderr (browser mode's terminal). */
export function forkRunHost(
  workerPath: string = defaultRunWorkerPath(),
  options: { echoStderr?: boolean } = {},
): RunHostFactory {
  return {
    start(request): HostedProcess {
      // A .ts worker needs tsx in the child too; a bundled .js one needs nothing.
      const execArgv = workerPath.endsWith('.ts') ? ['--import', 'tsx'] : [];
      const child = fork(workerPath, [], {
        execArgv,
        env: runProcessEnv(request),
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      lowerPriority(child.pid);
      // The engine logs to stderr; keep the last bit so a crash can be explained.
      let stderrTail = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
        if (options.echoStderr) process.stderr.write(chunk);
      });
      return {
        send: (message) => {
          if (child.connected) child.send(message);
        },
        kill: () => {
          child.kill('SIGKILL');
        },
        onMessage: (listener) => {
          child.on('message', (message) => {
            if (isFromHostMessage(message)) listener(message);
          });
        },
        onExit: (listener) => {
          child.on('exit', (code, signal) => listener(code, signal));
        },
        lastError: () => stderrTail.trim().split('\n').filter(Boolean).at(-1),
      };
    },
  };
}

/** The environment of a run's process: its malloc settings depend on whether the run will spill. */
export function runProcessEnv(request: RunRequest): NodeJS.ProcessEnv {
  return withAllocatorEnv(process.env, runWillSpill(request.eventsPath, request.memoryLimit));
}

/**
 * The engine may keep every core busy (Polars is multi-threaded); a lower priority for its
 * process keeps the window or the HTTP server responsive. Best effort: some systems refuse.
 */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    os.setPriority(pid, 10);
  } catch {
    // Not allowed here: the run still works, only at normal priority.
  }
}
