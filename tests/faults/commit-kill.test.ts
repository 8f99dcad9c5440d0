/**
 * Fault injection (issue #13): a commit is killed with SIGKILL before each of its file-system
 * steps in turn (every fsync, write, rename, unlink and rmdir), in a real child process. After
 * each kill, the recovery every next run performs must leave exactly the complete earlier set
 * or the complete new set, byte for byte, and no staging leftovers. Recovery itself is killed at
 * each of its steps too, and must still converge when run again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { buildSync } from 'esbuild';
import { recoverOutputFolder, STAGING_PREFIX } from '../../electron/engine/atomic-output';
import { LOCK_NAME } from '../../electron/engine/output-lock';
import { runPipeline } from '../../electron/engine/pipeline';
import { EngineService } from '../../electron/service/engine-service';
import { PathAllowlist } from '../../electron/service/path-allowlist';
import { RunHistory } from '../../electron/service/run-history';
import { createRequestHandlers } from '../../electron/transport/request-handlers';
import type { ShellPlatform } from '../../electron/transport/shell-platform';
import type { RunReport } from '../../shared/pipeline';
import { DEFAULT_USERS, ev, hashTree, ndjson, tmpDir, writeFile } from '../engine/helpers';

/**
 * The child, bundled once (Polars stays a package): dozens of them start in this file, and
 * a bundle starts in a fraction of tsx's time.
 */
const CHILD = path.join(tmpDir(), 'commit-child.js');
buildSync({
  entryPoints: [path.join(__dirname, 'commit-child.ts')],
  outfile: CHILD,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});
const NAMES = ['clean_events.parquet', 'daily_summary.parquet', 'dropped_rows.parquet', 'run_report.json', 'etl.log'];

interface Step {
  n: number;
  op: string;
  path: string;
}

function child(args: string[]): Promise<{ code: number | null; signal: string | null; steps: Step[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: path.join(__dirname, '../../node_modules') },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('error', reject);
    p.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        steps: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Step),
        stderr: err,
      }),
    );
  });
}

/** Distinct content per set and per file, large enough to span several disk blocks. */
function contentSet(tag: string): Record<string, string> {
  return Object.fromEntries(NAMES.map((n, i) => [n, `${tag}:${n}:`.repeat(2000 + i * 300)]));
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const hashesOf = (set: Record<string, string>) => Object.fromEntries(NAMES.map((n) => [n, sha(set[n])]));

const OLD = contentSet('old');
const NEW = contentSet('new');
const NEW_DIR = tmpDir();
for (const n of NAMES) fs.writeFileSync(path.join(NEW_DIR, n), NEW[n]);

/**
 * A scratch folder: in memory (/dev/shm) where there is one, as this file starts dozens of
 * commits and a SIGKILL test needs no disk flushes to be real.
 */
function scratch(): string {
  if (!fs.existsSync('/dev/shm')) return tmpDir();
  const d = fs.mkdtempSync('/dev/shm/etl-fault-');
  process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** An output folder holding the earlier set (`old`), or nothing at all. */
function folderWith(set: Record<string, string> | null): string {
  const out = path.join(scratch(), 'out');
  fs.mkdirSync(out);
  if (set) for (const n of NAMES) fs.writeFileSync(path.join(out, n), set[n]);
  return out;
}

/** Exactly the earlier set or exactly the new one, and no staging leftovers. */
function assertWhole(out: string, old: Record<string, string> | null, what: string): 'old' | 'new' {
  const names = fs.readdirSync(out).sort();
  assert.deepEqual(
    names.filter((n) => n.startsWith(STAGING_PREFIX)),
    [],
    `${what}: no staging folder is left`,
  );
  const got = hashTree(out);
  if (old === null && names.length === 0) return 'old';
  if (old !== null && isDeepStrictEqual(got, hashesOf(old))) return 'old';
  assert.deepEqual(
    got,
    hashesOf(NEW),
    `${what}: the folder holds neither the complete earlier set nor the complete new one`,
  );
  return 'new';
}

/** Runs `work` over 1..count with two child processes at a time (the CI box has two cores). */
async function inPairs<T>(count: number, work: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let n = 1; n <= count; n += 2)
    results.push(...(await Promise.all([work(n), ...(n + 1 <= count ? [work(n + 1)] : [])])));
  return results;
}

describe('a commit killed at every step', () => {
  for (const [label, old] of [
    ['over an earlier set', OLD],
    ['into an empty folder', null],
  ] as const) {
    test(`${label}: the next start restores the complete earlier or the complete new set`, async () => {
      // An uninterrupted commit, to learn its steps.
      const clean = folderWith(old);
      const full = await child(['commit', clean, '0', NEW_DIR, NAMES.join(',')]);
      assert.equal(full.code, 0, full.stderr);
      assertWhole(clean, null, 'an uninterrupted commit');
      const steps = full.steps;
      const ops = new Set(steps.map((s) => s.op));
      for (const op of ['fsync', 'write', 'rename', 'unlink', 'rmdir'])
        assert.ok(ops.has(op), `the commit has ${op} steps`);
      assert.ok(steps.filter((s) => s.op === 'rename').length >= NAMES.length, 'each new file is renamed into place');

      const outcomes = await inPairs(steps.length, async (n) => {
        const out = folderWith(old);
        const killed = await child(['commit', out, String(n), NEW_DIR, NAMES.join(',')]);
        assert.equal(killed.signal, 'SIGKILL', `killed at step ${n} (${steps[n - 1].op} ${steps[n - 1].path})`);
        await recoverOutputFolder(out);
        return assertWhole(out, old, `killed before step ${n} (${steps[n - 1].op})`);
      });
      // Killed early, the earlier set survives; killed late, the new one is finished.
      assert.equal(outcomes[0], 'old');
      assert.equal(outcomes.at(-1), 'new');
    });
  }

  test('a recovery killed at each of its steps converges when run again', async () => {
    // Kill the commit in the middle of its switch (after its third rename into the folder).
    const probe = folderWith(OLD);
    const full = await child(['commit', probe, '0', NEW_DIR, NAMES.join(',')]);
    const renames = full.steps.filter((s) => s.op === 'rename' && !s.path.endsWith('.tmp'));
    const midSwitch = renames[3].n;
    const crashed = folderWith(OLD);
    assert.equal((await child(['commit', crashed, String(midSwitch), NEW_DIR, NAMES.join(',')])).signal, 'SIGKILL');
    const recoverySteps = (await child(['recover', copyFolder(crashed), '0'])).steps.length;
    assert.ok(recoverySteps > 3, 'the recovery has work to do');
    await inPairs(recoverySteps, async (m) => {
      const out = copyFolder(crashed);
      const killed = await child(['recover', out, String(m)]);
      assert.equal(killed.signal, 'SIGKILL');
      await recoverOutputFolder(out);
      assert.equal(assertWhole(out, OLD, `recovery killed before its step ${m}`), 'new');
    });
  });
});

/** A copy of an output folder, staging folders and all. */
function copyFolder(from: string): string {
  const to = path.join(scratch(), 'out');
  fs.cpSync(from, to, { recursive: true });
  return to;
}

describe('a real run killed during its commit', () => {
  test('the next run first finishes the interrupted commit, then writes its own outputs', async () => {
    const dir = tmpDir();
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const first = writeFile(dir, 'first.ndjson', ndjson([ev('u1', 1), ev('u2', 2)]));
    const second = writeFile(dir, 'second.ndjson', ndjson([ev('u1', 3), ev('u1', 4), ev('u2', 5)]));
    const out = path.join(dir, 'out');
    await runPipeline({ eventsPath: first, usersPath: users, outDir: out });
    const earlier = hashTree(out);
    // Learn the run's commit steps, on a copy, then kill a run after the second rename of its switch.
    const probe = copyFolder(out);
    const full = await child(['run', probe, '0', second, users]);
    assert.equal(full.code, 0, full.stderr);
    const newSet = hashTree(probe);
    const renames = full.steps.filter((s) => s.op === 'rename' && !s.path.endsWith('.tmp'));
    const killed = await child(['run', out, String(renames[2].n), second, users]);
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.notDeepEqual(hashTree(out), earlier, 'the kill landed inside the switch');

    // What the next start finds, recovered on a copy: the killed run's complete set.
    const recovered = copyFolder(out);
    await recoverOutputFolder(recovered);
    const got = hashTree(recovered);
    // The killed run's lock stays until the next run finds its process gone and takes it over.
    assert.deepEqual(Object.keys(got).sort(), [LOCK_NAME, ...NAMES].sort());
    for (const name of NAMES.filter((n) => n.endsWith('.parquet'))) assert.equal(got[name], newSet[name], name);
    const report = JSON.parse(fs.readFileSync(path.join(recovered, 'run_report.json'), 'utf8'));
    assert.equal(report.inputs[0].path, second, "the run report is the killed run's");
    assert.match(fs.readFileSync(path.join(recovered, 'etl.log'), 'utf8'), /Loaded 3 events/);

    // The next real run into the folder does the same first, and says so.
    const log: string[] = [];
    const next = await runPipeline(
      { eventsPath: first, usersPath: users, outDir: out },
      { onEvent: (e) => void (e.type === 'log' && log.push(e.message)) },
    );
    assert.ok(
      log.some((l) => l.startsWith('Finished moving the outputs of an interrupted run')),
      'the interrupted commit was finished first',
    );
    assert.equal(next.inputs[0].path, first);
    assert.deepEqual(Object.keys(hashTree(out)).sort(), [...NAMES].sort(), 'no leftovers, no lock');
  });
});

describe("the app's start", () => {
  test('finishes an interrupted commit in the last-used folder and in the history, before it answers anything', async () => {
    const probe = folderWith(OLD);
    const full = await child(['commit', probe, '0', NEW_DIR, NAMES.join(',')]);
    const midSwitch = full.steps.filter((s) => s.op === 'rename' && !s.path.endsWith('.tmp'))[2].n;
    // Two folders whose commit was killed mid-switch: the one the app used last, and one only
    // the run history knows.
    const crashed = async () => {
      const out = folderWith(OLD);
      assert.equal((await child(['commit', out, String(midSwitch), NEW_DIR, NAMES.join(',')])).signal, 'SIGKILL');
      assert.ok(
        fs.readdirSync(out).some((n) => n.startsWith(STAGING_PREFIX)),
        'the kill left a half-switched folder',
      );
      return out;
    };
    const lastUsed = await crashed();
    const fromHistory = await crashed();
    const history = new RunHistory(tmpDir());
    const report = { started_at: 'x', finished_at: '2026-12-04T10:00:00Z', stages: [], inputs: [], outputs: [] };
    await history.record('cli', fromHistory, report as unknown as RunReport);

    const service = new EngineService({
      hosts: { start: () => assert.fail('no run is started') },
      history: { store: history, source: 'app' },
    });
    const platform: ShellPlatform = {
      defaults: async () => ({
        outDir: path.join(tmpDir(), 'default-out'),
        sample: null,
        recent: { outDir: lastUsed },
      }),
      pickInputs: async () => [],
      pickOutputDir: async () => null,
      showInFolder: async () => undefined,
      remember: async () => undefined,
    };
    const stderr = captureStderr();
    const { handle } = createRequestHandlers({ service, platform, allowlist: new PathAllowlist() });
    // The first request the page makes is answered only once both folders are whole again.
    const first = await handle('etl:run-history', undefined);
    const said = stderr.stop();
    assert.equal(first.ok, true);
    assert.equal(assertWhole(lastUsed, OLD, 'the last-used folder'), 'new');
    assert.equal(assertWhole(fromHistory, OLD, 'the folder in the history'), 'new');
    assert.match(
      said,
      new RegExp(`${lastUsed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a run had stopped while moving`),
    );
  });
});

/** Collects what is written to standard error until `stop()`. */
function captureStderr(): { stop: () => string } {
  const write = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (text += String(chunk)),
    true
  )) as typeof process.stderr.write;
  return { stop: () => ((process.stderr.write = write), text) };
}
