/**
 * The progress throttle's pacing, on mocked timers and a mocked clock (node:test `mock.timers`),
 * so every assertion is about which events go out at which instant, never about how busy the
 * machine is.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { ProgressEvent } from '../../shared/pipeline';
import { ProgressThrottle } from '../../electron/service/progress-throttle';

const bytes = (n: number): ProgressEvent => ({ type: 'bytes-read', file: 'e.json', bytesRead: n, totalBytes: 1000 });

/** The events sent, as bytesRead numbers or event types, each with the mocked instant it left at. */
function recorder() {
  const out: [number, number | string][] = [];
  const t = new ProgressThrottle(
    (e) => out.push([Date.now(), e.type === 'bytes-read' ? e.bytesRead : e.type]),
    // The injectable clock: the mocked Date, which moves only with advance().
    { now: () => Date.now() },
  );
  return { out, t };
}

/**
 * Moves the mocked clock by `ms`, one millisecond at a time: a single long tick() runs each due
 * timer once, with the clock already at the end.
 */
function advance(ms: number): void {
  for (let i = 0; i < ms; i++) mock.timers.tick(1);
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 }));
afterEach(() => mock.timers.reset());

test('bytes-read is sent at most every 50 ms, and the latest position arrives', () => {
  const { out, t } = recorder();
  t.start();
  for (let i = 1; i <= 1000; i++) t.push(bytes(i));
  assert.deepEqual(out, [[0, 1]], 'only the first of a burst goes out at once');
  advance(49);
  assert.deepEqual(out, [[0, 1]], 'nothing before the 50 ms gap');
  advance(1);
  assert.deepEqual(out, [
    [0, 1],
    [50, 1000],
  ]);
  // The gap is measured from the last send: a position at 60 ms waits until 100 ms.
  advance(10);
  t.push(bytes(999));
  assert.equal(out.length, 2);
  advance(40);
  assert.deepEqual(out.at(-1), [100, 999]);
  t.stop();
});

test('other events pass at once and flush a pending position first, in order', () => {
  const { out, t } = recorder();
  t.push(bytes(1));
  t.push(bytes(2));
  t.push({ type: 'stage-started', stage: 'clean_user_id', at: 'now' });
  assert.deepEqual(out, [
    [0, 1],
    [0, 2],
    [0, 'stage-started'],
  ]);
  t.stop();
});

test('while running, a position goes out every 250 ms even when the engine is quiet, and not after stop', () => {
  const { out, t } = recorder();
  t.start();
  t.push(bytes(10));
  advance(560);
  assert.deepEqual(out, [
    [0, 10],
    [250, 10],
    [500, 10],
  ]);
  t.stop();
  advance(1000);
  assert.equal(out.length, 3, 'no heartbeat after stop');
});

test('a heartbeat does not repeat a position sent less than a heartbeat ago', () => {
  const { out, t } = recorder();
  t.start();
  t.push(bytes(10));
  advance(200);
  t.push(bytes(20)); // sent at 200: the 250 ms tick has nothing to repeat
  advance(50);
  assert.deepEqual(out, [
    [0, 10],
    [200, 20],
  ]);
  advance(250);
  assert.deepEqual(out.at(-1), [500, 20]);
  t.stop();
});

test('the repeats stop once reading is done: last byte read, or the stage finished', () => {
  const { out, t } = recorder();
  t.start();
  t.push(bytes(1000)); // the whole file
  advance(1000);
  assert.deepEqual(out, [[0, 1000]]);
  t.push({ type: 'bytes-read', file: 'u.csv', bytesRead: 5, totalBytes: 10 });
  t.push({ type: 'stage-finished', stage: { name: 'extract', rows_in: 1, rows_out: 1, dropped: {}, ms: 1 } });
  advance(1000);
  assert.deepEqual(out, [
    [0, 1000],
    [1000, 5],
    [1000, 'stage-finished'],
  ]);
  t.stop();
});
