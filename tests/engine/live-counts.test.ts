/**
 * Live counts while the events file is read (issue #15): the `bytes-read` events of the extract
 * carry the rows read so far and the drops so far for the three stages that run inside the
 * scan. They arrive before the extract has finished, only ever grow, and end at exactly the
 * counts the finished stages report.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPipeline } from '../../electron/engine/pipeline';
import type { ProgressEvent, StageReport } from '../../shared/pipeline';
import { DEFAULT_USERS, tmpDir, writeFile } from './helpers';

/** `n` lines; every 7th is malformed, every 11th has no user_id, every 13th a bad timestamp. */
function mixedEvents(n: number): { text: string; malformed: number; missing: number; badTs: number } {
  const lines: string[] = [];
  let malformed = 0;
  let missing = 0;
  let badTs = 0;
  for (let i = 1; i <= n; i++) {
    if (i % 7 === 0) {
      lines.push('{"user_id": "u1", "event_type": "login",');
      malformed++;
    } else if (i % 11 === 0) {
      lines.push(JSON.stringify({ event_type: 'login', timestamp: '2025-01-15T10:00:00Z', value: i }));
      missing++;
    } else if (i % 13 === 0) {
      lines.push(JSON.stringify({ user_id: 'u1', event_type: 'login', timestamp: 'yesterday', value: i }));
      badTs++;
    } else {
      const ts = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
      lines.push(JSON.stringify({ user_id: i % 2 ? 'u1' : 'u2', event_type: 'click', timestamp: ts, value: i }));
    }
  }
  return { text: lines.join('\n') + '\n', malformed, missing, badTs };
}

async function liveRun(lines: number, scan: NonNullable<Parameters<typeof runPipeline>[1]>['scan']) {
  const dir = tmpDir();
  const data = mixedEvents(lines);
  const events = writeFile(dir, 'events.ndjson', data.text);
  const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
  const seen: ProgressEvent[] = [];
  await runPipeline(
    { eventsPath: events, usersPath: users, outDir: dir + '/out' },
    { onEvent: (e) => seen.push(e), scan },
  );
  const extractDone = seen.findIndex((e) => e.type === 'stage-finished' && e.stage.name === 'extract');
  assert.ok(extractDone > 0, 'extract finished');
  const live = seen
    .slice(0, extractDone)
    .flatMap((e) =>
      e.type === 'bytes-read' && e.scanned ? [{ ...e.scanned, bytes: e.bytesRead, total: e.totalBytes }] : [],
    );
  const stage = (name: string) =>
    seen.flatMap((e) => (e.type === 'stage-finished' && e.stage.name === name ? [e.stage] : []))[0] as StageReport;
  return { data, live, stage, seen };
}

function assertLive(r: Awaited<ReturnType<typeof liveRun>>, lines: number) {
  const { data, live, stage } = r;
  // Counted from the first blocks on, not only at the end.
  const partial = live.filter((c) => c.rows > 0 && c.rows < lines);
  assert.ok(partial.length >= 2, `several partial counts before the extract ended (${live.length} events)`);
  assert.ok(
    partial.some((c) => (c.dropped.malformed_record ?? 0) > 0 && (c.dropped.invalid_timestamp ?? 0) > 0),
    'drops by reason are counted while reading',
  );
  for (let i = 1; i < live.length; i++) {
    assert.ok(live[i].rows >= live[i - 1].rows, 'rows read never go backwards');
    assert.ok((live[i].dropped.malformed_record ?? 0) >= (live[i - 1].dropped.malformed_record ?? 0));
  }
  // The last live count is the stage table's, reason by reason.
  const last = live[live.length - 1];
  assert.equal(last.bytes, last.total);
  assert.equal(last.rows, lines);
  assert.equal(stage('extract').rows_in, lines);
  assert.deepEqual(last.dropped, {
    malformed_record: data.malformed,
    missing_user_id: data.missing,
    invalid_timestamp: data.badTs,
  });
  assert.equal(stage('extract').dropped.malformed_record, data.malformed);
  assert.equal(stage('clean_user_id').dropped.missing_user_id, data.missing);
  assert.equal(stage('clean_timestamp').dropped.invalid_timestamp, data.badTs);
}

test('a scan on this thread reports rows and drops so far after each block', async () => {
  const lines = 30_000;
  const r = await liveRun(lines, { workers: 1, blockBytes: 64 << 10 });
  assertLive(r, lines);
  // Each event also says when, for rates and an ETA.
  const times = r.seen.flatMap((e) => (e.type === 'bytes-read' ? [e.elapsedMs] : []));
  assert.ok(times.every((t) => typeof t === 'number' && t >= 0));
});

test('two scan threads add up their counts, and the ends of both ranges arrive', async () => {
  // About 20 MB: several 8 MiB blocks per thread.
  const lines = 250_000;
  const r = await liveRun(lines, { workers: 2, parallelFrom: 1 << 20 });
  assertLive(r, lines);
});
