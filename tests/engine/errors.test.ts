/**
 * docs/rules.md "Errors": fatal input errors are one clear line naming the file (and line or byte offset),
 * and a failed or cancelled run leaves an earlier good output folder byte-identical, with no
 * staging folder left behind.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { EtlError } from '../../electron/engine/errors';
import { runPipeline } from '../../electron/engine/pipeline';
import type { ProgressEvent } from '../../shared/pipeline';
import { writeFile } from './helpers';
import { assertUntouched, fails, setup } from './earlier-outputs';

function assertInputError(err: EtlError, file: string): void {
  assert.equal(err.info.kind, 'input', err.message);
  assert.equal(err.info.message, err.message);
  assert.ok(!err.message.includes('\n'), `one line: ${JSON.stringify(err.message)}`);
  assert.ok(err.message.includes(path.basename(file)), `names ${path.basename(file)}: ${err.message}`);
}

describe('missing or unreadable inputs', () => {
  test('a missing events file', async () => {
    const s = await setup();
    const missing = path.join(s.dir, 'no-such-events.json');
    const err = await fails({ eventsPath: missing, usersPath: s.users, outDir: s.outDir });
    assertInputError(err, missing);
    assert.equal(path.resolve(err.info.file!), missing);
    assertUntouched(s);
  });

  test('a missing users file', async () => {
    const s = await setup();
    const missing = path.join(s.dir, 'no-such-users.csv');
    const err = await fails({ eventsPath: s.events, usersPath: missing, outDir: s.outDir });
    assertInputError(err, missing);
    assert.equal(path.resolve(err.info.file!), missing);
    assertUntouched(s);
  });

  test('a folder instead of the events file', async () => {
    const s = await setup();
    const folder = path.join(s.dir, 'events-folder');
    fs.mkdirSync(folder);
    const err = await fails({ eventsPath: folder, usersPath: s.users, outDir: s.outDir });
    assertInputError(err, folder);
    assertUntouched(s);
  });

  test('a folder instead of the users file', async () => {
    const s = await setup();
    const folder = path.join(s.dir, 'users-folder');
    fs.mkdirSync(folder);
    const err = await fails({ eventsPath: s.events, usersPath: folder, outDir: s.outDir });
    assertInputError(err, folder);
    assertUntouched(s);
  });
});

describe('an events JSON array that is not valid JSON', () => {
  /** `text` with the error at the first occurrence of `marker`: expected line and byte offset. */
  async function expectJsonError(text: string, marker: string | number, line: number): Promise<void> {
    const s = await setup();
    const bad = writeFile(s.dir, 'bad_events.json', text);
    const at = typeof marker === 'number' ? marker : text.indexOf(marker);
    assert.ok(at >= 0);
    const offset = Buffer.byteLength(text.slice(0, at));
    const err = await fails({ eventsPath: bad, usersPath: s.users, outDir: s.outDir });
    assertInputError(err, bad);
    assert.equal(err.info.line, line, err.message);
    assert.equal(err.info.offset, offset, err.message);
    assert.match(err.message, new RegExp(`line ${line}\\b`));
    assertUntouched(s);
  }

  test('a bad value names the line and the byte offset (multi-byte text before it)', async () => {
    const text =
      '[\n  {"user_id":"u1","event_type":"café ☕","timestamp":"2025-01-15T10:00:00Z"},\n  {"user_id": oops}\n]\n';
    await expectJsonError(text, 'oops', 3);
  });

  test('a missing comma between elements', async () => {
    await expectJsonError('[{"user_id":"u1"}\n {"user_id":"u2"}]', '{"user_id":"u2"}', 2);
  });

  test('a trailing comma before ]', async () => {
    await expectJsonError('[{"user_id":"u1"},\n]', ']', 2);
  });

  test('a raw line break inside a string', async () => {
    await expectJsonError('[{"user_id":"u\n1"}]', '\n', 1);
  });

  test('an invalid escape and an unquoted key', async () => {
    await expectJsonError('[{"user_id":"u\\x"}]', '\\x', 1);
    await expectJsonError('[{user_id:"u1"}]', 'user_id', 1);
  });

  test('NaN is not JSON', async () => {
    await expectJsonError('[{"user_id":"u1","value":NaN}]', 'NaN', 1);
  });

  test('trailing garbage after the closing ]', async () => {
    await expectJsonError('[{"user_id":"u1"}]\n\nx', 'x', 3);
    await expectJsonError('[][]', 2, 1);
    await expectJsonError('[{"user_id":"u1"}]\n{"user_id":"u2"}\n', '{"user_id":"u2"}', 2);
  });

  test('a truncated array: not closed, or cut inside an element, is reported where the file ends', async () => {
    const notClosed = "the array is not closed with ']'";
    const cut = 'the file ends in the middle of an element';
    // [text, line, column, what]: the position is the end of the file, where the missing part belongs.
    const cases: [string, number, number, string][] = [
      ['[{"user_id":"u1"},', 1, 19, notClosed],
      ['[{"user_id":"u1"}\n', 2, 1, notClosed],
      ['[\n{"user_id":"u1"', 2, 16, cut],
      ['[\n{"user_id":"u1","timestamp":"2025-01-15T1', 2, 42, cut],
      ['[', 1, 2, notClosed],
    ];
    for (const [text, line, column, what] of cases) {
      const s = await setup();
      const bad = writeFile(s.dir, 'truncated.json', text);
      const offset = Buffer.byteLength(text);
      const err = await fails({ eventsPath: bad, usersPath: s.users, outDir: s.outDir });
      assertInputError(err, bad);
      assert.deepEqual([err.info.line, err.info.offset], [line, offset], JSON.stringify(text));
      assert.equal(
        err.message,
        `truncated.json is not valid JSON at line ${line}, column ${column} (byte ${offset}): ${what}. Fix the file, or save it as a JSON array or as newline-delimited JSON.`,
      );
      assertUntouched(s);
    }
  });
});

describe('a users file without the required columns', () => {
  for (const missingCol of ['country', 'user_id', 'signup_date']) {
    test(`no ${missingCol} column: the message names the file and the column`, async () => {
      const s = await setup();
      const header = ['user_id', 'signup_date', 'country'].filter((c) => c !== missingCol);
      const bad = writeFile(s.dir, 'bad_users.csv', header.join(',') + '\n' + header.map(() => 'x').join(',') + '\n');
      const err = await fails({ eventsPath: s.events, usersPath: bad, outDir: s.outDir });
      assertInputError(err, bad);
      assert.ok(err.message.includes(missingCol), err.message);
      assertUntouched(s);
    });
  }

  test('an empty users file', async () => {
    const s = await setup();
    const bad = writeFile(s.dir, 'empty_users.csv', '');
    const err = await fails({ eventsPath: s.events, usersPath: bad, outDir: s.outDir });
    assertInputError(err, bad);
    assertUntouched(s);
  });

  test('an unclosed quote names its line', async () => {
    const s = await setup();
    const bad = writeFile(
      s.dir,
      'quote_users.csv',
      'user_id,signup_date,country\r\nu1,2024-01-01,US\r\nu2,"2024-01-01,US\r\nu3,2024-01-01,US\r\n',
    );
    const err = await fails({ eventsPath: s.events, usersPath: bad, outDir: s.outDir });
    assertInputError(err, bad);
    assert.equal(err.info.line, 3, err.message);
    assert.match(err.message, /line 3\b/);
    assertUntouched(s);
  });
});

describe('users.csv is checked first, though the events are read at the same time', () => {
  test("with both inputs bad, the error is the users file's", async () => {
    const s = await setup();
    const badUsers = writeFile(s.dir, 'bad_users.csv', 'user_id,country\nu1,US\n');
    const badEvents = writeFile(s.dir, 'bad_events.json', '[{"user_id": nope}]');
    const err = await fails({ eventsPath: badEvents, usersPath: badUsers, outDir: s.outDir });
    assertInputError(err, badUsers);
    assertUntouched(s);
  });

  test("with a bad output folder and bad events, the error is the folder's", async () => {
    const s = await setup();
    const file = writeFile(s.dir, 'not-a-folder', 'keep me');
    const badEvents = writeFile(s.dir, 'bad_events.json', '[{"user_id": nope}]');
    const err = await fails({ eventsPath: badEvents, usersPath: s.users, outDir: file });
    assertInputError(err, file);
  });

  test('a bad users file stops a long events scan at once: no batch is read to the end', async () => {
    const s = await setup();
    const badUsers = writeFile(s.dir, 'bad_users.csv', 'user_id,country\nu1,US\n');
    const line = JSON.stringify({
      user_id: 'u1',
      event_type: 'login',
      timestamp: '2025-01-15T10:00:00Z',
      value: 1,
      metadata: { device: 'd', page: 'p' },
    });
    const big = writeFile(s.dir, 'big.ndjson', (line + '\n').repeat(400_000)); // about 45 MB, two scan threads
    const seen: ProgressEvent[] = [];
    const err = await runPipeline(
      { eventsPath: big, usersPath: badUsers, outDir: s.outDir },
      { onEvent: (e) => seen.push(e) },
    ).then(
      () => assert.fail('the run should fail'),
      (e: EtlError) => e,
    );
    assertInputError(err, badUsers);
    const reads = seen.flatMap((e) => (e.type === 'bytes-read' ? [e] : []));
    // Reaching the end of the file is always reported (the progress throttle lets it through),
    // so a scan that ran on to the end leaves this event; there may be no earlier ones at all.
    assert.deepEqual(
      reads.filter((e) => e.bytesRead === e.totalBytes),
      [],
      'the scan went on to the end of the events file',
    );
    assert.ok(!seen.some((e) => e.type === 'log' && e.message.startsWith('Loaded 400000 events')));
    assertUntouched(s);
  });
});

describe('an output folder that cannot be used', () => {
  test('an existing FILE as the output folder', async () => {
    const s = await setup();
    const file = writeFile(s.dir, 'not-a-folder', 'keep me');
    const err = await fails({ eventsPath: s.events, usersPath: s.users, outDir: file });
    assertInputError(err, file);
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep me');
    assertUntouched(s);
  });

  test('an output folder below a file', async () => {
    const s = await setup();
    const file = writeFile(s.dir, 'plain-file', 'x');
    const err = await fails({ eventsPath: s.events, usersPath: s.users, outDir: path.join(file, 'out') });
    assertInputError(err, file);
  });
});

describe('text that is not UTF-8', () => {
  test('in the events file: a clear error naming the file, line and byte offset', async () => {
    const s = await setup();
    const head = Buffer.from('[\n{"user_id":"u1","event_type":"caf');
    const bad = writeFile(s.dir, 'latin1.json', Buffer.concat([head, Buffer.from([0xe9]), Buffer.from('"}\n]\n')]));
    const err = await fails({ eventsPath: bad, usersPath: s.users, outDir: s.outDir });
    assertInputError(err, bad);
    assert.equal(err.info.line, 2, err.message);
    assert.equal(err.info.offset, head.length, err.message);
    assertUntouched(s);
  });

  test('in the users file: a clear error naming the file', async () => {
    const s = await setup();
    const bad = writeFile(
      s.dir,
      'latin1.csv',
      Buffer.concat([
        Buffer.from('user_id,signup_date,country\nu1,2024-01-01,M'),
        Buffer.from([0xe9]),
        Buffer.from('xico\n'),
      ]),
    );
    const err = await fails({ eventsPath: s.events, usersPath: bad, outDir: s.outDir });
    assertInputError(err, bad);
    assertUntouched(s);
  });
});
