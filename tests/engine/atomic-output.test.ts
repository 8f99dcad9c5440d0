/** The staging folder's commit is all-or-nothing, even when a move fails half-way. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createStaging, recoverOutputFolder, setCommitStepHook } from '../../electron/engine/atomic-output';
import { EtlError } from '../../electron/engine/errors';
import { tmpDir } from './helpers';

const tree = (dir: string) =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .map((n) => [n, fs.statSync(path.join(dir, n)).isFile() ? fs.readFileSync(path.join(dir, n), 'utf8') : '<dir>']),
  );

test('a commit moves every staged file into place and removes the staging folder', async () => {
  const out = tmpDir();
  fs.writeFileSync(path.join(out, 'a.txt'), 'old a');
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'new a');
  fs.writeFileSync(st.path('b.txt'), 'new b');
  await st.commit(['a.txt', 'b.txt']);
  assert.deepEqual(tree(out), { 'a.txt': 'new a', 'b.txt': 'new b' });
});

test('a file that was never staged fails the commit before anything in the folder changes', async () => {
  const out = tmpDir();
  fs.writeFileSync(path.join(out, 'a.txt'), 'old a');
  fs.writeFileSync(path.join(out, 'b.txt'), 'old b');
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'new a');
  await assert.rejects(
    st.commit(['a.txt', 'b.txt']),
    (err: unknown) =>
      err instanceof EtlError &&
      /b\.txt/.test(err.message) &&
      /earlier outputs were left as they were/.test(err.message),
  );
  await st.discard();
  assert.deepEqual(tree(out), { 'a.txt': 'old a', 'b.txt': 'old b' });
});

test('when a move fails half-way through the switch, the earlier files are put back and checked', async () => {
  const out = tmpDir();
  fs.writeFileSync(path.join(out, 'a.txt'), 'old a');
  fs.writeFileSync(path.join(out, 'b.txt'), 'old b');
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'new a');
  fs.writeFileSync(st.path('b.txt'), 'new b');
  // The new b.txt's move into place fails (after a.txt was already switched).
  setCommitStepHook((step) => {
    if (step.op === 'rename' && step.path === st.path('b.txt'))
      throw Object.assign(new Error('injected'), { code: 'EIO' });
  });
  try {
    await assert.rejects(
      st.commit(['a.txt', 'b.txt']),
      (err: unknown) => err instanceof EtlError && /EIO.*earlier outputs were left as they were/.test(err.message),
    );
  } finally {
    setCommitStepHook(null);
  }
  assert.deepEqual(tree(out), { 'a.txt': 'old a', 'b.txt': 'old b' }, 'no staging folder either');
});

test('a cancel before the point of no return keeps the earlier files; the commit then removes nothing of them', async () => {
  const out = tmpDir();
  fs.writeFileSync(path.join(out, 'a.txt'), 'old a');
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'new a');
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    st.commit(['a.txt'], controller.signal),
    (err: unknown) => err instanceof EtlError && err.info.kind === 'cancelled',
  );
  await st.discard();
  assert.deepEqual(tree(out), { 'a.txt': 'old a' });
});

test('recovery removes a staging folder that never reached its commit, and leaves the outputs alone', async () => {
  const out = tmpDir();
  fs.writeFileSync(path.join(out, 'a.txt'), 'old a');
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'partial');
  assert.deepEqual(await recoverOutputFolder(out), { completed: 0, removed: 1 });
  assert.deepEqual(tree(out), { 'a.txt': 'old a' });
});

test('a folder with an output name is never replaced', async () => {
  const out = tmpDir();
  fs.mkdirSync(path.join(out, 'a.txt'));
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'new a');
  await assert.rejects(st.commit(['a.txt']), /a folder of that name is in the way/);
  await st.discard();
  assert.deepEqual(tree(out), { 'a.txt': '<dir>' });
});
