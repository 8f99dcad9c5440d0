/**
 * The memory plan decides, before the scan, whether a run fits its budget and, if not, into how
 * many partitions and how large merge ranges it spills. A plan that is too coarse breaks the
 * budget; one that spills a run that fits makes it slower for nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENGINE_BASE_BYTES, mergeRangeRows, planMemory, runWillSpill } from '../../electron/engine/memory-plan';

const GB = 1e9;

test('a file whose in-memory run fits the budget is not spilled', () => {
  assert.equal(planMemory(100e6, 1 * GB), null);
  // The same file under a budget that cannot hold it, with the engine's own share, spills.
  assert.notEqual(planMemory(100e6, 200e6), null);
});

test('the partitions are the fewest whose data each fits its share of the budget', () => {
  for (const [fileBytes, limit] of [
    [3.1 * GB, 1 * GB],
    [7.7 * GB, 1.5 * GB],
    [299e6, 400e6],
  ]) {
    const plan = planMemory(fileBytes, limit)!;
    const dataBudget = limit - ENGINE_BASE_BYTES;
    const perPartition = (n: number) => (fileBytes * 1.35) / n;
    assert.ok(perPartition(plan.partitions) <= 0.3 * dataBudget, `${fileBytes}: a partition fits`);
    if (plan.partitions > 2) assert.ok(perPartition(plan.partitions - 1) > 0.3 * dataBudget, `${fileBytes}: fewest`);
  }
});

test('a merge range holds half the data of a partition, counted in rows once the scan is done', () => {
  const fileBytes = 3.1 * GB;
  const rows = 20_000_000;
  const plan = planMemory(fileBytes, 1 * GB)!;
  const rangeRows = mergeRangeRows(plan, rows, fileBytes);
  const rangeData = (rangeRows * fileBytes * 1.35) / rows;
  const partitionShare = 0.3 * (1 * GB - ENGINE_BASE_BYTES);
  assert.ok(Math.abs(rangeData - partitionShare / 2) <= (fileBytes * 1.35) / rows, `range data ${rangeData}`);
  // An empty file (no rows, no bytes) is one range, not a division by zero.
  assert.ok(mergeRangeRows(plan, 0, 0) >= 1);
});

test('the disk the spill needs is 2.5 times the events file; tests can force the partitions', () => {
  assert.equal(planMemory(2 * GB, 1 * GB)!.diskBytes, 5 * GB);
  assert.equal(planMemory(2 * GB, 1 * GB, { partitions: 7 })!.partitions, 7);
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
