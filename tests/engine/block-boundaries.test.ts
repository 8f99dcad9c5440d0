/**
 * The reader scans a file in fixed-size blocks and carries a record cut by a block's end over
 * to the next. Whatever the block size (down to a few bytes, far smaller than one record),
 * the rows read, the tallies and every error position must be those of the default size.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { readEvents } from '../../electron/engine/events-reader';
import type { EtlError } from '../../electron/engine/errors';
import { ev, tmpDir, writeFile } from './helpers';

async function readAll(path: string, blockBytes?: number) {
  const frames: pl.DataFrame[] = [];
  const result = await readEvents(path, {
    workers: 1,
    blockBytes,
    onBatch: (ipc) => frames.push(pl.readIPCStream(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength))),
  });
  return { frames: pl.concat(frames, { how: 'vertical' }), tally: result.tally };
}

const events = [
  ev('u1', 1, { value: 2.5, metadata: { device: 'mobile', page: '/häuser/😀' } }),
  ev(' ünïcödé ', 2, { event_type: 'クリック' }),
  ev('u2', 3, { extra: 'x'.repeat(300) }),
  ev(12345, 4, { value: '3.50' }),
  ev('u1', 5, { timestamp: 'not a time' }),
];
const SIZES = [1, 2, 3, 7, 64, 333];

describe('block boundaries', () => {
  for (const format of ['json', 'ndjson'] as const) {
    test(`${format}: rows and tallies do not depend on the block size`, async () => {
      const body =
        format === 'json'
          ? '\ufeff[\n' + events.map((e) => JSON.stringify(e)).join(' ,\r\n') + '\n]\n'
          : '\ufeff' +
            events.map((e) => JSON.stringify(e)).join('\r\n') +
            '\n\n{"broken": \nnot json\n' +
            JSON.stringify(ev('u3', 9));
      const path = writeFile(tmpDir(), `events.${format}`, body);
      const reference = await readAll(path);
      assert.equal(reference.tally.rows, format === 'json' ? events.length : events.length + 3);
      for (const size of SIZES) {
        const got = await readAll(path, size);
        assert.deepEqual(got.tally, reference.tally, `block ${size}`);
        assert.ok(got.frames.frameEqual(reference.frames, true), `block ${size}: rows differ`);
      }
    });
  }

  test('an invalid UTF-8 byte and a grammar error are reported at the same place for any block size', async () => {
    const good = JSON.stringify(ev('ü1', 1));
    const dir = tmpDir();
    const badUtf8 = writeFile(
      dir,
      'a.ndjson',
      Buffer.concat([Buffer.from(good + '\n{"user_id":"x'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]),
    );
    const badJson = writeFile(dir, 'b.json', `[${good},\n${good}\n${good}]`);
    for (const path of [badUtf8, badJson]) {
      const messages = new Set<string>();
      for (const size of [undefined, ...SIZES]) {
        const err = (await readAll(path, size).then(
          () => null,
          (e: EtlError) => e,
        )) as EtlError | null;
        assert.ok(err, `block ${size}: no error for ${path}`);
        messages.add(`${err.info.offset} ${err.message}`);
      }
      assert.equal(messages.size, 1, [...messages].join('\n'));
    }
  });
});
