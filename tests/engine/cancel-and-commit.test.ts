/**
 * docs/rules.md "Errors", the all-or-nothing half: moving outputs into place, and cancellation at every
 * point of a run, leave an earlier good output folder byte-identical (or wholly replaced by a
 * finished run), with no staging folder left behind. (Input errors are in errors.test.ts.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { ProgressEvent } from '../../shared/pipeline';
import { ev, hashTree, ndjson, writeFile } from './helpers';
import { assertUntouched, fails, setup } from './earlier-outputs';

describe('moving the outputs into place', () => {
  test('a folder where an output goes stops the run with a clear error before anything is moved', async () => {
    const s = await setup();
    // The earlier set, but with a folder where etl.log goes (the last file to be moved): the
    // new set must not be half moved in before that name is found taken.
    fs.rmSync(path.join(s.outDir, 'etl.log'));
    fs.mkdirSync(path.join(s.outDir, 'etl.log'));
    fs.writeFileSync(path.join(s.outDir, 'etl.log', 'keep'), 'keep');
    const before = hashTree(s.outDir);
    const events = writeFile(s.dir, 'other.json', JSON.stringify([ev('u2', 5), ev('u1', 6), ev('nobody', 7)]));
    const err = await fails({ eventsPath: events, usersPath: s.users, outDir: s.outDir });
    assert.deepEqual(err.info, {
      kind: 'input',
      message: `Cannot write etl.log in ${s.outDir}: a folder of that name is in the way. Move it, or choose another output folder.`,
      file: path.join(s.outDir, 'etl.log'),
    });
    // All old: every earlier file (and the user's folder) byte-identical, no staging left.
    assert.deepEqual(hashTree(s.outDir), before);
    assert.deepEqual(
      fs.readdirSync(s.outDir).filter((n) => n.startsWith('.etl-staging-')),
      [],
    );
  });
});

describe('cancellation', () => {
  test('aborting on the first bytes-read event of a multi-MB input rejects as cancelled and keeps the earlier outputs', async () => {
    const s = await setup();
    // ~12 MB of NDJSON: more than one read block.
    const lines: string[] = [];
    for (let i = 0; i < 150_000; i++)
      lines.push(
        JSON.stringify(
          ev(i % 2 ? 'u1' : 'u2', i, {
            event_type: `event-${i}`,
            value: i,
            metadata: { device: 'desktop', page: '/benefits/overview' },
          }),
        ),
      );
    const big = writeFile(s.dir, 'big.ndjson', lines.join('\n') + '\n');
    assert.ok(fs.statSync(big).size > 10_000_000);
    const controller = new AbortController();
    const seen: ProgressEvent[] = [];
    const err = await fails({ eventsPath: big, usersPath: s.users, outDir: s.outDir }, controller.signal, (e) => {
      seen.push(e);
      if (e.type === 'bytes-read' && !controller.signal.aborted) controller.abort();
    });
    assert.equal(err.info.kind, 'cancelled', err.message);
    assert.ok(seen.some((e) => e.type === 'bytes-read'));
    assert.ok(!seen.some((e) => e.type === 'run-finished'));
    const failed = seen.find((e) => e.type === 'run-failed');
    assert.equal(failed && failed.type === 'run-failed' ? failed.error.kind : undefined, 'cancelled');
    assertUntouched(s);
  });

  test('an already aborted signal cancels before anything is written', async () => {
    const s = await setup();
    const controller = new AbortController();
    controller.abort();
    const err = await fails({ eventsPath: s.events, usersPath: s.users, outDir: s.outDir }, controller.signal);
    assert.equal(err.info.kind, 'cancelled');
    assertUntouched(s);
  });

  const points: [string, (e: ProgressEvent) => boolean][] = [
    ['run-started', (e) => e.type === 'run-started'],
    ['extract started', (e) => e.type === 'stage-started' && e.stage === 'extract'],
    ['deduplicate started', (e) => e.type === 'stage-started' && e.stage === 'deduplicate'],
    ['join_users started', (e) => e.type === 'stage-started' && e.stage === 'join_users'],
    ['filter_us finished', (e) => e.type === 'stage-finished' && e.stage.name === 'filter_us'],
    ['DROPPED ROW SUMMARY logged', (e) => e.type === 'log' && e.message.startsWith('DROPPED ROW SUMMARY')],
    ['first output written (log line)', (e) => e.type === 'log' && e.message.startsWith('Wrote ')],
    [
      'last output written (log line)',
      (e) => e.type === 'log' && e.message.startsWith('Wrote ') && /dropped_rows\.parquet/.test(e.message),
    ],
  ];
  for (const [what, when] of points) {
    test(`aborting at "${what}" rejects as cancelled and changes nothing`, async () => {
      const s = await setup();
      // Different inputs, so a leaked new output would differ from the earlier set.
      const events = writeFile(s.dir, 'other.ndjson', ndjson([ev('u1', 7), ev('u1', 8), ev('nobody', 9)]));
      const controller = new AbortController();
      let fired = false;
      const err = await fails({ eventsPath: events, usersPath: s.users, outDir: s.outDir }, controller.signal, (e) => {
        if (!fired && when(e)) {
          fired = true;
          controller.abort();
        }
      });
      assert.ok(fired, `the "${what}" point was reached`);
      assert.equal(err.info.kind, 'cancelled', err.message);
      assertUntouched(s);
    });
  }

  test('a cancelled run into a new folder leaves no outputs at all', async () => {
    const s = await setup();
    const fresh = path.join(s.dir, 'fresh-out');
    const controller = new AbortController();
    const err = await fails({ eventsPath: s.events, usersPath: s.users, outDir: fresh }, controller.signal, (e) => {
      if (e.type === 'stage-started' && e.stage === 'deduplicate') controller.abort();
    });
    assert.equal(err.info.kind, 'cancelled');
    const left = fs.existsSync(fresh) ? fs.readdirSync(fresh) : [];
    assert.deepEqual(left, []);
  });
});

describe('a failed run into a new folder', () => {
  test('leaves no partial outputs', async () => {
    const s = await setup();
    const bad = writeFile(s.dir, 'bad.json', '[{"user_id":"u1"},');
    const fresh = path.join(s.dir, 'fresh-out');
    await fails({ eventsPath: bad, usersPath: s.users, outDir: fresh });
    const left = fs.existsSync(fresh) ? fs.readdirSync(fresh) : [];
    assert.deepEqual(left, []);
  });
});
