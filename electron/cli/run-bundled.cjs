#!/usr/bin/env node
/**
 * Starts a command-line tool from an esbuild bundle in dist/cli/ instead of through tsx: the
 * bundle starts in a fraction of the time, which matters for a tool people time (npm run
 * bench compares whole runs). The bundle is rebuilt first whenever a TypeScript source under
 * electron/ or shared/ is newer than it, so `npm run etl` always runs the current code.
 * Usage: node electron/cli/run-bundled.cjs <tool> [args...]   (tool: etl)
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const outDir = path.join(root, 'dist', 'cli');
// Each tool and the worker scripts its code starts, which must sit beside the bundle.
const ENTRIES = {
  etl: path.join(root, 'electron/cli/etl.ts'),
  'scan-worker': path.join(root, 'electron/engine/scan-worker.ts'),
  // What this launcher reads before it starts the engine (not a tool: see LAUNCHER_ONLY).
  'launch-plan': path.join(root, 'electron/cli/launch-plan.ts'),
};
const LAUNCHER_ONLY = new Set(['launch-plan']);

function newestSource(dir, newest = 0) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = newestSource(p, newest);
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = Math.min(...Object.keys(ENTRIES).map((n) => fs.statSync(path.join(outDir, `${n}.js`)).mtimeMs));
    const newest = Math.max(newestSource(path.join(root, 'electron')), newestSource(path.join(root, 'shared')));
    return built >= newest;
  } catch {
    return false;
  }
}

/** The size of the events file the arguments name (etl's --events, default data/raw_events.json); 0 if unknown. */
function eventsFileBytes(args) {
  let events = 'data/raw_events.json';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--events') events = args[i + 1];
    else if (args[i].startsWith('--events=')) events = args[i].slice('--events='.length);
  }
  try {
    return fs.statSync(path.resolve(String(events))).size;
  } catch {
    return 0; // the tool itself reports a missing or unreadable file
  }
}

function rebuild() {
  // Built into a private folder, then moved into place, so concurrent runs never see half a file.
  const tmp = fs.mkdtempSync(path.join(root, 'dist', '.cli-build-'));
  const common = { outdir: tmp, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };
  const workers = Object.fromEntries(Object.entries(ENTRIES).filter(([n]) => n.endsWith('-worker')));
  const tools = Object.fromEntries(Object.entries(ENTRIES).filter(([n]) => !n.endsWith('-worker')));
  // Without this, buildSync runs esbuild from a helper thread whose esbuild process stays until
  // this process exits; this launcher waits for the whole run, and the run's memory budget
  // counts both (docs/performance.md "Memory budget"). esbuild reads the setting as it loads.
  const before = process.env.ESBUILD_WORKER_THREADS;
  process.env.ESBUILD_WORKER_THREADS = '0';
  const esbuild = require('esbuild');
  if (before === undefined) delete process.env.ESBUILD_WORKER_THREADS;
  else process.env.ESBUILD_WORKER_THREADS = before;
  // Tools load their packages (nodejs-polars is native) from node_modules; worker scripts are
  // bundled whole but for nodejs-polars, as in the app (electron/cli/build.ts), so each thread
  // starts without resolving and reading a module file per import.
  esbuild.buildSync({ ...common, entryPoints: tools, packages: 'external' });
  esbuild.buildSync({ ...common, entryPoints: workers, external: ['nodejs-polars'] });
  fs.mkdirSync(outDir, { recursive: true });
  for (const n of Object.keys(ENTRIES)) fs.renameSync(path.join(tmp, `${n}.js`), path.join(outDir, `${n}.js`));
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** The parent of process `pid`, from /proc (Linux); null where unknown. */
function parentOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || null;
  } catch {
    return null;
  }
}

/** Whether process `pid` is a POSIX shell (Linux: /proc), as npm's `sh -c` is. */
function isShell(pid) {
  try {
    return /^(sh|dash|bash|ash|ksh|mksh|zsh|busybox)$/.test(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
  } catch {
    return false;
  }
}

/** How many times process `pid` has slept and been woken (Linux: /proc); null where unknown. */
function wakeups(pid) {
  try {
    const m = /^voluntary_ctxt_switches:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Calls `stop(signal)` once the run must stop for a signal that never reaches this process.
 * Under npm the chain is npm -> a shell (sh -c) -> this launcher, and npm passes a signal only to
 * that shell:
 * - `kill <npm pid>` (SIGTERM): npm exits at once and the shell dies without passing it on, so
 *   this process sees npm (or its own parent) gone: stop('SIGTERM').
 * - `kill -INT <npm pid>`: a POSIX shell running `sh -c` (dash, Debian's and Ubuntu's sh)
 *   catches SIGINT and acts on it only after its command ends, so the run would finish and
 *   commit. The shell sleeps in wait() all the while, and the only signals that wake it are
 *   SIGINT and a stop and continue of the group (Ctrl-Z, fg): one more wake-up of the shell,
 *   unless this process had a SIGCONT in the last CONTINUE_GRACE_MS, is that SIGINT:
 *   stop('SIGINT'). (Shells that exec a lone command, bash and macOS's sh, leave no shell in
 *   between.) A SIGINT to npm in the few seconds after an fg is missed; the run then ends as
 *   `sh -c` itself decides.
 * Checked four times a second; a wake-up is decided at the check after the one that saw it.
 */
const CONTINUE_GRACE_MS = 5000;
function whenStarterStops(stop) {
  const parent = process.ppid;
  const npm = process.env.npm_lifecycle_event ? parentOf(parent) : null;
  const npmAlive = () => {
    try {
      process.kill(npm, 0);
      return true;
    } catch (err) {
      return err.code !== 'ESRCH';
    }
  };
  const shell = npm && npm > 1 && isShell(parent) ? parent : null;
  let shellWakeups = shell ? wakeups(shell) : null;
  // A SIGCONT here means this process was stopped (Ctrl-Z), which wakes the shell too, at once
  // or, on a busy machine, a while later: wake-ups seen in the grace time after one are not a SIGINT.
  let continuedAt = -Infinity;
  // Whether the last check saw a wake-up of the shell, not yet decided.
  let woken = false;
  if (shellWakeups !== null) process.on('SIGCONT', () => (continuedAt = performance.now()));
  const timer = setInterval(() => {
    if (process.ppid !== parent || (npm && npm > 1 && !npmAlive())) {
      clearInterval(timer);
      stop('SIGTERM');
      return;
    }
    if (shellWakeups === null) return;
    const now = wakeups(shell);
    if (now === null || now === shellWakeups) {
      woken = false;
      return;
    }
    // Decided at the next check: the SIGCONT of a stop and continue wakes every thread of this
    // process at once, but its handler runs on whichever thread takes it, which on a busy
    // machine can come after this thread has seen the shell's wake-up.
    if (!woken) {
      woken = true;
      return;
    }
    if (performance.now() - continuedAt < CONTINUE_GRACE_MS) {
      shellWakeups = wakeups(shell);
      woken = false;
      return;
    }
    clearInterval(timer);
    stop('SIGINT');
  }, 250);
  timer.unref();
}

const [tool, ...args] = process.argv.slice(2);
if (!(tool in ENTRIES) || tool.endsWith('-worker') || LAUNCHER_ONLY.has(tool)) {
  process.stderr.write(`run-bundled: unknown tool '${tool}'\n`);
  process.exit(2);
}

// Built here, before anything else, so that a launching parent can read its plan (below) and
// its child finds the bundle fresh. (Rebuilding is safe to race: see rebuild.)
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
if (!bundleIsFresh()) rebuild();

// The engine's allocator settings (electron/engine/allocator-env.ts) only work when they are in
// the environment as the process starts: on Linux, run the tool in a child that has them. They
// spare the kernel most of its page faults and save memory on large inputs, while the child
// costs one more Node start, which only the page faults of a larger file make up for: a smaller
// events file runs right here (docs/performance.md "Speed").
// A run that will spill under its memory budget gets other settings: two arenas, huge pages,
// and a 4 MiB mmap threshold, so that freed large blocks (columns, batches) go back to the
// system at once; the 1 GiB threshold keeps freed memory in the process, which a budget
// cannot afford (allocator-env-spilled.json; figures in docs/performance.md "Memory budget").
const RELAUNCH_FROM_BYTES = Number(process.env.BENEFITS_ETL_RELAUNCH_FROM ?? 32 * 2 ** 20);
const LAUNCHED = 'BENEFITS_ETL_LAUNCHED'; // set in the child, so it never starts another
const mayRelaunch = process.platform === 'linux' && tool === 'etl' && !process.env[LAUNCHED];
const plan = mayRelaunch ? require(path.join(outDir, 'launch-plan.js')) : null;
const spills = plan !== null && plan.runWillSpill(args, process.memoryUsage.rss());
const allocatorEnv = spills ? require('../engine/allocator-env-spilled.json') : require('../engine/allocator-env.json');
const needsEnv =
  mayRelaunch &&
  (spills ||
    (Object.keys(allocatorEnv).some((k) => process.env[k] === undefined) &&
      eventsFileBytes(args) >= RELAUNCH_FROM_BYTES));
if (needsEnv) {
  const { spawn } = require('node:child_process');
  const env = { ...allocatorEnv, ...process.env, [LAUNCHED]: '1' };
  // This process waits while the run goes on: the run's budget counts its memory too.
  if (spills) env[plan.LAUNCHER_BYTES_ENV] = String(process.memoryUsage.rss());
  const child = spawn(process.execPath, [__filename, tool, ...args], { stdio: 'inherit', env });
  // Pass signals on (the tool cancels its run once, however many arrive) and exit as it does.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  whenStarterStops((signal) => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (require('node:os').constants.signals[signal] ?? 0)));
  child.on('error', (err) => {
    process.stderr.write(`${tool}: cannot start: ${err.message}\n`);
    process.exit(1);
  });
  return;
}

// The tool cancels its run on SIGINT and SIGTERM (see etl.ts).
whenStarterStops((signal) => process.kill(process.pid, signal));

require(path.join(outDir, `${tool}.js`))
  .main(args)
  .then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${tool}: unexpected error: ${err && err.stack ? err.stack : err}\n`);
      process.exit(1);
    },
  );
