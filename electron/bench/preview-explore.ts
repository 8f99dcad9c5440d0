/**
 * Times the Preview's filter and column profile on an output folder, through the engine
 * service's own pager (what the UI calls): for each filter (contains, equals, range), the first
 * page (which computes the filtered view) and a later page; for each column kind, the profile
 * of the whole file and of a filtered view. Prints a Markdown table and the 1-minute load
 * average. Not a test: figures go to docs/performance.md.
 *
 *   npx tsx electron/bench/preview-explore.ts OUT_DIR [--runs N]
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { ParquetPager } from '../service/parquet-pager';
import type { ColumnFilter } from '../../shared/service-contract';

const FILE = 'clean_events.parquet' as const;

const FILTERS: { label: string; filter: ColumnFilter }[] = [
  { label: 'contains: event_type ~ "view"', filter: { column: 'event_type', op: 'contains', value: 'view' } },
  { label: 'contains: user_id ~ "u0001"', filter: { column: 'user_id', op: 'contains', value: 'u0001' } },
  { label: 'equals: event_type = login', filter: { column: 'event_type', op: 'equals', value: 'login' } },
  { label: 'equals: user_id = u00123', filter: { column: 'user_id', op: 'equals', value: 'u00123' } },
  { label: 'range: value 10..50', filter: { column: 'value', op: 'range', min: '10', max: '50' } },
  {
    label: 'range: timestamp_dt one day',
    filter: { column: 'timestamp_dt', op: 'range', min: '2025-03-01', max: '2025-03-01' },
  },
];

const PROFILES = ['user_id', 'event_type', 'value', 'timestamp_dt', 'event_date'];

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await work();
  return [performance.now() - t, value];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);

async function main(argv: string[]): Promise<void> {
  const outDir = argv[0];
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
  if (!outDir) throw new Error('usage: preview-explore.ts OUT_DIR [--runs N]');
  const lines: string[] = [];
  const say = (s: string) => (lines.push(s), console.log(s));
  const first = await new ParquetPager().readPage({ outDir, file: FILE, offset: 0, limit: 200 });
  say(
    `${FILE}: ${first.totalRows.toLocaleString('en-US')} rows; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ${runs} runs, medians`,
  );
  say('');
  say('| filter | matching rows | first page (computes the view) | page at 50% |');
  say('| --- | --- | --- | --- |');
  for (const { label, filter } of FILTERS) {
    const firsts: number[] = [];
    const laters: number[] = [];
    let total = 0;
    for (let r = 0; r < runs; r++) {
      // A new pager each run: nothing cached from the run before.
      const pager = new ParquetPager();
      const [t1, page] = await timed(() => pager.readPage({ outDir, file: FILE, offset: 0, limit: 200, filter }));
      total = page.totalRows;
      const [t2] = await timed(() =>
        pager.readPage({ outDir, file: FILE, offset: Math.floor(total / 2), limit: 200, filter }),
      );
      firsts.push(t1);
      laters.push(t2);
    }
    say(`| ${label} | ${total.toLocaleString('en-US')} | ${ms(median(firsts))} | ${ms(median(laters))} |`);
  }
  say('');
  say('| profile of | whole file | filtered (event_type = login) |');
  say('| --- | --- | --- |');
  const login: ColumnFilter = { column: 'event_type', op: 'equals', value: 'login' };
  for (const column of PROFILES) {
    const whole: number[] = [];
    const filtered: number[] = [];
    for (let r = 0; r < runs; r++) {
      const pager = new ParquetPager();
      whole.push((await timed(() => pager.profile({ outDir, file: FILE, column })))[0]);
      filtered.push((await timed(() => pager.profile({ outDir, file: FILE, column, filter: login })))[0]);
    }
    say(`| ${column} | ${ms(median(whole))} | ${ms(median(filtered))} |`);
  }
  say('');
  say(
    `load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
