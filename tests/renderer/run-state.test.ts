import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressEvent } from '../../shared/pipeline';
import {
  allBalanced,
  initialRunState,
  isBalanced,
  MAX_LOG_LINES,
  runProgress,
  runReducer,
  type RunState,
} from '../../renderer/run/run-state';
import { stepsTimeLeft } from '../../renderer/run/read-rate';
import { stepsText } from '../../renderer/run/run-panel';
import { sampleReport } from './fake-client';

const request = { eventsPath: 'e.json', usersPath: 'u.csv', outDir: 'out' };
const fold = (events: ProgressEvent[], from: RunState = initialRunState()) =>
  events.reduce((s, event) => runReducer(s, { type: 'progress', event }), runReducer(from, { type: 'start', request }));

test('stage events fill in the stage rows in order', () => {
  const report = sampleReport();
  const s = fold([
    { type: 'run-started', at: 't', request },
    { type: 'stage-started', stage: 'extract', at: 't' },
    { type: 'stage-finished', stage: report.stages[0] },
    { type: 'stage-started', stage: 'clean_user_id', at: 't' },
  ]);
  assert.equal(s.status, 'running');
  assert.deepEqual(
    s.stages.map((r) => r.status),
    ['done', 'running', 'pending', 'pending', 'pending', 'pending'],
  );
  assert.equal(s.stages[0].rowsIn, 1000);
  assert.equal(s.stages[0].rowsOut, 990);
  assert.deepEqual(s.stages[0].dropped, { malformed_record: 10 });
  assert.equal(s.stages[0].balanced, true);
  assert.equal(s.stages[1].rowsIn, null);
});

test('run-finished takes the report numbers and counts the run once', () => {
  const report = sampleReport();
  let s = fold([{ type: 'run-finished', report }]);
  assert.equal(s.status, 'finished');
  assert.ok(s.stages.every((r) => r.status === 'done' && r.balanced));
  assert.equal(s.completedRuns, 1);
  // The run() promise resolves after the event: it must not count the run again.
  s = runReducer(s, { type: 'result', result: { ok: true, value: report } });
  assert.equal(s.completedRuns, 1);
  assert.equal(runProgress(s), 1);
});

test('a stage whose rows do not add up fails the balance check', () => {
  const bad = { name: 'deduplicate' as const, rows_in: 900, rows_out: 850, dropped: { duplicate: 49 }, ms: 1 };
  assert.equal(isBalanced(bad), false);
  const s = fold([{ type: 'stage-finished', stage: bad }]);
  assert.equal(s.stages[3].balanced, false);
  assert.equal(allBalanced(s.stages), false);
});

test('a break in the chain (rows_in != previous rows_out) is reported too', () => {
  const r = sampleReport();
  const s = fold([
    { type: 'stage-finished', stage: r.stages[0] },
    { type: 'stage-finished', stage: { ...r.stages[1], rows_in: 991, rows_out: 961 } },
  ]);
  assert.equal(s.stages[1].balanced, true);
  assert.equal(allBalanced(s.stages), false);
});

test('a failure marks the running stage failed and keeps the error', () => {
  const s = fold([
    { type: 'stage-started', stage: 'extract', at: 't' },
    {
      type: 'run-failed',
      error: { kind: 'input', message: 'raw_events.json is not valid JSON', file: 'raw_events.json', offset: 12 },
    },
  ]);
  assert.equal(s.status, 'failed');
  assert.equal(s.stages[0].status, 'failed');
  assert.equal(s.error?.offset, 12);
});

test('cancellation via the run() result marks the run cancelled and ignores late events', () => {
  let s = fold([{ type: 'stage-started', stage: 'extract', at: 't' }]);
  s = runReducer(s, { type: 'result', result: { ok: false, error: { kind: 'cancelled', message: 'cancelled' } } });
  assert.equal(s.status, 'cancelled');
  assert.equal(s.stages[0].status, 'cancelled');
  const after = runReducer(s, { type: 'progress', event: { type: 'stage-finished', stage: sampleReport().stages[0] } });
  assert.equal(after, s);
});

test('progress mixes bytes read and stages done', () => {
  let s = fold([{ type: 'bytes-read', file: 'e.json', bytesRead: 50, totalBytes: 100 }]);
  assert.equal(runProgress(s), 0.25);
  s = runReducer(s, {
    type: 'progress',
    event: { type: 'bytes-read', file: 'e.json', bytesRead: 100, totalBytes: 100 },
  });
  s = runReducer(s, { type: 'progress', event: { type: 'stage-finished', stage: sampleReport().stages[0] } });
  assert.equal(runProgress(s), 0.5 + 0.45 / 6);
});

test('logs are kept in order and capped', () => {
  const events: ProgressEvent[] = [];
  for (let i = 0; i < MAX_LOG_LINES + 5; i++)
    events.push({ type: 'log', level: 'INFO', message: `line ${i}`, at: '2026-01-05T10:00:00.000Z' });
  const s = fold(events);
  assert.equal(s.logs.length, MAX_LOG_LINES);
  assert.equal(s.logs[s.logs.length - 1].message, `line ${MAX_LOG_LINES + 4}`);
  assert.ok(s.logs[1].id > s.logs[0].id);
});

test('heartbeats show a long stage is alive without finishing it', () => {
  const s = fold([
    { type: 'stage-started', stage: 'extract', at: 't' },
    { type: 'heartbeat', stage: 'extract', elapsedMs: 1500 },
  ]);
  assert.equal(s.stages[0].status, 'running');
  assert.equal(s.stages[0].elapsedMs, 1500);
});

test('while the events file is read, the three scan stages show their counts so far', () => {
  const read = (
    bytesRead: number,
    elapsedMs: number,
    rows: number,
    m: number,
    u: number,
    t: number,
  ): ProgressEvent => ({
    type: 'bytes-read',
    file: 'e.json',
    bytesRead,
    totalBytes: 1000,
    elapsedMs,
    scanned: { rows, dropped: { malformed_record: m, missing_user_id: u, invalid_timestamp: t } },
  });
  let s = fold([
    { type: 'run-started', at: 't', request },
    { type: 'stage-started', stage: 'extract', at: 't' },
    read(200, 100, 2000, 3, 5, 7),
  ]);
  const [extract, user, ts, dedup] = s.stages;
  assert.deepEqual(
    [extract.rowsIn, extract.rowsOut, extract.dropped, extract.live, extract.status],
    [2000, 1997, { malformed_record: 3 }, true, 'running'],
  );
  // Each stage's rows in are the previous one's rows out.
  assert.deepEqual([user.rowsIn, user.rowsOut, user.dropped], [1997, 1992, { missing_user_id: 5 }]);
  assert.deepEqual([ts.rowsIn, ts.rowsOut, ts.dropped], [1992, 1985, { invalid_timestamp: 7 }]);
  // Later stages need every row: they wait, with no count.
  assert.deepEqual([dedup.status, dedup.rowsIn, dedup.live], ['pending', null, false]);
  // Not balanced yet: the check is on the finished numbers only.
  assert.equal(extract.balanced, null);

  const more = (events: ProgressEvent[], from: RunState) =>
    events.reduce((st, event) => runReducer(st, { type: 'progress', event }), from);
  s = more([read(600, 600, 6000, 9, 15, 21)], s);
  assert.equal(s.stages[0].rowsIn, 6000);
  assert.equal(s.readSamples.length, 2);

  // The finished stage replaces the live numbers.
  s = more(
    [
      {
        type: 'stage-finished',
        stage: { name: 'extract', rows_in: 10000, rows_out: 9985, dropped: { malformed_record: 15 }, ms: 900 },
      },
    ],
    s,
  );
  assert.deepEqual([s.stages[0].live, s.stages[0].rowsIn, s.stages[0].balanced], [false, 10000, true]);
});

test('the time cell says where an inside stage\'s time went instead of "0 ms"', async () => {
  const { stageTimeText } = await import('../../renderer/run/stage-table');
  const base = { elapsedMs: null };
  assert.equal(stageTimeText({ ...base, name: 'clean_user_id', status: 'done', ms: 0 }).text, 'in Extract');
  assert.match(
    stageTimeText({ ...base, name: 'clean_timestamp', status: 'done', ms: 0 }).title!,
    /while Extract reads/,
  );
  assert.equal(stageTimeText({ ...base, name: 'filter_us', status: 'done', ms: 0 }).text, 'in Join users');
  assert.equal(stageTimeText({ ...base, name: 'extract', status: 'done', ms: 1500 }).text, '1.5 s');
  assert.equal(stageTimeText({ name: 'deduplicate', status: 'running', ms: null, elapsedMs: 800 }).text, '800 ms…');
});

test('reset clears a finished run to the first screen, keeping only the count of completed runs', () => {
  const done = fold([
    { type: 'run-started', at: 't', request },
    { type: 'warning', warning: { code: 'invalid_value', count: 2, message: 'two values' } },
    { type: 'log', level: 'INFO', message: 'hello', at: 't' },
    { type: 'run-finished', report: sampleReport() },
  ]);
  assert.equal(done.completedRuns, 1);
  assert.notDeepEqual(done, { ...initialRunState(), completedRuns: 1 }, 'the finished run has state to clear');
  assert.deepEqual(runReducer(done, { type: 'reset' }), { ...initialRunState(), completedRuns: 1 });
});

test('warnings arrive in order while running; the report replaces them at the end; late ones are ignored', () => {
  const first = { code: 'duplicate_user_rows', count: 3, message: '3 repeated users' };
  const second = { code: 'invalid_value', count: 2, message: '2 bad values' };
  const running = fold([
    { type: 'run-started', at: 't', request },
    { type: 'warning', warning: first },
    { type: 'warning', warning: second },
  ]);
  assert.deepEqual(running.warnings, [first, second]);
  const report = { ...sampleReport(), warnings: [second] };
  const done = runReducer(running, { type: 'progress', event: { type: 'run-finished', report } });
  assert.deepEqual(done.warnings, [second], 'the report is the record');
  const late = runReducer(done, { type: 'progress', event: { type: 'warning', warning: first } });
  assert.equal(late, done, 'a warning after the run is over changes nothing');
});

test('the write heartbeat shows the time spent writing, without touching the stage rows', () => {
  const report = sampleReport();
  const allDone = fold([
    { type: 'run-started', at: 't', request },
    ...report.stages.map((stage): ProgressEvent => ({ type: 'stage-finished', stage })),
  ]);
  assert.equal(allDone.writingMs, null);
  const writing = runReducer(allDone, {
    type: 'progress',
    event: { type: 'heartbeat', stage: 'write', elapsedMs: 2500 },
  });
  assert.equal(writing.writingMs, 2500);
  assert.deepEqual(writing.stages, allDone.stages);
  const later = runReducer(writing, {
    type: 'progress',
    event: { type: 'heartbeat', stage: 'write', elapsedMs: 4000 },
  });
  assert.equal(later.writingMs, 4000);
  // A new run starts with no writing time.
  assert.equal(runReducer(later, { type: 'start', request }).writingMs, null);
});

test("a spilled run's counted steps show on the status line with the time left at their pace", () => {
  const report = sampleReport();
  const started = fold([
    { type: 'run-started', at: 't', request },
    ...report.stages.slice(0, 2).map((stage): ProgressEvent => ({ type: 'stage-finished', stage })),
    { type: 'stage-started', stage: 'deduplicate', at: 't' },
  ]);
  const beat = (
    s: RunState,
    stage: 'deduplicate' | 'write',
    elapsedMs: number,
    label: string,
    done: number,
    sinceMs = 0,
  ) =>
    runReducer(s, {
      type: 'progress',
      event: { type: 'heartbeat', stage, elapsedMs, steps: { label, done, total: 12, sinceMs } },
    });
  // No step done yet: the steps show, no estimate.
  const first = beat(started, 'deduplicate', 800, 'dedup passes', 0);
  assert.deepEqual(first.steps, { label: 'dedup passes', done: 0, total: 12, sinceMs: 0, elapsedMs: 800 });
  assert.equal(stepsText(first.steps), ' · dedup passes 0 of 12');
  // 3 of 12 in 30 s: 9 more at 10 s each.
  const third = beat(first, 'deduplicate', 30_000, 'dedup passes', 3);
  assert.equal(stepsTimeLeft(third.steps!), 90_000);
  assert.equal(stepsText(third.steps), ' · dedup passes 3 of 12 · about 2 min left');
  // The chunks begin 120 s into the stage: 6 of 12 done 60 s later is 10 s each, not 30.
  const chunks = beat(third, 'deduplicate', 180_000, 'chunks', 6, 120_000);
  assert.equal(stepsTimeLeft(chunks.steps!), 60_000);
  assert.equal(stepsText(chunks.steps), ' · chunks 6 of 12 · about 1 min left');
  // The stage ends: its steps go; the merge's steps come with the write heartbeats.
  const finished = runReducer(chunks, { type: 'progress', event: { type: 'stage-finished', stage: report.stages[2] } });
  assert.equal(finished.steps, null);
  const merging = beat(finished, 'write', 4000, 'merge ranges', 8);
  assert.equal(merging.writingMs, 4000);
  assert.equal(stepsText(merging.steps), ' · merge ranges 8 of 12 · about 2 s left');
  // A heartbeat without steps (an in-memory run) shows none.
  const plain = runReducer(merging, {
    type: 'progress',
    event: { type: 'heartbeat', stage: 'write', elapsedMs: 4200 },
  });
  assert.equal(plain.steps, null);
  assert.equal(stepsText(plain.steps), '');
});
