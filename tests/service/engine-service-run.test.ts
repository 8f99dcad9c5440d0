/**
 * The service with the real engine, hosted in a forked child process: progress, cancel with
 * the previous outputs left byte-identical, a refused second run, and a crashing host.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { OUTPUT_FILES, STAGES, type ProgressEvent, type RunRequest } from '../../shared/pipeline';
import { EngineService } from '../../electron/service/engine-service';
import { HTML_REPORT_FILE } from '../../electron/service/html-report';
import { forkRunHost } from '../../electron/service/fork-run-host';
import { bundledRunWorker } from './run-worker-bundle';
import { tempDir, writeEventsNdjson, writeUsersCsv } from './fixtures';

let worker: string;
let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  worker = await bundledRunWorker();
  await writeEventsNdjson(path.join(dir, 'small.ndjson'), 5_000);
  await writeEventsNdjson(path.join(dir, 'big.ndjson'), 600_000);
  await writeUsersCsv(path.join(dir, 'users.csv'));
});
after(() => cleanup());

async function hashes(outDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of Object.values(OUTPUT_FILES)) {
    out[name] = createHash('sha256')
      .update(await readFile(path.join(outDir, name)))
      .digest('hex');
  }
  return out;
}

test('a run in a child process streams progress and writes the outputs', async () => {
  const service = new EngineService({ hosts: forkRunHost(worker) });
  const events: ProgressEvent[] = [];
  service.onProgress((e) => events.push(e));
  const outDir = path.join(dir, 'out-progress');
  const result = await service.run({
    eventsPath: path.join(dir, 'small.ndjson'),
    usersPath: path.join(dir, 'users.csv'),
    outDir,
  });
  assert.equal(result.ok, true, JSON.stringify(!result.ok && result.error));
  assert.equal(events[0].type, 'run-started');
  assert.equal(events.at(-1)?.type, 'run-finished');
  assert.deepEqual(
    events.filter((e) => e.type === 'stage-finished').map((e) => e.type === 'stage-finished' && e.stage.name),
    [...STAGES],
  );
  assert.ok(events.some((e) => e.type === 'bytes-read'));
  const names = await readdir(outDir);
  for (const name of Object.values(OUTPUT_FILES)) assert.ok(names.includes(name), `${name} written`);
});

test('cancel mid-run: the engine stops by itself, leaves the earlier outputs byte-identical, and a second run is refused meanwhile', async () => {
  // A grace period far longer than any stop, so a kill can only mean the engine ignored the
  // cancel: "it stopped by itself" is then a fact about the engine, not about how busy the machine is.
  const real = forkRunHost(worker);
  const kills: string[] = [];
  const hosts = {
    start: (request: RunRequest) => {
      const host = real.start(request);
      const kill = host.kill.bind(host);
      host.kill = () => {
        kills.push('kill');
        kill();
      };
      return host;
    },
  };
  const service = new EngineService({ hosts, cancelGraceMs: 120_000 });
  const outDir = path.join(dir, 'out-cancel');
  const users = path.join(dir, 'users.csv');
  const first = await service.run({ eventsPath: path.join(dir, 'small.ndjson'), usersPath: users, outDir });
  assert.equal(first.ok, true);
  const before = await hashes(outDir);

  let sawProgress!: () => void;
  const progressed = new Promise<void>((r) => (sawProgress = r));
  service.onProgress((e) => {
    if (e.type === 'bytes-read' || e.type === 'stage-started') sawProgress();
  });
  const running = service.run({ eventsPath: path.join(dir, 'big.ndjson'), usersPath: users, outDir });
  await progressed;

  const second = await service.run({ eventsPath: path.join(dir, 'small.ndjson'), usersPath: users, outDir });
  assert.equal(!second.ok && second.error.kind, 'busy');

  const cancelled = await service.cancel();
  assert.deepEqual(cancelled, { ok: true, value: { cancelled: true } });
  assert.deepEqual(kills, [], 'the engine stopped on the cancel message; its host was not killed');
  const result = await running;
  assert.equal(!result.ok && result.error.kind, 'cancelled');
  assert.deepEqual(await hashes(outDir), before, 'the previous outputs are untouched');
  assert.deepEqual(
    (await readdir(outDir)).sort(),
    [...Object.values(OUTPUT_FILES), HTML_REPORT_FILE].sort(),
    "no staging or partial files left (the earlier run's HTML report stays too)",
  );
});

test('a host that crashes is reported as an error value and the service runs again afterwards', async () => {
  const crashing = forkRunHost(path.join(__dirname, 'crashing-run-worker.ts'));
  const real = forkRunHost(worker);
  let useCrashing = true;
  const service = new EngineService({ hosts: { start: (r) => (useCrashing ? crashing : real).start(r) } });
  const req = {
    eventsPath: path.join(dir, 'small.ndjson'),
    usersPath: path.join(dir, 'users.csv'),
    outDir: path.join(dir, 'out-crash'),
  };
  const crashed = await service.run(req);
  assert.equal(crashed.ok, false);
  assert.equal(!crashed.ok && crashed.error.kind, 'internal');
  assert.match(
    !crashed.ok ? crashed.error.message : '',
    /exited with code 3 before finishing\. Its last message: "FATAL ERROR: .*heap out of memory"/,
  );
  useCrashing = false;
  assert.equal((await service.run(req)).ok, true);
});
