/**
 * `etl:daily-counts` in the service: per-day sums of daily_summary.parquet, checked against a
 * small inline file and against the outputs of a real run summed row by row in JS.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pl from 'nodejs-polars';
import { runPipeline } from '../../electron/engine/pipeline';
import { dailyCounts } from '../../electron/service/daily-counts';
import { EngineService } from '../../electron/service/engine-service';
import { OUTPUT_FILES } from '../../shared/pipeline';
import { fakeHosts, tempDir, writeEventsNdjson, writeUsersCsv } from './fixtures';

let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await tempDir());
});
after(() => cleanup());

test('sums event_count and counts users per day, sorted by date, from an inline file', async () => {
  const outDir = path.join(dir, 'inline');
  const rows: [string, string, number][] = [
    ['u2', '2025-01-02', 3],
    ['u1', '2024-12-31', 1],
    ['u1', '2025-01-02', 4],
    ['u3', '2025-01-02', 2],
    ['u3', '2024-12-31', 10],
  ];
  await mkdir(outDir);
  pl.DataFrame({
    user_id: rows.map((r) => r[0]),
    event_date: pl.Series(
      'event_date',
      rows.map((r) => new Date(`${r[1]}T00:00:00Z`)),
      pl.Date,
    ),
    event_count: pl.Series(
      'event_count',
      rows.map((r) => r[2]),
      pl.Int64,
    ),
  }).writeParquet(path.join(outDir, OUTPUT_FILES.dailySummary), { compression: 'snappy' });

  assert.deepEqual(await dailyCounts(outDir), {
    days: [
      { date: '2024-12-31', events: 11, users: 2 },
      { date: '2025-01-02', events: 9, users: 3 },
    ],
    totalEvents: 20,
  });
});

test('on a real run: per-day sums and the total equal the summary summed row by row, and the clean events', async () => {
  const events = path.join(dir, 'events.ndjson');
  const users = path.join(dir, 'users.csv');
  await writeEventsNdjson(events, 20_000);
  await writeUsersCsv(users);
  const outDir = path.join(dir, 'run');
  const report = await runPipeline({ eventsPath: events, usersPath: users, outDir });

  const summary = pl.readParquet(path.join(outDir, OUTPUT_FILES.dailySummary));
  const expected = new Map<string, { events: number; users: Set<string> }>();
  for (const r of summary.toRecords() as unknown as {
    user_id: string;
    event_date: Date;
    event_count: number | bigint;
  }[]) {
    const day = r.event_date.toISOString().slice(0, 10);
    const entry = expected.get(day) ?? { events: 0, users: new Set<string>() };
    entry.events += Number(r.event_count);
    entry.users.add(r.user_id);
    expected.set(day, entry);
  }
  const summaryTotal = [...expected.values()].reduce((s, d) => s + d.events, 0);

  const counts = await dailyCounts(outDir);
  assert.ok(counts.days.length > 0);
  assert.equal(counts.totalEvents, summaryTotal);
  assert.equal(counts.totalEvents, report.stages.at(-1)!.rows_out, 'every clean event is counted once');
  assert.deepEqual(
    counts.days,
    [...expected.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([date, d]) => ({ date, events: d.events, users: d.users.size })),
  );
  for (const d of counts.days) assert.match(d.date, /^\d{4}-\d{2}-\d{2}$/);
});

test('a folder without daily_summary.parquet is an error value naming the file', async () => {
  const service = new EngineService({ hosts: fakeHosts(() => {}) });
  const empty = path.join(dir, 'nothing-here');
  const result = await service.dailyCounts(empty);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.error.kind, 'input');
  assert.equal(!result.ok && result.error.file, path.join(empty, 'daily_summary.parquet'));
  assert.match(
    !result.ok ? result.error.message : '',
    /There is no daily_summary\.parquet in .*nothing-here yet\. Run the pipeline first/,
  );
});

test('a daily_summary.parquet without the expected columns is an error value naming the file', async () => {
  const outDir = path.join(dir, 'wrong-columns');
  await mkdir(outDir);
  const file = path.join(outDir, OUTPUT_FILES.dailySummary);
  pl.DataFrame({ something: [1, 2] }).writeParquet(file);
  const result = await new EngineService({ hosts: fakeHosts(() => {}) }).dailyCounts(outDir);
  assert.equal(!result.ok && result.error.file, file);
  assert.match(
    !result.ok ? result.error.message : '',
    /Could not sum events per day from .*daily_summary\.parquet.*event_date, event_count and user_id/,
  );
});
