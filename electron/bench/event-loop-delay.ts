/**
 * The service thread's event-loop delay while a run goes on in its host process: the thread
 * that serves the window or the HTTP API must stay responsive. A measure of wall-clock delay
 * depends on everything else the machine is doing, so it is a benchmark figure (`npm run
 * bench`), set beside an idle baseline taken just before on the same thread, not a unit test.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineService } from '../service/engine-service';
import { forkRunHost } from '../service/fork-run-host';
import type { RunRequest } from '../../shared/pipeline';

export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

/** Delay of this thread's event loop: idle for `idleMs`, then during one run of `req`. */
export async function serviceLoopDelay(
  req: RunRequest,
  workerPath: string,
  idleMs = 2000,
): Promise<{ idle: LoopDelay; run: LoopDelay & { ms: number; progressEvents: number } }> {
  const measure = async <T>(what: () => Promise<T>): Promise<[LoopDelay, T]> => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const value = await what();
    h.disable();
    return [{ p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 }, value];
  };
  const [idle] = await measure(() => sleep(idleMs));
  const service = new EngineService({ hosts: forkRunHost(workerPath) });
  let progressEvents = 0;
  service.onProgress(() => progressEvents++);
  const t0 = performance.now();
  const [run, result] = await measure(() => service.run(req));
  await service.dispose();
  if (!result.ok) throw new Error(`the run failed: ${result.error.message}`);
  return { idle, run: { ...run, ms: performance.now() - t0, progressEvents } };
}
