/**
 * Reopening a run from the history (electron/service/reopen-run.ts and the etl:reopen-run
 * handler): the outputs in the run's folder are shown only while they are still that run's, and
 * then only those files are granted, for reading. Real runs of the engine into real folders.
 */
import assert from 'node:assert/strict';
import { appendFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runPipeline } from '../../electron/engine/pipeline';
import { EngineService } from '../../electron/service/engine-service';
import { PathAllowlist } from '../../electron/service/path-allowlist';
import { RunHistory } from '../../electron/service/run-history';
import { createRequestHandlers } from '../../electron/transport/request-handlers';
import type { ShellPlatform } from '../../electron/transport/shell-platform';
import { OUTPUT_FILES } from '../../shared/pipeline';
import type { ReopenedRun, Result, RunHistoryEntry } from '../../shared/service-contract';
import { DEFAULT_USERS, ev, writeFile } from '../engine/helpers';
import { fakeHosts, tempDir } from './fixtures';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir('etl-reopen-')));
after(() => cleanup());

const platform: ShellPlatform = {
  defaults: async () => ({ outDir: path.join(dir, 'default-out'), sample: null, recent: {} }),
  pickInputs: async () => [],
  pickOutputDir: async () => null,
  showInFolder: async () => undefined,
  remember: async () => undefined,
};

/** The app as main sets it up: a service over the history, a fresh allowlist, the handlers. */
function app(store: RunHistory) {
  const service = new EngineService({ hosts: fakeHosts(() => undefined), history: { store, source: 'app' } });
  return createRequestHandlers({ service, platform, allowlist: new PathAllowlist() });
}

/** A real run of `events` into `outDir`, recorded in the history as the CLI records it; its entry. */
async function recordedRun(store: RunHistory, outDir: string, events: unknown[]): Promise<RunHistoryEntry> {
  const eventsPath = writeFile(dir, `events-${events.length}.json`, JSON.stringify(events));
  const usersPath = writeFile(dir, 'users.csv', DEFAULT_USERS);
  const report = await runPipeline({ eventsPath, usersPath, outDir });
  return store.record('cli', outDir, report);
}

const value = <T>(r: Result<unknown>): T => {
  assert.ok(r.ok, !r.ok ? r.error.message : '');
  return r.value as T;
};
const refusal = (r: Result<unknown>): string => {
  assert.equal(r.ok, false);
  return !r.ok ? r.error.message : '';
};

test("a reopened run's outputs are read (only those files, never written) while they are still that run's", async () => {
  const store = new RunHistory(path.join(dir, 'history-1'));
  const outDir = path.join(dir, 'cli-out');
  const first = await recordedRun(store, outDir, [ev('u1', 1), ev('u2', 2), ev('u1', 1), ev('ca', 3)]);
  const { handle } = app(store);
  const page = { outDir, file: OUTPUT_FILES.droppedRows, offset: 0, limit: 10 };

  // Not chosen in this app: nothing in the folder can be read before the run is reopened.
  assert.match(refusal(await handle('etl:read-page', page)), /was not chosen in this app/);

  const opened = value<ReopenedRun>(await handle('etl:reopen-run', { id: first.id }));
  assert.equal(opened.state, 'current');
  assert.equal(opened.entry.id, first.id);
  assert.match(opened.message, new RegExp(`in ${outDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // Dropped rows and Preview can read it now: the rows, the counts, the profile and the report.
  const dropped = value<{ totalRows: number }>(await handle('etl:read-page', page));
  assert.equal(dropped.totalRows, 2, 'a duplicate and a non-US user');
  assert.deepEqual(value<{ byReason: unknown }>(await handle('etl:dropped-summary', { outDir })).byReason, {
    duplicate: 1,
    non_us_user: 1,
  });
  const clean = value<{ totalRows: number }>(
    await handle('etl:read-page', { ...page, file: OUTPUT_FILES.cleanEvents }),
  );
  assert.equal(clean.totalRows, first.report.stages.at(-1)!.rows_out);
  assert.equal(
    value<{ rows: number }>(
      await handle('etl:profile-column', { outDir, file: OUTPUT_FILES.cleanEvents, column: 'user_id' }),
    ).rows,
    2,
  );
  assert.equal(
    value<{ started_at: string }>(await handle('etl:output-report', { outDir })).started_at,
    first.report.started_at,
  );
  // Read only, and only those files: no CSV export or HTML report written into the folder, and
  // the folder's other files stay out of reach.
  assert.match(
    refusal(await handle('etl:export-dropped-csv', { outDir })),
    /was not chosen in this app as an output folder/,
  );
  assert.match(refusal(await handle('etl:html-report', { outDir })), /was not chosen in this app as an output folder/);
  assert.match(
    refusal(await handle('etl:show-in-folder', { path: path.join(outDir, OUTPUT_FILES.log) })),
    /was not chosen/,
  );
  assert.match(
    refusal(
      await handle('etl:run', {
        eventsPath: path.join(dir, 'events-4.json'),
        usersPath: path.join(dir, 'users.csv'),
        outDir,
      }),
    ),
    /was not chosen/,
  );
});

test('a run whose outputs were overwritten by a later run, or changed, or deleted, says so and grants nothing', async () => {
  const store = new RunHistory(path.join(dir, 'history-2'));
  const outDir = path.join(dir, 'shared-out');
  const first = await recordedRun(store, outDir, [ev('u1', 1), ev('u2', 2)]);
  const second = await recordedRun(store, outDir, [ev('u1', 1), ev('u2', 2), ev('ca', 3)]);
  const { handle } = app(store);

  const old = value<ReopenedRun>(await handle('etl:reopen-run', { id: first.id }));
  assert.equal(old.state, 'overwritten');
  assert.equal(old.replacedBy, second.report.started_at);
  assert.match(
    old.message,
    new RegExp(
      `^The outputs of the run of ${first.report.started_at.slice(0, 10)} ${first.report.started_at.slice(11, 19)} UTC in .*shared-out were overwritten by the run of ${second.report.started_at.slice(0, 10)} ${second.report.started_at.slice(11, 19)} UTC, so they cannot be shown\\.`,
    ),
  );
  assert.match(refusal(await handle('etl:dropped-summary', { outDir })), /was not chosen in this app/);

  // A file edited after the run (here: grown by a byte) is not the run's output any more.
  await appendFile(path.join(outDir, OUTPUT_FILES.dailySummary), 'x');
  const changed = value<ReopenedRun>(await handle('etl:reopen-run', { id: second.id }));
  assert.equal(changed.state, 'overwritten');
  assert.match(changed.message, /^daily_summary\.parquet in .* was changed after the run of/);
  assert.match(refusal(await handle('etl:daily-counts', { outDir })), /was not chosen in this app/);

  await rm(outDir, { recursive: true });
  const gone = value<ReopenedRun>(await handle('etl:reopen-run', { id: second.id }));
  assert.equal(gone.state, 'missing');
  assert.match(gone.message, /are no longer in .*shared-out: run_report\.json is not there/);

  assert.match(
    refusal(await handle('etl:reopen-run', { id: '20200101000000000-00000000' })),
    /The run 20200101000000000-00000000 is not in the run history/,
  );
});

test('after a restart (a new service and allowlist over the same history) a run reopens and is granted afresh', async () => {
  const store = new RunHistory(path.join(dir, 'history-3'));
  const outDir = path.join(dir, 'restart-out');
  const entry = await recordedRun(store, outDir, [ev('u1', 1), ev('ca', 3)]);
  const before = app(store);
  assert.equal(value<ReopenedRun>(await before.handle('etl:reopen-run', { id: entry.id })).state, 'current');

  const restarted = app(new RunHistory(store.dir));
  assert.match(refusal(await restarted.handle('etl:dropped-summary', { outDir })), /was not chosen in this app/);
  const listed = value<RunHistoryEntry[]>(await restarted.handle('etl:run-history', undefined));
  assert.deepEqual(
    listed.map((e) => e.id),
    [entry.id],
  );
  assert.equal(value<ReopenedRun>(await restarted.handle('etl:reopen-run', { id: entry.id })).state, 'current');
  assert.deepEqual(value(await restarted.handle('etl:dropped-summary', { outDir })), {
    byReason: { non_us_user: 1 },
    timestampPatterns: [],
  });
});
