/**
 * An input that goes away while the run reads it gets an input error naming that input, never a
 * write error about the output folder (docs/rules.md "Errors"): the failure is classified where
 * the read fails, in the thread that reads.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { EtlError } from '../../electron/engine/errors';
import { readEvents } from '../../electron/engine/events-reader';

function eventsFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-gone-'));
  const file = path.join(dir, 'raw_events.ndjson');
  fs.writeFileSync(file, '{"user_id":"u1","timestamp":"2025-01-01T00:00:00Z"}\n'.repeat(200));
  return { dir, file };
}

function assertNamesTheInput(err: unknown, file: string): true {
  assert.ok(err instanceof EtlError, String(err));
  assert.equal(err.info.kind, 'input');
  assert.equal(err.info.file, file);
  assert.match(
    err.message,
    /^Cannot read the events file .*raw_events\.ndjson any more \(ENOENT\): was it moved, deleted/,
  );
  assert.doesNotMatch(err.message, /write|output/i);
  return true;
}

test('the events file deleted after its head was read, before the scan opens it', async () => {
  const { dir, file } = eventsFile();
  try {
    // onStarted runs after the reader's first open and before the scan opens the file again.
    const reading = readEvents(file, { workers: 1, onBatch: () => {}, onStarted: () => fs.unlinkSync(file) });
    await assert.rejects(reading, (err) => assertNamesTheInput(err, file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
