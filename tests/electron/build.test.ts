/** The esbuild script produces what main.ts, the packaged app and browser mode load. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../..');
const dist = (p: string) => path.join(root, 'dist', p);

test('npm run build bundles main, preload, the run worker and the renderer', { timeout: 120_000 }, () => {
  execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'electron/cli/build.ts')], {
    cwd: root,
    stdio: 'pipe',
  });
  for (const f of [
    'electron/main.js',
    'electron/preload.js',
    'electron/run-worker.js',
    'renderer/index.html',
    'renderer/main.js',
  ]) {
    assert.ok(existsSync(dist(f)), `dist/${f}`);
  }
  // The sandboxed preload may only require electron; node_modules stay external in main.
  const preloadRequires = [...readFileSync(dist('electron/preload.js'), 'utf8').matchAll(/require\("([^"]+)"\)/g)].map(
    (m) => m[1],
  );
  assert.deepEqual([...new Set(preloadRequires)], ['electron']);
  assert.match(readFileSync(dist('electron/main.js'), 'utf8'), /require\("nodejs-polars"\)/);
  assert.match(readFileSync(dist('renderer/index.html'), 'utf8'), /main\.js/);
  // The engine's scan worker runs unpacked from the asar, where node_modules may not be
  // reached: it is self-contained, Polars included (a spilled run's scan threads write the
  // reader's columns as Arrow themselves, batch-spill.ts).
  const workerRequires = [
    ...readFileSync(dist('electron/scan-worker.js'), 'utf8').matchAll(/require\("([^"]+)"\)/g),
  ].map((m) => m[1]);
  assert.deepEqual(
    workerRequires.filter(
      (r) =>
        !r.startsWith('node:') &&
        !['fs', 'path', 'worker_threads', 'crypto', 'buffer', 'stream', 'util', 'os', 'events'].includes(r),
    ),
    [],
  );
});
