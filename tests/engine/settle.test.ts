/**
 * A failed output write is reported only once the other writes have stopped, so that removing
 * the staging folder never races a write still creating its file (a full disk once left a
 * staging folder behind this way).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allSettledOrFirstError } from '../../electron/engine/settle';

/** A task that settles when the test says so, and remembers whether it has. */
function task<T>() {
  let settle!: (outcome: { value: T } | { error: Error }) => void;
  const state = { settled: false };
  const promise = new Promise<T>((resolve, reject) => {
    settle = (o) => {
      state.settled = true;
      if ('error' in o) reject(o.error);
      else resolve(o.value);
    };
  });
  return { promise, settle, state };
}

test('a failure is reported only after every other task has settled', async () => {
  const failing = task<number>();
  const slow = task<number>();
  const all = allSettledOrFirstError([failing.promise, slow.promise]);
  let heard = false;
  all.catch(() => (heard = true));
  failing.settle({ error: new Error('ENOSPC') });
  await new Promise((r) => setImmediate(r));
  assert.equal(heard, false, 'not while the other write still runs');
  slow.settle({ value: 2 });
  await assert.rejects(all, /ENOSPC/);
  assert.equal(slow.state.settled, true);
});

test('the first failure in list order is the one reported, whatever settles first', async () => {
  const a = task<number>();
  const b = task<number>();
  const all = allSettledOrFirstError([a.promise, b.promise]);
  b.settle({ error: new Error('second') });
  a.settle({ error: new Error('first') });
  await assert.rejects(all, /^Error: first$/);
});

test('with no failure, the values come back in list order', async () => {
  const a = task<string>();
  const b = task<string>();
  const all = allSettledOrFirstError([a.promise, b.promise]);
  b.settle({ value: 'b' });
  a.settle({ value: 'a' });
  assert.deepEqual(await all, ['a', 'b']);
});
