/**
 * A run over its memory budget spills to disk (electron/engine/spilled-run.ts). Forced here on
 * small inputs with tiny budgets and many chunks, dedup passes and daily ranges: its three Parquet files
 * must equal an unlimited run's in content, row order and types; its spill folder is gone when
 * it ends; a crashed run's folder is removed by the next run; and a volume without room for
 * the spill is a clear error before anything is written.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runPipeline, type RunHooks } from '../../electron/engine/pipeline';
import { EtlError } from '../../electron/engine/errors';
import { OUTPUT_FILES, PARQUET_OUTPUTS, type ProgressEvent, type RunReport } from '../../shared/pipeline';
import { hashTree, ndjson, readRows, readSchema, sha256, tmpDir, writeFile } from './helpers';

const SAMPLE_EVENTS = path.resolve(__dirname, '../../data/raw_events.json');
const SAMPLE_USERS = path.resolve(__dirname, '../../data/users.csv');
const MB = 1e6;

async function runTo(
  outDir: string,
  events: string,
  users: string,
  memoryLimit: number | undefined,
  hooks: RunHooks = {},
): Promise<{ report: RunReport; log: string[]; steps: string[] }> {
  const log: string[] = [];
  const steps: string[] = [];
  const report = await runPipeline(
    { eventsPath: events, usersPath: users, outDir, memoryLimit },
    {
      ...hooks,
      onEvent: (e: ProgressEvent) => {
        if (e.type === 'log') log.push(e.message);
        if (e.type === 'heartbeat' && e.steps)
          steps.push(`${e.stage}: ${e.steps.label} ${e.steps.done}/${e.steps.total}`);
      },
    },
  );
  return { report, log, steps };
}

/** Both runs' Parquet outputs hold the same columns, types and rows, in the same order. */
function assertSameOutputs(a: string, b: string): void {
  for (const name of PARQUET_OUTPUTS) {
    assert.deepEqual(readSchema(path.join(b, name)), readSchema(path.join(a, name)), `${name}: columns and types`);
    const rowsA = readRows(path.join(a, name));
    const rowsB = readRows(path.join(b, name));
    assert.ok(rowsA.length > 0, `${name} is not empty in this fixture`);
    assert.deepEqual(rowsB, rowsA, `${name}: rows in order`);
  }
}

const spillFolders = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith('.etl-spill-'));
const counts = (r: RunReport) => r.stages.map((s) => [s.name, s.rows_in, s.rows_out]);

describe('spilling to disk under a memory budget', () => {
  test('the sample (a JSON array, every messy case) gives the same outputs spilled as in memory', async () => {
    const dir = tmpDir();
    const plain = await runTo(path.join(dir, 'plain'), SAMPLE_EVENTS, SAMPLE_USERS, undefined);
    assert.ok(!plain.log.some((l) => /spills to disk/.test(l)), 'an unlimited run stays in memory');
    // Batches of 300 rows in chunks of at most 997 (three batches: 900 rows), so 10 chunks;
    // three dedup passes and five daily ranges: every phase has more than one step.
    const spilled = await runTo(path.join(dir, 'spilled'), SAMPLE_EVENTS, SAMPLE_USERS, 100 * MB, {
      scan: { batchRows: 300 },
      spill: { chunkRows: 997, dedupPasses: 3, dailyRanges: 5 },
    });
    assert.ok(
      spilled.log.some((l) => /spills to disk, in about \d+ chunks? of input order/.test(l)),
      spilled.log.join('\n'),
    );
    const chunks = Math.ceil(plain.report.inputs[0].rows / 900);
    assert.ok(
      spilled.log.some((l) => l === `Spilled run: chunk ${chunks} of ${chunks} done`),
      spilled.log.join('\n'),
    );
    // A 100 MB budget has no room for two scan threads (memory-plan.ts).
    assert.ok(spilled.log.some((l) => /the scan wrote its batches to disk on the engine thread/.test(l)));
    assertSameOutputs(path.join(dir, 'plain'), path.join(dir, 'spilled'));
    assert.deepEqual(counts(spilled.report), counts(plain.report));
    assert.deepEqual(spilled.report.warnings, plain.report.warnings);
    // Every step of every phase is counted on the heartbeats, in order.
    const expected = [
      ...Array.from({ length: 4 }, (_, i) => `deduplicate: dedup passes ${i}/3`),
      ...Array.from({ length: chunks + 1 }, (_, i) => `deduplicate: chunks ${i}/${chunks}`),
      ...Array.from({ length: 6 }, (_, i) => `write: merge ranges ${i}/5`),
    ];
    assert.deepEqual([...new Set(spilled.steps)], expected);
    assert.deepEqual(plain.steps, [], 'an in-memory run has no counted steps');
    assert.deepEqual(spillFolders(path.join(dir, 'spilled')), [], 'the spill folder is removed at the end');
  });

  test('newline-delimited input scanned by two threads in small batches gives the same outputs spilled', async () => {
    const dir = tmpDir();
    // Duplicates across the two threads' halves, malformed lines, trimmed ids, unknown and
    // non-US users: every rule whose rows the partitions and ranges must put back in order.
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const user = ['u1', ' u2 ', 'ca', 'ghost', `u${i % 40}`][i % 5];
      const ts = `2025-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:${String(i % 7).padStart(2, '0')}Z`;
      lines.push(JSON.stringify({ user_id: user, event_type: ['login', 'view'][i % 2], timestamp: ts, value: i % 3 }));
      if (i % 97 === 0) lines.push('{"user_id": "u1", broken');
      if (i % 89 === 0) lines.push(JSON.stringify({ user_id: '', timestamp: ts }));
    }
    const events = writeFile(dir, 'events.ndjson', lines.join('\n') + '\n');
    const userRows = ['user_id,signup_date,country', 'u1,2024-01-01,US', 'u2,2024-01-02,usa', 'ca,2024-01-03,Canada'];
    for (let u = 3; u < 40; u++)
      userRows.push(`u${u},2024-02-${String(1 + (u % 28)).padStart(2, '0')},${u % 4 ? 'US' : 'DE'}`);
    const users = writeFile(dir, 'users.csv', userRows.join('\n') + '\n');
    const scan = { workers: 2, parallelFrom: 1, batchRows: 256 };
    const plain = await runTo(path.join(dir, 'plain'), events, users, undefined, { scan });
    const spilled = await runTo(path.join(dir, 'spilled'), events, users, 100 * MB, {
      scan,
      spill: { chunkRows: 1000, dedupPasses: 2, dailyRanges: 3 },
    });
    assert.ok(spilled.log.some((l) => /spills to disk/.test(l)));
    // Each scan thread wrote its own batches (batch-spill.ts), and the chunks read them back in
    // file order, with a duplicate's first occurrence often in an earlier chunk.
    assert.ok(
      spilled.log.some((l) => /the scan wrote its batches to disk on two scan threads/.test(l)),
      spilled.log.join('\n'),
    );
    assert.ok(plain.report.stages.find((s) => s.name === 'deduplicate')!.dropped.duplicate! > 0);
    assertSameOutputs(path.join(dir, 'plain'), path.join(dir, 'spilled'));
    assert.deepEqual(counts(spilled.report), counts(plain.report));
    // The events file is hashed while the threads scan it (events-reader.ts): the whole file.
    assert.equal(spilled.report.inputs[0].sha256, sha256(events));
    assert.deepEqual(spillFolders(path.join(dir, 'spilled')), []);
  });

  test('cancelled while two scan threads spill: every thread has stopped before the spill folder goes', async () => {
    const dir = tmpDir();
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++)
      lines.push(
        JSON.stringify({
          user_id: `u${i % 50}`,
          event_type: 'view',
          timestamp: `2025-02-03T04:05:${String(i % 60).padStart(2, '0')}Z`,
          value: i,
        }),
      );
    const events = writeFile(dir, 'events.ndjson', lines.join('\n') + '\n');
    const users = writeFile(dir, 'users.csv', 'user_id,signup_date,country\nu1,2024-01-01,US\n');
    const out = path.join(dir, 'out');
    await runTo(out, events, users, undefined);
    const before = hashTree(out);
    const controller = new AbortController();
    let reads = 0;
    const err = await runPipeline(
      { eventsPath: events, usersPath: users, outDir: out, memoryLimit: 100 * MB },
      {
        // Small blocks and batches: the threads are writing spill files when the cancel comes.
        scan: { workers: 2, parallelFrom: 1, batchRows: 64, blockBytes: 16 << 10 },
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'bytes-read' && ++reads === 40) controller.abort();
        },
      },
    ).then(
      () => assert.fail('the run must be cancelled'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof EtlError && err.info.kind === 'cancelled', String(err));
    assert.ok(reads >= 40, 'cancelled during the scan');
    // A thread still writing when the folder was removed would leave the folder behind.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(spillFolders(out), [], 'the spill folder is removed');
    assert.deepEqual(hashTree(out), before, 'the earlier outputs are untouched');
  });

  test('cancelled between chunks, with the outputs half joined: no file left open or behind, earlier outputs untouched', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    await runTo(out, SAMPLE_EVENTS, SAMPLE_USERS, undefined);
    const before = hashTree(out);
    const controller = new AbortController();
    let lastChunkDone = 0;
    const err = await runPipeline(
      { eventsPath: SAMPLE_EVENTS, usersPath: SAMPLE_USERS, outDir: out, memoryLimit: 100 * MB },
      {
        scan: { batchRows: 300 },
        spill: { chunkRows: 997 },
        signal: controller.signal,
        onEvent: (e) => {
          // Two chunks' rows are in the staging folder's Parquet files, not yet finished.
          if (e.type !== 'heartbeat' || e.steps?.label !== 'chunks') return;
          lastChunkDone = Math.max(lastChunkDone, e.steps.done);
          if (e.steps.done === 2) controller.abort();
        },
      },
    ).then(
      () => assert.fail('the run must be cancelled'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof EtlError && err.info.kind === 'cancelled', String(err));
    assert.equal(lastChunkDone, 2, 'cancelled during the chunks, after the second');
    // An output file still open would keep its folder on Windows; here the descriptors show it.
    if (process.platform === 'linux') {
      const open = fs
        .readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return fs.readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => target.startsWith(out));
      assert.deepEqual(open, [], 'no file in the output folder is left open');
    }
    assert.deepEqual(hashTree(out), before, 'the earlier outputs, byte for byte; no staging or spill folder');
  });

  test("a crashed run's spill folder is removed by the next run; a live run's is left alone", async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    // No process has this id (Linux allows ids up to 2^22), so its run is gone.
    const crashed = path.join(out, '.etl-spill-4194999-abc123');
    fs.mkdirSync(crashed);
    fs.writeFileSync(path.join(crashed, 'batch-0.ipc'), Buffer.alloc(1000));
    const live = path.join(out, `.etl-spill-${process.ppid}-def456`);
    fs.mkdirSync(live);
    await runTo(out, SAMPLE_EVENTS, SAMPLE_USERS, undefined);
    assert.equal(fs.existsSync(crashed), false, "the dead run's folder is gone");
    assert.equal(fs.existsSync(live), true, 'a folder of a running process stays');
    assert.deepEqual(spillFolders(out), [path.basename(live)]);
  });

  test('not enough disk for the spill is a clear error before the run starts; earlier outputs stay', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    await runTo(out, SAMPLE_EVENTS, SAMPLE_USERS, undefined);
    const before = hashTree(out);
    const events: ProgressEvent[] = [];
    const err = await runPipeline(
      { eventsPath: SAMPLE_EVENTS, usersPath: SAMPLE_USERS, outDir: out, memoryLimit: 100 * MB },
      { spill: { freeBytes: async () => 5000 }, onEvent: (e) => events.push(e) },
    ).then(
      () => assert.fail('the run must fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof EtlError);
    assert.equal(err.info.kind, 'input');
    assert.equal(err.info.file, out);
    assert.match(err.message, /^Not enough free disk space in .+out for this run: it needs about [\d.]+ MB to spill/);
    assert.match(err.message, /Free some space, choose an output folder on a larger disk, or raise the memory limit/);
    assert.ok(!events.some((e) => e.type === 'bytes-read'), 'the scan never started');
    assert.deepEqual(hashTree(out), before, 'the earlier outputs are untouched');
    assert.deepEqual(
      fs.readdirSync(out).filter((n) => n.startsWith('.')),
      [],
      'no staging or spill folder is left',
    );
    assert.ok(fs.existsSync(path.join(out, OUTPUT_FILES.runReport)));
  });

  test('a bad users.csv in a spilled run, read while two scan threads spill: its error, the spill folder gone, earlier outputs untouched', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'out');
    await runTo(out, SAMPLE_EVENTS, SAMPLE_USERS, undefined);
    const before = hashTree(out);
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++)
      lines.push(JSON.stringify({ user_id: `u${i % 50}`, event_type: 'view', timestamp: '2025-01-02T10:00:00Z' }));
    const events = writeFile(dir, 'events.ndjson', lines.join('\n') + '\n');
    // No country column: the users file fails after the scan threads have started.
    const users = writeFile(dir, 'users.csv', 'user_id,signup_date\nu1,2024-01-01\n');
    const log: string[] = [];
    const err = await runPipeline(
      { eventsPath: events, usersPath: users, outDir: out, memoryLimit: 100 * MB },
      {
        scan: { workers: 2, parallelFrom: 1, batchRows: 256 },
        onEvent: (e) => e.type === 'log' && log.push(e.message),
      },
    ).then(
      () => assert.fail('the run must fail'),
      (e: unknown) => e,
    );
    assert.ok(
      log.some((l) => /spills to disk/.test(l)),
      log.join('\n'),
    );
    assert.ok(err instanceof EtlError);
    assert.equal(err.info.kind, 'input');
    assert.equal(err.info.file, users);
    assert.match(err.message, /country/);
    assert.deepEqual(hashTree(out), before, 'the earlier outputs are untouched');
    assert.deepEqual(
      fs.readdirSync(out).filter((n) => n.startsWith('.')),
      [],
      'no staging or spill folder is left',
    );
  });

  test('an events file that fits the budget does not spill', async () => {
    const dir = tmpDir();
    const events = writeFile(dir, 'e.ndjson', ndjson([{ user_id: 'u1', timestamp: '2025-01-01T00:00:00Z' }]));
    const users = writeFile(dir, 'u.csv', 'user_id,signup_date,country\nu1,2024-01-01,US\n');
    const r = await runTo(path.join(dir, 'out'), events, users, 400 * MB);
    assert.ok(!r.log.some((l) => /spill/.test(l)), r.log.join('\n'));
    // The same budget, most of it held by another process of the run (a waiting launcher): it spills.
    const shared = await runTo(path.join(dir, 'out2'), events, users, 400 * MB, { memoryElsewhere: 300 * MB });
    assert.ok(
      shared.log.some((l) => /Memory limit 400 MB: the run spills to disk/.test(l)),
      shared.log.join('\n'),
    );
  });
});
