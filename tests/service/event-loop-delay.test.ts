/**
 * While the real engine chews through 1,000,000 events in its host process, the service's own
 * thread (the one that serves the window or the HTTP API) stays responsive.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import { EngineService } from '../../electron/service/engine-service';
import { forkRunHost } from '../../electron/service/fork-run-host';
import { bundledRunWorker } from './run-worker-bundle';
import { tempDir, writeEventsNdjson, writeUsersCsv } from './fixtures';

let dir: string;
let worker: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  worker = await bundledRunWorker();
  await writeEventsNdjson(path.join(dir, 'events.ndjson'), 1_000_000);
  await writeUsersCsv(path.join(dir, 'users.csv'));
});
after(() => cleanup());

test('event-loop delay stays under 100 ms during a 1,000,000-event run', { timeout: 300_000 }, async () => {
  const service = new EngineService({ hosts: forkRunHost(worker) });
  let progress = 0;
  service.onProgress(() => progress++);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = Date.now();
  const result = await service.run({
    eventsPath: path.join(dir, 'events.ndjson'),
    usersPath: path.join(dir, 'users.csv'),
    outDir: path.join(dir, 'out'),
  });
  histogram.disable();
  const maxMs = histogram.max / 1e6;
  const p99Ms = histogram.percentile(99) / 1e6;
  console.log(
    `# run: ${Date.now() - started} ms, ${progress} progress events, event-loop delay max ${maxMs.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms`,
  );
  assert.equal(result.ok, true, JSON.stringify(!result.ok && result.error));
  assert.equal(result.ok && result.value.stages[0].rows_in, 1_000_000);
  assert.ok(p99Ms < 100, `event-loop delay p99 reached ${p99Ms.toFixed(1)} ms`);
  // A single late tick can come from other programs crowding the cores (the CI box is shared:
  // an idle loop alone saw 73 ms there). Only then is the worst tick reported, not asserted.
  const load = os.loadavg()[0];
  const crowded = load > os.availableParallelism() * 1.5;
  if (crowded)
    console.log(
      `# machine crowded (load ${load.toFixed(1)} on ${os.availableParallelism()} cores): worst tick ${maxMs.toFixed(1)} ms reported, not asserted`,
    );
  else assert.ok(maxMs < 100, `event-loop delay reached ${maxMs.toFixed(1)} ms`);
});
