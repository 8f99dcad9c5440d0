import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineService } from '../../electron/service/engine-service';
import { PathAllowlist } from '../../electron/service/path-allowlist';
import { createRequestHandlers } from '../../electron/transport/request-handlers';
import type { ShellPlatform } from '../../electron/transport/shell-platform';

function setup() {
  const calls: string[] = [];
  const ok = (name: string) => async () => (calls.push(name), { ok: true as const, value: name as never });
  const service = {
    running: false,
    inspectInput: ok('inspectInput'),
    run: ok('run'),
    cancel: ok('cancel'),
    readPage: ok('readPage'),
    droppedSummary: ok('droppedSummary'),
    exportDroppedCsv: ok('exportDroppedCsv'),
    dailyCounts: ok('dailyCounts'),
  } as unknown as EngineService;
  const remembered: unknown[] = [];
  const platform: ShellPlatform = {
    defaults: async () => ({
      outDir: '/home/u/out',
      sample: { eventsPath: '/app/data/raw_events.json', usersPath: '/app/data/users.csv' },
      recent: { eventsPath: '/home/u/old.json' },
    }),
    pickInputs: async () => ['/home/u/picked/events.json', '/home/u/picked/users.csv'],
    pickOutputDir: async () => '/home/u/chosen-out',
    showInFolder: async (p) => void calls.push(`show:${p}`),
    remember: async (r) => void remembered.push(r),
  };
  const allowlist = new PathAllowlist();
  return { calls, remembered, allowlist, ...createRequestHandlers({ service, platform, allowlist }) };
}

test('paths the user never chose are refused before the service sees them', async () => {
  const { handle, calls } = setup();
  const attempts: [string, unknown][] = [
    ['etl:inspect-input', { path: '/home/u/.ssh/id_rsa' }],
    ['etl:run', { eventsPath: '/etc/passwd', usersPath: '/etc/group', outDir: '/tmp/x' }],
    ['etl:read-page', { outDir: '/etc', file: 'clean_events.parquet', offset: 0, limit: 10 }],
    ['etl:dropped-summary', { outDir: '/etc' }],
    ['etl:export-dropped-csv', { outDir: '/etc' }],
    ['etl:daily-counts', { outDir: '/etc' }],
    ['etl:show-in-folder', { path: '/etc/shadow' }],
  ];
  for (const [channel, payload] of attempts) {
    const result = await handle(channel, payload);
    assert.equal(result.ok, false, channel);
    assert.match(!result.ok ? result.error.message : '', /was not chosen in this app/, channel);
  }
  assert.deepEqual(calls, []);
});

test('picked files, the chosen output folder, the sample data and remembered paths become readable', async () => {
  const { handle, calls } = setup();
  assert.equal((await handle('etl:inspect-input', { path: '/home/u/picked/events.json' })).ok, false);
  await handle('etl:pick-inputs', undefined);
  await handle('etl:pick-output-dir', undefined);
  await handle('etl:defaults', undefined);
  for (const p of ['/home/u/picked/events.json', '/app/data/raw_events.json', '/home/u/old.json']) {
    assert.equal((await handle('etl:inspect-input', { path: p })).ok, true, p);
  }
  assert.equal(
    (
      await handle('etl:read-page', {
        outDir: '/home/u/chosen-out',
        file: 'daily_summary.parquet',
        offset: 0,
        limit: 5,
      })
    ).ok,
    true,
  );
  assert.equal((await handle('etl:dropped-summary', { outDir: '/home/u/out' })).ok, true);
  assert.deepEqual(await handle('etl:daily-counts', { outDir: '/home/u/chosen-out' }), {
    ok: true,
    value: 'dailyCounts',
  });
  assert.equal(
    (await handle('etl:inspect-input', { path: '/home/u/picked/other.json' })).ok,
    false,
    'only the picked files',
  );
  assert.ok(calls.includes('readPage'));
});

test('a run remembers its paths for the next launch; malformed payloads never reach the service', async () => {
  const { handle, calls, remembered } = setup();
  await handle('etl:pick-inputs', undefined);
  await handle('etl:pick-output-dir', undefined);
  const req = {
    eventsPath: '/home/u/picked/events.json',
    usersPath: '/home/u/picked/users.csv',
    outDir: '/home/u/chosen-out',
  };
  assert.equal((await handle('etl:run', req)).ok, true);
  assert.deepEqual(remembered, [req]);
  const bad = await handle('etl:run', { ...req, outDir: 7 });
  assert.match(!bad.ok ? bad.error.message : '', /field "outDir"/);
  assert.deepEqual(calls, ['run']);
});

test('daily counts: only an allowed output folder reaches the service, not one that climbs out of it', async () => {
  const { handle, calls } = setup();
  await handle('etl:defaults', undefined); // allows /home/u/out
  for (const outDir of ['/etc', '/home/u/out/../../../etc', '/home/u/outside']) {
    const refused = await handle('etl:daily-counts', { outDir });
    assert.equal(refused.ok, false, outDir);
    assert.match(!refused.ok ? refused.error.message : '', /The output folder ".*" was not chosen in this app/, outDir);
    assert.equal(!refused.ok && refused.error.file, outDir);
  }
  assert.deepEqual(calls, []);
  assert.deepEqual(await handle('etl:daily-counts', { outDir: '/home/u/out' }), { ok: true, value: 'dailyCounts' });
  const malformed = await handle('etl:daily-counts', { outDir: '/home/u/out', limit: 5 });
  assert.match(!malformed.ok ? malformed.error.message : '', /unexpected field "limit"/);
  assert.deepEqual(calls, ['dailyCounts']);
});
