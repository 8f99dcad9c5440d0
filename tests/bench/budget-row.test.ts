/**
 * The bench's memory-budget row (electron/bench/budget-row.ts) without its 50,000,000 events:
 * its flags, its target checks from given numbers, its disk check, and the removal of its
 * folder however the row ends, on fake generators and tools.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pl from 'nodejs-polars';
import {
  budgetMarkdown,
  budgetTargets,
  checkFreeSpace,
  measureTree,
  parseBudgetArgs,
  parsePeakReport,
  runBudgetRow,
  type BudgetPaths,
  type BudgetRow,
  type BudgetRowDeps,
  type TreeMeasured,
} from '../../electron/bench/budget-row';

const ROOT = resolve(__dirname, '..', '..');

test('budget flags: defaults, values, skipping', () => {
  assert.deepEqual(parseBudgetArgs([]), { events: 50_000_000, limitBytes: 1.5e9, limitText: '1.5GB' });
  assert.deepEqual(parseBudgetArgs(['--sizes', '200000', '--budget-events', '300000', '--budget-limit', '150MB']), {
    events: 300_000,
    limitBytes: 150e6,
    limitText: '150MB',
  });
  assert.equal(parseBudgetArgs(['--budget-events', '50,000,000'])?.events, 50_000_000);
  assert.equal(parseBudgetArgs(['--budget-limit', '2GiB'])?.limitBytes, 2 ** 31);
  assert.equal(parseBudgetArgs(['--no-budget']), null);
  assert.equal(parseBudgetArgs(['--quick']), null);
  assert.equal(parseBudgetArgs(['--quick', '--budget-events', '1000']), null, '--quick skips the row');
});

test('budget flags: bad values are errors that say what to write', () => {
  assert.throws(() => parseBudgetArgs(['--budget-events', '0']), /--budget-events '0' is not a positive/);
  assert.throws(() => parseBudgetArgs(['--budget-events', 'many']), /not a positive whole number/);
  assert.throws(() => parseBudgetArgs(['--budget-events', '1.5']), /not a positive whole number/);
  assert.throws(() => parseBudgetArgs(['--budget-events']), /--budget-events needs a value/);
  assert.throws(() => parseBudgetArgs(['--budget-limit', '--no-budget']), /--budget-limit needs a value/);
  assert.throws(() => parseBudgetArgs(['--budget-limit', 'lots']), /'lots' is not a size of at least 100 MB/);
  assert.throws(() => parseBudgetArgs(['--budget-limit', '50MB']), /at least 100 MB/);
});

test('peak-memory.cjs report: the last line, with or without cpu-s', () => {
  assert.deepEqual(
    parsePeakReport(
      'noise\npeak-tree-rss-mb=12 at-s=0.1 wall-s=1.0 exit=0\npeak-tree-rss-mb=1234 at-s=3.2 wall-s=9.87 cpu-s=15.02 exit=1\n',
    ),
    { peakTreeBytes: 1234e6, wallS: 9.87, cpuS: 15.02 },
  );
  const old = parsePeakReport('peak-tree-rss-mb=5 at-s=0.0 wall-s=2.5 exit=0');
  assert.equal(old?.wallS, 2.5);
  assert.ok(Number.isNaN(old?.cpuS));
  assert.equal(parsePeakReport('no report'), null);
});

test('measureTree: a whole tree, its CPU, and a failing command', async () => {
  const child = `require('child_process').execFileSync(process.execPath, ['-e', 'Buffer.alloc(80e6, 1); let x = 0; for (let i = 0; i < 5e7; i++) x += i'])`;
  const ok = await measureTree(ROOT, process.execPath, ['-e', `${child}; console.log('done')`]);
  assert.equal(ok.ok, true);
  assert.equal(ok.stdout.trim(), 'done');
  assert.ok(ok.peakTreeBytes >= 80e6, `the child's 80 MB buffer is counted (peak ${ok.peakTreeBytes})`);
  assert.ok(ok.cpuS > 0 && ok.wallS > 0, `cpu ${ok.cpuS} wall ${ok.wallS}`);
  const bad = await measureTree(ROOT, process.execPath, ['-e', `console.error('broken'); process.exit(3)`]);
  assert.equal(bad.ok, false);
  assert.equal(bad.exitCode, 3);
  assert.match(bad.stderrTail, /broken/);
  assert.doesNotMatch(bad.stderrTail, /peak-tree-rss-mb/);
});

const measured = (over: Partial<TreeMeasured> = {}): Omit<TreeMeasured, 'stdout' | 'stderrTail'> => ({
  ok: true,
  exitCode: 0,
  wallS: 100,
  cpuS: 150,
  peakTreeBytes: 1.2e9,
  ...over,
});

function row(ours: Partial<TreeMeasured> | null, duckdb: Partial<TreeMeasured> | null): BudgetRow {
  return {
    events: 50_000_000,
    limitBytes: 1.5e9,
    limitText: '1.5GB',
    folder: '/tmp/x',
    fileBytes: 7e9,
    runs: { ...(ours && { ours: measured(ours) }), ...(duckdb && { duckdb: measured(duckdb) }) },
    removed: true,
  };
}

test('targets: PASS when every figure is within its target', () => {
  // 10M in 20 s = 2 µs per event; 50M in 110 s = 2.2 µs, 1.1×; wall 110 / 400 = 0.275.
  const t = budgetTargets(row({ wallS: 110, peakTreeBytes: 1.49e9 }, { wallS: 400 }), {
    events: 10_000_000,
    wallS: 20,
  });
  assert.deepEqual(
    t.map((x) => x.status),
    ['PASS', 'PASS', 'PASS'],
  );
  assert.match(t[0].target, /≤ 1\.5 GB/);
  assert.match(t[1].measured, /= 0\.28$/);
  assert.match(t[2].measured, /2\.20 vs 2\.00 µs per event = 1\.10×/);
  assert.match(t[2].target, /at 50,000,000 ≤ 1\.2 × at 10,000,000/);
});

test('targets: MISS when a figure is over, on the boundary PASS', () => {
  const t = budgetTargets(row({ wallS: 130, peakTreeBytes: 1.51e9 }, { wallS: 300 }), {
    events: 10_000_000,
    wallS: 20,
  });
  assert.deepEqual(
    t.map((x) => x.status),
    ['MISS', 'MISS', 'MISS'],
  );
  const edge = budgetTargets(row({ wallS: 120, peakTreeBytes: 1.5e9 }, { wallS: 120 / 0.35 }), {
    events: 10_000_000,
    wallS: 20,
  });
  assert.deepEqual(
    edge.map((x) => x.status),
    ['PASS', 'PASS', 'PASS'],
  );
});

test('targets: n/a when DuckDB failed or no smaller row ran; all MISS when ours failed', () => {
  const duckFailed = budgetTargets(row({}, { ok: false, exitCode: 1 }));
  assert.deepEqual(
    duckFailed.map((x) => x.status),
    ['PASS', 'n/a', 'n/a'],
  );
  assert.match(duckFailed[1].measured, /DuckDB failed/);
  assert.match(duckFailed[2].measured, /no smaller NDJSON row/);
  const oursFailed = budgetTargets(row({ ok: false, exitCode: 1, peakTreeBytes: 0.5e9 }, {}), {
    events: 1e7,
    wallS: 20,
  });
  assert.deepEqual(
    oursFailed.map((x) => x.status),
    ['MISS', 'MISS', 'MISS'],
  );
  assert.deepEqual(
    budgetTargets(row(null, null)).map((x) => x.status),
    ['MISS', 'MISS', 'MISS'],
  );
});

test('markdown: the row with both tools, the targets, the removal', () => {
  const r = row({ wallS: 110, cpuS: 190, peakTreeBytes: 1.4e9 }, { wallS: 400, cpuS: 700, peakTreeBytes: 2.1e9 });
  const md = budgetMarkdown(r, budgetTargets(r)).join('\n');
  assert.match(
    md,
    /\| 50,000,000 \| ndjson \| 6\.5 GB \| 1\.5GB \| 110\.00 s \| 400\.00 s \| 0\.28× \| 190\.00 s \| 700\.00 s \| 1\.4 GB \| 2\.1 GB \|/,
  );
  assert.match(md, /- PASS: peak memory of ours/);
  assert.match(md, /- n\/a: time per event/);
  assert.match(md, /removed: \/tmp\/x/);
});

test('free disk: a clear error naming the folder and the space needed', async () => {
  await checkFreeSpace('/data/bench', 28e9, async () => 30e9);
  await assert.rejects(
    checkFreeSpace('/data/bench', 28e9, async () => 5e9),
    /needs about 28 GB free in \/data\/bench .* only 5 GB is free/,
  );
});

/** Fake deps: a generator writing tiny inputs, tools writing tiny outputs (or failing). */
function fakeDeps(over: Partial<BudgetRowDeps> & { fail?: 'ours' | 'duckdb'; cleanRows?: Record<string, number> }) {
  const calls: string[] = [];
  const deps: BudgetRowDeps = {
    generate: async (p: BudgetPaths) => {
      calls.push('generate');
      writeFileSync(p.events, '{"user_id":"u1"}\n'.repeat(100));
      writeFileSync(p.users, 'user_id,signup_date,country\nu1,2024-01-01,US\n');
    },
    command: (tool, p) => [tool, [p.out[tool], p.duckdbTemp]],
    measure: async (tool, [out, temp]) => {
      calls.push(tool);
      if (tool === 'duckdb') assert.ok(existsSync(temp), 'the temp directory exists when DuckDB starts');
      if (tool === over.fail) return { ...measured({ ok: false, exitCode: 1 }), stdout: '', stderrTail: 'boom' };
      mkdirSync(out, { recursive: true });
      const n = over.cleanRows?.[tool] ?? 3;
      pl.DataFrame({ user_id: Array.from({ length: n }, (_, i) => `u${i}`) }).writeParquet(
        join(out, 'clean_events.parquet'),
      );
      pl.DataFrame({ user_id: ['u1'], event_count: [1] }).writeParquet(join(out, 'daily_summary.parquet'));
      pl.DataFrame({ source_row: [1, 2] }).writeParquet(join(out, 'dropped_rows.parquet'));
      return { ...measured(), stdout: tool === 'duckdb' ? '{"rowsIn":5}\n' : '', stderrTail: '' };
    },
    free: async () => 1e12,
    ...over,
  };
  return { deps, calls };
}

function tempRoot() {
  const root = mkdtempSync(join(tmpdir(), 'budget-row-test-'));
  return { root, folder: join(root, 'budget') };
}

const OPTS = { events: 100, limitBytes: 150e6, limitText: '150MB', bytesPerEvent: 20 };

test('row: both tools run in turn, outputs compared by counts and schema, folder removed', async () => {
  const { root, folder } = tempRoot();
  try {
    mkdirSync(join(folder, 'stale'), { recursive: true }); // left by a killed bench
    const { deps, calls } = fakeDeps({ cleanRows: { ours: 3, duckdb: 4 } });
    const r = await runBudgetRow({ ...OPTS, folder }, deps);
    assert.deepEqual(calls, ['generate', 'ours', 'duckdb']);
    assert.equal(r.error, undefined);
    assert.equal(r.fileBytes, 1700);
    assert.equal(r.peerInfo, '{"rowsIn":5}');
    assert.deepEqual(
      r.comparison?.map((c) => [c.file, c.equal, c.rows]),
      [
        ['clean_events.parquet', false, [3, 4]],
        ['daily_summary.parquet', true, [1, 1]],
        ['dropped_rows.parquet', true, [2, 2]],
      ],
    );
    assert.match(r.comparison![0].notes[0], /row count ours 3 vs duckdb 4/);
    assert.equal(r.removed, true);
    assert.equal(existsSync(folder), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('row: a failing tool still gets its folder removed, and the other tool still runs', async () => {
  for (const fail of ['ours', 'duckdb'] as const) {
    const { root, folder } = tempRoot();
    try {
      const { deps, calls } = fakeDeps({ fail });
      const r = await runBudgetRow({ ...OPTS, folder }, deps);
      assert.deepEqual(calls, ['generate', 'ours', 'duckdb']);
      assert.equal(r.runs[fail]?.ok, false);
      assert.equal(r.comparison, undefined);
      assert.equal(existsSync(folder), false, `${fail} failed: folder removed`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test('row: a throwing measurement or generator, or too little disk, still removes the folder', async () => {
  const cases: [string, Partial<BudgetRowDeps>, RegExp][] = [
    [
      'measure throws',
      {
        measure: async () => {
          throw new Error('spawn failed');
        },
      },
      /spawn failed/,
    ],
    [
      'generator fails',
      {
        generate: async (p) => {
          writeFileSync(p.events, 'half a file');
          throw new Error('the generator failed (exit 1)');
        },
      },
      /generator failed/,
    ],
    ['disk full', { free: async () => 1000 }, /needs about .* free in .*budget/],
  ];
  for (const [name, over, error] of cases) {
    const { root, folder } = tempRoot();
    try {
      const { deps, calls } = fakeDeps(over);
      const r = await runBudgetRow({ ...OPTS, folder }, deps);
      assert.match(r.error ?? '', error, name);
      if (name === 'disk full') assert.deepEqual(calls, [], 'nothing generated without the space');
      assert.equal(r.removed, true, name);
      assert.equal(existsSync(folder), false, name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});
