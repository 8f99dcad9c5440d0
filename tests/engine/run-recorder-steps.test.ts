/**
 * A stage made of counted steps (a spilled run's dedup passes, chunks, merge ranges) says how
 * far it is on every heartbeat, and at once on each step, so the UI can show the time left;
 * each group of steps says when in the stage it began. The heartbeat timer is mocked: no
 * waiting on the clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunRecorder } from '../../electron/engine/run-recorder';
import type { ProgressEvent } from '../../shared/pipeline';

test('heartbeats carry the steps done of the stage running, and each step is sent at once', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const events: ProgressEvent[] = [];
  const rec = new RunRecorder((e) => events.push(e));
  const beats = () => events.filter((e) => e.type === 'heartbeat');
  // The steps without their start time (taken from the real clock; checked on its own below).
  const stepsOf = (e: ProgressEvent) => {
    if (e.type !== 'heartbeat' || !e.steps) return undefined;
    const { sinceMs, ...rest } = e.steps;
    assert.ok(Number.isInteger(sinceMs) && sinceMs >= 0, `sinceMs ${sinceMs}`);
    return rest;
  };
  try {
    rec.startStage('deduplicate');
    t.mock.timers.tick(200);
    assert.equal(beats().length, 1);
    assert.equal(beats()[0].steps, undefined, 'a stage without steps says none');
    const parts = rec.steps('dedup passes', 4);
    parts.done(1);
    assert.deepEqual(
      beats().slice(1).map(stepsOf),
      [
        { label: 'dedup passes', done: 0, total: 4 },
        { label: 'dedup passes', done: 1, total: 4 },
      ],
      'the steps are sent when they start and on each step, not only on the timer',
    );
    t.mock.timers.tick(200);
    const timed = beats().at(-1)!;
    assert.equal(timed.stage, 'deduplicate');
    assert.deepEqual(stepsOf(timed), { label: 'dedup passes', done: 1, total: 4 });
    // A second group in the same stage, begun at least 20 ms into it, says so.
    const since = performance.now();
    while (performance.now() - since < 20);
    rec.steps('chunks', 3).done(1);
    const chunks = beats().at(-1)!;
    assert.deepEqual(stepsOf(chunks), { label: 'chunks', done: 1, total: 3 });
    assert.ok(chunks.type === 'heartbeat' && chunks.steps!.sinceMs >= 20 + timed.steps!.sinceMs);
    rec.finishStage('deduplicate', 10, 9, 5);
    parts.done(2); // late: the stage is over
    const writing = rec.writing();
    const merge = rec.steps('merge ranges', 9);
    merge.done(3);
    t.mock.timers.tick(200);
    const last = beats().at(-1)!;
    assert.equal(last.stage, 'write');
    assert.deepEqual(stepsOf(last), { label: 'merge ranges', done: 3, total: 9 });
    assert.ok(!beats().some((e) => e.steps?.label === 'dedup passes' && e.steps.done === 2), 'a late step is not sent');
    writing.done();
    const count = beats().length;
    t.mock.timers.tick(1000);
    assert.equal(beats().length, count, 'no heartbeats once nothing runs');
  } finally {
    rec.dispose();
  }
});
