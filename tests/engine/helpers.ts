/**
 * Shared fixtures for the engine tests: temp folders, tiny inline inputs, a runPipeline wrapper
 * that reads every output back, and a folder hash for "the earlier outputs stayed as they were".
 * Expectations live in the tests and are derived from docs/rules.md, never from the engine.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pl from 'nodejs-polars';
import { runPipeline } from '../../electron/engine/pipeline';
import type { ProgressEvent, RunReport } from '../../shared/pipeline';

export const LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - (INFO|WARNING|ERROR) - /;

const created: string[] = [];
// Temp folders go when the test file's process exits (some hold tens of MB).
process.on('exit', () => {
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

export function tmpDir(): string {
  const d = fs.mkdtempSync(os.tmpdir() + '/etl-test-');
  created.push(d);
  return d;
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

/** Objects as newline-delimited JSON (LF, trailing newline). */
export function ndjson(objs: unknown[]): string {
  return objs.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

/** A users.csv with the given rows under the plain header. */
export function usersCsv(rows: [string, string, string][]): string {
  return 'user_id,signup_date,country\n' + rows.map((r) => r.join(',')).join('\n') + '\n';
}

/** Two US users and one Canadian one. */
export const DEFAULT_USERS = usersCsv([
  ['u1', '2024-01-01', 'US'],
  ['u2', '2024-02-02', 'US'],
  ['ca', '2024-03-03', 'Canada'],
]);

/** A valid event for `user`; `n` makes the timestamp (and so the dedup key) unique. */
export function ev(user: unknown, n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ss = String(n % 60).padStart(2, '0');
  const mm = String(Math.floor(n / 60) % 60).padStart(2, '0');
  return { user_id: user, event_type: 'login', timestamp: `2025-01-15T10:${mm}:${ss}Z`, value: null, ...extra };
}

/**
 * `count` valid NDJSON events of users u0-u2 in `dir/events.ndjson` (a run of some seconds for
 * the process tests to act on); returns its path.
 */
export function writeNdjsonEvents(dir: string, count: number): string {
  return writeFile(
    dir,
    'events.ndjson',
    Array.from({ length: count }, (_, i) => JSON.stringify(ev(`u${i % 3}`, i))).join('\n') + '\n',
  );
}

/** Days since 1970-01-01 as YYYY-MM-DD. */
export function dayString(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A Parquet file's rows as plain objects; Date columns as `YYYY-MM-DD`, Datetime columns as
 * integer microseconds since the epoch (exact, unlike a JS Date).
 */
export function readRows(file: string): Record<string, unknown>[] {
  const df = pl.readParquet(file);
  // Column by column: DataFrame.toRecords() is very slow on a few thousand rows.
  const columns: [string, unknown[]][] = [];
  for (const [name, dtype] of Object.entries(df.schema)) {
    const t = String(dtype);
    let values: unknown[];
    if (t.startsWith('DataType(Datetime'))
      values = df
        .getColumn(name)
        .cast(pl.Int64)
        .toArray()
        .map((v) => (v === null ? null : Number(v)));
    else if (t === 'DataType(Date)')
      values = df
        .getColumn(name)
        .cast(pl.Int32)
        .toArray()
        .map((v) => (v === null ? null : dayString(Number(v))));
    else
      values = df
        .getColumn(name)
        .toArray()
        .map((v) => (typeof v === 'bigint' ? Number(v) : v));
    columns.push([name, values]);
  }
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < df.height; i++) {
    const r: Record<string, unknown> = {};
    for (const [name, values] of columns) r[name] = values[i] === undefined ? null : values[i];
    rows.push(r);
  }
  return rows;
}

/** Column name -> dtype string, in file order. */
export function readSchema(file: string): [string, string][] {
  const df = pl.readParquet(file);
  return Object.entries(df.schema).map(([k, v]) => [k, String(v)]);
}

export interface RunResult {
  dir: string;
  outDir: string;
  eventsPath: string;
  usersPath: string;
  report: RunReport;
  reportFile: RunReport;
  clean: Record<string, unknown>[];
  daily: Record<string, unknown>[];
  dropped: Record<string, unknown>[];
  log: string;
  events: ProgressEvent[];
}

export interface RunOptions {
  eventsName?: string;
  users?: string | Buffer;
  usersName?: string;
}

/** Writes the inputs to a fresh temp folder, runs the pipeline and reads every output back. */
export async function run(events: string | Buffer | unknown[], opts: RunOptions = {}): Promise<RunResult> {
  const dir = tmpDir();
  const body = Array.isArray(events) ? JSON.stringify(events) : events;
  const eventsPath = writeFile(dir, opts.eventsName ?? 'raw_events.json', body);
  const usersPath = writeFile(dir, opts.usersName ?? 'users.csv', opts.users ?? DEFAULT_USERS);
  const outDir = path.join(dir, 'out');
  const seen: ProgressEvent[] = [];
  const report = await runPipeline({ eventsPath, usersPath, outDir }, { onEvent: (e) => seen.push(e) });
  return {
    dir,
    outDir,
    eventsPath,
    usersPath,
    report,
    reportFile: JSON.parse(fs.readFileSync(path.join(outDir, 'run_report.json'), 'utf8')),
    clean: readRows(path.join(outDir, 'clean_events.parquet')),
    daily: readRows(path.join(outDir, 'daily_summary.parquet')),
    dropped: readRows(path.join(outDir, 'dropped_rows.parquet')),
    log: fs.readFileSync(path.join(outDir, 'etl.log'), 'utf8'),
    events: seen,
  };
}

/** source_row -> drop_reason of every dropped row. */
export function reasons(r: RunResult): Record<number, string> {
  return Object.fromEntries(r.dropped.map((d) => [d.source_row as number, d.drop_reason as string]));
}

export function warning(r: RunResult, code: string): number {
  return r.report.warnings.find((w) => w.code === code)?.count ?? 0;
}

/** sha256 of every file under `dir` (relative path -> hash), folders included by name. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      const rel = path.relative(dir, p);
      if (ent.isDirectory()) {
        out[rel + '/'] = 'dir';
        walk(p);
      } else out[rel] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The instant of a UTC wall time as {days, micros}, computed with Date.UTC (independent). */
export function utc(
  y: number,
  mo: number,
  d: number,
  h = 0,
  mi = 0,
  s = 0,
  micros = 0,
): { days: number; micros: number } {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const days = Math.floor(ms / 86_400_000);
  return { days, micros: (ms - days * 86_400_000) * 1000 + micros };
}

/** Microseconds since the epoch of a UTC wall time. */
export function utcMicros(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, micros = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) * 1000 + micros;
}
