/**
 * The app and browser mode host each run in a child process. When that process is killed inside
 * the commit, the service recovers the output folder before it replies, and the reply says what
 * the folder holds, as checked: never "left as they were" when they were not.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EngineService } from '../../electron/service/engine-service';
import { forkRunHost } from '../../electron/service/fork-run-host';
import { OUTPUT_FILES } from '../../shared/pipeline';
import { DEFAULT_USERS, ev, hashTree, ndjson, tmpDir, writeFile } from '../engine/helpers';

const WORKER = path.join(__dirname, 'killing-run-worker.ts');

async function killedRun(killAt: string) {
  const dir = tmpDir();
  const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
  const first = writeFile(dir, 'first.ndjson', ndjson([ev('u1', 1), ev('u2', 2)]));
  const second = writeFile(dir, 'second.ndjson', ndjson([ev('u1', 3), ev('u1', 4), ev('u2', 5)]));
  const outDir = path.join(dir, 'out');
  process.env.ETL_TEST_KILL_AT = 'never:0';
  const service = new EngineService({ hosts: forkRunHost(WORKER) });
  const ok = await service.run({ eventsPath: first, usersPath: users, outDir });
  assert.equal(ok.ok, true, JSON.stringify(!ok.ok && ok.error));
  const before = hashTree(outDir);
  process.env.ETL_TEST_KILL_AT = killAt;
  try {
    const result = await service.run({ eventsPath: second, usersPath: users, outDir });
    assert.equal(result.ok, false);
    return { outDir, before, second, error: !result.ok ? result.error : null };
  } finally {
    delete process.env.ETL_TEST_KILL_AT;
  }
}

test('a host killed half-way through moving the outputs: the service finishes the move and says so', async () => {
  const { outDir, before, second, error } = await killedRun('rename:3');
  assert.equal(error?.kind, 'internal');
  assert.match(error!.message, /stopped by signal SIGKILL/);
  assert.match(error!.message, /that was finished, so the output folder holds its complete new outputs/);
  assert.doesNotMatch(error!.message, /as they were/);
  const names = fs.readdirSync(outDir);
  assert.deepEqual(
    names.filter((n) => n.startsWith('.')),
    [],
    'no staging folder, no lock',
  );
  for (const name of Object.values(OUTPUT_FILES)) assert.ok(names.includes(name), name);
  const report = JSON.parse(fs.readFileSync(path.join(outDir, OUTPUT_FILES.runReport), 'utf8'));
  assert.equal(report.inputs[0].path, second, 'the complete new set');
  assert.notDeepEqual(hashTree(outDir), before);
});

test('a host killed before its commit: the reply says the earlier outputs were checked, and they are', async () => {
  const { outDir, before, error } = await killedRun('fsync:2');
  assert.match(error!.message, /The earlier outputs were checked and are as they were/);
  assert.deepEqual(hashTree(outDir), before, 'byte for byte');
});
