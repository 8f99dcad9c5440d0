import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { PathAllowlist } from '../../electron/service/path-allowlist';
import { tempDir } from './fixtures';

test('allows chosen files exactly and everything under allowed folders, nothing else', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const list = new PathAllowlist();
    const chosen = path.join(dir, 'picked', 'events.json');
    list.allowFile(chosen);
    list.allowDir(path.join(dir, 'out'));
    assert.equal(list.isAllowed(chosen), true);
    assert.equal(list.isAllowed(path.join(dir, 'picked', 'other.json')), false, 'a sibling of a chosen file');
    assert.equal(list.isAllowed(path.join(dir, 'out', 'clean_events.parquet')), true);
    assert.equal(list.isAllowed(path.join(dir, 'out')), true);
    assert.equal(list.isAllowed(path.join(dir, 'out', '..', 'secret.txt')), false, 'no climbing out with ..');
    assert.equal(list.isAllowed(path.join(dir, 'outside')), false, 'a name that only starts like the folder');
    assert.equal(list.isAllowed('/etc/passwd'), false);
    assert.equal(list.isAllowed(''), false);
    assert.equal(list.isAllowed('a\0b'), false);
    assert.match(list.check('/etc/passwd', 'The input file') ?? '', /"\/etc\/passwd" was not chosen in this app/);
  } finally {
    await cleanup();
  }
});

test('a symlink inside an allowed folder cannot lead outside it', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await mkdir(path.join(dir, 'out'));
    await writeFile(path.join(dir, 'secret.txt'), 'x');
    await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'out', 'link.txt'));
    const list = new PathAllowlist();
    list.allowDir(path.join(dir, 'out'));
    assert.equal(list.isAllowed(path.join(dir, 'out', 'link.txt')), false);
  } finally {
    await cleanup();
  }
});
