/** The Electron host adapter, against a stand-in for utilityProcess (Electron cannot start here). */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { MIN_MEMORY_LIMIT } from '../../shared/memory-size';
import allocatorEnv from '../../electron/engine/allocator-env.json';
import spilledAllocatorEnv from '../../electron/engine/allocator-env-spilled.json';
import { utilityProcessRunHost } from '../../electron/service/utility-process-run-host';
import { SCAN_WORKER_FLAG } from '../../electron/service/run-protocol';

class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = undefined;
  posted: unknown[] = [];
  killed = false;
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  kill() {
    this.killed = true;
    setImmediate(() => this.emit('exit', 9));
    return true;
  }
}

test('messages wait for spawn, protocol messages come through, exit and kill map to the host interface', async () => {
  const child = new FakeUtilityProcess();
  const forks: [string, unknown][] = [];
  const hosts = utilityProcessRunHost(
    ((path: string, _args: unknown, options: unknown) => (forks.push([path, options]), child)) as never,
    '/app/dist/electron/run-worker.js',
  );
  const request = { eventsPath: '/e', usersPath: '/u', outDir: '/o' };
  const host = hosts.start(request);
  assert.deepEqual(forks, [
    [
      '/app/dist/electron/run-worker.js',
      { serviceName: 'ETL run', stdio: 'inherit', env: { ...allocatorEnv, ...process.env } },
    ],
  ]);

  host.send({ type: 'run', request });
  assert.deepEqual(child.posted, [], 'held until the process has spawned');
  child.emit('spawn');
  assert.deepEqual(child.posted, [{ type: 'run', request }]);

  const received: unknown[] = [];
  host.onMessage((m) => received.push(m));
  child.emit('message', { type: 'event', event: { type: 'heartbeat', stage: 'extract', elapsedMs: 1 } });
  child.emit('message', { something: 'else' });
  assert.deepEqual(
    received,
    [{ type: 'event', event: { type: 'heartbeat', stage: 'extract', elapsedMs: 1 } }],
    'foreign messages are ignored',
  );

  const exited = new Promise<[number | null, string | null]>((resolve) =>
    host.onExit((code, signal) => resolve([code, signal])),
  );
  host.kill();
  assert.equal(child.killed, true);
  assert.deepEqual(await exited, [9, null]);
  host.send({ type: 'cancel' });
  assert.equal(child.posted.length, 1, 'nothing is posted to a process that is gone');
});

test("the shell's scan worker script reaches the run worker as its argument", async () => {
  const argsSeen: unknown[] = [];
  const hosts = utilityProcessRunHost(
    ((_path: string, args: unknown) => (argsSeen.push(args), new FakeUtilityProcess())) as never,
    '/app/resources/app.asar/dist/electron/run-worker.js',
    '/app/resources/app.asar.unpacked/dist/electron/scan-worker.js',
  );
  hosts.start({ eventsPath: '/e', usersPath: '/u', outDir: '/o' });
  assert.deepEqual(argsSeen, [[`${SCAN_WORKER_FLAG}/app/resources/app.asar.unpacked/dist/electron/scan-worker.js`]]);
});

test('a run that will spill under its memory limit starts with the malloc settings of a spilled run, as the CLI does', () => {
  const envs: unknown[] = [];
  const hosts = utilityProcessRunHost(
    ((_path: string, _args: unknown, options: { env: unknown }) => (
      envs.push(options.env),
      new FakeUtilityProcess()
    )) as never,
    '/app/dist/electron/run-worker.js',
  );
  // The sample's events (about 1 MB) fit the default budget, and spill under the smallest one
  // (below what the engine itself needs, every run spills).
  const events = path.join(__dirname, '../../data/raw_events.json');
  hosts.start({ eventsPath: events, usersPath: '/u', outDir: '/o' });
  hosts.start({ eventsPath: events, usersPath: '/u', outDir: '/o', memoryLimit: MIN_MEMORY_LIMIT });
  hosts.start({ eventsPath: '/no/such/file', usersPath: '/u', outDir: '/o', memoryLimit: MIN_MEMORY_LIMIT });
  assert.deepEqual(envs, [
    { ...allocatorEnv, ...process.env },
    { ...spilledAllocatorEnv, ...process.env },
    { ...allocatorEnv, ...process.env },
  ]);
});
