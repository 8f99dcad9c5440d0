/**
 * The engine runs the scan worker its caller names (a packaged app ships it outside its archive,
 * and only the shell knows where): it never guesses the packaged layout itself.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readEvents } from '../../electron/engine/events-reader';

test('readEvents starts its scan threads from the given script', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-script-'));
  try {
    const file = path.join(dir, 'raw_events.ndjson');
    fs.writeFileSync(file, '{"user_id":"u1","timestamp":"2025-01-01T00:00:00Z"}\n'.repeat(1000));
    // A stand-in that tells the engine thread it failed: the reader then scans on its own thread.
    const script = path.join(dir, 'stand-in-worker.js');
    fs.writeFileSync(
      script,
      `require('node:worker_threads').parentPort.postMessage({ type: 'error', message: 'stand-in ran' });`,
    );
    let discarded = 0;
    let batches = 0;
    const read = await readEvents(file, {
      workers: 2,
      parallelFrom: 1,
      workerScript: script,
      onBatch: () => batches++,
      onDiscard: () => discarded++,
    });
    assert.equal(discarded, 1, 'the stand-in ran, failed, and its scan was abandoned');
    assert.equal(read.tally.rows, 1000);
    assert.ok(batches > 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
