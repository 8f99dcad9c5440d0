/**
 * The memory plan decides, before the scan, whether a run fits its budget and, if not, how
 * large a spilled run's chunks of input order, dedup passes and daily ranges are. A plan that
 * is too coarse breaks the budget; one that spills a run that fits makes it slower for nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENGINE_BASE_BYTES, planMemory, runWillSpill, spillSteps } from '../../electron/engine/memory-plan';

const GB = 1e9;

test('a file whose in-memory run fits the budget is not spilled', () => {
  assert.equal(planMemory(100e6, 1 * GB), null);
  // The same file under a budget that cannot hold it, with the engine's own share, spills.
  assert.notEqual(planMemory(100e6, 200e6), null);
});

const CASES = [
  // 50,000,000 events under 1.5GB, 20,000,000 under 1GB, 2,000,000 under 400MB (the bench and
  // the checks), each as the launcher leaves the budget.
  { fileBytes: 7.7 * GB, rows: 50_000_000, kept: 48_000_000, limit: 1.5 * GB - 105e6 },
  { fileBytes: 3.1 * GB, rows: 20_000_000, kept: 19_200_000, limit: 1 * GB - 105e6 },
  { fileBytes: 299e6, rows: 2_000_000, kept: 1_920_000, limit: 400e6 - 105e6 },
];

for (const { fileBytes, rows, kept, limit } of CASES)
  test(`${rows} events under ${limit / 1e6} MB: each step's data fits its share of the budget, in the fewest steps`, () => {
    const plan = planMemory(fileBytes, limit)!;
    // Two chunks take 0.4 of the data budget (the limit less the engine's share), a dedup pass
    // 0.5 (nothing else is held then), a daily range 0.3.
    const chunkShare = 0.4 * (limit - ENGINE_BASE_BYTES);
    const dedupShare = 0.5 * (limit - ENGINE_BASE_BYTES);
    const dailyShare = 0.3 * (limit - ENGINE_BASE_BYTES);
    const steps = spillSteps(plan, rows, kept, fileBytes);
    // A chunk holds its rows as an in-memory run would: 1.35 times their share of the file;
    // two chunks are held at once (one finished while the next is read).
    const chunkData = (n: number) => (2 * n * fileBytes * 1.35) / rows;
    assert.ok(chunkData(steps.chunkRows) <= chunkShare, 'two chunks fit');
    assert.ok(chunkData(steps.chunkRows + 1) > chunkShare, 'the largest chunks that fit');
    assert.ok(Math.abs(plan.chunks - rows / steps.chunkRows) <= 1, 'the plan foresaw the chunks');
    // A dedup pass holds 24 bytes per kept row of its share (measured 16.5), a daily range 80.
    for (const [n, perRow, share] of [
      [steps.dedupPasses, 24, dedupShare],
      [steps.dailyRanges, 80, dailyShare],
    ]) {
      assert.ok((kept * perRow) / n <= share, `${perRow} B a row: fits`);
      if (n > 1) assert.ok((kept * perRow) / (n - 1) > share, `${perRow} B a row: fewest`);
    }
  });

test('an empty file is one step of each kind, not a division by zero', () => {
  const plan = planMemory(1e9, 300e6)!;
  assert.deepEqual(spillSteps(plan, 0, 0, 0), {
    chunkRows: Math.floor(plan.chunkBytes),
    dailyRanges: 1,
    dedupPasses: 1,
  });
});

test('the disk the spill needs is 2.5 times the events file; tests can force the steps', () => {
  assert.equal(planMemory(2 * GB, 1 * GB)!.diskBytes, 5 * GB);
  const forced = { chunkRows: 7, dailyRanges: 3, dedupPasses: 2 };
  assert.deepEqual(spillSteps(planMemory(2 * GB, 1 * GB)!, 1000, 900, 2 * GB, forced), forced);
});

test('runWillSpill: by the file on disk; false for a missing file or a limit below the minimum', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memory-plan-'));
  try {
    const file = join(dir, 'raw_events.json');
    writeFileSync(file, Buffer.alloc(1_000_000, 32));
    assert.equal(runWillSpill(file, 1 * GB), false);
    assert.equal(runWillSpill(file, 1 * GB, 1 * GB - ENGINE_BASE_BYTES - 1e6), true, 'others hold the rest');
    assert.equal(runWillSpill(join(dir, 'missing.json'), 100e6), false);
    assert.equal(runWillSpill(file, 1e6), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a spilled run scans on two threads only when its budget has room for their batches', () => {
  // 20,000,000 events under 1GB, as the launcher leaves it: two threads, each spilling its own.
  assert.equal(planMemory(3.1 * GB, 1 * GB - 105e6)!.scanThreads, 2);
  // 2,000,000 events under 400MB: one scan, on the engine thread.
  assert.equal(planMemory(299e6, 400e6 - 105e6)!.scanThreads, 1);
  // The edge: a data budget (the limit less the engine's own share) of 400 MB.
  assert.equal(planMemory(3.1 * GB, ENGINE_BASE_BYTES + 400e6)!.scanThreads, 2);
  assert.equal(planMemory(3.1 * GB, ENGINE_BASE_BYTES + 399e6)!.scanThreads, 1);
});

test('a scan batch, the smallest chunk there is, holds no more than a planned chunk of typical events', () => {
  // A typical NDJSON event: 155 bytes (the generator's), 1.35 times that in memory.
  const chunkRowsOf = (plan: NonNullable<ReturnType<typeof planMemory>>) => plan.chunkBytes / (1.35 * 155);
  // 50,000,000 events under 1.5GB and 20,000,000 under 1GB: the full 131,072 rows.
  for (const [file, limit] of [
    [7.8 * GB, 1.5 * GB - 105e6],
    [3.1 * GB, 1 * GB - 105e6],
  ]) {
    const plan = planMemory(file, limit)!;
    assert.equal(plan.batchRows, 131_072);
    assert.ok(plan.batchRows <= chunkRowsOf(plan));
  }
  // 2,000,000 events under 400MB, as the launcher leaves it: chunks of about 43,000 rows, and
  // batches of 32,768 rows instead of 131,072.
  const small = planMemory(299e6, 400e6 - 105e6)!;
  assert.ok(small.batchRows <= chunkRowsOf(small), `${chunkRowsOf(small)} rows`);
  assert.equal(small.batchRows, 32_768);
  // Between: the largest power of two that fits a chunk.
  const mid = planMemory(1 * GB, 450e6)!;
  assert.ok(mid.batchRows <= chunkRowsOf(mid) && 2 * mid.batchRows > chunkRowsOf(mid), `${mid.batchRows} rows`);
  // Never below 32,768 rows, however small the budget.
  assert.equal(planMemory(1 * GB, 100e6)!.batchRows, 32_768);
});
