/**
 * The reader's key_hash (key-hash.ts): stage 3 only looks for duplicates among rows of equal
 * hash, so equal keys must get equal hashes wherever the rows are (any batch, however the key
 * was written), while keys that differ should not share one (a shared hash is only checked
 * more slowly, never wrong: dedup-hash.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pl from 'nodejs-polars';
import { readEvents } from '../../electron/engine/events-reader';
import { ndjson, tmpDir, writeFile } from './helpers';

const TS = '2025-01-15T10:00:00Z';
const event = (user_id: unknown, event_type: unknown, value: unknown, timestamp: unknown = TS) => ({
  user_id,
  event_type,
  timestamp,
  value,
  metadata: { device: 'web', page: 'home' },
});

/** Each line's key_hash, as the reader gives them in batches of two rows. */
async function hashes(lines: string): Promise<bigint[]> {
  const file = writeFile(tmpDir(), 'events.ndjson', lines);
  const frames: pl.DataFrame[] = [];
  await readEvents(file, {
    workers: 1,
    batchRows: 2,
    onBatch: (ipc) => frames.push(pl.readIPCStream(Buffer.from(ipc))),
  });
  assert.ok(frames.length > 1, 'several batches');
  const all = pl.concat(frames, { how: 'vertical' });
  return [...(all.getColumn('key_hash').toTypedArray() as BigUint64Array)];
}

test('equal keys get equal hashes in any batch, however they were written', async () => {
  const lines = [
    ndjson([event('u1', 'login', 3)]),
    // Other event types first, so that login has another place in this batch's dictionary.
    ndjson([event('u9', 'view', 1), event('u8', 'click', 1)]),
    // Escapes, a decimal string, trailing zeros, an exponent and -0 for 0 are the same values.
    '{"user_id":"\\u0075\\u0031","event_type":"log\\u0069n","timestamp":"2025-01-15T10:00:00Z","value":"3.00"}\n',
    ndjson([event('u1', 'login', 0.3e1)]),
    // (JSON.stringify writes -0 as 0: the line is spelled out.)
    `{"user_id":"u2","event_type":"login","timestamp":"${TS}","value":-0.0}\n`,
    ndjson([event('u2', 'login', 0), event(' u2 ', 'login', '0')]),
  ].join('');
  const h = await hashes(lines);
  const u1 = [h[0], h[3], h[4]];
  assert.deepEqual(new Set(u1).size, 1, 'u1/login/3 written four ways');
  // The metadata is not part of the key; a padded id is trimmed before it is hashed.
  assert.deepEqual(new Set([h[5], h[6], h[7]]).size, 1, 'u2/login/0, -0 and "0"');
  assert.notEqual(h[0], h[5]);
});

test('keys that differ in any field, or only in where one field ends, get different hashes', async () => {
  const keys = [
    event('u1', 'login', 3),
    event('u1', 'login', 4),
    event('u1', 'login', null),
    event('u1', 'login', 0),
    event('u1', 'logout', 3),
    event('u1', null, 3),
    event('u1', '', 3),
    event('u2', 'login', 3),
    event('u1', 'login', 3, '2025-01-15T10:00:01Z'),
    event('u1', 'login', 3, '2025-01-15T10:00:00+00:00'),
    // The same bytes split differently between user_id and event_type.
    event('ab', 'c', 1),
    event('a', 'bc', 1),
    event('abcd', 'efgh', 1),
    event('abcde', 'fgh', 1),
  ];
  const h = await hashes(ndjson(keys));
  assert.equal(new Set(h).size, keys.length, h.join(' '));
});
