/**
 * One run per output folder at a time: a second run, from the command line, the engine or
 * browser mode's service, is refused at once with who holds the folder; a lock left by a dead
 * process is taken over; a crashed run's leftovers are cleaned by the next run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { STAGING_PREFIX } from '../../electron/engine/atomic-output';
import { EtlError } from '../../electron/engine/errors';
import { LOCK_NAME } from '../../electron/engine/output-lock';
import { runPipeline } from '../../electron/engine/pipeline';
import { EngineService } from '../../electron/service/engine-service';
import { forkRunHost } from '../../electron/service/fork-run-host';
import { bundledRunWorker } from '../service/run-worker-bundle';
import { assertUntouched, setup } from '../engine/earlier-outputs';
import { hashTree } from '../engine/helpers';

const ROOT = path.resolve(__dirname, '../..');
const holders: ChildProcess[] = [];
after(() => holders.forEach((h) => h.kill('SIGKILL')));

/** A live process holding `outDir`'s lock as a run from `source`; resolves once it holds it. */
async function holdLock(outDir: string, source: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'lock-holder.ts'), outDir, source], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  holders.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return child;
}

const gone = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode ? resolve() : child.on('exit', () => resolve()),
  );

describe('the output folder lock', () => {
  test('a second run is refused at once, naming the run that holds the folder; the outputs are untouched', async () => {
    const s = await setup();
    const holder = await holdLock(s.outDir, 'cli');
    const err = await runPipeline({ eventsPath: s.events, usersPath: s.users, outDir: s.outDir }).then(
      () => assert.fail('refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof EtlError);
    assert.equal(err.info.kind, 'busy');
    assert.match(
      err.message,
      new RegExp(`in use by a command-line run \\(npm run etl\\) \\(process ${holder.pid}, started `),
    );
    assert.match(err.message, /Wait for it to finish or cancel it, or choose another output folder/);
    // Still held by the other run, and the outputs as they were.
    assert.ok(fs.existsSync(path.join(s.outDir, LOCK_NAME)));
    fs.rmSync(path.join(s.outDir, LOCK_NAME)); // (only to compare the outputs)
    assertUntouched(s);
  });

  test('the command line refuses with exit 2 and the same message', async () => {
    const s = await setup();
    const holder = await holdLock(s.outDir, 'browser');
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(
        process.execPath,
        [
          path.join(ROOT, 'electron/cli/run-bundled.cjs'),
          'etl',
          '--events',
          s.events,
          '--users',
          s.users,
          '--out',
          s.outDir,
        ],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      c.stderr!.on('data', (d) => (stderr += d));
      c.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`etl: error: The output folder .* is in use by a run from browser mode \\(process ${holder.pid}`),
    );
  });

  test("browser mode's service refuses too, as an error value", async () => {
    const s = await setup();
    const holder = await holdLock(s.outDir, 'app');
    const service = new EngineService({ hosts: forkRunHost(await bundledRunWorker()) });
    const result = await service.run({ eventsPath: s.events, usersPath: s.users, outDir: s.outDir });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.kind, 'busy');
    assert.match(
      !result.ok ? result.error.message : '',
      new RegExp(`a run from the desktop app \\(process ${holder.pid}`),
    );
    assert.ok(fs.existsSync(path.join(s.outDir, LOCK_NAME)), 'the holder keeps its lock');
  });

  test('a lock left by a dead process is taken over, and released at the end', async () => {
    const s = await setup();
    const holder = await holdLock(s.outDir, 'cli');
    holder.kill('SIGKILL');
    await gone(holder);
    assert.ok(fs.existsSync(path.join(s.outDir, LOCK_NAME)), 'the dead run left its lock');
    const report = await runPipeline({ eventsPath: s.events, usersPath: s.users, outDir: s.outDir });
    assert.equal(report.inputs[0].path, s.events);
    assert.ok(!fs.existsSync(path.join(s.outDir, LOCK_NAME)));
  });

  test('two runs started together into one folder: one runs, the other is refused', async () => {
    const s = await setup();
    const req = { eventsPath: s.events, usersPath: s.users, outDir: s.outDir };
    const results = await Promise.allSettled([runPipeline(req), runPipeline(req)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((refused.reason as EtlError).info.kind, 'busy');
  });
});

describe("a crashed run's leftovers", () => {
  test('staging folders and partial Parquet files are removed by the next run; the earlier outputs stay', async () => {
    const s = await setup();
    // What a run killed while writing leaves: a staging folder with a partial Parquet file, and
    // the private file of a lock being taken by a process that is gone.
    const staging = path.join(s.outDir, `${STAGING_PREFIX}crashed`);
    fs.mkdirSync(staging);
    fs.writeFileSync(path.join(staging, 'clean_events.parquet'), 'PAR1 partial');
    fs.writeFileSync(
      path.join(s.outDir, `${LOCK_NAME}.dead.tmp`),
      JSON.stringify({ pid: 2 ** 22 + 1, host: require('node:os').hostname(), token: 'dead', source: 'cli' }),
    );
    // A failed run (bad events) still cleans up first, and leaves the earlier outputs.
    const bad = path.join(s.dir, 'bad.json');
    fs.writeFileSync(bad, '[{"user_id":');
    const log: string[] = [];
    await runPipeline(
      { eventsPath: bad, usersPath: s.users, outDir: s.outDir },
      { onEvent: (e) => void (e.type === 'log' && log.push(e.message)) },
    ).catch(() => undefined);
    assert.ok(
      log.some((l) => /Removed 1 leftover staging folder/.test(l)),
      log.join('\n'),
    );
    assertUntouched(s);
    assert.deepEqual(hashTree(s.outDir), s.before, 'no leftovers at all');
  });
});
