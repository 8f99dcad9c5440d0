/**
 * An in-memory EtlClient for renderer tests: canned answers, recorded calls, and a way to push
 * progress events as the engine would.
 */
import type { ProgressEvent, RunReport } from '../../shared/pipeline';
import type {
  AppDefaults,
  Cell,
  ColumnProfile,
  DailyCounts,
  EtlClient,
  InputInfo,
  PageRequest,
  ParquetPage,
  ProfileRequest,
  ReopenedRun,
  Result,
  RunHistoryEntry,
} from '../../shared/service-contract';

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function sampleReport(): RunReport {
  return {
    started_at: '2026-01-05T10:00:00.000Z',
    finished_at: '2026-01-05T10:00:01.250Z',
    inputs: [],
    stages: [
      { name: 'extract', rows_in: 1000, rows_out: 990, dropped: { malformed_record: 10 }, ms: 120 },
      { name: 'clean_user_id', rows_in: 990, rows_out: 960, dropped: { missing_user_id: 30 }, ms: 4 },
      { name: 'clean_timestamp', rows_in: 960, rows_out: 900, dropped: { invalid_timestamp: 60 }, ms: 9 },
      { name: 'deduplicate', rows_in: 900, rows_out: 850, dropped: { duplicate: 50 }, ms: 7 },
      { name: 'join_users', rows_in: 850, rows_out: 800, dropped: { unknown_user: 50 }, ms: 5 },
      { name: 'filter_us', rows_in: 800, rows_out: 600, dropped: { non_us_user: 200 }, ms: 3 },
    ],
    outputs: [],
    warnings: [],
  };
}

export function inputInfo(over: Partial<InputInfo> = {}): InputInfo {
  return {
    path: '/data/raw_events.json',
    name: 'raw_events.json',
    bytes: 2048,
    kind: 'events',
    format: 'json',
    rowEstimate: 1000,
    peek: {
      columns: ['user_id', 'event_type'],
      rows: [
        ['u1', 'login'],
        [null, 'click'],
      ],
    },
    ...over,
  };
}

export class FakeClient implements EtlClient {
  calls: { method: string; args: unknown[] }[] = [];
  listeners = new Set<(e: ProgressEvent) => void>();
  inputs = new Map<string, InputInfo>();
  pages: (req: PageRequest) => Result<ParquetPage> = (req) =>
    ok({
      file: req.file,
      columns: [{ name: 'source_row', type: 'Int64' }],
      totalRows: 0,
      bytes: 0,
      codec: 'SNAPPY',
      offset: req.offset,
      rows: [],
    });
  dailyCountsValue: Result<DailyCounts> = ok({ days: [], totalEvents: 0 });
  defaultsValue: AppDefaults = {
    outDir: '/out',
    sample: { eventsPath: '/data/raw_events.json', usersPath: '/data/users.csv' },
    recent: {},
  };

  private record(method: string, ...args: unknown[]) {
    this.calls.push({ method, args });
  }

  emit(e: ProgressEvent) {
    for (const l of this.listeners) l(e);
  }

  async defaults() {
    this.record('defaults');
    return ok(this.defaultsValue);
  }
  async inspectInput({ path }: { path: string }): Promise<Result<InputInfo>> {
    this.record('inspectInput', path);
    const info = this.inputs.get(path);
    return info ? ok(info) : { ok: false, error: { kind: 'input', message: `Cannot read ${path}`, file: path } };
  }
  async run() {
    this.record('run');
    return ok(sampleReport());
  }
  async cancel() {
    this.record('cancel');
    return ok({ cancelled: true });
  }
  async readPage(req: PageRequest) {
    this.record('readPage', req);
    return this.pages(req);
  }
  async droppedSummary({ outDir }: { outDir: string }) {
    this.record('droppedSummary', outDir);
    return ok({ byReason: { duplicate: 2 }, timestampPatterns: [] });
  }
  async exportDroppedCsv({ outDir }: { outDir: string }) {
    this.record('exportDroppedCsv', outDir);
    return ok({ path: `${outDir}/dropped.csv`, rows: 2 });
  }
  async dailyCounts({ outDir }: { outDir: string }) {
    this.record('dailyCounts', outDir);
    return this.dailyCountsValue;
  }
  async pickInputs() {
    this.record('pickInputs');
    return ok([] as string[]);
  }
  async pickOutputDir() {
    this.record('pickOutputDir');
    return ok<string | null>(null);
  }
  async pathForDroppedFile(file: File) {
    this.record('pathForDroppedFile', file.name);
    return ok(`/uploads/${file.name}`);
  }
  async showInFolder({ path }: { path: string }) {
    this.record('showInFolder', path);
    return ok(null);
  }
  history: RunHistoryEntry[] = [];
  profiles: (req: ProfileRequest) => Result<ColumnProfile> = (req) => ({
    ok: false,
    error: { kind: 'input', message: `no profile for ${req.column}` },
  });
  async profileColumn(req: ProfileRequest) {
    this.record('profileColumn', req);
    return this.profiles(req);
  }
  async runHistory() {
    this.record('runHistory');
    return ok(this.history);
  }
  outputReports = new Map<string, RunReport>();
  async outputReport({ outDir }: { outDir: string }) {
    this.record('outputReport', outDir);
    return ok(this.outputReports.get(outDir) ?? null);
  }
  async htmlReport({ outDir }: { outDir: string }) {
    this.record('htmlReport', outDir);
    return ok({ path: `${outDir}/run_report.html`, html: '<!doctype html><title>report</title>' });
  }
  /** What reopening each history run answers (by id); unknown ids are refused. */
  reopened = new Map<string, ReopenedRun>();
  async reopenRun({ id }: { id: string }): Promise<Result<ReopenedRun>> {
    this.record('reopenRun', id);
    const r = this.reopened.get(id);
    return r ? ok(r) : { ok: false, error: { kind: 'input', message: `The run ${id} is not in the run history.` } };
  }
  onProgress(cb: (e: ProgressEvent) => void) {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
}

/** A page source over generated rows: `source_row` = index + 1, so tests can check offsets. */
export function numberedPages(total: number): (req: PageRequest) => Result<ParquetPage> {
  return (req) => {
    const rows: Cell[][] = [];
    for (let i = req.offset; i < Math.min(total, req.offset + req.limit); i++) rows.push([i + 1]);
    return ok({
      file: req.file,
      columns: [{ name: 'source_row', type: 'Int64' }],
      totalRows: total,
      bytes: 100,
      codec: 'SNAPPY',
      offset: req.offset,
      rows,
    });
  };
}
