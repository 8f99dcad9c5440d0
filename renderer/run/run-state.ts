/**
 * The run screen's state, folded from the engine's ProgressEvents. Pure: the same events in
 * the same order always give the same rows, so the live view and a replay agree.
 */
import {
  DROP_REASONS,
  STAGE_DROP_REASON,
  STAGES,
  STAGE_LABELS,
  type DropReason,
  type EtlErrorInfo,
  type LiveScanCounts,
  type LogLevel,
  type ProgressEvent,
  type RunReport,
  type RunRequest,
  type RunWarning,
  type StageName,
  type StageReport,
  type StageSteps,
} from '../../shared/pipeline';
import type { Result } from '../../shared/service-contract';
import { addSample, type ReadSample } from './read-rate';

export type StageStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface StageRow {
  name: StageName;
  label: string;
  status: StageStatus;
  rowsIn: number | null;
  rowsOut: number | null;
  dropped: Partial<Record<DropReason, number>>;
  ms: number | null;
  /** Time so far while the stage runs, from heartbeat events. */
  elapsedMs: number | null;
  /** rows_in = rows_out + dropped (docs/rules.md "Stages"); null until the stage has finished. */
  balanced: boolean | null;
  /** True while the counts are the scan's so far (they grow until the stage finishes). */
  live: boolean;
}

export interface LogLine {
  id: number;
  level: LogLevel;
  message: string;
  at: string;
}

export type RunStatus = 'idle' | 'running' | 'finished' | 'failed' | 'cancelled';

export interface RunState {
  status: RunStatus;
  request: RunRequest | null;
  stages: StageRow[];
  /** Bytes read per input file, from `bytes-read` events. */
  bytes: Record<string, { read: number; total: number }>;
  /** Bytes and rows read over time, for the reading rate and the time left (read-rate.ts). */
  readSamples: ReadSample[];
  logs: LogLine[];
  warnings: RunWarning[];
  report: RunReport | null;
  /** Time spent writing the outputs so far, once all stages are done (heartbeat 'write'). */
  writingMs: number | null;
  /**
   * The counted steps of the stage (or write) now running, and their own time so far, from
   * the last heartbeat that had them (a spilled run's dedup passes, chunks, merge ranges);
   * null otherwise.
   */
  steps: (StageSteps & { elapsedMs: number }) | null;
  error: EtlErrorInfo | null;
  /** Bumped on every finished run so views of the outputs know to reload. */
  completedRuns: number;
}

/** Log lines kept in memory; a million-row run logs little, but a runaway one must not grow the page. */
export const MAX_LOG_LINES = 2000;

export type RunAction =
  | { type: 'start'; request: RunRequest }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'result'; result: Result<RunReport> }
  | { type: 'reset' };

function pendingStages(): StageRow[] {
  return STAGES.map((name) => ({
    name,
    label: STAGE_LABELS[name],
    status: 'pending',
    rowsIn: null,
    rowsOut: null,
    dropped: {},
    ms: null,
    elapsedMs: null,
    balanced: null,
    live: false,
  }));
}

export function initialRunState(): RunState {
  return {
    status: 'idle',
    request: null,
    stages: pendingStages(),
    bytes: {},
    readSamples: [],
    logs: [],
    warnings: [],
    report: null,
    writingMs: null,
    steps: null,
    error: null,
    completedRuns: 0,
  };
}

/** Sum of a stage's drops, whatever reasons it reports. */
export function droppedTotal(dropped: Partial<Record<DropReason, number>>): number {
  let total = 0;
  for (const reason of DROP_REASONS) total += dropped[reason] ?? 0;
  return total;
}

/** The balance check shown per stage: every row in is either out or dropped with a reason. */
export function isBalanced(stage: Pick<StageReport, 'rows_in' | 'rows_out' | 'dropped'>): boolean {
  return stage.rows_in === stage.rows_out + droppedTotal(stage.dropped);
}

function finishStage(row: StageRow, report: StageReport): StageRow {
  return {
    ...row,
    status: 'done',
    rowsIn: report.rows_in,
    rowsOut: report.rows_out,
    dropped: { ...report.dropped },
    ms: report.ms,
    balanced: isBalanced(report),
    live: false,
  };
}

/**
 * The scan's counts so far, as the three stages that run inside it: each stage's rows in are
 * the previous one's rows out. Finished stages keep their report numbers.
 */
function liveStages(stages: StageRow[], scanned: LiveScanCounts): StageRow[] {
  let rowsIn = scanned.rows;
  let next = stages;
  for (const name of ['extract', 'clean_user_id', 'clean_timestamp'] as const) {
    const reason = STAGE_DROP_REASON[name];
    const dropped = scanned.dropped[reason] ?? 0;
    const input = rowsIn;
    next = updateStage(next, name, (row) =>
      row.status === 'done'
        ? row
        : {
            ...row,
            status: 'running',
            rowsIn: input,
            rowsOut: input - dropped,
            dropped: { [reason]: dropped },
            live: true,
          },
    );
    rowsIn = input - dropped;
  }
  return next;
}

function updateStage(stages: StageRow[], name: StageName, f: (row: StageRow) => StageRow): StageRow[] {
  return stages.map((row) => (row.name === name ? f(row) : row));
}

/** Stages still running or pending when a run ends early take the run's fate. */
function endOpenStages(stages: StageRow[], status: 'failed' | 'cancelled'): StageRow[] {
  return stages.map((row) => (row.status === 'running' ? { ...row, status } : row));
}

function appendLog(state: RunState, level: LogLevel, message: string, at: string): LogLine[] {
  const last = state.logs[state.logs.length - 1];
  const line = { id: (last?.id ?? 0) + 1, level, message, at };
  const logs = [...state.logs, line];
  return logs.length > MAX_LOG_LINES ? logs.slice(logs.length - MAX_LOG_LINES) : logs;
}

function applyEvent(state: RunState, event: ProgressEvent): RunState {
  switch (event.type) {
    case 'run-started':
      // A fresh run: keep only the counter so output views still reload after it.
      return { ...initialRunState(), status: 'running', request: event.request, completedRuns: state.completedRuns };
    case 'stage-started':
      return { ...state, stages: updateStage(state.stages, event.stage, (row) => ({ ...row, status: 'running' })) };
    case 'stage-finished':
      return {
        ...state,
        stages: updateStage(state.stages, event.stage.name, (row) => finishStage(row, event.stage)),
        steps: null,
      };
    case 'heartbeat': {
      // (A group of steps that began mid-stage is paced from its own start.)
      const steps = event.steps ? { ...event.steps, elapsedMs: event.elapsedMs - event.steps.sinceMs } : null;
      // After the six stages the outputs are written; show that time on the status line.
      if (event.stage === 'write') return { ...state, writingMs: event.elapsedMs, steps };
      return {
        ...state,
        steps,
        stages: updateStage(state.stages, event.stage, (row) =>
          row.status === 'done' ? row : { ...row, status: 'running', elapsedMs: event.elapsedMs },
        ),
      };
    }
    case 'bytes-read': {
      const bytes = { ...state.bytes, [event.file]: { read: event.bytesRead, total: event.totalBytes } };
      if (!event.scanned) return { ...state, bytes };
      const sample = { ms: event.elapsedMs ?? 0, bytes: event.bytesRead, rows: event.scanned.rows };
      return {
        ...state,
        bytes,
        readSamples: event.elapsedMs === undefined ? state.readSamples : addSample(state.readSamples, sample),
        stages: liveStages(state.stages, event.scanned),
      };
    }
    case 'log':
      return { ...state, logs: appendLog(state, event.level, event.message, event.at) };
    case 'warning':
      return { ...state, warnings: [...state.warnings, event.warning] };
    case 'run-finished':
      return finished(state, event.report);
    case 'run-failed':
      return failed(state, event.error);
  }
}

function finished(state: RunState, report: RunReport): RunState {
  // The report is the record: its stage numbers win over any event we may have missed.
  let stages = state.stages;
  for (const stage of report.stages) stages = updateStage(stages, stage.name, (row) => finishStage(row, stage));
  return {
    ...state,
    status: 'finished',
    stages,
    report,
    error: null,
    warnings: report.warnings.length ? report.warnings : state.warnings,
    // Only reached from a running state (see runReducer), so each run counts once.
    completedRuns: state.completedRuns + 1,
  };
}

function failed(state: RunState, error: EtlErrorInfo): RunState {
  if (state.status === 'failed' || state.status === 'cancelled') return { ...state, error };
  const status = error.kind === 'cancelled' ? 'cancelled' : 'failed';
  return { ...state, status, error, stages: endOpenStages(state.stages, status) };
}

/**
 * Folds one action into the state. `result` is the run() promise's value: it arrives after (or,
 * over a lossy transport, instead of) the final progress event, so both paths end the run.
 */
export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'reset':
      return { ...initialRunState(), completedRuns: state.completedRuns };
    case 'start':
      return { ...initialRunState(), status: 'running', request: action.request, completedRuns: state.completedRuns };
    case 'progress':
      // Late events from a run already over (e.g. after cancel) must not reopen it.
      if (state.status !== 'running' && action.event.type !== 'run-started') return state;
      return applyEvent(state, action.event);
    case 'result':
      if (action.result.ok) return state.status === 'finished' ? state : finished(state, action.result.value);
      return failed(state, action.result.error);
  }
}

/**
 * Overall progress 0..1: reading the inputs is the first half, the six stages most of the
 * second (reading dominates the wall time on big files), and writing the outputs the last
 * 5%, which only the run's end fills.
 */
export function runProgress(state: RunState): number {
  if (state.status === 'finished') return 1;
  const files = Object.values(state.bytes);
  const total = files.reduce((sum, f) => sum + f.total, 0);
  const read = files.reduce((sum, f) => sum + Math.min(f.read, f.total), 0);
  const stagesDone = state.stages.filter((s) => s.status === 'done').length;
  const readFraction = total > 0 ? read / total : stagesDone > 0 ? 1 : 0;
  return Math.min(0.95, readFraction * 0.5 + (stagesDone / STAGES.length) * 0.45);
}

/** True when every finished stage balances and each stage's input is the previous one's output. */
export function allBalanced(stages: StageRow[]): boolean {
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i];
    if (s.balanced === false) return false;
    const prev = stages[i - 1];
    if (prev && prev.rowsOut !== null && s.rowsIn !== null && prev.rowsOut !== s.rowsIn) return false;
  }
  return true;
}
