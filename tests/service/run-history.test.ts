/**
 * The run history (where it lives, what it keeps, that it survives a new store), the CLI
 * recording into it, the comparison maths, and the shareable HTML report with hostile values.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { main as etlMain } from '../../electron/cli/etl';
import { buildHtmlReport, esc, HTML_REPORT_FILE, stageBalance } from '../../electron/service/html-report';
import { HISTORY_DIR_ENV, historyDir, RunHistory } from '../../electron/service/run-history';
import { OUTPUT_FILES, type RunReport } from '../../shared/pipeline';
import { compareRuns, describeChange, headlineChanges, relativeChange } from '../../shared/run-comparison';
import { REASON_LABELS } from '../../renderer/dropped/offending-field';
import { tempDir, writeUsersCsv } from './fixtures';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir('etl-history-')));
after(() => cleanup());

function report(over: { started: string; input: number; drops: number[]; sha?: string }): RunReport {
  const names = ['extract', 'clean_user_id', 'clean_timestamp', 'deduplicate', 'join_users', 'filter_us'] as const;
  const reasons = [
    'malformed_record',
    'missing_user_id',
    'invalid_timestamp',
    'duplicate',
    'unknown_user',
    'non_us_user',
  ];
  let rows = over.input;
  const stages = names.map((name, i) => {
    const out = rows - over.drops[i];
    const s = { name, rows_in: rows, rows_out: out, dropped: { [reasons[i]]: over.drops[i] }, ms: 10 + i };
    rows = out;
    return s;
  });
  return {
    started_at: over.started,
    finished_at: new Date(Date.parse(over.started) + 1500).toISOString(),
    inputs: [
      { path: '/d/raw_events.json', bytes: 100, sha256: over.sha ?? 'a'.repeat(64), format: 'json', rows: over.input },
      { path: '/d/users.csv', bytes: 50, sha256: 'b'.repeat(64), format: 'csv', rows: 10 },
    ],
    stages,
    outputs: [],
    warnings: [],
  };
}

test('the history folder: the env override, else the folder Electron uses as userData on each system', () => {
  assert.equal(historyDir({ [HISTORY_DIR_ENV]: '/tmp/h' }, 'linux', '/home/a'), path.resolve('/tmp/h'));
  assert.equal(historyDir({}, 'linux', '/home/a'), '/home/a/.config/Benefits Engagement ETL/run-history');
  assert.equal(
    historyDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/a'),
    '/x/cfg/Benefits Engagement ETL/run-history',
  );
  assert.equal(
    historyDir({}, 'darwin', '/Users/a'),
    '/Users/a/Library/Application Support/Benefits Engagement ETL/run-history',
  );
  assert.equal(
    historyDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a'),
    'C:\\Users\\a\\AppData\\Roaming\\Benefits Engagement ETL\\run-history',
  );
});

test('recorded runs come back newest first from a new store (a restart), damaged files skipped', async () => {
  const folder = path.join(dir, 'h1');
  const first = new RunHistory(folder);
  assert.deepEqual(await first.list(), [], 'a missing folder is an empty history');
  const older = report({ started: '2026-11-01T09:00:00.000Z', input: 1000, drops: [1, 2, 3, 4, 5, 200] });
  const newer = report({ started: '2026-12-01T09:00:00.000Z', input: 1100, drops: [1, 2, 3, 4, 5, 224] });
  await first.record('cli', path.join(dir, 'out-a'), older);
  await first.record('browser', path.join(dir, 'out-b'), newer);
  await writeFile(path.join(folder, 'zzz-damaged.json'), '{"id": "half');
  await writeFile(path.join(folder, 'notes.txt'), 'not a run');

  const restarted = await new RunHistory(folder).list();
  assert.deepEqual(
    restarted.map((e) => [e.source, e.report.started_at, e.outDir]),
    [
      ['browser', newer.started_at, path.join(dir, 'out-b')],
      ['cli', older.started_at, path.join(dir, 'out-a')],
    ],
  );
  assert.deepEqual(restarted[1].report, older, 'the whole report is kept');
  assert.equal(new Set(restarted.map((e) => e.id)).size, 2);
  assert.deepEqual(
    (await new RunHistory(folder).list(1)).map((e) => e.source),
    ['browser'],
    'the list is capped',
  );
  assert.ok(!(await readdir(folder)).some((n) => n.endsWith('.tmp')), 'no temporary file is left');
});

test('comparison: each stage with its delta and change, and the headline names the biggest move', () => {
  const before = report({ started: '2026-11-01T09:00:00.000Z', input: 1000, drops: [10, 0, 30, 40, 50, 200] });
  const afterRun = report({
    started: '2026-12-01T09:00:00.000Z',
    input: 1200,
    drops: [10, 5, 27, 40, 50, 224],
    sha: 'c'.repeat(64),
  });
  const c = compareRuns(before, afterRun);
  assert.deepEqual(c.input, { before: 1000, after: 1200, change: 0.2 });
  assert.equal(c.clean.before, 1000 - 330);
  assert.equal(c.clean.after, 1200 - 356);
  const nonUs = c.stages.find((s) => s.stage === 'filter_us')!;
  assert.equal(nonUs.droppedDelta, 24);
  assert.ok(Math.abs(nonUs.droppedChange! - 0.12) < 1e-12);
  // 200/1000 = 20% of input before, 224/1200 = 18.67% after: fewer points despite more rows.
  assert.ok(Math.abs(nonUs.sharePoints - (224 / 1200 - 0.2) * 100) < 1e-9);
  assert.equal(c.stages.find((s) => s.stage === 'clean_user_id')!.droppedChange, null, 'from 0 has no ratio');
  assert.equal(c.stages.find((s) => s.stage === 'deduplicate')!.droppedChange, 0);
  assert.deepEqual(c.sameInputs, [false, true]);
  assert.deepEqual(c.durationMs, { before: 1500, after: 1500 });

  assert.equal(describeChange(0.12), 'up 12%');
  assert.equal(describeChange(-0.035), 'down 3.5%');
  assert.equal(describeChange(0), 'unchanged');
  assert.equal(describeChange(null), 'new');
  assert.equal(relativeChange(0, 0), 0);
  assert.deepEqual(headlineChanges(c, REASON_LABELS), [
    'Missing user_id drops new (0 → 5)',
    'Non-US user drops up 12% (200 → 224)',
    'Invalid timestamp drops down 10% (30 → 27)',
  ]);
});

test('the HTML report: stage table with balance checks, flow chart, examples, patterns; every value escaped', () => {
  const r = report({ started: '2026-12-01T09:00:00.000Z', input: 1000, drops: [1, 2, 3, 4, 5, 6] });
  r.inputs[0].path = '/d/<img src=x onerror=alert(1)>.json';
  r.warnings = [{ code: 'w', count: 1, message: 'a "quoted" <b>warning</b>' }];
  const html = buildHtmlReport({
    report: r,
    dropped: {
      byReason: { unknown_user: 5, invalid_timestamp: 3 },
      timestampPatterns: [{ pattern: 'other', count: 3, example: '<script>alert("ts")</script>' }],
    },
    examples: { unknown_user: [{ source_row: '7', user_id: '<script>alert(1)</script>', raw: null }] },
  });
  assert.ok(!/<script/i.test(html), 'no script element, from data or otherwise');
  assert.ok(!/<img/i.test(html));
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /&lt;script&gt;alert\(&quot;ts&quot;\)&lt;\/script&gt;/);
  assert.match(html, /a &quot;quoted&quot; &lt;b&gt;warning&lt;\/b&gt;/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(!/(src|href)=["']?(https?:)?\/\//i.test(html), 'no external resource');
  assert.match(html, /<svg class="flow"/);
  assert.equal((html.match(/<td class="ok">✓/g) ?? []).length, 6, 'six balanced stages');
  assert.match(html, /Every stage balances/);
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');

  const broken = structuredClone(r);
  broken.stages[3].rows_in += 1;
  const balance = stageBalance(broken);
  assert.deepEqual(
    balance.map((b) => b.ok),
    [true, true, true, false, true, true],
  );
  assert.equal(balance[3].note, 'rows in 995 ≠ out 990 + dropped 4');
  assert.match(
    buildHtmlReport({ report: broken, dropped: { byReason: {}, timestampPatterns: [] }, examples: {} }),
    /Some stages do not balance/,
  );
});

test('the CLI writes run_report.html next to the outputs and records the run in the history', async () => {
  const events = path.join(dir, 'events.json');
  const users = path.join(dir, 'users.csv');
  const out = path.join(dir, 'cli-out');
  const history = path.join(dir, 'cli-history');
  await writeUsersCsv(users, 20);
  await writeFile(
    events,
    JSON.stringify([
      { user_id: 'u0001', event_type: 'login', timestamp: '2025-01-01T00:00:00Z', value: 1, metadata: {} },
      { user_id: '<script>alert(1)</script>', event_type: 'login', timestamp: '2025-01-01T00:00:01Z', metadata: {} },
      { user_id: 'u0002', event_type: 'x', timestamp: '<script>document.title="pwned"</script>', metadata: {} },
    ]),
  );
  const saved = process.env[HISTORY_DIR_ENV];
  process.env[HISTORY_DIR_ENV] = history;
  const quietStderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  let code: number;
  try {
    code = await etlMain(['--events', events, '--users', users, '--out', out, '--quiet']);
  } finally {
    process.stderr.write = quietStderr;
    if (saved === undefined) delete process.env[HISTORY_DIR_ENV];
    else process.env[HISTORY_DIR_ENV] = saved;
  }
  assert.equal(code, 0);
  const entries = await new RunHistory(history).list();
  assert.equal(entries.length, 1);
  assert.equal(entries[0].source, 'cli');
  assert.equal(entries[0].outDir, out);
  const onDisk = JSON.parse(await readFile(path.join(out, OUTPUT_FILES.runReport), 'utf8')) as RunReport;
  assert.deepEqual(entries[0].report, onDisk);

  const html = await readFile(path.join(out, HTML_REPORT_FILE), 'utf8');
  assert.ok(!/<script/i.test(html));
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the unknown user is an example, escaped');
  assert.match(html, /&lt;script&gt;document.title=&quot;pwned&quot;&lt;\/script&gt;/, 'so is the bad timestamp');
  assert.match(html, /unknown_user/);
  assert.match(html, /invalid_timestamp/);
});
