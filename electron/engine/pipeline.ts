/**
 * The whole pipeline: read, clean, deduplicate, join, filter, write. It reports what it
 * does as ProgressEvents (shared/pipeline.ts); the CLI and the desktop app only listen.
 * Imports nothing from Electron.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pl from './polars';
import type { DataFrame } from 'nodejs-polars';
import {
  OUTPUT_FILES,
  type OutputReport,
  type ProgressEvent,
  type RunReport,
  type RunRequest,
  type StageName,
} from '../../shared/pipeline';
import { createStaging } from './atomic-output';
import { cancelledError, inputError, toErrorInfo } from './errors';
import { readEvents } from './events-reader';
import { readParquetFooter } from './parquet-footer';
import {
  REASON_CODES,
  type EventBatches,
  cleanEventsQuery,
  splitBatch,
  countReasons,
  dailySummaryQuery,
  droppedRowsQuery,
  joinAndFilter,
  markDuplicates,
  prepareExpressions,
  usersFrame,
} from './stages';
import { readUsers } from './users-reader';
import { releaseDeadFrames } from './native-memory';
import { droppedSummaryLines } from './stage-log';
import { RunRecorder } from './run-recorder';

/** How many bytes of read batches may wait for a garbage collection (see native-memory.ts). */
const GC_EVERY_BYTES = 256 << 20;
/**
 * Below this size of events file the dead frames of a stage are left for V8's own collections:
 * they are a few hundred megabytes at most, and each forced collection costs the run about
 * 10 ms of waiting (three of them were 1-2% of a 1,000,000-event run).
 */
const GC_AFTER_STAGES_FROM_BYTES = 256 << 20;

export interface RunHooks {
  /** Called for every progress event, synchronously, in order. */
  onEvent?: (event: ProgressEvent) => void;
  /** Aborting cancels the run; outputs already in place stay as they were. */
  signal?: AbortSignal;
  /** Reader tuning, for tests and the benchmark: scan threads and the size that uses them. */
  scan?: { workers?: number; parallelFrom?: number; batchRows?: number };
}

/** Runs the whole pipeline. Rejects with an EtlError for bad input or cancellation. */
export async function runPipeline(req: RunRequest, hooks: RunHooks = {}): Promise<RunReport> {
  const started = new Date();
  const t0 = performance.now();
  const rec = new RunRecorder((e) => hooks.onEvent?.(e));
  const checkCancel = () => {
    if (hooks.signal?.aborted) throw cancelledError();
  };
  const startStage = (name: StageName) => {
    checkCancel();
    rec.startStage(name);
  };

  const eventsPath = resolve(req.eventsPath);
  const usersPath = resolve(req.usersPath);
  const outDir = resolve(req.outDir);
  rec.emit({ type: 'run-started', at: started.toISOString(), request: req });
  rec.log('INFO', `Starting ETL run: events=${req.eventsPath} users=${req.usersPath} output=${req.outDir}`);

  let staging: Awaited<ReturnType<typeof createStaging>> | null = null;
  try {
    // The events scan starts at once, on its own threads, while this thread reads users.csv.
    // The users file is still checked first: if it (or the output folder) is bad, the scan is
    // stopped and that error is the run's, as if the scan had never begun.
    startStage('extract');
    // Stopped by a cancel, or by a bad users file or output folder.
    const stopScan = new AbortController();
    // Each batch is split at once into the events and the rare as-read extras (see stages.ts).
    let segments: { events: DataFrame; asRead: DataFrame }[][] = [];
    let lastBytesEmit = 0;
    let garbageBytes = 0;
    let scanStarted!: () => void;
    const scanRunning = new Promise<void>((resolve) => (scanStarted = resolve));
    const scan = readEvents(eventsPath, {
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
      onDiscard: () => (segments = []),
      onStarted: () => scanStarted(),
      onBytes: (bytesRead, totalBytes) => {
        const now = performance.now();
        if (now - lastBytesEmit >= 100 || bytesRead === totalBytes) {
          lastBytesEmit = now;
          rec.emit({ type: 'bytes-read', file: req.eventsPath, bytesRead, totalBytes });
        }
      },
    });
    scan.catch(() => undefined); // awaited below; its rejection is handled there
    let users: Awaited<ReturnType<typeof readUsers>>;
    try {
      // Parsing users.csv holds this thread for a while: start the scan threads first.
      await Promise.race([scanRunning, scan.catch(() => undefined)]);
      users = await readUsers(usersPath);
      staging = await createStaging(outDir);
    } catch (err) {
      stopScan.abort();
      await scan.catch(() => undefined); // the scan threads are gone before the error is reported
      throw err;
    }
    rec.log('INFO', `Loaded ${users.rows} users from ${req.usersPath}`);
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
    // The later stages' expressions are slow to build (see stages.ts): build them while the scan runs.
    prepareExpressions();
    const read = await scan.catch((err) => {
      if (hooks.signal?.aborted) throw cancelledError();
      throw err;
    });
    const afterStage = read.bytes >= GC_AFTER_STAGES_FROM_BYTES ? releaseDeadFrames : () => {};
    const scanMs = rec.elapsed();
    const tally = read.tally;
    rec.log(
      'INFO',
      `Loaded ${tally.rows} events from ${req.eventsPath} (${read.format === 'json' ? 'JSON array' : 'newline-delimited JSON'})`,
    );
    const afterExtract = tally.rows - tally.malformed;
    rec.finishStage('extract', tally.rows, afterExtract, scanMs);
    startStage('clean_user_id');
    const afterUser = afterExtract - tally.missingUserId;
    rec.finishStage('clean_user_id', afterExtract, afterUser, 0);
    startStage('clean_timestamp');
    const afterTs = afterUser - tally.invalidTimestamp;
    rec.finishStage('clean_timestamp', afterUser, afterTs, 0);
    rec.warn(
      'invalid_value',
      tally.invalidValue,
      `${tally.invalidValue} events have a value that is not a number or a decimal string; it was set to null`,
    );
    if (tally.rows === 0) rec.warn('empty_input', 1, `${req.eventsPath} holds no events; the outputs are empty`);

    // Rows of later ranges were numbered from 1 within their range: make them file-wide.
    // (One expression per range, shared by its batches: see the top of stages.ts.)
    const shifts = read.rowOffsets.map((offset) => (offset ? pl.col('source_row').add(offset).cast(pl.Int32) : null));
    const fileWide = (f: DataFrame, i: number) => (shifts[i] ? f.withColumns(shifts[i]) : f);
    let events: EventBatches = segments.flatMap((batch, i) => batch.map((b) => fileWide(b.events, i)));
    const asRead: EventBatches = segments.flatMap((batch, i) => batch.map((b) => fileWide(b.asRead, i)));
    segments = [];
    afterStage();

    startStage('deduplicate');
    const deduplicated = await markDuplicates(events);
    events = deduplicated.batches.map((b) => b.drop('key_hash'));
    afterStage();
    const dups = deduplicated.duplicates;
    rec.finishStage('deduplicate', afterTs, afterTs - dups, rec.elapsed());

    startStage('join_users');
    const usersTable = usersFrame(users);
    events = await joinAndFilter(events, usersTable);
    afterStage();
    const counts = await countReasons(events);
    const unknown = counts.get(REASON_CODES.unknown_user) ?? 0;
    const nonUs = counts.get(REASON_CODES.non_us_user) ?? 0;
    // The join and the US filter are one query: its time is reported under join_users.
    const afterJoin = afterTs - dups - unknown;
    rec.finishStage('join_users', afterTs - dups, afterJoin, rec.elapsed());
    startStage('filter_us');
    rec.finishStage('filter_us', afterJoin, afterJoin - nonUs, 0);

    for (const line of droppedSummaryLines(rec.stages)) rec.log('INFO', line);

    checkCancel();
    const st = staging;
    const outputs: OutputReport[] = [];
    const writes: [string, ReturnType<typeof cleanEventsQuery>][] = [
      [OUTPUT_FILES.dailySummary, dailySummaryQuery(events, usersTable)],
      [OUTPUT_FILES.cleanEvents, cleanEventsQuery(events)],
      [OUTPUT_FILES.droppedRows, await droppedRowsQuery(events, asRead)],
    ];
    const sink = ([name, query]: (typeof writes)[number]) =>
      query.sinkParquet(st.path(name), { compression: 'snappy', maintainOrder: true }).collect();
    // The summary sorts a key of every kept row, so it runs alone; the other two stream, and run
    // together. (All three at once was no faster and took more memory.)
    const writing = rec.writing();
    await sink(writes[0]);
    await Promise.all([sink(writes[1]), sink(writes[2])]);
    writing.done();
    for (const name of [OUTPUT_FILES.cleanEvents, OUTPUT_FILES.dailySummary, OUTPUT_FILES.droppedRows]) {
      const footer = await readParquetFooter(st.path(name));
      const bytes = (await stat(st.path(name))).size;
      outputs.push({ path: join(req.outDir, name), rows: footer.rows, bytes, codec: footer.codec });
    }
    checkCancel();
    for (const o of outputs) rec.log('INFO', `Wrote ${o.path}: ${o.rows} rows, ${o.bytes} bytes, ${o.codec}`);

    const eventsSha256 = await read.sha256;
    const finished = new Date();
    const report: RunReport = {
      started_at: started.toISOString(),
      finished_at: finished.toISOString(),
      inputs: [
        { path: req.eventsPath, bytes: read.bytes, sha256: eventsSha256, format: read.format, rows: tally.rows },
        { path: req.usersPath, bytes: users.bytes, sha256: users.sha256, format: 'csv', rows: users.rows },
      ],
      stages: rec.stages,
      outputs,
      warnings: rec.warnings,
    };
    rec.log('INFO', `Run finished in ${((performance.now() - t0) / 1000).toFixed(2)} s; outputs in ${req.outDir}`);
    await writeFile(st.path(OUTPUT_FILES.runReport), JSON.stringify(report, null, 2) + '\n');
    await writeFile(st.path(OUTPUT_FILES.log), rec.logLines.join('\n') + '\n');
    checkCancel();
    await st.commit([
      OUTPUT_FILES.cleanEvents,
      OUTPUT_FILES.dailySummary,
      OUTPUT_FILES.droppedRows,
      OUTPUT_FILES.runReport,
      OUTPUT_FILES.log,
    ]);
    staging = null;
    rec.emit({ type: 'run-finished', report });
    return report;
  } catch (err) {
    rec.emit({ type: 'run-failed', error: toErrorInfo(err) });
    if (err instanceof Error && err.name !== 'EtlError' && /No such file|os error/i.test(err.message)) {
      throw inputError(`Cannot write the outputs in ${req.outDir}: ${err.message}. Choose a folder you can write to.`, {
        file: req.outDir,
      });
    }
    throw err;
  } finally {
    rec.dispose();
    if (staging) await staging.discard().catch(() => undefined);
  }
}
