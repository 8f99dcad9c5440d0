/**
 * A stage made of counted steps (a spilled run's partitions and merge ranges) says how far it
 * is on every heartbeat, and at once on each step, so the UI can show the time left. The
 * heartbeat timer is mocked: no waiting on the clock.
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
  try {
    rec.startStage('deduplicate');
    t.mock.timers.tick(200);
    assert.equal(beats().length, 1);
    assert.equal(beats()[0].steps, undefined, 'a stage without steps says none');
    const parts = rec.steps('partitions', 4);
    parts.done(1);
    assert.deepEqual(
      beats()
        .slice(1)
        .map((e) => e.steps),
      [
        { label: 'partitions', done: 0, total: 4 },
        { label: 'partitions', done: 1, total: 4 },
      ],
      'the steps are sent when they start and on each step, not only on the timer',
    );
    t.mock.timers.tick(200);
    const timed = beats().at(-1)!;
    assert.equal(timed.stage, 'deduplicate');
    assert.deepEqual(timed.steps, { label: 'partitions', done: 1, total: 4 });
    rec.finishStage('deduplicate', 10, 9, 5);
    parts.done(2); // late: the stage is over
    const writing = rec.writing();
    const merge = rec.steps('merge ranges', 9);
    merge.done(3);
    t.mock.timers.tick(200);
    const last = beats().at(-1)!;
    assert.equal(last.stage, 'write');
    assert.deepEqual(last.steps, { label: 'merge ranges', done: 3, total: 9 });
    assert.ok(!beats().some((e) => e.steps?.label === 'partitions' && e.steps.done === 2), 'a late step is not sent');
    writing.done();
    const count = beats().length;
    t.mock.timers.tick(1000);
    assert.equal(beats().length, count, 'no heartbeats once nothing runs');
  } finally {
    rec.dispose();
  }
});
