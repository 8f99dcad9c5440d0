/**
 * The pipeline's vocabulary, shared by the engine, the command line, the service and the UI.
 * Mirrors the stage table of docs/rules.md "Stages". Imports nothing.
 */

/** The six stages, in the order the rules run them. */
export const STAGES = [
  'extract',
  'clean_user_id',
  'clean_timestamp',
  'deduplicate',
  'join_users',
  'filter_us',
] as const;
export type StageName = (typeof STAGES)[number];

/** Drop reasons, in stage order: each stage drops with exactly one of these. */
export const DROP_REASONS = [
  'malformed_record',
  'missing_user_id',
  'invalid_timestamp',
  'duplicate',
  'unknown_user',
  'non_us_user',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export function isDropReason(value: unknown): value is DropReason {
  return typeof value === 'string' && (DROP_REASONS as readonly string[]).includes(value);
}

/** Which reason each stage drops with (docs/rules.md "Stages"). */
export const STAGE_DROP_REASON: Record<StageName, DropReason> = {
  extract: 'malformed_record',
  clean_user_id: 'missing_user_id',
  clean_timestamp: 'invalid_timestamp',
  deduplicate: 'duplicate',
  join_users: 'unknown_user',
  filter_us: 'non_us_user',
};

/** Human labels for the UI and the log. */
export const STAGE_LABELS: Record<StageName, string> = {
  extract: 'Extract',
  clean_user_id: 'Clean: user_id',
  clean_timestamp: 'Clean: timestamp',
  deduplicate: 'Deduplicate',
  join_users: 'Join users',
  filter_us: 'Filter US',
};

export type EventsFormat = 'json' | 'ndjson';

/** Output file names inside the output folder (docs/rules.md "Outputs"). */
export const OUTPUT_FILES = {
  cleanEvents: 'clean_events.parquet',
  dailySummary: 'daily_summary.parquet',
  droppedRows: 'dropped_rows.parquet',
  runReport: 'run_report.json',
  log: 'etl.log',
} as const;

/** The Parquet outputs a user can preview. */
export const PARQUET_OUTPUTS = [OUTPUT_FILES.cleanEvents, OUTPUT_FILES.dailySummary, OUTPUT_FILES.droppedRows] as const;
export type ParquetOutputName = (typeof PARQUET_OUTPUTS)[number];

export interface StageReport {
  name: StageName;
  rows_in: number;
  rows_out: number;
  /** Only this stage's own reason appears here; its count may be 0. */
  dropped: Partial<Record<DropReason, number>>;
  ms: number;
}

export interface InputReport {
  path: string;
  bytes: number;
  sha256: string;
  format: EventsFormat | 'csv';
  rows: number;
}

export interface OutputReport {
  path: string;
  rows: number;
  bytes: number;
  /**
   * Read back from the file's footer: `SNAPPY` when every column chunk uses it. Null when the
   * file has no column chunks (no rows), since such a file records no codec; `codec_note` says so.
   */
  codec: string | null;
  /** Present only when `codec` is null: why the file states no codec. */
  codec_note?: string;
}

export interface RunWarning {
  code: string;
  count: number;
  message: string;
}

/** `run_report.json`, docs/rules.md "run_report.json". */
export interface RunReport {
  started_at: string;
  finished_at: string;
  inputs: InputReport[];
  stages: StageReport[];
  outputs: OutputReport[];
  warnings: RunWarning[];
}

export type LogLevel = 'INFO' | 'WARNING' | 'ERROR';

/** What the user asks the engine to do. Paths are absolute or relative to the working folder. */
export interface RunRequest {
  eventsPath: string;
  usersPath: string;
  outDir: string;
  /**
   * The run's memory budget in bytes (shared/memory-size.ts reads `1.5GB` and the like). A run
   * whose data would not fit spills to a folder on the output folder's volume. Default: half of
   * the machine's memory (docs/performance.md "Memory budget").
   */
  memoryLimit?: number;
}

/** A user-facing error: what happened, in which file, where, and what to do. */
export interface EtlErrorInfo {
  /** `input` for bad input or usage (CLI exit 2), `cancelled`, or `internal` (exit 1). */
  kind: 'input' | 'cancelled' | 'internal' | 'busy';
  message: string;
  file?: string;
  /** 1-based line, when the position is a line. */
  line?: number;
  /** 0-based byte offset, when known. */
  offset?: number;
  /** 1-based column (in bytes) on `line`, when known. */
  column?: number;
  /** The text of the line around the position, and under it a caret at the column. */
  excerpt?: string;
}

/**
 * Counts while the events file is still being read. Extract and the two clean stages are one
 * pass over the file (their rules are checked as each record is scanned), so all three have
 * live counts; the later stages need every row first.
 */
export interface LiveScanCounts {
  /** Records read so far (extract's rows in). */
  rows: number;
  /** Drops so far, for the reasons of the stages that run inside the scan. */
  dropped: Partial<Record<DropReason, number>>;
}

/**
 * Stages whose work happens inside another stage's and whose own time is therefore reported as
 * 0 ms: the clean checks run while Extract reads, and the US filter is one query with the join.
 */
export const STAGE_TIME_INSIDE: Partial<Record<StageName, StageName>> = {
  clean_user_id: 'extract',
  clean_timestamp: 'extract',
  filter_us: 'join_users',
};

/** How far a stage made of counted steps is: `done` of `total` steps of what `label` names. */
export interface StageSteps {
  /** What the steps are, for people: "dedup passes", "chunks", "merge ranges". */
  label: string;
  done: number;
  total: number;
  /**
   * When these steps began, in ms since the stage (or write) began: a stage can hold more
   * than one group of steps (dedup passes, then chunks), and each group's pace is its own.
   */
  sinceMs: number;
}

/**
 * Live progress, emitted by the engine while it runs. Plain, serialisable values: the desktop
 * app forwards them over IPC unchanged, the CLI renders its log lines from them.
 */
export type ProgressEvent =
  | { type: 'run-started'; at: string; request: RunRequest }
  | { type: 'stage-started'; stage: StageName; at: string }
  | { type: 'stage-finished'; stage: StageReport }
  | {
      type: 'bytes-read';
      file: string;
      bytesRead: number;
      totalBytes: number;
      /** Milliseconds since the run started, for rates and an ETA. */
      elapsedMs?: number;
      /** The events file only: what the scan has counted so far (see `LiveScanCounts`). */
      scanned?: LiveScanCounts;
    }
  /**
   * Sent while a long stage runs without other news, so a UI can show it is alive. A stage
   * made of counted steps (a spilled run's dedup passes, chunks, merge ranges) says how
   * far it is, for a time-left estimate.
   */
  | { type: 'heartbeat'; stage: StageName | 'write'; elapsedMs: number; steps?: StageSteps }
  | { type: 'log'; level: LogLevel; message: string; at: string }
  | { type: 'warning'; warning: RunWarning }
  | { type: 'run-finished'; report: RunReport }
  | { type: 'run-failed'; error: EtlErrorInfo };
