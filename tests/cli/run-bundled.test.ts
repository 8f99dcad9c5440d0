/**
 * `npm run etl` goes through electron/cli/run-bundled.cjs: it runs the bundled tool, on Linux and
 * for a large events file in a child process started with the engine's allocator settings
 * (allocator-env.ts). The child must see them, its exit code must come back, a small file must
 * run without a child, and a signal to the launcher must cancel the run with nothing written.
 * (The size from which a child is used is lowered here through BENEFITS_ETL_RELAUNCH_FROM.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import allocatorEnv from '../../electron/engine/allocator-env.json';
import spilledAllocatorEnv from '../../electron/engine/allocator-env-spilled.json';
import { DEFAULT_USERS, tmpDir, writeFile, writeNdjsonEvents } from '../engine/helpers';
import { fixture } from './cli-fixtures';

const ROOT = path.resolve(__dirname, '../..');
const LAUNCHER = path.join(ROOT, 'electron/cli/run-bundled.cjs');

/** The environment without the allocator settings, and a child used from `relaunchFrom` bytes. */
function envWithout(relaunchFrom: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BENEFITS_ETL_RELAUNCH_FROM: String(relaunchFrom) };
  for (const k of Object.keys(allocatorEnv)) delete env[k];
  return env;
}

/** The processes `pid` started, from /proc. */
const childrenOf = (pid: number) =>
  fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);

function launch(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
) {
  const child = spawn(process.execPath, [LAUNCHER, 'etl', ...args], { cwd: ROOT, env });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr, child);
  });
  return new Promise<{ code: number | null; stderr: string; pids: number[] }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, pids: [child.pid!] }));
  });
}

describe(
  'npm run etl launcher (run-bundled.cjs)',
  { skip: process.platform !== 'linux' && 'the allocator child is Linux-only' },
  () => {
    test('runs the tool with the allocator settings in its environment and returns its exit code', async () => {
      const f = fixture();
      const env = envWithout(0);
      const r = await launch(['--events', f.events, '--users', f.users, '--out', f.out, '--quiet'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(fs.existsSync(path.join(f.out, 'clean_events.parquet')));
      // The engine process is the launcher's child; its environment names the settings.
      const bad = await launch(['--events', path.join(f.dir, 'missing.json'), '--users', f.users, '--out', f.out], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /missing\.json/);
    });

    test('the child process has the settings (read from /proc while it runs)', async () => {
      const dir = tmpDir();
      const events = writeNdjsonEvents(dir, 150_000);
      const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
      let seen: string | null = null;
      const r = await launch(
        ['--events', events, '--users', users, '--out', path.join(dir, 'out')],
        envWithout(fs.statSync(events).size),
        (_text, child) => {
          if (seen !== null) return;
          // The launcher's only child is the engine process.
          const children = childrenOf(child.pid!);
          if (children.length === 0) return;
          seen = fs.readFileSync(`/proc/${children[0]}/environ`, 'utf8');
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.ok(seen !== null, 'the engine child was not seen');
      for (const [k, v] of Object.entries(allocatorEnv))
        assert.ok((seen as string).split('\0').includes(`${k}=${v}`), `${k}=${v} missing`);
    });

    test('a run that will spill gets the spilled malloc settings (no huge pages), and the engine plans with what the launcher holds', async () => {
      const dir = tmpDir();
      const events = writeNdjsonEvents(dir, 150_000);
      const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
      let seen: string[] | null = null;
      // A file far below the relaunch size: a spilled run has its own child whatever the size.
      const r = await launch(
        ['--events', events, '--users', users, '--out', path.join(dir, 'out'), '--memory-limit', '100MB'],
        envWithout(2 ** 40),
        (_text, child) => {
          if (seen !== null) return;
          const children = childrenOf(child.pid!);
          if (children.length === 0) return;
          seen = fs.readFileSync(`/proc/${children[0]}/environ`, 'utf8').split('\0');
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Memory limit 100 MB: the run spills to disk/);
      assert.ok(seen !== null, 'the engine child was not seen');
      const env = seen as string[];
      for (const [k, v] of Object.entries(spilledAllocatorEnv))
        assert.ok(env.includes(`${k}=${v}`), `${k}=${v} missing`);
      for (const k of Object.keys(allocatorEnv).filter((k) => !(k in spilledAllocatorEnv)))
        assert.ok(!env.some((e) => e.startsWith(`${k}=`)), `${k} is set for a spilled run`);
      const launcherBytes = Number(env.find((e) => e.startsWith('BENEFITS_ETL_LAUNCHER_BYTES='))?.split('=')[1]);
      assert.ok(launcherBytes > 10e6 && launcherBytes < 500e6, `the launcher's memory is passed on: ${launcherBytes}`);
      assert.ok(fs.existsSync(path.join(dir, 'out', 'clean_events.parquet')));
    });

    test('an events file below the size runs in the launcher itself, with no child', async () => {
      const dir = tmpDir();
      const events = writeNdjsonEvents(dir, 150_000);
      const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
      const counts: number[] = [];
      const r = await launch(
        ['--events', events, '--users', users, '--out', path.join(dir, 'out')],
        envWithout(fs.statSync(events).size + 1),
        (_text, child) => {
          // (The scan's threads are threads, not processes.)
          if (fs.existsSync(`/proc/${child.pid}`)) counts.push(childrenOf(child.pid!).length);
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.ok(counts.length > 0, 'the run was not watched');
      assert.deepEqual([...new Set(counts)], [0]);
      assert.ok(fs.existsSync(path.join(dir, 'out', 'clean_events.parquet')));
    });

    for (const withChild of [true, false])
      test(`SIGTERM to the launcher cancels the run: exit 143, no outputs, the earlier ones kept (${withChild ? 'with' : 'without'} a child)`, async () => {
        const dir = tmpDir();
        const events = writeNdjsonEvents(dir, 400_000);
        const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
        const out = path.join(dir, 'out');
        fs.mkdirSync(out);
        fs.writeFileSync(path.join(out, 'clean_events.parquet'), 'earlier run');
        let sent = false;
        const r = await launch(
          ['--events', events, '--users', users, '--out', out],
          envWithout(withChild ? 0 : 2 ** 40),
          (text, child) => {
            // Once the events are being read, stop the launcher (not the engine process itself).
            if (!sent && /Loaded \d+ users/.test(text)) {
              sent = true;
              child.kill('SIGTERM');
            }
          },
        );
        assert.ok(sent);
        assert.equal(r.code, 143, r.stderr);
        assert.match(r.stderr, /cancel/i);
        assert.deepEqual(fs.readdirSync(out), ['clean_events.parquet']);
        assert.equal(fs.readFileSync(path.join(out, 'clean_events.parquet'), 'utf8'), 'earlier run');
      });
  },
);
