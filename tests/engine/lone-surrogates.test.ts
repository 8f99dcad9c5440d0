/**
 * Text that UTF-8 cannot hold: a JSON string may escape a lone UTF-16 surrogate (`"a\ud800"`).
 * Parquet gets U+FFFD for it, so `"a\ud800"` and `"a\udbff"` look alike in the outputs; the
 * rules (docs/rules.md "Text that UTF-8 cannot hold") still keep such events apart when
 * deduplicating, count them in the `lossy_text` warning, and do so the same way spilled or not
 * and whichever hash the keys get.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { readEvents } from '../../electron/engine/events-reader';
import { runPipeline } from '../../electron/engine/pipeline';
import { lostKeysOf, markDuplicates, splitBatch } from '../../electron/engine/stages';
import { ndjson, readRows, run, tmpDir, usersCsv, warning, writeFile } from './helpers';

const TS = '2024-03-01T10:00:00Z';
const event = (user_id: string, event_type: string, device = 'web') => ({
  user_id,
  event_type,
  timestamp: TS,
  value: 1,
  metadata: { device, page: 'home' },
});

/** Each with the event (0-based) it duplicates, or null. */
const CASES: [Record<string, unknown>, number | null][] = [
  [event('a\ud800', 'x'), null],
  [event('a\udbff', 'x'), null], // looks like event 0 once written, but is not the same id
  [event('a\udbff', 'x'), 1], // the same id as read: a duplicate of event 1
  [event('u1', 'y\udc00'), null],
  [event('u1', 'y\udc01'), null],
  [event('u1', 'y\ufffd'), null], // a real U+FFFD: not the same as either lone surrogate
  [event('u1', 'z', 'd\ud800'), null], // lossy metadata: counted, not part of the key
  [event('u1', 'z', 'd\udbff'), 6], // metadata is not in the key, so this is a duplicate of 6
];
const USERS = usersCsv([
  ['a\ufffd', '2023-01-01', 'US'],
  ['u1', '2023-01-01', 'US'],
]);
/** A value holding a lone surrogate anywhere (with the u flag a pair is one code point, not Cs). */
const hasLone = (v: unknown): boolean =>
  typeof v === 'string' ? /\p{Cs}/u.test(v) : typeof v === 'object' && v !== null && Object.values(v).some(hasLone);
/** Events with a lone surrogate in any field. */
const LOSSY = CASES.filter(([e]) => hasLone(e)).length;

const expectedDuplicates = CASES.flatMap(([, of], i) => (of === null ? [] : [[i + 1, of + 1]]));

function checkRun(r: Awaited<ReturnType<typeof run>>): void {
  const duplicates = r.dropped.map((d) => [Number(d.source_row), Number(d.duplicate_of)]);
  assert.deepEqual(duplicates, expectedDuplicates);
  assert.equal(r.clean.length, CASES.length - expectedDuplicates.length);
  // Written as U+FFFD: the two distinct ids read back alike.
  assert.deepEqual(
    r.clean.filter((c) => String(c.user_id).startsWith('a')).map((c) => c.user_id),
    ['a\ufffd', 'a\ufffd'],
  );
  assert.equal(warning(r, 'lossy_text'), LOSSY);
  assert.match(r.log, new RegExp(` - WARNING - ${LOSSY} events hold text that UTF-8 cannot store .*U\\+FFFD`));
}

describe('lone surrogate escapes', () => {
  test('the fixture holds escaped lone surrogates (JSON.stringify writes them as \\u escapes)', () => {
    assert.match(ndjson(CASES.map(([e]) => e)), /"a\\ud800"/);
    assert.equal(LOSSY, 7);
  });

  test('newline-delimited: distinct ids are not merged, equal ones are, and all are counted', async () => {
    checkRun(await run(ndjson(CASES.map(([e]) => e)), { eventsName: 'events.ndjson', users: USERS }));
  });

  test('a JSON array: the same', async () => {
    checkRun(
      await run(
        CASES.map(([e]) => e),
        { users: USERS },
      ),
    );
  });

  test('a spilled run gives the same outputs', async () => {
    const dir = tmpDir();
    const eventsPath = writeFile(dir, 'events.ndjson', ndjson(CASES.map(([e]) => e)));
    const usersPath = writeFile(dir, 'users.csv', USERS);
    const outputs = async (name: string, memoryLimit?: number) => {
      const outDir = path.join(dir, name);
      const report = await runPipeline(
        { eventsPath, usersPath, outDir, memoryLimit },
        memoryLimit ? { scan: { batchRows: 2 }, spill: { chunkRows: 2, dedupPasses: 2, dailyRanges: 2 } } : {},
      );
      return { report, dropped: readRows(path.join(outDir, 'dropped_rows.parquet')) };
    };
    const plain = await outputs('plain');
    const spilled = await outputs('spilled', 100e6);
    assert.deepEqual(
      spilled.dropped.map((d) => [Number(d.source_row), Number(d.duplicate_of)]),
      expectedDuplicates,
    );
    assert.deepEqual(spilled.dropped, plain.dropped);
    assert.deepEqual(spilled.report.warnings, plain.report.warnings);
  });

  test('markDuplicates keeps lost keys apart, whether the hashes tell them apart or all collide', async () => {
    // A batch as the reader makes it (key_hash included): rows 1-3 look alike once written; 1
    // and 3 held the same lone surrogate, 2 another.
    const file = writeFile(
      tmpDir(),
      'events.ndjson',
      ndjson([event('a\ud800', 'x'), event('a\udbff', 'x'), event('a\ud800', 'x')]),
    );
    const frames: pl.DataFrame[] = [];
    await readEvents(file, { workers: 1, onBatch: (ipc) => frames.push(pl.readIPCStream(Buffer.from(ipc))) });
    const { events, asRead } = splitBatch(pl.concat(frames, { how: 'vertical' }));
    assert.deepEqual(events.getColumn('user_id').toArray(), ['a\ufffd', 'a\ufffd', 'a\ufffd']);
    const lostKeys = lostKeysOf([asRead]);
    assert.equal(lostKeys?.height, 3);
    for (const keyHash of [undefined, pl.lit(42).cast(pl.UInt64)]) {
      const result = await markDuplicates([events], lostKeys, keyHash);
      const df = result.batches[0];
      const label = keyHash ? 'every hash collides' : 'hashed by the reader';
      assert.deepEqual(df.getColumn('reason').toArray(), [0, 0, 4], label);
      assert.equal(Number(df.getColumn('first_row').toArray()[2]), 1, label);
      assert.equal(result.duplicates, 1, label);
    }
  });
});
