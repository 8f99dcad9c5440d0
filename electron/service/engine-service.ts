/**
 * The engine service: everything the UI can ask of the engine, independent of Electron and of
 * the transport. Runs are hosted off this thread (see run-host.ts); previews and dropped-row
 * queries use async Polars calls. Every method resolves to a `Result`; nothing throws across.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  OUTPUT_FILES,
  type DropReason,
  type ProgressEvent,
  type RunReport,
  type RunRequest,
} from '../../shared/pipeline';
import { recoverAfterCrash } from '../engine/output-folder';
import type {
  ColumnProfile,
  DailyCounts,
  DroppedSummary,
  InputInfo,
  PageRequest,
  ParquetPage,
  ProfileRequest,
  ReopenedRun,
  Result,
  RunHistoryEntry,
  RunSource,
} from '../../shared/service-contract';
import { dailyCounts } from './daily-counts';
import { writeHtmlReport } from './html-report';
import type { RunHistory } from './run-history';
import { droppedSummary, exportDroppedCsv } from './dropped-rows';
import { inspectInput } from './input-inspector';
import { ParquetPager } from './parquet-pager';
import type { RunHostFactory } from './run-host';
import { RunController } from './run-controller';
import { inputError, toErrorInfo } from '../engine/errors';
import { reopenState } from './reopen-run';

export interface EngineServiceOptions {
  hosts: RunHostFactory;
  cancelGraceMs?: number;
  /** Where finished runs are recorded, and as what; no history when absent. */
  history?: { store: RunHistory; source: RunSource };
}

export class EngineService {
  private readonly listeners = new Set<(event: ProgressEvent) => void>();
  private readonly runs: RunController;
  private readonly pager = new ParquetPager();
  private readonly history: EngineServiceOptions['history'];
  /** The run in progress: its output folder, and its recording once it has finished. */
  private active: { outDir: string; recorded: Promise<void> | null } | null = null;

  constructor(options: EngineServiceOptions) {
    this.history = options.history;
    this.runs = new RunController({
      hosts: options.hosts,
      cancelGraceMs: options.cancelGraceMs,
      afterAbort: (request) => recoverFolder(request.outDir),
      onProgress: (event) => {
        // The UI hears "finished" once the run's HTML report and history entry are written, so
        // the history it then reads already lists the run.
        if (event.type === 'run-finished' && this.active) {
          const outDir = this.active.outDir;
          this.active.recorded = recordFinishedRun(outDir, event.report, this.history).then(() =>
            this.broadcast(event),
          );
          return;
        }
        this.broadcast(event);
      },
    });
  }

  private broadcast(event: ProgressEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Subscribes to the progress of every run; returns the unsubscribe. */
  onProgress(listener: (event: ProgressEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get running(): boolean {
    return this.runs.running;
  }

  async run(request: RunRequest): Promise<Result<RunReport>> {
    // A second run while one is going is refused by the controller; it must not take its place.
    const mine = this.runs.running ? null : { outDir: request.outDir, recorded: null as Promise<void> | null };
    if (mine) this.active = mine;
    const result = await this.runs.run(request);
    if (mine && this.active === mine) this.active = null;
    if (result.ok) {
      this.pager.forget(request.outDir); // the files were replaced
      await (mine?.recorded ?? recordFinishedRun(request.outDir, result.value, this.history));
    }
    return result;
  }

  async cancel(): Promise<Result<{ cancelled: boolean }>> {
    return { ok: true, value: { cancelled: await this.runs.cancel() } };
  }

  inspectInput(path: string): Promise<Result<InputInfo>> {
    return attempt(() => inspectInput(path));
  }

  readPage(req: PageRequest): Promise<Result<ParquetPage>> {
    return attempt(() => this.pager.readPage(req));
  }

  droppedSummary(outDir: string): Promise<Result<DroppedSummary>> {
    return attempt(() => droppedSummary(outDir));
  }

  exportDroppedCsv(outDir: string, dropReason?: DropReason): Promise<Result<{ path: string; rows: number }>> {
    return attempt(() => exportDroppedCsv(outDir, dropReason));
  }

  /** Events and users per day from daily_summary.parquet, for the preview chart. */
  dailyCounts(outDir: string): Promise<Result<DailyCounts>> {
    return attempt(() => dailyCounts(outDir));
  }

  profileColumn(req: ProfileRequest): Promise<Result<ColumnProfile>> {
    return attempt(() => this.pager.profile(req));
  }

  /** Every recorded run, newest first; empty when this service keeps no history. */
  runHistory(): Promise<Result<RunHistoryEntry[]>> {
    return attempt(async () => (this.history ? this.history.store.list() : []));
  }

  /** The report of the run whose outputs are in `outDir`, so a view can say which run it shows. */
  outputReport(outDir: string): Promise<Result<RunReport | null>> {
    return attempt(async () => {
      const text = await readFile(path.join(outDir, OUTPUT_FILES.runReport), 'utf8').catch(() => null);
      if (text === null) return null;
      try {
        return JSON.parse(text) as RunReport;
      } catch {
        return null; // a damaged report names no run; the outputs themselves can still be read
      }
    });
  }

  /**
   * A run of the history opened again: whether its output folder still holds its outputs
   * (reopen-run.ts). The caller grants reading them only when it does.
   */
  reopenRun(id: string): Promise<Result<ReopenedRun>> {
    return attempt(async () => {
      const entry = this.history ? await this.history.store.get(id) : null;
      if (!entry)
        throw inputError(
          `The run ${id} is not in the run history (any more). Open History again to see the runs there are.`,
        );
      return reopenState(entry);
    });
  }

  /** Writes run_report.html for the outputs in `outDir` and returns it. */
  htmlReport(outDir: string): Promise<Result<{ path: string; html: string }>> {
    return attempt(() => writeHtmlReport(outDir));
  }

  /**
   * The app's start: finishes or undoes what a crashed run left in `folders` and in the output
   * folders of the last runs in the history (docs/outputs-safety.md "At the app's start"), so no
   * view ever reads a half-switched set. A folder that another live run holds is left to it (it
   * recovers the folder before it writes); a folder that cannot be recovered is reported on
   * standard error and left for the next run into it, which refuses to write until it can be.
   */
  async recoverRecentFolders(folders: (string | undefined)[]): Promise<{ outDir: string; completed: number }[]> {
    const recent = this.history ? (await this.history.store.list(RECOVER_RECENT_RUNS)).map((e) => e.outDir) : [];
    const dirs = [...new Set([...folders, ...recent].filter((d): d is string => !!d).map((d) => path.resolve(d)))];
    const done: { outDir: string; completed: number }[] = [];
    for (const outDir of dirs) {
      try {
        const recovery = await recoverAfterCrash(outDir, this.history?.source ?? 'app');
        if (recovery !== 'busy' && (recovery.completed > 0 || recovery.removed > 0)) {
          done.push({ outDir, completed: recovery.completed });
          console.error(
            recovery.completed
              ? `${outDir}: a run had stopped while moving its outputs into place; that was finished, so the folder holds its complete outputs.`
              : `${outDir}: a stopped run's leftovers were removed; the outputs are as they were.`,
          );
        }
      } catch (err) {
        console.error(
          `Could not check the output folder ${outDir} at start: ${err instanceof Error ? err.message : String(err)}. The next run into it checks it again.`,
        );
      }
    }
    return done;
  }

  /** Ends a run in progress (app quit). */
  async dispose(): Promise<void> {
    await this.runs.cancel();
  }
}

/** How many of the latest runs' output folders the app checks at its start. */
const RECOVER_RECENT_RUNS = 20;

/**
 * After a run: the shareable HTML report next to its outputs, and an entry in the history. The
 * run itself has succeeded by then, so a failure here must not turn it into a failed run: it is
 * written to standard error, and the report can be made again from the UI.
 */
export async function recordFinishedRun(
  outDir: string,
  report: RunReport,
  history: EngineServiceOptions['history'],
): Promise<void> {
  await writeHtmlReport(outDir).catch((err: unknown) =>
    console.error(`Could not write the HTML run report in ${outDir}: ${err instanceof Error ? err.message : err}`),
  );
  await history?.store
    .record(history.source, outDir, report)
    .catch((err: unknown) =>
      console.error(
        `Could not record the run in the history at ${history.store.dir}: ${err instanceof Error ? err.message : err}`,
      ),
    );
}

/**
 * A host killed mid-run (a cancel's grace kill, a crash) may have stopped anywhere, its commit
 * included: the folder is recovered now, the way the next run would (engine/output-folder.ts),
 * and the reply says what it holds. Nothing here deletes an output.
 */
async function recoverFolder(outDir: string): Promise<string> {
  const recovery = await recoverAfterCrash(outDir, 'app');
  if (recovery === 'busy') return 'Another run holds the output folder now; it will check it before it writes.';
  if (recovery.completed)
    return 'It had already begun moving its outputs into place; that was finished, so the output folder holds its complete new outputs.';
  return 'The earlier outputs were checked and are as they were.';
}

async function attempt<T>(work: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
