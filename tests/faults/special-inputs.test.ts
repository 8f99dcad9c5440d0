/**
 * Inputs that are not regular files (a named pipe such as a shell's `<(...)`, a device, a
 * folder) are refused at once with one line naming the file, and never hang the run: opening a
 * pipe waits for a writer and reading /dev/zero never ends. The earlier outputs stay as they were.
 * (The test's own timeout is the failure bound for "never hangs".)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { EtlError } from '../../electron/engine/errors';
import { runPipeline } from '../../electron/engine/pipeline';
import { inspectInput } from '../../electron/service/input-inspector';
import { assertUntouched, setup } from '../engine/earlier-outputs';

const posix = process.platform !== 'win32';

function fifo(dir: string, name: string): string {
  const p = path.join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
}

async function refused(req: { eventsPath: string; usersPath: string; outDir: string }): Promise<EtlError> {
  const err = await runPipeline(req).then(
    () => assert.fail('the run should be refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EtlError, String(err));
  assert.equal(err.info.kind, 'input');
  assert.ok(!err.message.includes('\n'), 'one line');
  return err;
}

describe(
  'inputs that are not regular files',
  { skip: !posix && 'mkfifo and /dev/zero are POSIX', timeout: 60_000 },
  () => {
    test('a named pipe as the events file is refused at once, naming it', async () => {
      const s = await setup();
      const events = fifo(s.dir, 'events.json');
      const err = await refused({ eventsPath: events, usersPath: s.users, outDir: s.outDir });
      assert.match(err.message, /events file .*events\.json is a named pipe \(FIFO\), not a regular file/);
      assert.equal(err.info.file, events);
      assertUntouched(s);
    });

    test('a named pipe as the users file is refused at once, naming it', async () => {
      const s = await setup();
      const users = fifo(s.dir, 'users-pipe.csv');
      const err = await refused({ eventsPath: s.events, usersPath: users, outDir: s.outDir });
      assert.match(err.message, /users file .*users-pipe\.csv is a named pipe \(FIFO\)/);
      assertUntouched(s);
    });

    test('a pipe with a writer attached (as `--events <(cat file)` gives) is refused too, not read forever', async () => {
      const s = await setup();
      const events = fifo(s.dir, 'piped.json');
      // A writer holding the pipe open: without the check, the run would read until it closed.
      const writer = fs.openSync(events, fs.constants.O_RDWR);
      try {
        const err = await refused({ eventsPath: events, usersPath: s.users, outDir: s.outDir });
        assert.match(err.message, /named pipe/);
      } finally {
        fs.closeSync(writer);
      }
      assertUntouched(s);
    });

    test('/dev/zero (a device) as the events file is refused', async () => {
      const s = await setup();
      const err = await refused({ eventsPath: '/dev/zero', usersPath: s.users, outDir: s.outDir });
      assert.match(err.message, /events file \/dev\/zero is a device, not a regular file/);
      assertUntouched(s);
    });

    test('a folder as the events file is refused with its own message', async () => {
      const s = await setup();
      const err = await refused({ eventsPath: s.dir, usersPath: s.users, outDir: s.outDir });
      assert.match(err.message, /is a folder/);
      assertUntouched(s);
    });

    test("the app's input check names a pipe for what it is, without opening it", async () => {
      const s = await setup();
      const info = await inspectInput(fifo(s.dir, 'chosen.json'));
      assert.match(info.error?.message ?? '', /chosen\.json is a named pipe \(FIFO\), not a regular file/);
    });
  },
);
