/**
 * The engine service: everything the UI can ask of the engine, independent of Electron and of
 * the transport. Runs are hosted off this thread (see run-host.ts); previews and dropped-row
 * queries use async Polars calls. Every method resolves to a `Result`; nothing throws across.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DropReason, ProgressEvent, RunReport, RunRequest } from '../../shared/pipeline';
import type {
  DailyCounts,
  DroppedSummary,
  InputInfo,
  PageRequest,
  ParquetPage,
  Result,
} from '../../shared/service-contract';
import { dailyCounts } from './daily-counts';
import { droppedSummary, exportDroppedCsv } from './dropped-rows';
import { inspectInput } from './input-inspector';
import { ParquetPager } from './parquet-pager';
import type { RunHostFactory } from './run-host';
import { RunController } from './run-controller';
import { serviceErrorInfo } from './service-error';

export interface EngineServiceOptions {
  hosts: RunHostFactory;
  cancelGraceMs?: number;
}

export class EngineService {
  private readonly listeners = new Set<(event: ProgressEvent) => void>();
  private readonly runs: RunController;
  private readonly pager = new ParquetPager();

  constructor(options: EngineServiceOptions) {
    this.runs = new RunController({
      hosts: options.hosts,
      cancelGraceMs: options.cancelGraceMs,
      afterAbort: (request) => removeStagingFolders(request.outDir),
      onProgress: (event) => {
        for (const listener of this.listeners) listener(event);
      },
    });
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
    const result = await this.runs.run(request);
    if (result.ok) this.pager.forget(request.outDir); // the files were replaced
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

  /** Ends a run in progress (app quit). */
  async dispose(): Promise<void> {
    await this.runs.cancel();
  }
}

/**
 * A host killed mid-run cannot remove the engine's private staging folder (`.etl-staging-*`,
 * see engine/atomic-output.ts); the outputs themselves are untouched, so only that goes.
 */
async function removeStagingFolders(outDir: string): Promise<void> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.startsWith('.etl-staging-'))
      .map((n) => rm(path.join(outDir, n), { recursive: true, force: true })),
  );
}

async function attempt<T>(work: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    return { ok: false, error: serviceErrorInfo(err) };
  }
}
