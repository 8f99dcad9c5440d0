/**
 * The run history: one small JSON file per finished run (its run_report.json, where the outputs
 * went, and whether the CLI, the app or browser mode ran it) in a per-user folder that all
 * three share, so the app lists runs made from the command line too. One file per run means
 * two processes finishing at once never write the same file, and a damaged file loses one run,
 * not the history. Where the folder is: `historyDir` below and docs/ui-explore.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunReport } from '../../shared/pipeline';
import type { RunHistoryEntry, RunSource } from '../../shared/service-contract';

/** The app's name as Electron derives its userData folder from it (package.json productName). */
export const APP_FOLDER_NAME = 'Benefits Engagement ETL';
/** Set to use another history folder (tests, or a shared team folder). */
export const HISTORY_DIR_ENV = 'ETL_HISTORY_DIR';
/** The newest runs the app lists; older files stay on disk. */
export const HISTORY_LIST_LIMIT = 500;

/**
 * The per-user history folder: `$ETL_HISTORY_DIR` when set, else `run-history` in the folder
 * Electron uses as the desktop app's userData (so the CLI, browser mode and the app agree):
 * `%APPDATA%\Benefits Engagement ETL` on Windows, `~/Library/Application Support/Benefits
 * Engagement ETL` on macOS, `$XDG_CONFIG_HOME` (or `~/.config`)`/Benefits Engagement ETL` elsewhere.
 */
export function historyDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const override = env[HISTORY_DIR_ENV];
  if (override) return path.resolve(override);
  const p = platform === 'win32' ? path.win32 : path.posix;
  const appData =
    platform === 'win32'
      ? (env.APPDATA ?? p.join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? p.join(home, 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? p.join(home, '.config'));
  return p.join(appData, APP_FOLDER_NAME, 'run-history');
}

export class RunHistory {
  constructor(readonly dir: string) {}

  /** Adds a finished run; resolves to its entry. Written whole (temp file, then rename). */
  async record(source: RunSource, outDir: string, report: RunReport): Promise<RunHistoryEntry> {
    const stamp = report.finished_at.replace(/[^0-9]/g, '').slice(0, 17);
    const entry: RunHistoryEntry = {
      id: `${stamp}-${randomBytes(4).toString('hex')}`,
      source,
      outDir: path.resolve(outDir),
      report,
    };
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${entry.id}.json`);
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(entry, null, 2));
    await rename(temp, file);
    return entry;
  }

  /** The entry of one run, or null when there is none (or it is damaged). */
  async get(id: string): Promise<RunHistoryEntry | null> {
    // An id names a file of this folder only.
    if (!/^[0-9]{1,17}-[0-9a-f]{8}$/.test(id)) return null;
    const entry = await readFile(path.join(this.dir, `${id}.json`), 'utf8')
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => null);
    return isEntry(entry) && entry.id === id ? entry : null;
  }

  /**
   * The recorded runs, newest first (at most `limit`). A missing folder is an empty history; a
   * file that is not a run entry (damaged, or from elsewhere) is skipped.
   */
  async list(limit = HISTORY_LIST_LIMIT): Promise<RunHistoryEntry[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const files = names
      .filter((n) => n.endsWith('.json'))
      .sort()
      .reverse();
    const entries: RunHistoryEntry[] = [];
    for (const name of files) {
      if (entries.length >= limit) break;
      const entry = await readFile(path.join(this.dir, name), 'utf8')
        .then((text) => JSON.parse(text) as unknown)
        .catch(() => null);
      if (isEntry(entry)) entries.push(entry);
    }
    // File names sort by finish time; order by start time, as the list shows it.
    return entries.sort((a, b) => b.report.started_at.localeCompare(a.report.started_at) || b.id.localeCompare(a.id));
  }
}

function isEntry(v: unknown): v is RunHistoryEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Partial<RunHistoryEntry>;
  const r = e.report as Partial<RunReport> | undefined;
  return (
    typeof e.id === 'string' &&
    (e.source === 'cli' || e.source === 'app' || e.source === 'browser') &&
    typeof e.outDir === 'string' &&
    !!r &&
    typeof r.started_at === 'string' &&
    typeof r.finished_at === 'string' &&
    Array.isArray(r.stages) &&
    Array.isArray(r.inputs) &&
    Array.isArray(r.outputs)
  );
}
