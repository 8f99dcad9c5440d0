/**
 * Helpers for `npm run bench` (electron/cli/bench.ts): running a command under
 * `/usr/bin/time -v`, medians and formatting, and comparing two output folders with
 * nodejs-polars.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';

export interface Measured {
  ok: boolean;
  exitCode: number;
  wallS: number;
  maxRssKb: number;
  /** User + system CPU seconds of the process tree: robust to other load on a shared machine. */
  cpuS: number;
  stdout: string;
  stderrTail: string;
}

/** Parses GNU time's `-v` report: wall clock and Maximum resident set size. */
export function parseTimeV(text: string): { wallS: number; maxRssKb: number; cpuS: number } {
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(text);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  let wallS = NaN;
  if (wall) {
    const parts = wall[1].split(':').map(Number);
    wallS = parts.reduce((acc, p) => acc * 60 + p, 0);
  }
  const user = /User time \(seconds\): ([\d.]+)/.exec(text);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(text);
  const cpuS = user && sys ? Number(user[1]) + Number(sys[1]) : NaN;
  return { wallS, maxRssKb: rss ? Number(rss[1]) : NaN, cpuS };
}

/**
 * Runs `cmd args` in production mode and waits for it, keeping the last half MiB or more of its
 * standard output and error (a tool's progress lines can run long; what ends them is what counts).
 */
export async function runCaptured(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...(opts.env ?? process.env), NODE_ENV: 'production' },
  });
  const tail = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const)
    child[stream].on('data', (d: Buffer) => {
      tail[stream] += d.toString();
      if (tail[stream].length > 1 << 20) tail[stream] = tail[stream].slice(-(1 << 19));
    });
  const exitCode: number = await new Promise((res) => child.on('close', (code) => res(code ?? -1)));
  return { exitCode, ...tail };
}

/**
 * Runs `cmd args` under `/usr/bin/time -v` (the whole process tree's largest process is the
 * peak RSS GNU time reports). The time report goes to a file so the command's stderr stays its own.
 */
export async function measure(cmd: string, args: string[], opts: { cwd: string; timeFile: string }): Promise<Measured> {
  const { exitCode, stdout, stderr } = await runCaptured('/usr/bin/time', ['-v', '-o', opts.timeFile, cmd, ...args], {
    cwd: opts.cwd,
  });
  const report = await fsp.readFile(opts.timeFile, 'utf8').catch(() => '');
  const { wallS, maxRssKb, cpuS } = parseTimeV(report);
  return {
    ok: exitCode === 0,
    exitCode,
    wallS,
    maxRssKb,
    cpuS,
    stdout,
    stderrTail: stderr.split('\n').slice(-15).join('\n'),
  };
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n >= 100 || i === 0 ? 0 : 1)} ${u[i]}`;
}

export function fmtS(s: number): string {
  return Number.isFinite(s) ? `${s.toFixed(2)} s` : 'n/a';
}

export function fmtX(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a';
}

export const OUTPUTS = ['clean_events.parquet', 'daily_summary.parquet', 'dropped_rows.parquet'] as const;

export interface FileComparison {
  file: string;
  equal: boolean;
  rows: [number, number];
  notes: string[];
}

function schemaOf(df: pl.DataFrame): string[] {
  return df.columns.map((c, i) => `${c}:${String(df.dtypes[i]).replace(/^DataType\((.*)\)$/, '$1')}`);
}

/** Renders one row of a frame as a short string for a diff note. */
function rowText(df: pl.DataFrame, i: number): string {
  const r = df.row(i) as unknown[];
  return JSON.stringify(r.map((v) => (typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v)));
}

/** The columns that identify a row of each output, for locating differences. */
const KEYS: Record<string, string[]> = {
  'clean_events.parquet': ['user_id', 'timestamp', 'event_type'],
  'daily_summary.parquet': ['user_id', 'event_date'],
  'dropped_rows.parquet': ['source_row'],
};

/** Rows present on one side only (by key), and for dropped rows the ones dropped for another reason. */
function keyedDiff(file: string, a: pl.DataFrame, b: pl.DataFrame, labels: [string, string]): string[] {
  const notes: string[] = [];
  const keys = KEYS[file];
  if (!keys || !keys.every((k) => a.columns.includes(k) && b.columns.includes(k))) return notes;
  try {
    const onlyA = a.join(b.select(...keys), { on: keys, how: 'anti' });
    const onlyB = b.join(a.select(...keys), { on: keys, how: 'anti' });
    if (onlyA.height)
      notes.push(
        `${onlyA.height} rows only in ${labels[0]} (by ${keys.join(', ')}), e.g. ${[0, 1, 2]
          .filter((i) => i < onlyA.height)
          .map((i) => rowText(onlyA, i))
          .join(' ; ')}`,
      );
    if (onlyB.height)
      notes.push(
        `${onlyB.height} rows only in ${labels[1]} (by ${keys.join(', ')}), e.g. ${[0, 1, 2]
          .filter((i) => i < onlyB.height)
          .map((i) => rowText(onlyB, i))
          .join(' ; ')}`,
      );
    if (file === 'dropped_rows.parquet') {
      const both = a
        .select('source_row', 'drop_reason')
        .join(b.select('source_row', pl.col('drop_reason').alias('other_reason')), { on: 'source_row' })
        .filter(pl.col('drop_reason').neq(pl.col('other_reason')));
      if (both.height)
        notes.push(
          `${both.height} rows dropped for another reason (source_row, ${labels[0]}, ${labels[1]}), e.g. ${[0, 1, 2]
            .filter((i) => i < both.height)
            .map((i) => rowText(both, i))
            .join(' ; ')}`,
        );
    }
  } catch (e) {
    notes.push(`(keyed diff failed: ${(e as Error).message})`);
  }
  return notes;
}

/**
 * Compares the three Parquet outputs of two runs: row counts, column names and dtypes, then
 * the data row for row in file order (`frameEqual`); on a mismatch, finds the first differing
 * rows by hashing each row (`hashRows`) and quotes them, and for the dropped rows counts the
 * reasons on each side.
 */
export async function compareOutputs(
  dirA: string,
  dirB: string,
  labels: [string, string] = ['ours', 'duckdb'],
): Promise<FileComparison[]> {
  const res: FileComparison[] = [];
  for (const file of OUTPUTS) {
    const notes: string[] = [];
    let a: pl.DataFrame;
    let b: pl.DataFrame;
    try {
      a = pl.readParquet(join(dirA, file));
      b = pl.readParquet(join(dirB, file));
    } catch (e) {
      res.push({ file, equal: false, rows: [NaN, NaN], notes: [`cannot read: ${(e as Error).message}`] });
      continue;
    }
    const sa = schemaOf(a);
    const sb = schemaOf(b);
    let equal = a.height === b.height;
    if (!equal) notes.push(`row count ${labels[0]} ${a.height} vs ${labels[1]} ${b.height}`);
    if (sa.join(',') !== sb.join(',')) {
      equal = false;
      notes.push(`schema ${labels[0]} [${sa.join(', ')}] vs ${labels[1]} [${sb.join(', ')}]`);
    }
    if (equal && !a.frameEqual(b, true)) {
      equal = false;
      const ha = a.hashRows().toArray() as bigint[];
      const hb = b.hashRows().toArray() as bigint[];
      let shown = 0;
      let differing = 0;
      for (let i = 0; i < ha.length; i++) {
        if (ha[i] === hb[i]) continue;
        differing++;
        if (shown < 3) {
          notes.push(`row ${i}: ${labels[0]} ${rowText(a, i)} vs ${labels[1]} ${rowText(b, i)}`);
          shown++;
        }
      }
      notes.push(`${differing} differing rows`);
      for (const c of a.columns) {
        if (!a.getColumn(c).seriesEqual(b.getColumn(c), true)) notes.push(`column ${c} differs`);
      }
    }
    if (!equal) notes.push(...keyedDiff(file, a, b, labels));
    if (file === 'dropped_rows.parquet' && a.columns.includes('drop_reason') && b.columns.includes('drop_reason')) {
      const count = (df: pl.DataFrame) => {
        const out: Record<string, number> = {};
        for (const r of df.getColumn('drop_reason').toArray() as string[]) out[r] = (out[r] ?? 0) + 1;
        return Object.fromEntries(Object.entries(out).sort());
      };
      const ca = count(a);
      const cb = count(b);
      if (JSON.stringify(ca) !== JSON.stringify(cb))
        notes.push(`drop reasons ${labels[0]} ${JSON.stringify(ca)} vs ${labels[1]} ${JSON.stringify(cb)}`);
    }
    res.push({ file, equal, rows: [a.height, b.height], notes });
  }
  return res;
}
