/**
 * NDJSON files of 16 MiB and more are scanned by two threads, split near the middle (and a JSON
 * array whose guessed split falls inside an element goes back to one pass). The rules know
 * nothing of this: source_row, deduplication across the split, error positions and
 * cancellation must be exactly what a single pass gives.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { EtlError } from '../../electron/engine/errors';
import { readEvents } from '../../electron/engine/events-reader';
import { runPipeline } from '../../electron/engine/pipeline';
import { A, B, C, PAD, SIZE, rows } from './parallel-fixtures';
import { DEFAULT_USERS, hashTree, tmpDir, writeFile } from './helpers';

/** A filler event of an unknown user (its event_type names i, so it is never a duplicate). */
const filler = (i: number) =>
  `{"user_id":"nobody","event_type":"f${i}","timestamp":"2025-01-15T10:00:00Z","pad":"${PAD}"}`;

describe('NDJSON over 16 MiB', () => {
  test('blank and malformed lines in the first half keep line numbers right in the second', async () => {
    const dir = tmpDir();
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const lines: string[] = [A, '', '   ', 'garbage'];
    let size = 0;
    let i = 5;
    while (size < SIZE) {
      const l = filler(i++);
      lines.push(l);
      size += l.length + 1;
    }
    const n = lines.length;
    lines.push('\t', C, '{"broken":', B, B);
    const text = '\ufeff' + lines.join('\r\n') + '\r\n';
    const events = writeFile(dir, 'raw_events.ndjson', text);
    const report = await runPipeline({ eventsPath: events, usersPath: users, outDir: path.join(dir, 'out') });
    assert.equal(report.inputs[0].format, 'ndjson');
    // Non-blank lines: all but lines 2, 3 and n+1.
    assert.equal(report.stages[0].rows_in, n + 5 - 3);
    assert.deepEqual(rows(path.join(dir, 'out', 'clean_events.parquet'), ['user_id', 'event_type']), [
      { user_id: 'u1', event_type: 'a' },
      { user_id: 'u1', event_type: 'c' },
      { user_id: 'u2', event_type: 'b' },
    ]);
    const notUnknown = rows(path.join(dir, 'out', 'dropped_rows.parquet'), [
      'source_row',
      'drop_reason',
      'duplicate_of',
      'raw',
    ]).filter((r) => r.drop_reason !== 'unknown_user');
    assert.deepEqual(notUnknown, [
      { source_row: 4, drop_reason: 'malformed_record', duplicate_of: null, raw: 'garbage' },
      { source_row: n + 3, drop_reason: 'malformed_record', duplicate_of: null, raw: '{"broken":' },
      { source_row: n + 5, drop_reason: 'duplicate', duplicate_of: n + 4, raw: null },
    ]);
    const unk = pl
      .readParquet(path.join(dir, 'out', 'dropped_rows.parquet'))
      .filter(pl.col('drop_reason').eq(pl.lit('unknown_user')));
    const src = unk.getColumn('source_row').toArray().map(Number);
    const types = unk.getColumn('event_type').toArray() as string[];
    for (let k = 0; k < src.length; k++)
      if (types[k] !== `f${src[k]}`) assert.fail(`source_row ${src[k]} holds ${types[k]}`);
  });

  test('a cancel that came before the scan threads start stops them before they read anything', async () => {
    const dir = tmpDir();
    const lines: string[] = [];
    for (let size = 0, i = 0; size < SIZE; i++) {
      lines.push(filler(i));
      size += lines[i].length + 1;
    }
    const events = writeFile(dir, 'raw_events.ndjson', lines.join('\n') + '\n');
    const controller = new AbortController();
    controller.abort();
    let batches = 0;
    const err = await readEvents(events, { signal: controller.signal, onBatch: () => batches++ }).then(
      () => assert.fail('the read should be cancelled'),
      (e: EtlError) => e,
    );
    assert.equal(err.info.kind, 'cancelled');
    assert.equal(batches, 0);
  });

  test('cancelling while both halves are scanned rejects as cancelled and keeps the earlier outputs', async () => {
    const dir = tmpDir();
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const outDir = path.join(dir, 'out');
    const good = writeFile(dir, 'good.json', JSON.stringify([JSON.parse(A)]));
    await runPipeline({ eventsPath: good, usersPath: users, outDir });
    const before = hashTree(outDir);
    const lines: string[] = [];
    for (let i = 0, size = 0; size < SIZE; i++) {
      const l = filler(i);
      lines.push(l);
      size += l.length + 1;
    }
    const events = writeFile(dir, 'big.ndjson', lines.join('\n') + '\n');
    const controller = new AbortController();
    let err: unknown;
    try {
      await runPipeline(
        { eventsPath: events, usersPath: users, outDir },
        {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'bytes-read' && !controller.signal.aborted) controller.abort();
          },
        },
      );
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof EtlError, String(err));
    assert.equal(err.info.kind, 'cancelled');
    assert.deepEqual(hashTree(outDir), before);
  });
});

/** Filler users cycle: unknown, US, Canadian, US. */
const CYCLE = ['nobody', 'u1', 'ca', 'u2'];

describe('a JSON array split point that lands inside an element', () => {
  test('gives the same rows as one pass (the split is abandoned, nothing is counted twice)', async () => {
    const dir = tmpDir();
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    // Everything on one line except one element in the middle, whose nested array of objects
    // spans lines that look like element boundaries (",\n{").
    const before = [...Array(300).keys()].map(
      (i) => `{"user_id":"${CYCLE[i % 4]}","event_type":"f${i + 1}","timestamp":"2025-01-15T10:00:00Z"}`,
    );
    // ~6 KB of nested lines: the middle of the file falls well inside this element.
    const nested = [...Array(200).keys()].map((k) => `{"user_id":"nobody","k":${k}}`).join(',\n');
    const tricky = `{"user_id":"u1","event_type":"tricky","timestamp":"2025-01-15T10:00:00Z","extra":[\n${nested}\n]}`;
    const after = [...Array(300).keys()].map(
      (i) => `{"user_id":"${CYCLE[(i + 301) % 4]}","event_type":"f${i + 302}","timestamp":"2025-01-15T10:00:00Z"}`,
    );
    const text = '[' + before.join(',') + ',' + tricky + ',' + after.join(',') + ']';
    const events = writeFile(dir, 'events.json', text);
    const mid = Math.floor(Buffer.byteLength(text) / 2);
    assert.ok(
      mid > text.indexOf('"extra":[') + 100 && mid < text.indexOf('\n]}') - 100,
      'the middle is inside the nested lines',
    );
    const one = await runPipeline(
      { eventsPath: events, usersPath: users, outDir: path.join(dir, 'one') },
      { scan: { workers: 1 } },
    );
    const two = await runPipeline(
      { eventsPath: events, usersPath: users, outDir: path.join(dir, 'two') },
      { scan: { parallelFrom: 1, batchRows: 16 } },
    );
    assert.equal(one.inputs[0].rows, 601);
    assert.deepEqual(
      two.stages.map((s) => [s.rows_in, s.rows_out]),
      one.stages.map((s) => [s.rows_in, s.rows_out]),
    );
    for (const name of ['clean_events.parquet', 'daily_summary.parquet', 'dropped_rows.parquet']) {
      const a = pl.readParquet(path.join(dir, 'one', name));
      const b = pl.readParquet(path.join(dir, 'two', name));
      assert.ok(a.frameEqual(b, true), `${name} differs between one and two threads`);
    }
    const types = pl
      .readParquet(path.join(dir, 'two', 'clean_events.parquet'))
      .getColumn('event_type')
      .toArray();
    assert.ok(types.includes('tricky'));
    assert.equal(types.length, new Set(types).size, 'no row twice');
  });
});
