/**
 * A full disk, or any failed write, is one clear line naming the file, exit 2, whichever output
 * it hit; "Run finished" is said only once every file is in place; the earlier outputs stay as
 * they were. The Parquet case fills a real small tmpfs (Linux, as root); run_report.json and
 * etl.log, written after the Parquet files, get an injected ENOSPC.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, mock, test } from 'node:test';
import { main } from '../../electron/cli/etl';
import { STAGING_PREFIX } from '../../electron/engine/atomic-output';
import { runPipeline } from '../../electron/engine/pipeline';
import type { EtlError } from '../../electron/engine/errors';
import { DEFAULT_USERS, hashTree, ndjson, tmpDir, writeFile } from '../engine/helpers';

process.env.ETL_HISTORY_DIR = tmpDir(); // the CLI's run history, kept out of the user's

/** `main` in this process; its standard error captured until it settles. */
async function etl(args: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(args), stderr };
  } finally {
    process.stderr.write = write;
  }
}

const dir = tmpDir();
const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
const small = writeFile(
  dir,
  'small.ndjson',
  ndjson([{ user_id: 'u1', event_type: 'login', timestamp: '2025-01-15T10:00:00Z', value: 1 }]),
);
// Poorly compressible text, so the Parquet files outgrow a small disk.
const big = writeFile(
  dir,
  'big.ndjson',
  ndjson(
    Array.from({ length: 30_000 }, (_, i) => ({
      user_id: `u${(i % 2) + 1}`,
      event_type: `e-${(i * 2654435761) % 1e9}`,
      timestamp: `2025-01-15T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
      value: i,
      metadata: { device: `d-${(i * 40503) % 1e7}`, page: `/p/${(i * 69069) % 1e8}` },
    })),
  ),
);

function assertOneLineError(stderr: string, file: RegExp): void {
  const errors = stderr.split('\n').filter((l) => l.startsWith('etl: '));
  assert.equal(errors.length, 1, stderr);
  assert.match(errors[0], /^etl: error: Cannot write /);
  assert.match(errors[0], file);
  assert.doesNotMatch(stderr, /Run finished/, '"Run finished" is never said for a run that did not finish');
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('a full disk', () => {
  test('while the Parquet files are written (a real 512 KiB tmpfs): one line naming the file, exit 2, earlier outputs kept', async (t) => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0)
      return t.skip('mounting a tmpfs needs Linux and root');
    const mnt = fs.mkdtempSync(path.join(dir, 'small-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      return t.skip('mount -t tmpfs is not permitted here');
    }
    try {
      const out = path.join(mnt, 'out');
      const first = await etl(['--events', small, '--users', users, '--out', out, '--quiet']);
      assert.equal(first.code, 0, first.stderr);
      const before = hashTree(out);
      const r = await etl(['--events', big, '--users', users, '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assertOneLineError(r.stderr, new RegExp(`${out}/\\w+\\.parquet \\(ENOSPC\\).*The disk is full`));
      assert.deepEqual(hashTree(out), before, 'the earlier outputs, byte for byte, and no staging folder');
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  for (const name of ['run_report.json', 'etl.log']) {
    test(`while ${name} is written (injected ENOSPC): one line naming it, exit 2, earlier outputs kept`, async () => {
      const out = path.join(tmpDir(), 'out');
      assert.equal((await etl(['--events', small, '--users', users, '--out', out, '--quiet'])).code, 0);
      const before = hashTree(out);
      const realWrite = fsp.writeFile;
      const writeFileMock = mock.method(fsp, 'writeFile', async (file: unknown, ...rest: unknown[]) => {
        if (path.basename(String(file)) === name)
          throw Object.assign(new Error(`ENOSPC: no space left on device, open '${file}'`), { code: 'ENOSPC' });
        return (realWrite as (...a: unknown[]) => Promise<void>)(file, ...rest);
      });
      let r: { code: number; stderr: string };
      try {
        r = await etl(['--events', big, '--users', users, '--out', out]);
      } finally {
        writeFileMock.mock.restore();
      }
      assert.equal(r.code, 2, r.stderr);
      assertOneLineError(r.stderr, new RegExp(`Cannot write ${out}/${name.replace('.', '\\.')} \\(ENOSPC\\)`));
      assert.deepEqual(hashTree(out), before);
    });
  }
});

test('"Run finished" is said only once every output is in place', async () => {
  const out = path.join(tmpDir(), 'out');
  let checked = false;
  await runPipeline(
    { eventsPath: small, usersPath: users, outDir: out },
    {
      onEvent: (e) => {
        if (e.type !== 'log' || !e.message.startsWith('Run finished')) return;
        checked = true;
        const names = fs.readdirSync(out);
        for (const n of [
          'clean_events.parquet',
          'daily_summary.parquet',
          'dropped_rows.parquet',
          'run_report.json',
          'etl.log',
        ])
          assert.ok(names.includes(n), `${n} is in place`);
        assert.deepEqual(
          names.filter((n) => n.startsWith(STAGING_PREFIX)),
          [],
        );
      },
    },
  );
  assert.ok(checked);
  assert.match(fs.readFileSync(path.join(out, 'etl.log'), 'utf8'), /Run finished/, 'and etl.log holds the line');
});

// The 1 MiB disk fills while the scan spills its batches. The 8 MiB one holds the whole spill
// (the chunks free it as they go), so it is filled up by another program, as it were, just
// before the chunks write the outputs.
for (const [size, file, fillDuringChunks] of [
  ['1m', /\/\.etl-spill-[^/]+\/[\w-]+\.ipc/, false],
  ['8m', /\/out\/\w+\.parquet/, true],
] as const)
  test(`a ${size} disk that fills during a spilled run's ${fillDuringChunks ? 'chunks' : 'scan'} (a real tmpfs): a clear error naming the file, nothing left behind, earlier outputs kept`, async (t) => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0)
      return t.skip('mounting a tmpfs needs Linux and root');
    const mnt = fs.mkdtempSync(path.join(dir, 'spill-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
    } catch {
      return t.skip('mount -t tmpfs is not permitted here');
    }
    try {
      const out = path.join(mnt, 'out');
      await runPipeline({ eventsPath: small, usersPath: users, outDir: out });
      const before = hashTree(out);
      // Whatever room the volume has left, taken by a file beside the output folder.
      const fillUp = () => {
        const { bavail, bsize } = fs.statfsSync(mnt);
        try {
          fs.appendFileSync(path.join(mnt, 'filler'), Buffer.alloc(bavail * bsize));
        } catch {
          // (Full before the last byte: so much the better.)
        }
      };
      // The volume says it has room (as a disk another program fills mid-run would), so the
      // run starts, spills in small batches, and meets the full disk while it writes.
      const err = await runPipeline(
        { eventsPath: big, usersPath: users, outDir: out, memoryLimit: 100e6 },
        {
          scan: { batchRows: 1000 },
          spill: { chunkRows: 4000, freeBytes: async () => 1e12 },
          // Once the last dedup pass is done, before the first chunk writes anything: the chunks
          // free spill files only after their writes, so the first write meets the full disk.
          onEvent: (e) => {
            if (fillDuringChunks && e.type === 'log' && /^Spilled run: dedup pass (\d+) of \1 done/.test(e.message))
              fillUp();
          },
        },
      ).then(
        () => assert.fail('the run cannot finish on a full disk'),
        (e: unknown) => e as EtlError,
      );
      assert.equal(err.name, 'EtlError', String(err));
      assert.match(
        err.message,
        /^Cannot write .*\(ENOSPC\); the earlier outputs were left as they were\. The disk is full/,
      );
      assert.match(err.message, file);
      assert.deepEqual(hashTree(out), before, 'the earlier outputs, byte for byte; no staging or spill folder');
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
