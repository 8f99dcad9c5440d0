import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { RecentPathsStore } from '../../electron/service/recent-paths-store';
import { findSampleInputs } from '../../electron/service/sample-data';
import { tempDir } from './fixtures';

test('recent paths survive a restart, merge, and a damaged file means nothing remembered', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = path.join(dir, 'userData', 'recent-paths.json');
    const store = new RecentPathsStore(file);
    assert.deepEqual(await store.load(), {});
    await store.save({ eventsPath: '/a/events.json', usersPath: '/a/users.csv' });
    await store.save({ outDir: '/a/out' });
    assert.deepEqual(await new RecentPathsStore(file).load(), {
      eventsPath: '/a/events.json',
      usersPath: '/a/users.csv',
      outDir: '/a/out',
    });
    await writeFile(file, '{"eventsPath": 42, "outDir": "/b"');
    assert.deepEqual(await store.load(), {});
    await writeFile(file, '{"eventsPath": 42, "outDir": "/b", "other": "x"}');
    assert.deepEqual(await store.load(), { outDir: '/b' }, 'only string paths of the known keys');
    assert.ok(JSON.parse(await readFile(file, 'utf8')));
  } finally {
    await cleanup();
  }
});

test('the sample inputs are found by name in the data folder', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    assert.equal(await findSampleInputs(path.join(dir, 'missing')), null);
    await writeFile(path.join(dir, 'raw_events.json'), '[]');
    assert.equal(await findSampleInputs(dir), null, 'both files are needed');
    await writeFile(path.join(dir, 'users.csv'), 'user_id,signup_date,country\n');
    assert.deepEqual(await findSampleInputs(dir), {
      eventsPath: path.join(dir, 'raw_events.json'),
      usersPath: path.join(dir, 'users.csv'),
    });
  } finally {
    await cleanup();
  }
});
