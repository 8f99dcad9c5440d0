import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressEvent } from '../../shared/pipeline';
import { RunController } from '../../electron/service/run-controller';
import { EMPTY_REPORT, fakeHosts } from './fixtures';

const request = { eventsPath: '/in/events.json', usersPath: '/in/users.csv', outDir: '/out' };

test('a run forwards the engine progress and resolves with its report', async () => {
  const hosts = fakeHosts((host, m) => {
    if (m.type !== 'run') return;
    host.event({ type: 'run-started', at: 'now', request: m.request });
    host.event({ type: 'stage-started', stage: 'extract', at: 'now' });
    host.post({ type: 'done', report: EMPTY_REPORT });
    host.exit(0);
  });
  const events: ProgressEvent[] = [];
  const runs = new RunController({ hosts, onProgress: (e) => events.push(e) });
  const result = await runs.run(request);
  assert.deepEqual(result, { ok: true, value: EMPTY_REPORT });
  assert.deepEqual(
    events.map((e) => e.type),
    ['run-started', 'stage-started'],
  );
  assert.equal(runs.running, false);
});

test('a second run while one is going is refused as busy, and the first one is unaffected', async () => {
  let finish!: () => void;
  const hosts = fakeHosts((host, m) => {
    if (m.type === 'run') finish = () => (host.post({ type: 'done', report: EMPTY_REPORT }), host.exit(0));
  });
  const runs = new RunController({ hosts, onProgress: () => {} });
  const first = runs.run(request);
  const second = await runs.run(request);
  assert.equal(second.ok, false);
  assert.equal(!second.ok && second.error.kind, 'busy');
  assert.match(!second.ok ? second.error.message : '', /already in progress/);
  assert.equal(hosts.started.length, 1, 'no second host was started');
  await new Promise((r) => setImmediate(r));
  finish();
  assert.equal((await first).ok, true);
});

test('a host that dies is reported as an error value, and the next run works', async () => {
  let attempt = 0;
  const hosts = fakeHosts((host, m) => {
    if (m.type !== 'run') return;
    if (++attempt === 1)
      host.exit(134, null); // e.g. an abort in native code
    else {
      host.post({ type: 'done', report: EMPTY_REPORT });
      host.exit(0);
    }
  });
  const events: ProgressEvent[] = [];
  const runs = new RunController({ hosts, onProgress: (e) => events.push(e) });
  const crashed = await runs.run(request);
  assert.equal(crashed.ok, false);
  assert.equal(!crashed.ok && crashed.error.kind, 'internal');
  assert.match(!crashed.ok ? crashed.error.message : '', /exited with code 134/);
  assert.equal(events.at(-1)?.type, 'run-failed', 'the UI hears about the crash too');
  assert.equal((await runs.run(request)).ok, true);
});

test('cancel asks the engine to stop, kills the host when the grace period ends (not before), and reports cancelled', async (t) => {
  // Mocked setTimeout: the grace period is counted in ticks, not in the machine's milliseconds.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const hosts = fakeHosts(() => {}); // ignores cancel, like an engine busy in native code
  const runs = new RunController({ hosts, onProgress: () => {}, cancelGraceMs: 300 });
  const running = runs.run(request);
  await new Promise((r) => setImmediate(r));
  const cancelling = runs.cancel();
  await new Promise((r) => setImmediate(r));
  t.mock.timers.tick(299);
  assert.equal(hosts.started[0].killed, false, 'the engine is given the whole grace period');
  t.mock.timers.tick(1);
  assert.equal(hosts.started[0].killed, true);
  assert.equal(await cancelling, true);
  assert.deepEqual(
    hosts.started[0].received.map((m) => m.type),
    ['run', 'cancel'],
  );
  const result = await running;
  assert.equal(!result.ok && result.error.kind, 'cancelled');
  assert.equal(await runs.cancel(), false, 'nothing left to cancel');
});

test('an engine that stops by itself on cancel is not killed', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const hosts = fakeHosts((host, m) => {
    if (m.type === 'cancel') host.exit(2);
  });
  const runs = new RunController({ hosts, onProgress: () => {}, cancelGraceMs: 300 });
  const running = runs.run(request);
  await new Promise((r) => setImmediate(r));
  assert.equal(await runs.cancel(), true);
  assert.equal(hosts.started[0].killed, false);
  t.mock.timers.tick(1000);
  assert.equal(hosts.started[0].killed, false, 'the grace timer was cleared');
  const result = await running;
  assert.equal(!result.ok && result.error.kind, 'cancelled');
});
