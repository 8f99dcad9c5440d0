/**
 * While the real engine chews through 1,000,000 events in its host process, the service's own
 * thread (the one that serves the window or the HTTP API) stays free: a request made once the
 * events are being read is answered while the run is still going. This is asserted on the
 * order of events, not on milliseconds; the event-loop delay itself is a figure of `npm run
 * bench` (electron/bench/event-loop-delay.ts), beside an idle baseline, since a wall-clock
 * measure depends on what else the machine is doing.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
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

test(
  'during a 1,000,000-event run the service answers another request before the run ends',
  { timeout: 300_000 },
  async () => {
    const service = new EngineService({ hosts: forkRunHost(worker) });
    const order: string[] = [];
    let asked: Promise<void> | null = null;
    service.onProgress((e) => {
      if (e.type === 'bytes-read' && !asked) {
        order.push('reading');
        asked = service.inspectInput(path.join(dir, 'users.csv')).then((r) => {
          assert.equal(r.ok, true, JSON.stringify(!r.ok && r.error));
          order.push('answered');
        });
      }
      if (e.type === 'run-finished') order.push('run-finished');
    });
    const result = await service.run({
      eventsPath: path.join(dir, 'events.ndjson'),
      usersPath: path.join(dir, 'users.csv'),
      outDir: path.join(dir, 'out'),
    });
    await asked;
    assert.equal(result.ok, true, JSON.stringify(!result.ok && result.error));
    assert.equal(result.ok && result.value.stages[0].rows_in, 1_000_000);
    assert.deepEqual(order, ['reading', 'answered', 'run-finished']);
    await service.dispose();
  },
);
