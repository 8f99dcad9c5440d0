/**
 * The one contract between the UI and the engine service, whatever carries it (Electron IPC
 * or HTTP in browser mode). Types only; the validators live in `shared/validators.ts`.
 * Errors cross the boundary as values (`Result`), never as thrown exceptions.
 */
import type {
  DropReason,
  EtlErrorInfo,
  EventsFormat,
  ParquetOutputName,
  ProgressEvent,
  RunReport,
  RunRequest,
} from './pipeline';

export type Result<T> = { ok: true; value: T } | { ok: false; error: EtlErrorInfo };

/** What an input file looks like before any run. */
export interface InputInfo {
  path: string;
  name: string;
  bytes: number;
  /** Which input this looks like, from its extension and content. */
  kind: 'events' | 'users' | 'unknown';
  format: EventsFormat | 'csv' | 'unknown';
  /** Estimated rows (exact for small files). */
  rowEstimate: number;
  /** The first rows, as columns and string cells, for a peek. */
  peek: { columns: string[]; rows: (string | null)[][] };
  /** Set when the file cannot be used; the UI shows it at once. */
  error?: EtlErrorInfo;
  /** Something to know about a usable file (it holds no events, say). */
  notice?: string;
}

export interface ParquetColumnInfo {
  name: string;
  /** Arrow/Polars type as a readable string: `String`, `Int64`, `Date`, `Datetime(us, UTC)`... */
  type: string;
}

export interface PageRequest {
  outDir: string;
  file: ParquetOutputName;
  offset: number;
  /** 1..1000 */
  limit: number;
  sort?: { column: string; descending: boolean };
  /** Only for `dropped_rows.parquet`. */
  dropReason?: DropReason;
  /** Only rows whose column matches; computed by the service, paged like the rest. */
  filter?: ColumnFilter;
}

/**
 * A filter on one column's value, as the Preview's filter bar sets it. Values are text as the
 * grid shows them (ISO dates and instants); the service turns them into the column's type.
 * `contains` ignores case; `range` bounds are inclusive and either may be left out.
 */
export type ColumnFilter =
  | { column: string; op: 'contains' | 'equals'; value: string }
  | { column: string; op: 'range'; min?: string; max?: string };

/** Which column of which rows to profile: the same rows a page request shows. */
export interface ProfileRequest {
  outDir: string;
  file: ParquetOutputName;
  column: string;
  dropReason?: DropReason;
  filter?: ColumnFilter;
}

/** A column's summary, computed by Polars over the rows a profile request names. */
export interface ColumnProfile {
  column: string;
  type: string;
  rows: number;
  nulls: number;
  /** Distinct non-null values. */
  distinct: number;
  min: Cell;
  max: Cell;
  /** Numbers, dates and instants: equal-width bins from min to max (the last bin holds max). */
  histogram?: { from: Cell; to: Cell; count: number }[];
  /** Text and true/false: the most frequent non-null values, most frequent first. */
  topValues?: { value: Cell; count: number }[];
}

/** Where a run came from: the command line, the desktop app, or browser mode. */
export type RunSource = 'cli' | 'app' | 'browser';

/** One finished run in the history (see docs/ui-explore.md for where it is kept). */
export interface RunHistoryEntry {
  /** Unique and sortable: the finish time and a random suffix. */
  id: string;
  source: RunSource;
  /** The output folder, absolute. */
  outDir: string;
  report: RunReport;
}

/**
 * A run of the history opened again. `current`: its output folder still holds its outputs (the
 * report there is this run's, every output file is there with the size the report gives), and
 * they may be read; `overwritten`: a later run's outputs took their place; `missing`: they are
 * gone (the folder, the report or an output file).
 */
export interface ReopenedRun {
  entry: RunHistoryEntry;
  state: 'current' | 'overwritten' | 'missing';
  /** For `overwritten`: when the run whose outputs are there now started. */
  replacedBy?: string;
  /** What the user should know, in words, naming the folder. */
  message: string;
}

export type Cell = string | number | boolean | null;

export interface ParquetPage {
  file: ParquetOutputName;
  columns: ParquetColumnInfo[];
  /** Rows in the file, or matching `dropReason` when given. */
  totalRows: number;
  bytes: number;
  /** From the file's footer; null when the file has no column chunks (no rows), so no codec. */
  codec: string | null;
  offset: number;
  /** Timestamps as ISO strings, dates as `YYYY-MM-DD`, int64 as numbers. */
  rows: Cell[][];
}

/** Counts for the dropped-rows view. */
export interface DroppedSummary {
  byReason: Partial<Record<DropReason, number>>;
  /** Invalid timestamps grouped by their pattern (`slashes`, `epoch number`, ...). */
  timestampPatterns: { pattern: string; count: number; example: string }[];
}

/** One UTC day of `daily_summary.parquet`, summed over its users. */
export interface DailyCount {
  /** `YYYY-MM-DD` */
  date: string;
  /** Sum of `event_count` that day. */
  events: number;
  /** Distinct users with events that day. */
  users: number;
}

/** Events per day for the preview chart, computed by the service (not paged to the page). */
export interface DailyCounts {
  /** Ascending by date. */
  days: DailyCount[];
  /** Sum of `event_count` over the whole file: the run's clean events. */
  totalEvents: number;
}

export interface AppDefaults {
  outDir: string;
  sample: { eventsPath: string; usersPath: string } | null;
  recent: { eventsPath?: string; usersPath?: string; outDir?: string };
}

/**
 * Request/response channels: the name, what goes in, what comes back. Both transports and the
 * preload implement exactly this map.
 */
export type RequestChannels = {
  'etl:defaults': () => Result<AppDefaults>;
  'etl:inspect-input': (req: { path: string }) => Result<InputInfo>;
  'etl:run': (req: RunRequest) => Result<RunReport>;
  'etl:cancel': () => Result<{ cancelled: boolean }>;
  'etl:read-page': (req: PageRequest) => Result<ParquetPage>;
  'etl:dropped-summary': (req: { outDir: string }) => Result<DroppedSummary>;
  'etl:export-dropped-csv': (req: {
    outDir: string;
    dropReason?: DropReason;
  }) => Result<{ path: string; rows: number }>;
  'etl:daily-counts': (req: { outDir: string }) => Result<DailyCounts>;
  'etl:pick-inputs': () => Result<string[]>;
  'etl:pick-output-dir': () => Result<string | null>;
  'etl:show-in-folder': (req: { path: string }) => Result<null>;
  'etl:profile-column': (req: ProfileRequest) => Result<ColumnProfile>;
  'etl:run-history': () => Result<RunHistoryEntry[]>;
  'etl:output-report': (req: { outDir: string }) => Result<RunReport | null>;
  'etl:html-report': (req: { outDir: string }) => Result<{ path: string; html: string }>;
  'etl:reopen-run': (req: { id: string }) => Result<ReopenedRun>;
};
export type RequestChannel = keyof RequestChannels;

/** Main-to-renderer event channel. */
export const PROGRESS_CHANNEL = 'etl:progress';

/** What browser mode offers instead of the desktop's folder picker and file manager. */
export interface BrowserModeActions {
  /** Saves a file the app wrote in the output folder (an exported CSV) to the user's downloads. */
  download(path: string): Promise<Result<null>>;
  /** Deletes an upload the page no longer uses (another file took its place). */
  discardUpload(path: string): Promise<Result<null>>;
}

/**
 * The client method of each request channel. The preload bridge and both renderer clients
 * derive their methods from this map (`channelMethods`), each taking the channel's payload, so
 * adding a channel means its entry in `RequestChannels` and here, its schema in validators.ts
 * and its handler in request-handlers.ts, and nothing else.
 */
export const CHANNEL_METHODS = {
  'etl:defaults': 'defaults',
  'etl:inspect-input': 'inspectInput',
  'etl:run': 'run',
  'etl:cancel': 'cancel',
  'etl:read-page': 'readPage',
  'etl:dropped-summary': 'droppedSummary',
  'etl:export-dropped-csv': 'exportDroppedCsv',
  'etl:daily-counts': 'dailyCounts',
  'etl:pick-inputs': 'pickInputs',
  'etl:pick-output-dir': 'pickOutputDir',
  'etl:show-in-folder': 'showInFolder',
  'etl:profile-column': 'profileColumn',
  'etl:run-history': 'runHistory',
  'etl:output-report': 'outputReport',
  'etl:html-report': 'htmlReport',
  'etl:reopen-run': 'reopenRun',
} as const satisfies Record<RequestChannel, string>;

/** One method per request channel: the channel's payload in, its `Result` out. */
export type ChannelMethods = {
  [C in RequestChannel as (typeof CHANNEL_METHODS)[C]]: (
    ...args: Parameters<RequestChannels[C]>
  ) => Promise<ReturnType<RequestChannels[C]>>;
};

/** The channel methods, each sending its channel and payload through `send`. */
export function channelMethods(send: (channel: RequestChannel, payload?: unknown) => Promise<unknown>): ChannelMethods {
  const entries = (Object.keys(CHANNEL_METHODS) as RequestChannel[]).map((channel) => [
    CHANNEL_METHODS[channel],
    (payload?: unknown) => send(channel, payload),
  ]);
  return Object.fromEntries(entries) as ChannelMethods;
}

/** Bytes of a file sent so far, while browser mode uploads it. */
export type UploadProgress = (progress: { name: string; sent: number; total: number }) => void;

/** The client the renderer talks to: the channel methods, over IPC or HTTP, and a few of its own. */
export type EtlClient = ChannelMethods & {
  /**
   * Native picker (desktop) or a file input + upload (browser mode); `onUpload` hears the bytes
   * sent of each upload (browser mode only).
   */
  pickInputs(onUpload?: UploadProgress): Promise<Result<string[]>>;
  /**
   * Turns a dropped File into a path the service may read (desktop: its path; browser: upload,
   * with its bytes sent told to `onUpload`).
   */
  pathForDroppedFile(file: File, onUpload?: UploadProgress): Promise<Result<string>>;
  onProgress(cb: (e: ProgressEvent) => void): () => void;
  /** Application menu commands (desktop app only; browser mode has no menu). Returns the unsubscribe. */
  onMenuCommand?(cb: (command: MenuCommand) => void): () => void;
  /**
   * Browser mode only, and its sign: there the output folder is fixed when the server starts and
   * there is no file manager to open, so these stand in for Change… and Show in folder.
   */
  browser?: BrowserModeActions;
};

/** The preload's bridge (`window.etl`): the channel methods, the progress subscription and the dropped-file path. */
export type EtlBridge = ChannelMethods & {
  /** Subscribes to run progress; returns the unsubscribe. */
  onProgress(cb: (event: ProgressEvent) => void): () => void;
  /** The file system path of a dropped File (Electron's webUtils.getPathForFile). */
  pathForFile(file: File): string;
  /** Menu commands from the application menu (Open inputs, Run...); returns the unsubscribe. */
  onMenuCommand(cb: (command: MenuCommand) => void): () => void;
};

/**
 * Preload-to-main channel: the paths of the files in a drop the user made on the window (a
 * trusted `drop` event, read by the preload itself), which main grants for reading. It is not
 * on the page's bridge, so the page cannot send paths of its own choosing.
 */
export const DROP_GRANT_CHANNEL = 'etl:grant-dropped-files';

/** Main-to-renderer channel for application menu commands. */
export const MENU_COMMAND_CHANNEL = 'etl:menu-command';
export type MenuCommand = 'open-inputs' | 'choose-output-dir' | 'run' | 'cancel';
