/**
 * `npm run etl` goes through electron/cli/run-bundled.cjs: it runs the bundled tool, on Linux in
 * a child process started with the engine's allocator settings (allocator-env.ts). The child
 * must see them, its exit code must come back, and a signal to the launcher must cancel the run
 * with nothing written.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import allocatorEnv from '../../electron/engine/allocator-env.json';
import { DEFAULT_USERS, ev, tmpDir, writeFile } from '../engine/helpers';
import { fixture } from './cli-fixtures';

const ROOT = path.resolve(__dirname, '../..');
const LAUNCHER = path.join(ROOT, 'electron/cli/run-bundled.cjs');

function launch(args: string[], env: NodeJS.ProcessEnv = process.env, onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) {
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

describe('npm run etl launcher (run-bundled.cjs)', { skip: process.platform !== 'linux' && 'the allocator child is Linux-only' }, () => {
  test('runs the tool with the allocator settings in its environment and returns its exit code', async () => {
    const f = fixture();
    const env = { ...process.env };
    for (const k of Object.keys(allocatorEnv)) delete env[k];
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
    const events = writeFile(dir, 'events.ndjson', Array.from({ length: 150_000 }, (_, i) => JSON.stringify(ev(`u${i % 3}`, i))).join('\n') + '\n');
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const env = { ...process.env };
    for (const k of Object.keys(allocatorEnv)) delete env[k];
    let seen: string | null = null;
    const r = await launch(['--events', events, '--users', users, '--out', path.join(dir, 'out')], env, (_text, child) => {
      if (seen !== null) return;
      // The launcher's only child is the engine process.
      const children = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      if (children.length === 0) return;
      seen = fs.readFileSync(`/proc/${children[0]}/environ`, 'utf8');
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(seen !== null, 'the engine child was not seen');
    for (const [k, v] of Object.entries(allocatorEnv)) assert.ok((seen as string).split('\0').includes(`${k}=${v}`), `${k}=${v} missing`);
  });

  test('SIGTERM to the launcher cancels the run: exit 2, no outputs, the earlier ones kept', async () => {
    const dir = tmpDir();
    const events = writeFile(dir, 'events.ndjson', Array.from({ length: 400_000 }, (_, i) => JSON.stringify(ev(`u${i % 3}`, i))).join('\n') + '\n');
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'clean_events.parquet'), 'earlier run');
    let sent = false;
    const r = await launch(['--events', events, '--users', users, '--out', out], process.env, (text, child) => {
      // Once the events are being read, stop the launcher (not the engine process itself).
      if (!sent && /Loaded \d+ users/.test(text)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    assert.ok(sent);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cancel/i);
    assert.deepEqual(fs.readdirSync(out), ['clean_events.parquet']);
    assert.equal(fs.readFileSync(path.join(out, 'clean_events.parquet'), 'utf8'), 'earlier run');
  });
});
