/**
 * A spilled run reads its events file around the page cache (sequential-read.ts): direct reads
 * of aligned blocks, each cut down to the bytes asked for, the next block read ahead. Whatever
 * the start, the block size or the order of the reads, the bytes must be the file's, and the
 * scan's rows those of a plain read.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { toIpcStream } from '../../electron/engine/column-builders';
import { scanSegment } from '../../electron/engine/segment-scan';
import { openSequential } from '../../electron/engine/sequential-read';
import { ev, tmpDir, writeFile } from './helpers';

/** Bytes that differ at every offset of a 4 KiB block, so a misplaced block shows. */
function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7919 + (i >> 12)) & 255;
  return b;
}

async function readFrom(path: string, start: number, block: number, uncached: boolean) {
  const reader = await openSequential(path, { uncached, blockBytes: block });
  const parts: Buffer[] = [];
  try {
    for (let pos = start; ;) {
      const buf = Buffer.alloc(block);
      const n = await reader.read(buf, 0, block, pos);
      if (n === 0) break;
      parts.push(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    await reader.close();
  }
  return { bytes: Buffer.concat(parts), uncached: reader.uncached };
}

describe('reading around the page cache', () => {
  const data = pattern(1_000_003);
  const path = writeFile(tmpDir(), 'events.bin', data);

  test('gives the file from any start to its end, in any block size', async () => {
    for (const start of [0, 1, 4095, 4096, 12_345, 999_999, 1_000_003])
      for (const block of [1000, 4096, 65_536, 300_001]) {
        const got = await readFrom(path, start, block, true);
        assert.ok(got.bytes.equals(data.subarray(start)), `start ${start}, block ${block}`);
        // Linux file systems of test folders take direct reads; elsewhere the plain fallback ran.
        assert.equal(got.uncached, process.platform === 'linux', `start ${start}, block ${block}`);
      }
  });

  test('a read that is not the next one still gets its own bytes', async () => {
    const reader = await openSequential(path, { uncached: true, blockBytes: 70_000 });
    try {
      for (const [pos, len] of [
        [500_000, 70_000],
        [10, 5],
        [10, 70_000],
        [70_010, 30_000],
        [999_990, 70_000],
        [0, 70_000],
      ]) {
        const buf = Buffer.alloc(len);
        const n = await reader.read(buf, 0, len, pos);
        assert.equal(n, Math.min(len, data.length - pos), `at ${pos}`);
        assert.ok(buf.subarray(0, n).equals(data.subarray(pos, pos + n)), `at ${pos}`);
      }
    } finally {
      await reader.close();
    }
  });

  test('reads plainly unless asked not to cache', async () => {
    const got = await readFrom(path, 3, 65_536, false);
    assert.equal(got.uncached, false);
    assert.ok(got.bytes.equals(data.subarray(3)));
  });

  test("the scan's rows from a direct read are those of a plain one, from a range's middle too", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify(
        ev(`u${i % 37}`, i, { value: i / 4, metadata: { device: 'web', page: `/p/${'ü'.repeat(i % 9)}` } }),
      ),
    );
    const body = lines.join('\n') + '\n';
    const file = writeFile(tmpDir(), 'events.ndjson', body);
    const size = Buffer.byteLength(body);
    // A range that starts at a line end far from any 4 KiB boundary, as a scan thread's does.
    const start = Buffer.byteLength(lines.slice(0, 1234).join('\n') + '\n');
    const scan = async (uncached: boolean, blockBytes: number, first: boolean) => {
      const frames: pl.DataFrame[] = [];
      await scanSegment(
        { path: file, start: first ? 0 : start, end: size, format: 'ndjson', first, last: true },
        {
          blockBytes,
          batchRows: 500,
          uncached,
          onBatch: (b) => frames.push(pl.readIPCStream(Buffer.from(toIpcStream(b)))),
        },
      );
      return pl.concat(frames, { how: 'vertical' });
    };
    for (const first of [true, false])
      for (const block of [333, 4096, 10_000]) {
        const plain = await scan(false, block, first);
        const direct = await scan(true, block, first);
        assert.equal(plain.height, first ? 3000 : 3000 - 1234);
        assert.ok(direct.frameEqual(plain, true), `first ${first}, block ${block}`);
      }
  });
});
