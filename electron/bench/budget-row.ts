/**
 * The bench's memory-budget row (issue #17 item 5): one large NDJSON run of each tool under the
 * same memory limit, ours with `--memory-limit`, DuckDB with `memory_limit` and a temp
 * directory, each measured as the summed resident memory of its whole process tree
 * (electron/cli/peak-memory.cjs). Its data is generated into a folder of its own and removed
 * afterwards, however the row ends: at 50,000,000 events the events file alone is about 7 GB.
 *
 * The orchestration takes its generator, commands and measurement as arguments, so the tests
 * run it on tiny fakes; electron/cli/bench.ts gives it the real ones.
 */
import { existsSync, rmSync, promises as fsp } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pl from 'nodejs-polars';
import { formatMemorySize, MIN_MEMORY_LIMIT, parseMemorySize } from '../../shared/memory-size';
import { fmtBytes, fmtS, fmtX, OUTPUTS, runCaptured, type FileComparison } from './bench-lib';

export type BudgetTool = 'ours' | 'duckdb';

/** What the row runs: `--budget-events N`, `--budget-limit SIZE`. */
export interface BudgetOptions {
  events: number;
  limitBytes: number;
  /** The limit as written, passed to both tools (they read it with the same parser). */
  limitText: string;
}

export const DEFAULT_BUDGET_EVENTS = 50_000_000;
export const DEFAULT_BUDGET_LIMIT = '1.5GB';
/** Target: ours' wall time at most this share of DuckDB's under the same limit. */
export const WALL_RATIO_TARGET = 0.35;
/** Target: ours' time per event at the budget size at most this times the figure at the largest unlimited NDJSON row. */
export const GROWTH_TARGET = 1.2;
/** Free disk asked for, per byte of events file: the file, our spill, DuckDB's spill and both outputs. */
export const DISK_PER_FILE_BYTE = 4;
/** Events file bytes per generated NDJSON event (143 MiB at 1,000,000), when no row of this run says. */
export const NDJSON_BYTES_PER_EVENT = 150;

/**
 * The row's options from the bench's arguments, or null when it is skipped (`--no-budget`,
 * `--quick`). Throws on a value that is not a positive event count or a size of at least
 * the minimum our CLI accepts.
 */
export function parseBudgetArgs(argv: readonly string[]): BudgetOptions | null {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
    return v;
  };
  const eventsText = value('budget-events');
  const limitText = value('budget-limit') ?? DEFAULT_BUDGET_LIMIT;
  if (argv.includes('--no-budget') || argv.includes('--quick')) return null;
  const events = eventsText === undefined ? DEFAULT_BUDGET_EVENTS : Number(eventsText.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(events) || events <= 0)
    throw new Error(`--budget-events '${eventsText}' is not a positive whole number of events`);
  const limitBytes = parseMemorySize(limitText);
  if (limitBytes === null || limitBytes < MIN_MEMORY_LIMIT)
    throw new Error(
      `--budget-limit '${limitText}' is not a size of at least ${formatMemorySize(MIN_MEMORY_LIMIT)}; write it like 1.5GB or 400MB`,
    );
  return { events, limitBytes, limitText };
}

/** One tool's run in the row: whole process tree, from peak-memory.cjs. */
export interface TreeMeasured {
  ok: boolean;
  exitCode: number;
  wallS: number;
  /** User + system CPU of the tool's processes (NaN when not reported). */
  cpuS: number;
  /** Peak of the summed resident memory of the tool's process tree, bytes. */
  peakTreeBytes: number;
  stdout: string;
  stderrTail: string;
}

/** Reads peak-memory.cjs's last report line (`peak-tree-rss-mb=… wall-s=… cpu-s=… exit=…`). */
export function parsePeakReport(text: string): { peakTreeBytes: number; wallS: number; cpuS: number } | null {
  const lines = text.split('\n').filter((l) => l.startsWith('peak-tree-rss-mb='));
  const line = lines[lines.length - 1];
  if (!line) return null;
  const field = (k: string) => {
    const m = new RegExp(`(?:^| )${k}=([\\d.]+)`).exec(line);
    return m ? Number(m[1]) : NaN;
  };
  return { peakTreeBytes: field('peak-tree-rss-mb') * 1e6, wallS: field('wall-s'), cpuS: field('cpu-s') };
}

/** Runs `cmd args` under electron/cli/peak-memory.cjs (root: the repository). */
export async function measureTree(
  root: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<TreeMeasured> {
  const { exitCode, stdout, stderr } = await runCaptured(
    process.execPath,
    [join(root, 'electron/cli/peak-memory.cjs'), cmd, ...args],
    { cwd: root, env },
  );
  const report = parsePeakReport(stderr);
  return {
    ok: exitCode === 0 && report !== null,
    exitCode,
    wallS: report?.wallS ?? NaN,
    cpuS: report?.cpuS ?? NaN,
    peakTreeBytes: report?.peakTreeBytes ?? NaN,
    stdout,
    stderrTail: stderr
      .split('\n')
      .filter((l) => !l.startsWith('peak-tree-rss-mb='))
      .slice(-15)
      .join('\n'),
  };
}

/** Free bytes on the volume holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Throws, naming the folder and the space, when `dir`'s volume has less than `need` bytes free. */
export async function checkFreeSpace(
  dir: string,
  need: number,
  free: (dir: string) => Promise<number> = freeBytes,
): Promise<void> {
  const have = await free(dir);
  if (have < need)
    throw new Error(
      `the budget row needs about ${formatMemorySize(need)} free in ${dir} (its events file, both tools' spill and outputs: ${DISK_PER_FILE_BYTE} × the file), and only ${formatMemorySize(have)} is free; free some space, or skip the row with --no-budget`,
    );
}

/** Row counts of the three outputs and their columns' names and dtypes, read from the Parquet metadata. */
export async function compareCountsAndSchemas(
  dirA: string,
  dirB: string,
  labels: [string, string] = ['ours', 'duckdb'],
): Promise<FileComparison[]> {
  const res: FileComparison[] = [];
  const read = async (path: string) => {
    const rows = (await pl.scanParquet(path).select(pl.len().alias('n')).collect()).getColumn('n').get(0) as
      number | bigint;
    const head = pl.readParquet(path, { nRows: 1 });
    const schema = head.columns.map((c, i) => `${c}:${String(head.dtypes[i]).replace(/^DataType\((.*)\)$/, '$1')}`);
    return { rows: Number(rows), schema };
  };
  for (const file of OUTPUTS) {
    try {
      const a = await read(join(dirA, file));
      const b = await read(join(dirB, file));
      const notes: string[] = [];
      if (a.rows !== b.rows) notes.push(`row count ${labels[0]} ${a.rows} vs ${labels[1]} ${b.rows}`);
      if (a.schema.join(',') !== b.schema.join(','))
        notes.push(`schema ${labels[0]} [${a.schema.join(', ')}] vs ${labels[1]} [${b.schema.join(', ')}]`);
      res.push({ file, equal: notes.length === 0, rows: [a.rows, b.rows], notes });
    } catch (e) {
      res.push({ file, equal: false, rows: [NaN, NaN], notes: [`cannot read: ${(e as Error).message}`] });
    }
  }
  return res;
}

/** The inputs and folders of the row, all inside its own folder. */
export interface BudgetPaths {
  folder: string;
  events: string;
  users: string;
  out: Record<BudgetTool, string>;
  /** DuckDB's temp_directory. */
  duckdbTemp: string;
}

export interface BudgetRowDeps {
  /** Writes `events` and `users` of `paths` (the project's generator). */
  generate(paths: BudgetPaths): Promise<void>;
  /** A tool's command line for the row. */
  command(tool: BudgetTool, paths: BudgetPaths): [string, string[]];
  /** Runs one tool; default measureTree. */
  measure(cmd: string, args: string[]): Promise<TreeMeasured>;
  /** Free bytes on a volume; default statfs. */
  free?: (dir: string) => Promise<number>;
  log?: (s: string) => void;
}

export type StoredMeasure = Omit<TreeMeasured, 'stdout' | 'stderrTail'>;

export interface BudgetRow {
  events: number;
  limitBytes: number;
  limitText: string;
  folder: string;
  /** Events file bytes (NaN if it was never written). */
  fileBytes: number;
  runs: Partial<Record<BudgetTool, StoredMeasure>>;
  /** The peer's last stdout line: its counts and the settings DuckDB ran with. */
  peerInfo?: string;
  comparison?: FileComparison[];
  /** Why the row stopped early (disk space, the generator), if it did. */
  error?: string;
  /** The row's folder is gone after the row. */
  removed: boolean;
}

/** The paths of the row inside `folder`. */
export function budgetPaths(folder: string): BudgetPaths {
  return {
    folder,
    events: join(folder, 'data', 'raw_events.ndjson'),
    users: join(folder, 'data', 'users.csv'),
    out: { ours: join(folder, 'out', 'ours'), duckdb: join(folder, 'out', 'duckdb') },
    duckdbTemp: join(folder, 'duckdb-tmp'),
  };
}

/**
 * Runs the row in `folder` (made afresh, removed at the end however the row ends, and on
 * SIGINT/SIGTERM): checks the free disk against `bytesPerEvent` × events × DISK_PER_FILE_BYTE,
 * generates the data, runs ours then DuckDB once each, compares the outputs' row counts and
 * schemas. A tool's failure is recorded in its run; other failures in `error`.
 */
export async function runBudgetRow(
  opts: BudgetOptions & { folder: string; bytesPerEvent: number },
  deps: BudgetRowDeps,
): Promise<BudgetRow> {
  const folder = resolve(opts.folder);
  const paths = budgetPaths(folder);
  const log = deps.log ?? (() => {});
  const row: BudgetRow = {
    events: opts.events,
    limitBytes: opts.limitBytes,
    limitText: opts.limitText,
    folder,
    fileBytes: NaN,
    runs: {},
    removed: false,
  };
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(folder, { recursive: true, force: true });
    process.stderr.write(`bench: ${signal}: removed ${folder}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // A folder left by a killed bench is removed first; its space then counts as free.
    await fsp.rm(folder, { recursive: true, force: true });
    await fsp.mkdir(join(folder, 'data'), { recursive: true });
    const need = Math.ceil(opts.events * opts.bytesPerEvent * DISK_PER_FILE_BYTE);
    await checkFreeSpace(folder, need, deps.free);
    log(`budget row: generating ${opts.events.toLocaleString('en-US')} NDJSON events into ${folder}`);
    const t = Date.now();
    await deps.generate(paths);
    row.fileBytes = (await fsp.stat(paths.events)).size;
    log(`budget row: generated ${fmtBytes(row.fileBytes)} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    for (const tool of ['ours', 'duckdb'] as const) {
      if (tool === 'duckdb') await fsp.mkdir(paths.duckdbTemp, { recursive: true });
      const [cmd, args] = deps.command(tool, paths);
      const m = await deps.measure(cmd, args);
      const { stdout, stderrTail, ...stored } = m;
      row.runs[tool] = stored;
      log(
        `budget row ${tool}: ${m.ok ? '' : `FAILED (exit ${m.exitCode}) `}${fmtS(m.wallS)}, CPU ${fmtS(m.cpuS)}, peak (all processes) ${formatMemorySize(m.peakTreeBytes)}`,
      );
      if (!m.ok) log(`${tool} stderr:\n${stderrTail}`);
      if (tool === 'duckdb' && m.ok) row.peerInfo = stdout.trim().split('\n').pop();
    }
    if (row.runs.ours?.ok && row.runs.duckdb?.ok)
      row.comparison = await compareCountsAndSchemas(paths.out.ours, paths.out.duckdb);
  } catch (e) {
    row.error = e instanceof Error ? e.message : String(e);
    log(`budget row: ${row.error}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await fsp.rm(folder, { recursive: true, force: true });
    row.removed = !existsSync(folder);
    log(`budget row: ${row.removed ? 'removed' : 'could NOT remove'} ${folder}`);
  }
  return row;
}

export type TargetStatus = 'PASS' | 'MISS' | 'n/a';

export interface TargetCheck {
  target: string;
  measured: string;
  status: TargetStatus;
}

/** The unlimited NDJSON row the growth target compares with: its size and ours' median wall. */
export interface GrowthBase {
  events: number;
  wallS: number;
}

const status = (ok: boolean): TargetStatus => (ok ? 'PASS' : 'MISS');

/**
 * The row's targets, computed from its measurements: ours' summed peak within the limit; ours'
 * wall at most WALL_RATIO_TARGET of DuckDB's; ours' time per event at most GROWTH_TARGET times
 * the `base` row's. A target that cannot be computed (DuckDB failed, no base row) is n/a; a
 * failed run of ours misses them all.
 */
export function budgetTargets(row: BudgetRow, base?: GrowthBase): TargetCheck[] {
  const ours = row.runs.ours;
  const duck = row.runs.duckdb;
  const oursOk = ours?.ok === true;
  const checks: TargetCheck[] = [];
  const limit = formatMemorySize(row.limitBytes);
  checks.push({
    target: `peak memory of ours, all processes ≤ ${limit}`,
    measured: ours ? `${formatMemorySize(ours.peakTreeBytes)}${oursOk ? '' : ' (run failed)'}` : 'not run',
    status: oursOk && Number.isFinite(ours.peakTreeBytes) ? status(ours.peakTreeBytes <= row.limitBytes) : 'MISS',
  });
  const ratio = ours && duck ? ours.wallS / duck.wallS : NaN;
  checks.push({
    target: `wall ours / DuckDB ≤ ${WALL_RATIO_TARGET}`,
    measured: !oursOk
      ? 'ours failed'
      : !duck?.ok
        ? `DuckDB ${duck ? 'failed' : 'not run'}`
        : `${fmtS(ours.wallS)} / ${fmtS(duck.wallS)} = ${ratio.toFixed(2)}`,
    status: !oursOk ? 'MISS' : !duck?.ok || !Number.isFinite(ratio) ? 'n/a' : status(ratio <= WALL_RATIO_TARGET),
  });
  const growthName = `time per event of ours at ${row.events.toLocaleString('en-US')} ≤ ${GROWTH_TARGET} × at ${base ? base.events.toLocaleString('en-US') : 'the largest unlimited NDJSON row'}`;
  if (!oursOk) checks.push({ target: growthName, measured: 'ours failed', status: 'MISS' });
  else if (!base || !Number.isFinite(base.wallS))
    checks.push({ target: growthName, measured: 'no smaller NDJSON row in this run', status: 'n/a' });
  else {
    const perBudget = ours.wallS / row.events;
    const perBase = base.wallS / base.events;
    const g = perBudget / perBase;
    checks.push({
      target: growthName,
      measured: `${(perBudget * 1e6).toFixed(2)} vs ${(perBase * 1e6).toFixed(2)} µs per event = ${g.toFixed(2)}×`,
      status: status(g <= GROWTH_TARGET),
    });
  }
  return checks;
}

/** The row's Markdown: a table line for both tools, the target checks and the output comparison. */
export function budgetMarkdown(row: BudgetRow, targets: TargetCheck[]): string[] {
  const md: string[] = [];
  md.push(
    `## Memory budget row: ${row.events.toLocaleString('en-US')} NDJSON events under ${row.limitText}`,
    '',
    `One run each: ours = \`etl --memory-limit ${row.limitText}\`, DuckDB = the peer with \`memory_limit\` ${row.limitText} and a \`temp_directory\` on the same volume. Wall time, CPU (user + system) and peak resident memory summed over each tool's whole process tree (\`electron/cli/peak-memory.cjs\`, sampled every 20 ms; MB and GB of memory are 10⁶ and 10⁹ bytes, as the limit is read).`,
    '',
  );
  if (row.error) md.push(`Budget row failed: ${row.error}`, '');
  const o = row.runs.ours;
  const d = row.runs.duckdb;
  if (o || d) {
    const cell = (m: StoredMeasure | undefined, k: 'wallS' | 'cpuS') =>
      !m ? 'not run' : m.ok ? fmtS(m[k]) : `failed (exit ${m.exitCode})`;
    // Peaks in powers of 1000, as the limit is read.
    const peak = (m: StoredMeasure | undefined) => (m ? formatMemorySize(m.peakTreeBytes) : 'not run');
    md.push(
      '| events | format | events file | limit | wall ours | wall DuckDB | ours / DuckDB | CPU ours | CPU DuckDB | peak ours, all processes | peak DuckDB, all processes |',
      '|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|',
      `| ${row.events.toLocaleString('en-US')} | ndjson | ${fmtBytes(row.fileBytes)} | ${row.limitText} | ${cell(o, 'wallS')} | ${cell(d, 'wallS')} | ${o?.ok && d?.ok ? fmtX(o.wallS / d.wallS) : 'n/a'} | ${cell(o, 'cpuS')} | ${cell(d, 'cpuS')} | ${peak(o)} | ${peak(d)} |`,
      '',
    );
  }
  md.push('Targets:');
  for (const t of targets) md.push(`- ${t.status}: ${t.target} (${t.measured})`);
  if (row.comparison) {
    md.push(
      '',
      'Outputs, ours vs DuckDB: row counts and column names and dtypes only (at 50,000,000 events a row-for-row comparison would cost more than the runs; the unlimited rows above compare data):',
    );
    for (const c of row.comparison)
      md.push(`- ${c.file}: ${c.equal ? 'SAME COUNT AND SCHEMA' : 'DIFFERENT'} (${c.rows[0]} / ${c.rows[1]} rows)`);
    for (const c of row.comparison) for (const n of c.notes) md.push(`  - ${c.file}: ${n}`);
  }
  if (row.peerInfo) md.push(`- peer counts and settings: \`${row.peerInfo}\``);
  md.push(`- data, outputs and DuckDB's temp directory ${row.removed ? 'removed' : 'NOT removed'}: ${row.folder}`);
  return md;
}
