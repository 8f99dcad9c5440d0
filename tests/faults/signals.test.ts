/**
 * A signal to any process layer of `npm run etl` stops the whole run, and nothing is written
 * afterwards: npm -> its shell -> the launcher (run-bundled.cjs) -> the engine process. Each test
 * waits until every process of the tree is gone, then checks the earlier outputs byte for byte
 * (and that no staging folder or lock is left). The exit code is the signal's: 130 for SIGINT,
 * 143 for SIGTERM. (Linux: the process tree is read from /proc.)
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_USERS, hashTree, tmpDir, writeFile, writeNdjsonEvents } from '../engine/helpers';

const ROOT = path.resolve(__dirname, '../..');
const LAUNCHER = path.join(ROOT, 'electron/cli/run-bundled.cjs');
const NAMES = ['clean_events.parquet', 'daily_summary.parquet', 'dropped_rows.parquet', 'run_report.json', 'etl.log'];

const dir = tmpDir();
// Large enough that the run is still going when the signal lands (several seconds of work
// remain after users.csv is read).
const EVENTS = writeNdjsonEvents(dir, 400_000);
const USERS = writeFile(dir, 'users.csv', DEFAULT_USERS);

/** An output folder holding an earlier set of outputs; returns it and its hashes. */
function earlierOutputs(): { out: string; before: Record<string, string> } {
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  for (const n of NAMES) fs.writeFileSync(path.join(out, n), `earlier ${n}`);
  return { out, before: hashTree(out) };
}

const childrenOf = (pid: number): number[] => {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const descendants = (pid: number): number[] => childrenOf(pid).flatMap((c) => [c, ...descendants(c)]);
const alive = (pid: number) => {
  try {
    // A zombie has exited: it only waits for its parent to read its status.
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Resolves once every one of `pids` is stopped (state T); rejects after a generous bound. */
async function allStopped(pids: number[], boundMs = 60_000): Promise<void> {
  const until = Date.now() + boundMs;
  const isStopped = (pid: number) => {
    try {
      return /^\d+ \(.*\) T/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return true; // gone: nothing left to wait for
    }
  };
  while (!pids.every(isStopped)) {
    if (Date.now() > until) throw new Error(`not stopped: ${pids.filter((p) => !isStopped(p)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once none of `pids` is running; rejects after a generous bound (a failure, not a timing assert). */
async function allGone(pids: number[], boundMs = 60_000): Promise<void> {
  const until = Date.now() + boundMs;
  while (pids.some(alive)) {
    if (Date.now() > until) throw new Error(`still running: ${pids.filter(alive).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts `command`, and once users.csv has been read sends `signal` to the process `target`
 * picks from the tree (its root, or a descendant). Resolves when the root has exited and
 * every process of the tree is gone.
 */
async function signalDuringRun(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  signal: NodeJS.Signals,
  target: (root: number) => number | undefined,
): Promise<{ code: number | null; stderr: string; tree: number[] }> {
  // In a process group of its own, as a terminal's foreground job is (a negative target signals the group).
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  let tree: number[] = [];
  let sent = false;
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
    if (sent || !/Loaded \d+ users/.test(stderr)) return;
    const pid = target(child.pid!);
    if (pid === undefined) return;
    sent = true;
    tree = [child.pid!, ...descendants(child.pid!)];
    process.kill(pid, signal);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve(c ?? (s ? 128 + (s === 'SIGINT' ? 2 : s === 'SIGTERM' ? 15 : 9) : null)));
  });
  assert.ok(sent, `the signal was sent (stderr: ${stderr})`);
  await allGone(tree);
  return { code, stderr, tree };
}

/** The launcher's environment, with the engine in a child process of it (or not). */
const env = (engineChild: boolean): NodeJS.ProcessEnv => ({
  ...process.env,
  BENEFITS_ETL_RELAUNCH_FROM: engineChild ? '0' : String(2 ** 40),
});

const runArgs = (out: string) => ['--events', EVENTS, '--users', USERS, '--out', out];

function assertNothingWritten(out: string, before: Record<string, string>): void {
  assert.deepEqual(hashTree(out), before, 'the earlier outputs are byte-identical, and nothing else is there');
}

describe(
  'signals stop the whole run',
  { skip: process.platform !== 'linux' && 'reads the process tree from /proc' },
  () => {
    const npmRun = (out: string) => ['run', '--silent', 'etl', '--', ...runArgs(out)];

    test('SIGTERM to npm (kill <npm pid>): every process ends and nothing is written afterwards', async () => {
      const { out, before } = earlierOutputs();
      // npm passes the signal to its shell, which dies without passing it on; the launcher sees
      // npm gone and stops the run.
      const r = await signalDuringRun('npm', npmRun(out), env(true), 'SIGTERM', (root) => root);
      assert.equal(r.code, 143);
      assert.ok(r.tree.length >= 4, `npm, its shell, the launcher and the engine were running: ${r.tree}`);
      assertNothingWritten(out, before);
    });

    test('Ctrl-C on npm run etl (SIGINT to its process group): exit 130, nothing written afterwards', async () => {
      const { out, before } = earlierOutputs();
      const r = await signalDuringRun('npm', npmRun(out), env(true), 'SIGINT', (root) => -root);
      assert.equal(r.code, 130);
      assert.ok(r.tree.length >= 4, `npm, its shell, the launcher and the engine were running: ${r.tree}`);
      assertNothingWritten(out, before);
    });

    test('SIGINT to npm alone (kill -INT <npm pid>): exit 130, nothing written afterwards', async () => {
      const { out, before } = earlierOutputs();
      // npm passes it to its shell, which holds it until its command ends; the launcher sees the
      // shell woken and stops the run.
      const r = await signalDuringRun('npm', npmRun(out), env(true), 'SIGINT', (root) => root);
      assert.equal(r.code, 130, r.stderr);
      assert.ok(r.tree.length >= 4, `npm, its shell, the launcher and the engine were running: ${r.tree}`);
      assert.match(r.stderr, /cancelled/);
      assertNothingWritten(out, before);
    });

    // (SIGSTOP: the kernel drops SIGTSTP to a process group with no parent in its session, as a
    // detached one is; the shell is woken the same way, by its child stopping.)
    /**
     * Stops npm's whole process group once users.csv is read, then continues it. With
     * `shellLate`, npm's shell is continued last, `shellLate` ms after the rest, as a busy
     * machine schedules it: its wake-up then comes well after the launcher's SIGCONT.
     */
    async function stopAndContinue(shellLate = 0): Promise<void> {
      const { out, before } = earlierOutputs();
      const child = spawn('npm', npmRun(out), {
        cwd: ROOT,
        env: env(true),
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      });
      let stderr = '';
      let stopped: Promise<void> | undefined;
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d;
        if (stopped || !/Loaded \d+ users/.test(stderr)) return;
        const tree = [child.pid!, ...descendants(child.pid!)];
        const shell = childrenOf(child.pid!)[0];
        process.kill(-child.pid!, 'SIGSTOP');
        stopped = allStopped(tree).then(async () => {
          if (!shellLate) {
            process.kill(-child.pid!, 'SIGCONT');
            return;
          }
          for (const pid of tree) if (pid !== shell) process.kill(pid, 'SIGCONT');
          await new Promise((r) => setTimeout(r, shellLate));
          process.kill(shell, 'SIGCONT');
        });
      });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (c) => resolve(c));
      });
      assert.ok(stopped, `the run was stopped (stderr: ${stderr})`);
      await stopped;
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /cancelled/);
      const after = hashTree(out);
      for (const n of NAMES) assert.notEqual(after[n], before[n], `${n} is the new run's`);
    }

    test('Ctrl-Z, then fg (the group stopped, then SIGCONT): the run goes on and writes its outputs', () =>
      stopAndContinue());

    test("Ctrl-Z, then fg on a busy machine (npm's shell woken 700 ms after the run): the run still goes on", () =>
      stopAndContinue(700));

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const code = signal === 'SIGINT' ? 130 : 143;

      test(`${signal} to the launcher: exit ${code}, nothing written`, async () => {
        const { out, before } = earlierOutputs();
        const r = await signalDuringRun(
          process.execPath,
          [LAUNCHER, 'etl', ...runArgs(out)],
          env(true),
          signal,
          (root) => root,
        );
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, /cancelled/);
        assertNothingWritten(out, before);
      });

      test(`${signal} to the engine process itself: exit ${code}, nothing written`, async () => {
        const { out, before } = earlierOutputs();
        const r = await signalDuringRun(
          process.execPath,
          [LAUNCHER, 'etl', ...runArgs(out)],
          env(true),
          signal,
          (root) => childrenOf(root)[0],
        );
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, /cancelled/);
        assertNothingWritten(out, before);
      });
    }

    test('SIGINT to a launcher that runs the engine in its own process: exit 130, nothing written', async () => {
      const { out, before } = earlierOutputs();
      const r = await signalDuringRun(
        process.execPath,
        [LAUNCHER, 'etl', ...runArgs(out)],
        env(false),
        'SIGINT',
        (root) => root,
      );
      assert.equal(r.code, 130, r.stderr);
      assertNothingWritten(out, before);
    });
  },
);
