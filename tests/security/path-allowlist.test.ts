/**
 * Attacks on the path allowlist, through the real request handlers: what the service is handed
 * is recorded, so each test shows the service never saw a path outside the user's grants.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { EngineService } from '../../electron/service/engine-service';
import { PathAllowlist } from '../../electron/service/path-allowlist';
import { createRequestHandlers } from '../../electron/transport/request-handlers';
import type { ShellPlatform } from '../../electron/transport/shell-platform';

let root: string;
let allowed: string; // a folder the user chose as output
let secretDir: string; // a folder nobody granted
let sampleDir: string;

before(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'etl-sec-allow-')));
  allowed = path.join(root, 'allowed');
  secretDir = path.join(root, 'elsewhere', 'private');
  sampleDir = path.join(root, 'data');
  await mkdir(allowed, { recursive: true });
  await mkdir(secretDir, { recursive: true });
  await mkdir(sampleDir);
  await writeFile(path.join(root, 'elsewhere', 'secret.csv'), 'user_id\nsecret\n');
  await writeFile(path.join(secretDir, 'inner.csv'), 'x');
  await writeFile(path.join(sampleDir, 'raw_events.json'), '[]');
  await writeFile(path.join(sampleDir, 'users.csv'), 'user_id\n');
  // The attack's ingredient: a link inside an allowed folder to a folder outside every grant.
  await symlink(secretDir, path.join(allowed, 'link'));
});
after(() => rm(root, { recursive: true, force: true }));

function setup() {
  const seen: string[] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      seen.push(`${name} ${JSON.stringify(args)}`);
      return { ok: true as const, value: null as never };
    };
  const service = {
    running: false,
    inspectInput: record('inspectInput'),
    run: record('run'),
    readPage: record('readPage'),
    droppedSummary: record('droppedSummary'),
    exportDroppedCsv: record('exportDroppedCsv'),
    dailyCounts: record('dailyCounts'),
  } as unknown as EngineService;
  const platform: ShellPlatform = {
    defaults: async () => ({
      outDir: allowed,
      sample: { eventsPath: path.join(sampleDir, 'raw_events.json'), usersPath: path.join(sampleDir, 'users.csv') },
      recent: {},
    }),
    pickInputs: async () => [],
    pickOutputDir: async () => null,
    showInFolder: async (p) => void seen.push(`show ${p}`),
    remember: async () => undefined,
  };
  const allowlist = new PathAllowlist();
  const { handle } = createRequestHandlers({ service, platform, allowlist });
  return { handle, seen, allowlist };
}

const message = (r: { ok: boolean; error?: { message: string } }) => (r.ok ? '' : r.error!.message);

test('symlink bypass: <allowed>/link/../secret.csv is refused, though it reads as <allowed>/secret.csv', async () => {
  const { handle, seen } = setup();
  await handle('etl:defaults', undefined);
  const attack = path.join(allowed, 'link') + '/../secret.csv';
  // What the kernel would open: the link's target's parent, outside every grant.
  assert.equal(await readFile(attack, 'utf8'), 'user_id\nsecret\n', 'the attack path really reaches the secret');
  for (const [channel, payload] of [
    ['etl:inspect-input', { path: attack }],
    ['etl:show-in-folder', { path: attack }],
    ['etl:run', { eventsPath: attack, usersPath: attack, outDir: allowed }],
    ['etl:daily-counts', { outDir: path.join(allowed, 'link') + '/..' }],
    ['etl:export-dropped-csv', { outDir: path.join(allowed, 'link') + '/../..' }],
  ] as const) {
    const result = await handle(channel, payload);
    assert.equal(result.ok, false, channel);
    assert.match(message(result), /was not chosen in this app/, channel);
  }
  // A Windows-style separator does not smuggle the `..` past the check either.
  assert.equal((await handle('etl:inspect-input', { path: `${allowed}\\link\\..\\secret.csv` })).ok, false);
  assert.deepEqual(seen, []);
});

test('a link inside an output folder is followed before the check: its target is outside, so refused', async () => {
  const { handle, seen } = setup();
  await handle('etl:defaults', undefined);
  const viaLink = path.join(allowed, 'link', 'inner.csv');
  const result = await handle('etl:inspect-input', { path: viaLink });
  assert.match(message(result), /"[^"]*link\/inner\.csv" was not chosen in this app/);
  assert.deepEqual(seen, []);
});

test('a dangling symlink in an output folder is refused: a write would follow it out', async () => {
  const { handle, seen } = setup();
  await handle('etl:defaults', undefined);
  const dangling = path.join(allowed, 'dangling');
  await symlink(path.join(root, 'elsewhere', 'not-yet'), dangling);
  try {
    assert.equal((await handle('etl:daily-counts', { outDir: dangling })).ok, false);
    assert.equal((await handle('etl:export-dropped-csv', { outDir: path.join(dangling, 'sub') })).ok, false);
    assert.deepEqual(seen, []);
  } finally {
    await rm(dangling);
  }
});

test('the service is handed the canonical path that was checked, not the one that was sent', async () => {
  const { handle, seen } = setup();
  await handle('etl:defaults', undefined);
  await handle('etl:daily-counts', { outDir: `${allowed}/./` });
  assert.deepEqual(seen, [`dailyCounts ${JSON.stringify([allowed])}`]);
});

test('read and write grants are apart: an input file or the sample folder is never an output folder', async () => {
  const { handle, seen } = setup();
  await handle('etl:defaults', undefined);
  const events = path.join(sampleDir, 'raw_events.json');
  const users = path.join(sampleDir, 'users.csv');
  // The two sample files are readable...
  assert.equal((await handle('etl:inspect-input', { path: events })).ok, true);
  assert.equal((await handle('etl:inspect-input', { path: users })).ok, true);
  // ...but not their folder, nor anything else in it.
  await writeFile(path.join(sampleDir, 'other.json'), '[]');
  assert.equal((await handle('etl:inspect-input', { path: path.join(sampleDir, 'other.json') })).ok, false);
  // A run or an export may not write into the sample folder, nor into a granted input's folder.
  const run = await handle('etl:run', { eventsPath: events, usersPath: users, outDir: sampleDir });
  assert.match(message(run), /The output folder ".*data" was not chosen in this app as an output folder/);
  const exported = await handle('etl:export-dropped-csv', { outDir: sampleDir });
  assert.match(message(exported), /was not chosen in this app as an output folder/);
  // A granted input file is not a folder to write into either.
  assert.equal((await handle('etl:export-dropped-csv', { outDir: events })).ok, false);
  assert.deepEqual(
    seen.map((s) => s.split(' ')[0]),
    ['inspectInput', 'inspectInput'],
  );
  // The output folder takes the run.
  assert.equal((await handle('etl:run', { eventsPath: events, usersPath: users, outDir: allowed })).ok, true);
});

test('allowlist: exact files, output folders and beneath, nothing else; empty, NUL and .. refused', async () => {
  const list = new PathAllowlist();
  const chosen = path.join(root, 'picked', 'events.json');
  list.allowFile(chosen);
  list.allowOutputDir(path.join(root, 'out'));
  assert.equal(list.readable(chosen), chosen);
  assert.equal(list.writable(chosen), null, 'a read grant is not a write grant');
  assert.equal(list.readable(path.join(root, 'picked', 'other.json')), null, 'a sibling of a chosen file');
  assert.equal(
    list.readable(path.join(root, 'out', 'clean_events.parquet')),
    path.join(root, 'out', 'clean_events.parquet'),
  );
  assert.equal(list.writable(path.join(root, 'out')), path.join(root, 'out'));
  assert.equal(list.readable(path.join(root, 'out') + '/../secret.txt'), null, 'no climbing out with ..');
  assert.equal(list.readable(path.join(root, 'outside')), null, 'a name that only starts like the folder');
  assert.equal(list.readable('/etc/passwd'), null);
  assert.equal(list.readable(''), null);
  assert.equal(list.readable(`${chosen}\0`), null);
  const check = list.checkRead('/etc/passwd', 'The input file');
  assert.match(check.ok ? '' : check.message, /"\/etc\/passwd" was not chosen in this app/);
});
