/** The staging folder's commit is all-or-nothing, even when a move fails half-way. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createStaging } from '../../electron/engine/atomic-output';
import { EtlError } from '../../electron/engine/errors';

const tree = (dir: string) =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .map((n) => [n, fs.statSync(path.join(dir, n)).isFile() ? fs.readFileSync(path.join(dir, n), 'utf8') : '<dir>']),
  );

test('a commit moves every staged file into place and removes the staging folder', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-atomic-'));
  fs.writeFileSync(path.join(out, 'a.txt'), 'old a');
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'new a');
  fs.writeFileSync(st.path('b.txt'), 'new b');
  await st.commit(['a.txt', 'b.txt']);
  assert.deepEqual(tree(out), { 'a.txt': 'new a', 'b.txt': 'new b' });
});

test('when a move fails half-way, the moves done are undone and the earlier files put back', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-atomic-'));
  fs.writeFileSync(path.join(out, 'a.txt'), 'old a');
  fs.writeFileSync(path.join(out, 'b.txt'), 'old b');
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'new a');
  // b.txt was never staged: its move fails after a.txt was already moved.
  await assert.rejects(
    st.commit(['a.txt', 'b.txt']),
    (err: unknown) => err instanceof EtlError && /earlier outputs were left/.test(err.message),
  );
  await st.discard();
  assert.deepEqual(tree(out), { 'a.txt': 'old a', 'b.txt': 'old b' });
});

test('a folder with an output name is never replaced', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-atomic-'));
  fs.mkdirSync(path.join(out, 'a.txt'));
  const st = await createStaging(out);
  fs.writeFileSync(st.path('a.txt'), 'new a');
  await assert.rejects(st.commit(['a.txt']), /a folder of that name is in the way/);
  await st.discard();
  assert.deepEqual(tree(out), { 'a.txt': '<dir>' });
});
