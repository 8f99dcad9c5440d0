import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProgressEvent } from '../../shared/pipeline';
import { ProgressThrottle } from '../../electron/service/progress-throttle';

const bytes = (n: number): ProgressEvent => ({ type: 'bytes-read', file: 'e.json', bytesRead: n, totalBytes: 1000 });

test('bytes-read is sent at most every 50 ms, and the latest position arrives', async () => {
  const out: ProgressEvent[] = [];
  const t = new ProgressThrottle((e) => out.push(e));
  t.start();
  for (let i = 1; i <= 1000; i++) t.push(bytes(i));
  assert.equal(out.length, 1, 'only the first of a burst goes out at once');
  await sleep(80);
  assert.equal(out.length, 2);
  assert.equal((out[1] as { bytesRead: number }).bytesRead, 1000, 'the trailing send carries the latest position');
  t.stop();
});

test('other events pass at once and flush a pending position first, in order', () => {
  const out: ProgressEvent[] = [];
  const t = new ProgressThrottle((e) => out.push(e));
  t.push(bytes(1));
  t.push(bytes(2));
  t.push({ type: 'stage-started', stage: 'clean_user_id', at: 'now' });
  assert.deepEqual(
    out.map((e) => (e.type === 'bytes-read' ? e.bytesRead : e.type)),
    [1, 2, 'stage-started'],
  );
  t.stop();
});

test('while running, a position goes out at least every 250 ms even when the engine is quiet', async () => {
  const out: ProgressEvent[] = [];
  const t = new ProgressThrottle((e) => out.push(e));
  t.start();
  t.push(bytes(10));
  await sleep(560);
  t.stop();
  const sent = out.filter((e) => e.type === 'bytes-read');
  assert.ok(sent.length >= 3, `expected heartbeats, got ${sent.length}`);
  const after = out.length;
  await sleep(300);
  assert.equal(out.length, after, 'no heartbeat after stop');
});

test('the repeats stop once reading is done: last byte read, or the stage finished', async () => {
  const out: ProgressEvent[] = [];
  const t = new ProgressThrottle((e) => out.push(e));
  t.start();
  t.push(bytes(1000)); // the whole file
  await sleep(300);
  assert.equal(out.length, 1);
  t.push({ type: 'bytes-read', file: 'u.csv', bytesRead: 5, totalBytes: 10 });
  t.push({ type: 'stage-finished', stage: { name: 'extract', rows_in: 1, rows_out: 1, dropped: {}, ms: 1 } });
  const after = out.length;
  await sleep(300);
  assert.equal(out.length, after, 'no repeats after the stage finished');
  t.stop();
});
