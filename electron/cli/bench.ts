/**
 * `npm run bench [-- --quick] [--runs N] [--sizes 1000000,10000000] [--formats json,ndjson] [--npm]
 *   [--budget-events N] [--budget-limit SIZE] [--no-budget]`
 *
 * Issue 5's benchmark: our engine (the etl CLI, as a user runs it, the whole process) against
 * a DuckDB SQL peer of the same pipeline (electron/bench/duckdb-peer.ts, its own
 * process), on generated messy events (1M and 10M, JSON array and NDJSON; generated once and
 * cached under ~/.cache/benefits-engagement-etl/bench/<n>-<format>/). Each run is measured
 * with `/usr/bin/time -v` (wall time, peak RSS); ours and the peer alternate. Prints a
 * Markdown table (also written to ~/.cache/benefits-engagement-etl/bench/last-results.md),
 * checks that both produce the same outputs on the smallest size, measures preview-page
 * latency on the largest size through the engine service's Parquet pager, and the service
 * thread's event-loop delay during a run of the smallest size, beside an idle baseline.
 * Then the memory-budget row (electron/bench/budget-row.ts): 50,000,000 NDJSON events, ours
 * with `--memory-limit 1.5GB` and DuckDB with the same `memory_limit` and a temp directory,
 * one run each, peak memory summed over each tool's process tree; its data is deleted after.
 */
import { buildSync } from 'esbuild';
import path from 'node:path';
import { existsSync, promises as fsp, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import {
  compareOutputs,
  fmtBytes,
  fmtS,
  fmtX,
  measure,
  median,
  type FileComparison,
  type Measured,
} from '../bench/bench-lib';
import {
  budgetMarkdown,
  budgetTargets,
  measureTree,
  NDJSON_BYTES_PER_EVENT,
  parseBudgetArgs,
  runBudgetRow,
  type BudgetOptions,
  type BudgetRow,
  type GrowthBase,
  type TargetCheck,
} from '../bench/budget-row';
import { serviceLoopDelay } from '../bench/event-loop-delay';
import { buildRunWorker } from './build';

const ROOT = resolve(__dirname, '..', '..');
const CACHE = join(os.homedir(), '.cache', 'benefits-engagement-etl', 'bench');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const viaNpm = process.argv.includes('--npm');
const sizes = (argValue('sizes') ?? (quick ? '1000000' : '1000000,10000000')).split(',').map(Number);
const formats = (argValue('formats') ?? 'json,ndjson').split(',') as ('json' | 'ndjson')[];
const runsArg = argValue('runs');
/** The script `ours` runs (default the etl CLI); for testing the bench itself. */
const DEFAULT_OURS = 'electron/cli/etl.ts';
const oursScript = argValue('ours-script') ?? DEFAULT_OURS;
// A single 1M run swings by a quarter on a shared 2-core machine: five runs give a steadier median.
const runsFor = (n: number) => (runsArg ? Number(runsArg) : n >= 5_000_000 ? 3 : 5);
/** Users in users.csv for n events. */
const usersFor = (n: number) => Math.max(1000, Math.round(n / 50));
const SEED = 20260105;

const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

interface Dataset {
  n: number;
  format: 'json' | 'ndjson';
  dir: string;
  events: string;
  users: string;
  bytes: number;
}

/** Runs the project's generator (seed SEED, one user per 50 events) into `dir`. */
async function generate(n: number, format: 'json' | 'ndjson', dir: string): Promise<void> {
  const args = ['run', '--silent', 'generate', '--', '--events', String(n), '--users', String(usersFor(n))];
  args.push('--seed', String(SEED), '--format', format, '--out', dir);
  const child = spawn('npm', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const status: number | null = await new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', res);
  });
  if (status !== 0) throw new Error(`the generator failed (exit ${status}) for ${n} ${format}`);
}

async function ensureDataset(n: number, format: 'json' | 'ndjson'): Promise<Dataset> {
  const dir = join(CACHE, `${n}-${format}`);
  const events = join(dir, format === 'json' ? 'raw_events.json' : 'raw_events.ndjson');
  const users = join(dir, 'users.csv');
  const marker = join(dir, '.complete');
  if (!existsSync(marker) || !existsSync(events) || !existsSync(users)) {
    log(`generating ${n} events (${format}) into ${dir}`);
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.mkdir(dir, { recursive: true });
    const t = Date.now();
    await generate(n, format, dir);
    if (!existsSync(events) || !existsSync(users))
      throw new Error(`the generator did not write ${events} and ${users}`);
    await fsp.writeFile(marker, JSON.stringify({ n, format, seed: SEED, users: usersFor(n), ms: Date.now() - t }));
    log(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return { n, format, dir, events, users, bytes: statSync(events).size };
}

type Tool = 'ours' | 'duckdb';

/**
 * Both tools start the same way, as plain Node running an esbuild bundle (no TypeScript
 * compilation in the timed path): ours exactly as `npm run etl` does (run-bundled.cjs), the
 * peer from a bundle made once here.
 */
let peerBundle: string | null = null;
function peerEntry(): string {
  if (!peerBundle) {
    peerBundle = path.resolve('dist/cli/duckdb-peer-cli.js');
    buildSync({
      entryPoints: ['electron/bench/duckdb-peer-cli.ts'],
      outfile: peerBundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
  }
  return peerBundle;
}

function commandFor(tool: Tool, ds: { events: string; users: string }, out: string): [string, string[]] {
  const io = ['--events', ds.events, '--users', ds.users, '--out', out];
  if (tool === 'ours') {
    if (viaNpm) return ['npm', ['run', '--silent', 'etl', '--', ...io]];
    return oursScript === DEFAULT_OURS
      ? [process.execPath, ['electron/cli/run-bundled.cjs', 'etl', ...io]]
      : [TSX, [oursScript, ...io]];
  }
  return [process.execPath, [peerEntry(), ...io]];
}

interface Cell {
  ds: Dataset;
  runs: Record<Tool, Measured[]>;
  /** 1-minute load average when each run started (the machine is shared). */
  load: Record<Tool, number[]>;
  comparison?: FileComparison[];
  peerInfo?: string;
}

async function benchDataset(ds: Dataset, runs: number): Promise<Cell> {
  const cell: Cell = { ds, runs: { ours: [], duckdb: [] }, load: { ours: [], duckdb: [] } };
  const outRoot = join(CACHE, 'out', `${ds.n}-${ds.format}`);
  for (let r = 0; r < runs; r++) {
    const order: Tool[] = r % 2 === 0 ? ['ours', 'duckdb'] : ['duckdb', 'ours'];
    for (const tool of order) {
      const out = join(outRoot, tool);
      await fsp.rm(out, { recursive: true, force: true });
      const [cmd, args] = commandFor(tool, ds, out);
      const load = os.loadavg()[0];
      const m = await measure(cmd, args, { cwd: ROOT, timeFile: join(CACHE, `time-${tool}.txt`) });
      cell.runs[tool].push(m);
      cell.load[tool].push(load);
      log(
        `${ds.n} ${ds.format} run ${r + 1}/${runs} ${tool}: ${m.ok ? '' : `FAILED (exit ${m.exitCode}) `}${fmtS(m.wallS)}, CPU ${fmtS(m.cpuS)}, peak ${fmtBytes(m.maxRssKb * 1024)} (load ${load.toFixed(1)})`,
      );
      if (!m.ok) log(`${tool} stderr:\n${m.stderrTail}`);
      if (tool === 'duckdb' && m.ok) cell.peerInfo = m.stdout.trim().split('\n').pop();
    }
  }
  return cell;
}

/** Preview-page latency through the engine service's page reader (issue 5.3). */
async function pageLatency(outDir: string): Promise<string[]> {
  const lines: string[] = [];
  const file = 'clean_events.parquet' as const;
  let how = '';
  let read: ((offset: number, sort?: { column: string; descending: boolean }) => Promise<number>) | null = null;
  let total = 0;
  try {
    const mod = (await import('../service/engine-service')) as Record<string, unknown>;
    const Svc = mod.EngineService as
      | (new (o: unknown) => {
          readPage(
            req: unknown,
          ): Promise<{ ok: boolean; value?: { totalRows: number; rows: unknown[] }; error?: { message: string } }>;
        })
      | undefined;
    if (!Svc) throw new Error('EngineService not exported');
    const svc = new Svc({
      hosts: () => {
        throw new Error('the bench does not run through the service');
      },
    });
    read = async (offset, sort) => {
      const r = await svc.readPage({ outDir, file, offset, limit: 200, sort });
      if (!r.ok || !r.value) throw new Error(r.error?.message ?? 'readPage failed');
      total = r.value.totalRows;
      return r.value.rows.length;
    };
    how = 'EngineService.readPage (electron/service/engine-service.ts → ParquetPager)';
  } catch (e) {
    log(`engine service page reader unavailable (${(e as Error).message}); using nodejs-polars scanParquet`);
    const pl = (await import('nodejs-polars')).default;
    const path = join(outDir, file);
    total = pl.readParquet(path, { columns: ['country'] }).height;
    read = async (offset, sort) => {
      let lf = pl.scanParquet(path);
      if (sort) lf = lf.sort(sort.column, sort.descending);
      const df = await lf.slice(offset, 200).collect();
      return df.height;
    };
    how = 'nodejs-polars scanParquet(path).slice(offset, 200).collect() (service page reader not available)';
  }
  // First call learns the row count (and warms the footer cache).
  await read(0);
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const timeCalls = async (sort?: { column: string; descending: boolean }) => {
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const offset = Math.floor(rand() * Math.max(1, total - 200));
      const t = performance.now();
      const got = await read!(offset, sort);
      ms.push(performance.now() - t);
      if (got !== Math.min(200, total - offset)) throw new Error(`page at ${offset} returned ${got} rows`);
    }
    return ms;
  };
  const unsorted = await timeCalls();
  const sorted = await timeCalls({ column: 'user_id', descending: false });
  const sortedValue = await timeCalls({ column: 'value', descending: true });
  lines.push(
    `Preview pages of ${file} (${total.toLocaleString('en-US')} rows), 200 rows at 20 random offsets each, via ${how}:`,
  );
  lines.push(`- unsorted: median ${median(unsorted).toFixed(1)} ms (max ${Math.max(...unsorted).toFixed(1)} ms)`);
  lines.push(
    `- sorted by user_id: first call ${sorted[0].toFixed(0)} ms (builds the sorted view), median ${median(sorted).toFixed(1)} ms`,
  );
  lines.push(
    `- sorted by value desc: first call ${sortedValue[0].toFixed(0)} ms, median ${median(sortedValue).toFixed(1)} ms`,
  );
  return lines;
}

/** The service thread's event-loop delay during a run, beside an idle baseline (moved here from the unit tests). */
async function loopDelayLines(ds: Dataset): Promise<string[]> {
  try {
    const worker = await buildRunWorker();
    const out = join(CACHE, 'out', 'event-loop-delay');
    const { idle, run } = await serviceLoopDelay({ eventsPath: ds.events, usersPath: ds.users, outDir: out }, worker);
    return [
      `Service thread event-loop delay (EngineService + forked run host, ${ds.n.toLocaleString('en-US')} ${ds.format} events, ${(run.ms / 1000).toFixed(1)} s, ${run.progressEvents} progress events):`,
      `- idle baseline: p99 ${idle.p99Ms.toFixed(1)} ms, max ${idle.maxMs.toFixed(1)} ms`,
      `- during the run: p99 ${run.p99Ms.toFixed(1)} ms, max ${run.maxMs.toFixed(1)} ms`,
    ];
  } catch (e) {
    return [`Service event-loop delay: failed: ${(e as Error).message}`];
  }
}

function machine(): string {
  const cpus = os.cpus();
  let duck = '?';
  let polars = '?';
  try {
    duck = JSON.parse(
      spawnSync('node', ['-p', "JSON.stringify(require('@duckdb/node-api/package.json').version)"], {
        cwd: ROOT,
      }).stdout.toString(),
    );
    polars = JSON.parse(
      spawnSync('node', ['-p', "JSON.stringify(require('nodejs-polars/package.json').version)"], {
        cwd: ROOT,
      }).stdout.toString(),
    );
  } catch {
    /* versions are informative only */
  }
  return `Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${fmtBytes(os.totalmem())} RAM, Node ${process.version}, ${os.platform()} ${os.release()}; nodejs-polars ${polars}, @duckdb/node-api ${duck}`;
}

/** The memory-budget row, after the others: its data generated, both tools run, all of it deleted. */
async function budgetRow(budget: BudgetOptions, cells: Cell[]): Promise<BudgetRow> {
  // The events file's size per event from this run's largest NDJSON row, for the disk check.
  const nd = cells.filter((c) => c.ds.format === 'ndjson').sort((a, b) => b.ds.n - a.ds.n)[0];
  return runBudgetRow(
    { ...budget, folder: join(CACHE, 'budget'), bytesPerEvent: nd ? nd.ds.bytes / nd.ds.n : NDJSON_BYTES_PER_EVENT },
    {
      generate: (p) => generate(budget.events, 'ndjson', dirname(p.events)),
      command: (tool, p) => {
        const [cmd, args] = commandFor(tool, p, p.out[tool]);
        args.push('--memory-limit', budget.limitText);
        if (tool === 'duckdb') args.push('--temp-dir', p.duckdbTemp);
        return [cmd, args];
      },
      measure: (cmd, args) => measureTree(ROOT, cmd, args),
      log,
    },
  );
}

/** The unlimited NDJSON row the budget row's time per event is compared with: the largest below it. */
function growthBase(cells: Cell[], budget: BudgetOptions): GrowthBase | undefined {
  const c = cells
    .filter((x) => x.ds.format === 'ndjson' && x.ds.n < budget.events && x.runs.ours.some((m) => m.ok))
    .sort((a, b) => b.ds.n - a.ds.n)[0];
  return c && { events: c.ds.n, wallS: median(c.runs.ours.filter((m) => m.ok).map((m) => m.wallS)) };
}

async function main() {
  if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is missing (apt-get install -y time)');
  const budget = parseBudgetArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, oursScript)))
    throw new Error(`${oursScript} does not exist yet: the engine has not landed`);
  await fsp.mkdir(CACHE, { recursive: true });
  const header = machine();
  log(header);
  const cells: Cell[] = [];
  for (const n of sizes) {
    for (const f of formats) {
      const ds = await ensureDataset(n, f);
      cells.push(await benchDataset(ds, runsFor(n)));
    }
  }
  // Outputs must agree on the smallest size.
  const smallest = Math.min(...sizes);
  for (const c of cells.filter((x) => x.ds.n === smallest)) {
    const base = join(CACHE, 'out', `${c.ds.n}-${c.ds.format}`);
    c.comparison = await compareOutputs(join(base, 'ours'), join(base, 'duckdb'));
  }

  const md: string[] = [];
  md.push(`# Benchmark: our engine vs a DuckDB SQL peer`, '', `${new Date().toISOString()}. ${header}.`, '');
  md.push(
    `Whole-process wall time, CPU time (user + system, all threads) and peak RSS (\`/usr/bin/time -v\`), medians over the runs; on a shared machine CPU time is the steadier measure; ours = \`${viaNpm ? 'npm run etl --' : 'node electron/cli/run-bundled.cjs etl'}\` (what npm run etl runs), peer = \`node dist/cli/duckdb-peer-cli.js\` (the peer's esbuild bundle; DuckDB, all cores).`,
    '',
  );
  md.push(
    '| events | format | events file | runs | wall ours | wall DuckDB | ours / DuckDB | CPU ours | CPU DuckDB | ours / DuckDB | peak RSS ours | peak RSS DuckDB | ours / DuckDB | ours RSS ÷ file |',
  );
  md.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const med = (c: Cell, t: Tool, k: 'wallS' | 'maxRssKb' | 'cpuS') =>
    median(c.runs[t].filter((m) => m.ok).map((m) => m[k]));
  for (const c of cells) {
    const wo = med(c, 'ours', 'wallS');
    const wd = med(c, 'duckdb', 'wallS');
    const co = med(c, 'ours', 'cpuS');
    const cd = med(c, 'duckdb', 'cpuS');
    const ro = med(c, 'ours', 'maxRssKb') * 1024;
    const rd = med(c, 'duckdb', 'maxRssKb') * 1024;
    md.push(
      `| ${c.ds.n.toLocaleString('en-US')} | ${c.ds.format} | ${fmtBytes(c.ds.bytes)} | ${c.runs.ours.length} | ${fmtS(wo)} | ${fmtS(wd)} | ${fmtX(wo / wd)} | ${fmtS(co)} | ${fmtS(cd)} | ${fmtX(co / cd)} | ${fmtBytes(ro)} | ${fmtBytes(rd)} | ${fmtX(ro / rd)} | ${fmtX(ro / c.ds.bytes)} |`,
    );
  }
  md.push('');
  md.push(`Individual runs (wall s / CPU s / peak MB / 1-min load average at start, on ${os.cpus().length} cores):`);
  for (const c of cells) {
    const fmt = (t: Tool) =>
      c.runs[t]
        .map(
          (m, i) =>
            `${m.ok ? `${m.wallS.toFixed(2)}/${m.cpuS.toFixed(1)}/${Math.round(m.maxRssKb / 1024)}` : `failed(${m.exitCode})`}/${c.load[t][i].toFixed(1)}`,
        )
        .join(', ');
    md.push(`- ${c.ds.n} ${c.ds.format}: ours ${fmt('ours')}; DuckDB ${fmt('duckdb')}`);
  }
  const bigger = sizes.filter((n) => n !== smallest);
  if (bigger.length) {
    md.push(
      '',
      `Time growth ${smallest.toLocaleString('en-US')} → ${Math.max(...bigger).toLocaleString('en-US')} events (time per event at the larger size ÷ at the smaller; 1.00 = linear):`,
    );
    for (const f of formats) {
      const a = cells.find((c) => c.ds.n === smallest && c.ds.format === f);
      const b = cells.find((c) => c.ds.n === Math.max(...bigger) && c.ds.format === f);
      if (!a || !b) continue;
      const g = (t: Tool, k: 'wallS' | 'cpuS') => med(b, t, k) / b.ds.n / (med(a, t, k) / a.ds.n);
      md.push(
        `- ${f}: wall ours ${fmtX(g('ours', 'wallS'))}, DuckDB ${fmtX(g('duckdb', 'wallS'))}; CPU ours ${fmtX(g('ours', 'cpuS'))}, DuckDB ${fmtX(g('duckdb', 'cpuS'))}`,
      );
    }
  }
  md.push(
    '',
    `Output equality, ours vs DuckDB, at ${smallest.toLocaleString('en-US')} events (row counts, column names and dtypes, data row for row in file order):`,
  );
  for (const c of cells.filter((x) => x.comparison)) {
    for (const r of c.comparison!) {
      md.push(
        `- ${c.ds.format} ${r.file}: ${r.equal ? 'EQUAL' : 'DIFFERENT'} (${r.rows[0]} / ${r.rows[1]} rows)${r.notes.length ? '' : ''}`,
      );
      for (const note of r.notes) md.push(`  - ${note}`);
    }
  }
  for (const c of cells) if (c.peerInfo) md.push(`- peer counts ${c.ds.n} ${c.ds.format}: \`${c.peerInfo}\``);

  // Preview latency on the largest output of ours.
  const largest = Math.max(...sizes);
  const pageDir = join(CACHE, 'out', `${largest}-${formats[0]}`, 'ours');
  md.push('');
  if (existsSync(join(pageDir, 'clean_events.parquet'))) {
    try {
      md.push(...(await pageLatency(pageDir)));
    } catch (e) {
      md.push(`Preview-page latency: failed: ${(e as Error).message}`);
    }
  } else {
    md.push(`Preview-page latency: skipped (no ${join(pageDir, 'clean_events.parquet')})`);
  }
  md.push('', ...(await loopDelayLines(cells.find((c) => c.ds.n === smallest)!.ds)));
  let budgetResult: (BudgetRow & { targets: TargetCheck[] }) | null = null;
  if (budget) {
    const row = await budgetRow(budget, cells);
    budgetResult = { ...row, targets: budgetTargets(row, growthBase(cells, budget)) };
    md.push('', ...budgetMarkdown(row, budgetResult.targets));
  }
  const text = md.join('\n') + '\n';
  process.stdout.write('\n' + text);
  await fsp.writeFile(join(CACHE, 'last-results.md'), text);
  await fsp.writeFile(
    join(CACHE, 'last-results.json'),
    JSON.stringify(
      {
        cells: cells.map((c) => ({
          ...c,
          runs: Object.fromEntries(
            Object.entries(c.runs).map(([k, v]) => [k, v.map(({ stdout: _s, stderrTail: _e, ...m }) => m)]),
          ),
        })),
        budget: budgetResult,
      },
      null,
      2,
    ),
  );
  log(`results written to ${join(CACHE, 'last-results.md')}`);
  const anyFail =
    cells.some((c) => c.runs.ours.some((m) => !m.ok) || c.runs.duckdb.some((m) => !m.ok)) ||
    (budgetResult !== null &&
      (budgetResult.error !== undefined || !budgetResult.runs.ours?.ok || !budgetResult.runs.duckdb?.ok));
  process.exit(anyFail ? 1 : 0);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
