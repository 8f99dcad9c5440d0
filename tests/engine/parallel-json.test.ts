/**
 * JSON arrays of 16 MiB and more are scanned by two threads, split near the middle. The rules
 * knows nothing of this: source_row, deduplication across the split, error positions and
 * cancellation must be exactly what a single pass gives.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { EtlError } from '../../electron/engine/errors';
import { runPipeline } from '../../electron/engine/pipeline';
import { A, B, C, PAD, elements as elementsOf, rows } from './parallel-fixtures';
import { DEFAULT_USERS, hashTree, tmpDir, writeFile } from './helpers';

/** Filler users cycle: unknown, US, Canadian, US. */
const CYCLE = ['nobody', 'u1', 'ca', 'u2'];
const REASON: Record<string, string | null> = { nobody: 'unknown_user', u1: null, ca: 'non_us_user', u2: null };
/** A filler event at 1-based position i (its event_type names i, so it is never a duplicate). */
const filler = (i: number) =>
  `{"user_id":"${CYCLE[i % 4]}","event_type":"f${i}","timestamp":"2025-01-15T10:00:00Z","pad":"${PAD}"}`;

const elements = (special: Map<number, string>) => elementsOf(filler, special);

describe('a JSON array over 16 MiB', () => {
  test('source_row, duplicates across the middle, order and counts are those of one pass', async () => {
    const dir = tmpDir();
    const n = elements(new Map()).length;
    const mid = Math.floor(n / 2);
    const special = new Map<number, string>([
      [1, A],
      [mid - 40, B],
      [mid + 40, B], // duplicate of mid - 40, on the other side of the split
      [mid + 41, A], // duplicate of 1
      [n - 1, '"not an object"'],
      [n, C],
    ]);
    const els = elements(special);
    const text = '[\n' + els.join(',\n') + '\n]\n';
    const events = writeFile(dir, 'raw_events.json', text);
    assert.ok(fs.statSync(events).size >= 16 * 1024 * 1024);
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const outDir = path.join(dir, 'out');
    const report = await runPipeline({ eventsPath: events, usersPath: users, outDir });

    // What each filler position should give, from the cycle.
    const expect = { unknown_user: 0, non_us_user: 0, clean: [] as number[] };
    for (let i = 1; i <= n; i++) {
      if (special.has(i)) continue;
      const r = REASON[CYCLE[i % 4]];
      if (r === 'unknown_user') expect.unknown_user++;
      else if (r === 'non_us_user') expect.non_us_user++;
      else expect.clean.push(i);
    }
    assert.equal(report.inputs[0].format, 'json');
    assert.equal(report.inputs[0].rows, n);
    const afterDedup = n - 1 - 2;
    assert.deepEqual(
      report.stages.map((s) => [s.name, s.rows_in, s.rows_out]),
      [
        ['extract', n, n],
        ['clean_user_id', n, n - 1],
        ['clean_timestamp', n - 1, n - 1],
        ['deduplicate', n - 1, afterDedup],
        ['join_users', afterDedup, afterDedup - expect.unknown_user],
        ['filter_us', afterDedup - expect.unknown_user, afterDedup - expect.unknown_user - expect.non_us_user],
      ],
    );
    // Clean rows: every US filler and A, B, C, in input order.
    const clean = pl.readParquet(path.join(outDir, 'clean_events.parquet'));
    const types = clean.getColumn('event_type').toArray() as string[];
    const order = [1, ...expect.clean, mid - 40, n].sort((a, b) => a - b);
    const name = (i: number) => (i === 1 ? 'a' : i === mid - 40 ? 'b' : i === n ? 'c' : `f${i}`);
    assert.equal(types.length, order.length);
    for (let k = 0; k < order.length; k++)
      if (types[k] !== name(order[k])) assert.fail(`clean row ${k}: ${types[k]}, expected ${name(order[k])}`);
    assert.deepEqual(
      rows(path.join(outDir, 'clean_events.parquet'), ['user_id', 'event_type', 'device']).filter(
        (r) => !String(r.event_type).startsWith('f'),
      ),
      [
        { user_id: 'u1', event_type: 'a', device: null },
        { user_id: 'u2', event_type: 'b', device: 'd' },
        { user_id: 'u1', event_type: 'c', device: null },
      ],
    );
    // Dropped rows: in input order, each filler's event_type f<i> at source_row i.
    const dropped = pl.readParquet(path.join(outDir, 'dropped_rows.parquet'));
    const notFiller = rows(path.join(outDir, 'dropped_rows.parquet'), [
      'source_row',
      'drop_reason',
      'duplicate_of',
      'event_type',
    ]).filter((r) => !String(r.event_type).startsWith('f'));
    assert.deepEqual(notFiller, [
      { source_row: mid + 40, drop_reason: 'duplicate', duplicate_of: mid - 40, event_type: 'b' },
      { source_row: mid + 41, drop_reason: 'duplicate', duplicate_of: 1, event_type: 'a' },
      { source_row: n - 1, drop_reason: 'missing_user_id', duplicate_of: null, event_type: null },
    ]);
    const src = dropped.getColumn('source_row').toArray().map(Number);
    assert.equal(src.length, expect.unknown_user + expect.non_us_user + notFiller.length);
    const dtypes = dropped.getColumn('event_type').toArray() as (string | null)[];
    const reasons = dropped.getColumn('drop_reason').toArray() as string[];
    for (let k = 0; k < src.length; k++) {
      if (k > 0 && src[k] <= src[k - 1]) assert.fail(`dropped rows not in input order at ${k}`);
      const t = dtypes[k];
      if (t && t.startsWith('f')) {
        if (t !== `f${src[k]}`) assert.fail(`source_row ${src[k]} holds ${t}`);
        if (reasons[k] !== REASON[CYCLE[src[k] % 4]]) assert.fail(`source_row ${src[k]}: ${reasons[k]}`);
      }
    }
  });

  test('an error in the second half names the file-wide line and byte offset; earlier outputs stay', async () => {
    const dir = tmpDir();
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const outDir = path.join(dir, 'out');
    const good = writeFile(dir, 'good.json', JSON.stringify([JSON.parse(A)]));
    await runPipeline({ eventsPath: good, usersPath: users, outDir });
    const before = hashTree(outDir);

    const probe = elements(new Map());
    const n = probe.length;
    const badAt = n - 10; // element n-10 is on line n-10+1 (line 1 is "[")
    const els = elements(new Map([[badAt, '{"user_id":"u1","value":tru}']]));
    const text = '[\n' + els.join(',\n') + '\n]\n';
    const events = writeFile(dir, 'raw_events.json', text);
    const offset = Buffer.byteLength(text.slice(0, text.indexOf('tru}')));
    let err: unknown;
    try {
      await runPipeline({ eventsPath: events, usersPath: users, outDir });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof EtlError, String(err));
    assert.equal(err.info.kind, 'input');
    assert.ok(err.message.includes('raw_events.json'), err.message);
    assert.equal(err.info.line, badAt + 1, err.message);
    assert.ok(Math.abs(err.info.offset! - offset) <= 3, `offset ${err.info.offset} near ${offset}: ${err.message}`);
    assert.match(err.message, new RegExp(`line ${badAt + 1}\\b`));
    assert.deepEqual(hashTree(outDir), before);
  });

  test('errors in both halves: the first one in the file is reported', async () => {
    const dir = tmpDir();
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const n = elements(new Map()).length;
    const els = elements(
      new Map([
        [100, '{"user_id":"u1" "oops":1}'],
        [n - 100, '{"user_id":"u1","value":tru}'],
      ]),
    );
    const events = writeFile(dir, 'raw_events.json', '[\n' + els.join(',\n') + '\n]\n');
    let err: unknown;
    try {
      await runPipeline({ eventsPath: events, usersPath: users, outDir: path.join(dir, 'out') });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof EtlError, String(err));
    assert.equal(err.info.line, 101, err.message);
  });
});

describe('errors found by the second thread', () => {
  test('a bad byte or bad JSON in the second half is reported at its file-wide line and offset', async () => {
    const dir = tmpDir();
    const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
    const lines = [...Array(400).keys()].map(
      (i) => `{"user_id":"u1","event_type":"f${i}","timestamp":"2025-01-15T10:00:00Z"}`,
    );
    const badLine = 350; // 0-based index into lines; file line = index + 2 (line 1 is "[")
    for (const [what, bad] of [
      ['not UTF-8', Buffer.from([0xff])],
      ['not JSON', Buffer.from('tru')],
    ] as const) {
      const head = Buffer.from('[\n' + lines.slice(0, badLine).join(',\n') + ',\n{"user_id":"u1","value":');
      const tail = Buffer.from('}\n,' + lines.slice(badLine + 1).join(',\n') + '\n]\n');
      const events = writeFile(dir, 'events.json', Buffer.concat([head, bad, tail]));
      let err: unknown;
      try {
        await runPipeline(
          { eventsPath: events, usersPath: users, outDir: path.join(dir, 'out') },
          { scan: { parallelFrom: 1 } },
        );
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof EtlError, `${what}: ${String(err)}`);
      assert.equal(err.info.kind, 'input', what);
      assert.equal(err.info.line, badLine + 2, `${what}: ${err.message}`);
      assert.equal(err.info.offset, head.length, `${what}: ${err.message}`);
      assert.ok(err.message.includes('events.json'), err.message);
    }
  });
});
