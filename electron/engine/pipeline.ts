/**
 * The whole pipeline: read, clean, deduplicate, join, filter, write. It reports what it
 * does as ProgressEvents (shared/pipeline.ts); the CLI and the desktop app only listen.
 * Imports nothing from Electron. `runPipeline` reads as the run's steps; each step is a
 * function below it, in the same order.
 */
import { rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pl from './polars';
import type { DataFrame, LazyDataFrame } from 'nodejs-polars';
import {
  OUTPUT_FILES,
  type OutputReport,
  type ProgressEvent,
  type RunReport,
  type RunRequest,
  type StageName,
} from '../../shared/pipeline';
import { createStaging, writeFailure, type StagingFolder } from './atomic-output';
import { claimOutputFolder, type ClaimedFolder } from './output-folder';
import type { RunSource } from './output-lock';
import { cancelledError, toErrorInfo } from './errors';
import { readEvents, type EventsReadOptions, type EventsReadResult } from './events-reader';
import { NO_CODEC_NOTE, readParquetFooter } from './parquet-footer';
import { REASON_CODE } from './reason-codes';
import {
  type EventBatches,
  cleanEventsQuery,
  splitBatch,
  lostKeysOf,
  countReasons,
  dailySummaryQuery,
  fileWide,
  fileWideRows,
  droppedRowsQuery,
  joinAndFilter,
  markDuplicates,
  OUTPUT_PARQUET,
  prepareExpressions,
  usersFrame,
} from './stages';
import { readUsers, usersFacts, type UsersFacts } from './users-reader';
import { prepareLookups, usersLookup, type UsersLookup } from './users-lookup';
import { releaseDeadFrames } from './native-memory';
import { droppedSummaryLines } from './stage-log';
import { RunRecorder } from './run-recorder';
import { defaultMemoryLimit, planMemory, spillSteps, type SpillPlan, type SpillTuning } from './memory-plan';
import { checkSpillSpace, createSpillFolder, freeDiskBytes, removeSpillLeftovers } from './spill-folder';
import { SpilledRun, type OutputKind } from './spilled-run';
import type { SpilledBatch } from './batch-spill';
import { allSettledOrFirstError } from './settle';
import { formatMemorySize } from '../../shared/memory-size';

/** How many bytes of read batches may wait for a garbage collection (see native-memory.ts). */
const GC_EVERY_BYTES = 256 << 20;
/**
 * Below this size of events file the dead frames of a stage are left for V8's own collections:
 * they are a few hundred megabytes at most, and each forced collection is a wait that a small
 * run feels (docs/performance.md).
 */
const GC_AFTER_STAGES_FROM_BYTES = 256 << 20;

export interface RunHooks {
  /** Called for every progress event, synchronously, in order. */
  onEvent?: (event: ProgressEvent) => void;
  /** Aborting cancels the run; outputs already in place stay as they were. */
  signal?: AbortSignal;
  /**
   * The reader: its tuning, for tests and the benchmark (scan threads and the size that uses
   * them), and where the scan worker's script is (a packaged app says; see events-reader.ts).
   */
  scan?: Pick<EventsReadOptions, 'workers' | 'parallelFrom' | 'batchRows' | 'blockBytes' | 'workerScript'>;
  /** Who started the run, as the output folder's lock names it to a refused second run. */
  source?: RunSource;
  /** Spill tuning, for tests and the benchmark (memory-plan.ts). */
  spill?: SpillTuning;
  /**
   * Memory that other processes of the run hold (a launcher that waits for this one): the
   * budget is for all of them together, so this process plans with the rest.
   */
  memoryElsewhere?: number;
}

/** Runs the whole pipeline. Rejects with an EtlError for bad input or cancellation. */
export async function runPipeline(req: RunRequest, hooks: RunHooks = {}): Promise<RunReport> {
  const run = new Run(req, hooks);
  run.rec.emit({ type: 'run-started', at: run.started.toISOString(), request: req });
  run.rec.log('INFO', `Starting ETL run: events=${req.eventsPath} users=${req.usersPath} output=${req.outDir}`);
  let staging: StagingFolder | null = null;
  let folder: ClaimedFolder | null = null;
  let spilled: SpilledRun | null = null;
  try {
    folder = await claimFolder(run);
    const plan = await planRun(run);
    const extracted = await extract(run, plan);
    staging = extracted.staging;
    spilled = extracted.spilled;
    let kept = reportCleaning(run, extracted.read);
    if (spilled) {
      const outputs = await runSpilled(run, spilled, staging, extracted, kept);
      return await finishRun(run, staging, extracted, outputs).then((report) => ((staging = null), report));
    }
    const afterStage = extracted.read.bytes >= GC_AFTER_STAGES_FROM_BYTES ? releaseDeadFrames : () => {};
    // (`splice` empties the scan's list: the batches as read are garbage once in file order.)
    const inOrder = inFileOrder(extracted.segments.splice(0), extracted.read.rowOffsets);
    const asRead = inOrder.asRead;
    // Each step's batches replace the last, so that frames no step needs are unreachable.
    let events = inOrder.events;
    inOrder.events = [];
    afterStage();
    ({ events, kept } = await deduplicate(run, events, lostKeysOf(asRead), kept, afterStage));
    events = await joinUsers(run, events, extracted.lookup, kept, afterStage);
    for (const line of droppedSummaryLines(run.rec.stages)) run.rec.log('INFO', line);
    run.checkCancel();
    const outputs = await writeOutputs(run, staging, events, asRead, extracted.lookup.frame);
    const report = await finishRun(run, staging, extracted, outputs);
    staging = null;
    return report;
  } catch (err) {
    run.rec.emit({ type: 'run-failed', error: toErrorInfo(err) });
    throw err;
  } finally {
    run.rec.dispose();
    await spilled?.close();
    if (staging) await staging.discard().catch(() => undefined);
    if (spilled) await rm(spilled.dir, { recursive: true, force: true }).catch(() => undefined);
    await folder?.release().catch(() => undefined);
  }
}

/**
 * Before anything else: the output folder is this run's alone (a second run is refused at
 * once), and whole again if a crashed run left it mid-commit (see output-folder.ts).
 */
async function claimFolder(run: Run): Promise<ClaimedFolder> {
  run.checkCancel();
  const folder = await claimOutputFolder(run.outDir, run.hooks.source ?? 'api');
  if (folder.recovery?.completed)
    run.rec.log('WARNING', `Finished moving the outputs of an interrupted run into place in ${run.req.outDir}`);
  if (folder.recovery?.removed)
    run.rec.log('INFO', `Removed ${folder.recovery.removed} leftover staging folder(s) of an interrupted run`);
  return folder;
}

/** Writes the report and log, then moves all five outputs into place. */
async function finishRun(
  run: Run,
  staging: StagingFolder,
  extracted: Extracted,
  outputs: OutputReport[],
): Promise<RunReport> {
  const { report, sayFinished } = await writeReport(run, staging, extracted.read, extracted.users, outputs);
  run.checkCancel();
  await staging.commit(ALL_OUTPUTS, run.hooks.signal);
  sayFinished();
  run.rec.emit({ type: 'run-finished', report });
  return report;
}

/**
 * The memory budget against the events file's size: null when the run fits in memory (as
 * nearly every run does), else how it spills (memory-plan.ts).
 */
async function planRun(run: Run): Promise<SpillPlan | null> {
  const limit = run.req.memoryLimit ?? defaultMemoryLimit();
  // An unreadable events file is reported by the scan, with its own message.
  const bytes = await stat(run.eventsPath).then(
    (s) => (s.isFile() ? s.size : 0),
    () => 0,
  );
  const plan = planMemory(bytes, limit - (run.hooks.memoryElsewhere ?? 0));
  if (plan)
    run.rec.log(
      'INFO',
      `Memory limit ${formatMemorySize(limit)}: the run spills to disk, in about ${plan.chunks} chunk${plan.chunks === 1 ? '' : 's'} of input order`,
    );
  return plan;
}

/** The spill folder for `plan`, after checking that the output folder's volume can hold it. */
async function prepareSpill(run: Run, plan: SpillPlan): Promise<SpilledRun> {
  const free = await (run.hooks.spill?.freeBytes ?? freeDiskBytes)(run.outDir);
  checkSpillSpace(run.outDir, plan.diskBytes, free);
  return new SpilledRun(await createSpillFolder(run.outDir));
}

/**
 * Stages 3-5 and the outputs of a spilled run (spilled-run.ts): dedup passes over the hashes,
 * then chunks of input order (which write the clean and dropped rows), then the daily merge.
 * Each phase is a group of counted steps on the heartbeats (for the time left) and a log line
 * per step.
 */
async function runSpilled(
  run: Run,
  spilled: SpilledRun,
  staging: StagingFolder,
  extracted: Extracted,
  kept: number,
): Promise<OutputReport[]> {
  const { rec } = run;
  const { read, lookup: users } = extracted;
  run.startStage('deduplicate');
  const steps = spillSteps(extracted.plan!, read.tally.rows, kept, read.bytes, run.hooks.spill);
  // Usually started during the scan, from the plan's estimate (extract); the rows counted decide.
  prepareLookups(users, steps.chunkRows);
  const passSteps = rec.steps('dedup passes', steps.dedupPasses);
  const candidates = await spilled.dedupCandidates(steps.dedupPasses, read.rowOffsets, (done) => {
    run.checkCancel();
    passSteps.done(done);
    rec.log('INFO', `Spilled run: dedup pass ${done} of ${steps.dedupPasses} done`);
  });
  const names: Record<OutputKind, string> = {
    clean: OUTPUT_FILES.cleanEvents,
    dropped: OUTPUT_FILES.droppedRows,
    daily: OUTPUT_FILES.dailySummary,
  };
  spilled.writeOutputsTo({
    path: (kind) => staging.path(names[kind]),
    failure: (kind, err) => writeFailure(join(run.outDir, names[kind]), err),
  });
  const chunks = spilled.chunkCount(steps.chunkRows);
  const chunkSteps = rec.steps('chunks', chunks);
  const totals = await spilled.processChunks({
    rowOffsets: read.rowOffsets,
    chunkRows: steps.chunkRows,
    dailyRanges: steps.dailyRanges,
    candidates,
    users,
    checkCancel: () => run.checkCancel(),
    onChunk: (done) => {
      chunkSteps.done(done);
      rec.log('INFO', `Spilled run: chunk ${done} of ${chunks} done`);
    },
  });
  const afterDedup = kept - totals.duplicates;
  rec.finishStage('deduplicate', kept, afterDedup, totals.dedupMs);
  run.startStage('join_users');
  const unknown = totals.reasons.get(REASON_CODE.unknown_user) ?? 0;
  const nonUs = totals.reasons.get(REASON_CODE.non_us_user) ?? 0;
  const afterJoin = afterDedup - unknown;
  rec.finishStage('join_users', afterDedup, afterJoin, totals.joinMs);
  run.startStage('filter_us');
  rec.finishStage('filter_us', afterJoin, afterJoin - nonUs, 0);
  for (const line of droppedSummaryLines(rec.stages)) rec.log('INFO', line);
  run.checkCancel();

  const writing = rec.writing();
  const rangeSteps = rec.steps('merge ranges', spilled.dailyRanges);
  await spilled.mergeDaily(users.frame, (done) => {
    run.checkCancel();
    rangeSteps.done(done);
    rec.log('INFO', `Spilled run: ${OUTPUT_FILES.dailySummary}: range ${done} of ${spilled.dailyRanges} merged`);
  });
  await spilled.finishOutputs();
  writing.done();
  return describeOutputs(run, staging);
}

/** What every step of one run shares: the request, its resolved paths, the recorder, cancellation. */
class Run {
  readonly started = new Date();
  readonly t0 = performance.now();
  readonly rec: RunRecorder;
  readonly eventsPath: string;
  readonly usersPath: string;
  readonly outDir: string;

  constructor(
    readonly req: RunRequest,
    readonly hooks: RunHooks,
  ) {
    this.rec = new RunRecorder((e) => hooks.onEvent?.(e));
    this.eventsPath = resolve(req.eventsPath);
    this.usersPath = resolve(req.usersPath);
    this.outDir = resolve(req.outDir);
  }

  checkCancel(): void {
    if (this.hooks.signal?.aborted) throw cancelledError();
  }

  startStage(name: StageName): void {
    this.checkCancel();
    this.rec.startStage(name);
  }
}

/** Each batch as read, split at once into the events and the rare as-read extras (see stages.ts). */
type Segments = { events: DataFrame; asRead: DataFrame }[][];

interface Extracted {
  read: EventsReadResult;
  users: UsersFacts;
  /**
   * Stage 4's lookup of the users: their frame (usersFrame), made while the scan runs, and a
   * spilled run's table, built then too.
   */
  lookup: UsersLookup;
  staging: StagingFolder;
  /** The batches of each range of the file, in file order. */
  segments: Segments;
  /** Set when the run spills (its batches went to disk, not to `segments`). */
  spilled: SpilledRun | null;
  plan: SpillPlan | null;
}

/**
 * The extract stage: scans the events on their own threads while this thread reads users.csv
 * and prepares the output folder (a spilled run prepares it first: its scan writes there). If
 * the users file or the output folder is bad, the scan is stopped and that error is the run's,
 * as if the scan had never begun.
 */
async function extract(run: Run, plan: SpillPlan | null): Promise<Extracted> {
  const { rec, hooks } = run;
  run.startStage('extract');
  // Stopped by a cancel, or by a bad users file or output folder.
  const stopScan = new AbortController();
  let segments: Segments = [];
  let spilled: SpilledRun | null = null;
  let garbageBytes = 0;
  // Whether the batches came from two scan threads (ranges 0 and 1), else from a scan on this thread.
  let threadsSpilled = false;
  let scanStarted!: () => void;
  const scanRunning = new Promise<void>((resolve) => (scanStarted = resolve));
  const startScan = () =>
    readEvents(run.eventsPath, {
      // A spilled run takes smaller batches. With room in its budget for two scan threads, they
      // spill their batches themselves; else one scan, on this thread (memory-plan.ts).
      ...(plan && {
        batchRows: plan.batchRows,
        workers: plan.scanThreads,
        spill: spilled!,
        onSpilled: (batch: SpilledBatch, segment: number) => {
          spilled!.record(batch, segment);
          if (segment > 0) threadsSpilled = true;
        },
      }),
      ...hooks.scan,
      signal: hooks.signal ? AbortSignal.any([hooks.signal, stopScan.signal]) : stopScan.signal,
      onBatch: (ipc, segment) => {
        (segments[segment] ??= []).push(
          splitBatch(pl.readIPCStream(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength))),
        );
        // Each batch as read is garbage now. A collection costs tens of milliseconds, so one
        // runs for every few hundred megabytes of them.
        garbageBytes += ipc.byteLength;
        if (garbageBytes >= GC_EVERY_BYTES) {
          garbageBytes = 0;
          releaseDeadFrames();
        }
      },
      onDiscard: () => {
        segments = [];
        threadsSpilled = false;
        spilled?.discard();
      },
      onStarted: () => scanStarted(),
      // Every block, read and scanned (a few events per 8 MiB): the service paces them for the
      // UI, and a listener of its own sees every step.
      onBytes: (bytesRead, totalBytes, tally) =>
        rec.emit({
          type: 'bytes-read',
          file: run.req.eventsPath,
          bytesRead,
          totalBytes,
          elapsedMs: Math.round(performance.now() - run.t0),
          scanned: {
            rows: tally.rows,
            dropped: {
              malformed_record: tally.malformed,
              missing_user_id: tally.missingUserId,
              invalid_timestamp: tally.invalidTimestamp,
            },
          },
        }),
    });
  let scan: ReturnType<typeof startScan> | null = null;
  let users: KeptUsers;
  let folders: OutputFolders | null = null;
  try {
    // A spilled run's scan writes to its spill folder (in the output folder, checked for
    // space), so that comes first; an in-memory run reports a bad users.csv before any
    // output-folder error, as if the scan had never begun.
    if (plan) ({ spilled } = folders = await prepareOutputFolders(run, plan));
    scan = startScan();
    scan.catch(() => undefined); // awaited below; its rejection is handled there
    // Parsing users.csv holds this thread for a while: the scan threads start first and read
    // while it parses (a scan on this thread interleaves with it).
    await Promise.race([scanRunning, scan.catch(() => undefined)]);
    users = await loadUsers(run.usersPath);
    folders ??= await prepareOutputFolders(run, plan);
  } catch (err) {
    stopScan.abort();
    await scan?.catch(() => undefined); // the scan threads are gone before the error is reported
    if (folders) await discardOutputFolders(folders);
    throw err;
  }
  const { staging } = folders;
  const { facts, frame } = users;
  reportUsers(run, facts);
  try {
    // Parsing users.csv left hundreds of megabytes of garbage (1,000,000 users: about 410 MiB
    // of JavaScript heap). An idle thread's collector takes it soon, but a spilled run's thread
    // is not idle during the scan (it scans, or hashes the events file while threads scan:
    // events-reader.ts), and the budget cannot wait: it is collected now.
    if (plan) releaseDeadFrames();
    // The later stages' expressions are slow to build (see stages.ts): build them while the scan runs.
    prepareExpressions();
    const lookup = usersLookup(frame);
    // A spilled run's chunks find their users in a table (users-lookup.ts): built now, in the
    // scan's spare time, it no longer holds back the dedup passes (docs/performance.md "Memory budget").
    if (plan) prepareLookups(lookup, plan.chunkRows);
    const read = await scan.catch((err) => {
      if (hooks.signal?.aborted) throw cancelledError();
      throw err;
    });
    if (spilled)
      rec.log(
        'INFO',
        `Spilled run: the scan wrote its batches to disk on ${threadsSpilled ? 'two scan threads' : 'the engine thread'}`,
      );
    return { read, users: facts, lookup, staging, segments, spilled, plan };
  } catch (err) {
    await discardOutputFolders(folders);
    throw err;
  }
}

/** A run's staging folder (atomic-output.ts) and, for a spilled run, its spill folder. */
interface OutputFolders {
  staging: StagingFolder;
  spilled: SpilledRun | null;
}

/** The run's folders in the output folder, after removing spill folders that crashed runs left. */
async function prepareOutputFolders(run: Run, plan: SpillPlan | null): Promise<OutputFolders> {
  const staging = await createStaging(run.outDir);
  try {
    await removeSpillLeftovers(run.outDir);
    return { staging, spilled: plan ? await prepareSpill(run, plan) : null };
  } catch (err) {
    await staging.discard().catch(() => undefined);
    throw err;
  }
}

async function discardOutputFolders({ staging, spilled }: OutputFolders): Promise<void> {
  await staging.discard().catch(() => undefined);
  if (spilled) await rm(spilled.dir, { recursive: true, force: true }).catch(() => undefined);
}

/** users.csv as a run keeps it: the users' frame, and the file's facts for the report. */
interface KeptUsers {
  frame: DataFrame;
  facts: UsersFacts;
}

/**
 * Reads users.csv into a frame. The parsed columns, JavaScript arrays with a string per user
 * that every collection would trace, are garbage once this returns (see usersFacts).
 */
async function loadUsers(path: string): Promise<KeptUsers> {
  const users = await readUsers(path);
  return { frame: usersFrame(users), facts: usersFacts(users) };
}

/** Logs what users.csv held, and warns about the rows it had to repair or ignore. */
function reportUsers(run: Run, users: UsersFacts): void {
  const { rec } = run;
  rec.log('INFO', `Loaded ${users.rows} users from ${run.req.usersPath}`);
  rec.warn(
    'no_users',
    users.rows === 0 ? 1 : 0,
    `${run.req.usersPath} has a header but no users: every event will be dropped as unknown_user`,
  );
  rec.warn(
    'duplicate_user_rows',
    users.duplicateRows,
    `${users.duplicateRows} users.csv rows repeat an earlier user_id and were ignored (the first row wins)`,
  );
  rec.warn(
    'invalid_signup_date',
    users.invalidSignupDates,
    `${users.invalidSignupDates} users.csv rows have a signup_date that is not YYYY-MM-DD; it was set to null`,
  );
  rec.warn(
    'missing_user_id_in_users',
    users.missingUserIds,
    `${users.missingUserIds} users.csv rows have no user_id and were ignored`,
  );
}

/**
 * Finishes the extract stage and reports stages 1-2, which the scan already decided (their
 * counts are in its tally). Returns the rows still kept after them.
 */
function reportCleaning(run: Run, read: EventsReadResult): number {
  const { rec, req } = run;
  const tally = read.tally;
  rec.log(
    'INFO',
    `Loaded ${tally.rows} events from ${req.eventsPath} (${read.format === 'json' ? 'JSON array' : 'newline-delimited JSON'})`,
  );
  const afterExtract = tally.rows - tally.malformed;
  rec.finishStage('extract', tally.rows, afterExtract, rec.elapsed());
  run.startStage('clean_user_id');
  const afterUser = afterExtract - tally.missingUserId;
  rec.finishStage('clean_user_id', afterExtract, afterUser, 0);
  run.startStage('clean_timestamp');
  const afterTs = afterUser - tally.invalidTimestamp;
  rec.finishStage('clean_timestamp', afterUser, afterTs, 0);
  rec.warn(
    'invalid_value',
    tally.invalidValue,
    `${tally.invalidValue} events have a value that is not a number or a decimal string; it was set to null`,
  );
  rec.warn(
    'lossy_text',
    tally.lossyText,
    `${tally.lossyText} events hold text that UTF-8 cannot store (a lone surrogate escape such as \\ud800); ` +
      'it is written as U+FFFD, but events that differ only there are never merged as duplicates',
  );
  if (tally.rows === 0) rec.warn('empty_input', 1, `${req.eventsPath} holds no events; the outputs are empty`);
  return afterTs;
}

/**
 * All ranges' batches in file order. Rows of later ranges were numbered from 1 within their
 * range: they are made file-wide (one expression per range, shared by its batches: see the
 * top of stages.ts).
 */
function inFileOrder(segments: Segments, rowOffsets: number[]): { events: EventBatches; asRead: EventBatches } {
  const shifts = fileWideRows(rowOffsets);
  return {
    events: segments.flatMap((batch, i) => batch.map((b) => fileWide(b.events, shifts[i]))),
    asRead: segments.flatMap((batch, i) => batch.map((b) => fileWide(b.asRead, shifts[i]))),
  };
}

/** Stage 3: marks duplicates. Returns the batches and the rows still kept. */
async function deduplicate(
  run: Run,
  batches: EventBatches,
  lostKeys: DataFrame | null,
  kept: number,
  afterStage: () => void,
): Promise<{ events: EventBatches; kept: number }> {
  run.startStage('deduplicate');
  const deduplicated = await markDuplicates(batches, lostKeys);
  const events = deduplicated.batches.map((b) => b.drop('key_hash'));
  afterStage();
  const afterDedup = kept - deduplicated.duplicates;
  run.rec.finishStage('deduplicate', kept, afterDedup, run.rec.elapsed());
  return { events, kept: afterDedup };
}

/**
 * Stages 4 and 5: joins the users and keeps United States users. The two are one query, so
 * its time is reported under join_users.
 */
async function joinUsers(
  run: Run,
  batches: EventBatches,
  lookup: UsersLookup,
  kept: number,
  afterStage: () => void,
): Promise<EventBatches> {
  const { rec } = run;
  run.startStage('join_users');
  const events = await joinAndFilter(batches, lookup);
  afterStage();
  const counts = await countReasons(events);
  const unknown = counts.get(REASON_CODE.unknown_user) ?? 0;
  const nonUs = counts.get(REASON_CODE.non_us_user) ?? 0;
  const afterJoin = kept - unknown;
  rec.finishStage('join_users', kept, afterJoin, rec.elapsed());
  run.startStage('filter_us');
  rec.finishStage('filter_us', afterJoin, afterJoin - nonUs, 0);
  return events;
}

/** The three Parquet outputs, written into the staging folder; returns what each holds. */
async function writeOutputs(
  run: Run,
  staging: StagingFolder,
  events: EventBatches,
  asRead: EventBatches,
  usersTable: DataFrame,
): Promise<OutputReport[]> {
  const writes: [string, ReturnType<typeof cleanEventsQuery>][] = [
    [OUTPUT_FILES.dailySummary, dailySummaryQuery(events, usersTable)],
    [OUTPUT_FILES.cleanEvents, cleanEventsQuery(events)],
    [OUTPUT_FILES.droppedRows, await droppedRowsQuery(events, asRead)],
  ];
  const sink = ([name, query]: (typeof writes)[number]) => writeParquet(run, staging, name, query);
  // The summary sorts a key of every kept row, so it runs alone; the other two stream, and run
  // together. (All three at once was no faster and took more memory.) If one fails, the other
  // is let finish: the staging folder is removed only once nothing writes into it.
  const writing = run.rec.writing();
  await sink(writes[0]);
  await allSettledOrFirstError([sink(writes[1]), sink(writes[2])]);
  writing.done();
  return describeOutputs(run, staging);
}

/**
 * Writes one Parquet output into the staging folder. A failed file operation (a full disk) is
 * the one-line error naming the output; any other failure of the query stays what it is.
 */
async function writeParquet(run: Run, staging: StagingFolder, name: string, query: LazyDataFrame): Promise<void> {
  try {
    await query.sinkParquet(staging.path(name), OUTPUT_PARQUET).collect();
  } catch (err) {
    throw writeFailure(join(run.outDir, name), err);
  }
}

/** What each Parquet output in the staging folder holds, for the report and the log. */
async function describeOutputs(run: Run, staging: StagingFolder): Promise<OutputReport[]> {
  const outputs: OutputReport[] = [];
  for (const name of PARQUET_IN_REPORT_ORDER) {
    const footer = await readParquetFooter(staging.path(name));
    const bytes = (await stat(staging.path(name))).size;
    const codec = footer.codec;
    outputs.push({
      path: join(run.req.outDir, name),
      rows: footer.rows,
      bytes,
      ...(codec === null ? { codec, codec_note: NO_CODEC_NOTE } : { codec }),
    });
  }
  run.checkCancel();
  for (const o of outputs)
    run.rec.log('INFO', `Wrote ${o.path}: ${o.rows} rows, ${o.bytes} bytes, ${o.codec ?? `no codec: ${o.codec_note}`}`);
  return outputs;
}

const PARQUET_IN_REPORT_ORDER = [OUTPUT_FILES.cleanEvents, OUTPUT_FILES.dailySummary, OUTPUT_FILES.droppedRows];
const ALL_OUTPUTS = [...PARQUET_IN_REPORT_ORDER, OUTPUT_FILES.runReport, OUTPUT_FILES.log];

/**
 * run_report.json and etl.log, written into the staging folder beside the Parquet files.
 * `sayFinished` tells listeners the log's last line, once the outputs are in place.
 */
async function writeReport(
  run: Run,
  staging: StagingFolder,
  read: EventsReadResult,
  users: UsersFacts,
  outputs: OutputReport[],
): Promise<{ report: RunReport; sayFinished: () => void }> {
  const { rec, req } = run;
  const eventsSha256 = await read.sha256;
  const report: RunReport = {
    started_at: run.started.toISOString(),
    finished_at: new Date().toISOString(),
    inputs: [
      { path: req.eventsPath, bytes: read.bytes, sha256: eventsSha256, format: read.format, rows: read.tally.rows },
      { path: req.usersPath, bytes: users.bytes, sha256: users.sha256, format: 'csv', rows: users.rows },
    ],
    stages: rec.stages,
    outputs,
    warnings: rec.warnings,
  };
  const sayFinished = rec.logLater(
    'INFO',
    `Run finished in ${((performance.now() - run.t0) / 1000).toFixed(2)} s; outputs in ${req.outDir}`,
  );
  const stage = (name: string, text: string) =>
    writeFile(staging.path(name), text).catch((err: unknown) => {
      throw writeFailure(join(run.outDir, name), err);
    });
  await stage(OUTPUT_FILES.runReport, JSON.stringify(report, null, 2) + '\n');
  await stage(OUTPUT_FILES.log, rec.logLines.join('\n') + '\n');
  return { report, sayFinished };
}
