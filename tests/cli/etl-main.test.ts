/**
 * The `etl` command line's `main(argv)` (electron/cli/etl.ts), in this process: usage errors,
 * input errors, flags. (etl-cli.test.ts runs it as a child process.)
 * Exit codes: 0 success, 2 bad input or usage, 1 unexpected. Log lines go to standard error.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, mock, test } from 'node:test';
import { main } from '../../electron/cli/etl';
import { ev, hashTree, writeFile } from '../engine/helpers';
import { fixture, lines } from './cli-fixtures';

/**
 * Runs `main` in this process, capturing what it writes. Standard output is captured only
 * while `main` runs synchronously (its help text is written before its first await), so the
 * test runner's own reporting on standard output is never swallowed; standard error is
 * captured until `main` settles.
 */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  let pending: Promise<number>;
  try {
    pending = main(args);
  } finally {
    process.stdout.write = out;
  }
  try {
    const code = await pending;
    return { code, stdout, stderr };
  } finally {
    process.stderr.write = err;
  }
}

describe('main(argv) in-process', () => {
  test('--help returns 0', async () => {
    const r = await inProcess(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage/);
  });

  test('usage errors return 2 with one line: unknown flag, missing value, stray argument, value on a boolean', async () => {
    for (const args of [['--nope'], ['--events'], ['--events', '--users', 'x'], ['stray'], ['--help=yes']]) {
      const r = await inProcess(args);
      assert.equal(r.code, 2, JSON.stringify(args));
      assert.equal(lines(r.stderr).length, 1, `${JSON.stringify(args)}: ${r.stderr}`);
      assert.match(r.stderr, /^etl: /);
    }
  });

  test('--memory-limit takes a size of at least 100 MB; anything else is a usage error naming the flag', async () => {
    const f = fixture();
    for (const bad of ['50MB', 'lots', '1.5 parsecs', '']) {
      const r = await inProcess(['--events', f.events, '--users', f.users, '--out', f.out, '--memory-limit', bad]);
      assert.equal(r.code, 2, bad);
      assert.equal(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, /^etl: --memory-limit .*1\.5GB or 400MB/);
      assert.equal(fs.existsSync(f.out), false, 'nothing is written for a usage error');
    }
    // 150 MB is below what the engine itself needs, so even these four events spill; the
    // outputs are complete and the spill folder is gone.
    const r = await inProcess(['--events', f.events, '--users', f.users, '--out', f.out, '--memory-limit=150MB']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /spills to disk/);
    const files = fs.readdirSync(f.out);
    for (const name of ['clean_events.parquet', 'daily_summary.parquet', 'dropped_rows.parquet', 'run_report.json'])
      assert.ok(files.includes(name), name);
    assert.deepEqual(
      files.filter((n) => n.startsWith('.')),
      [],
      'no spill or staging folder is left',
    );
  });

  test('--flag=value works like --flag value', async () => {
    const f = fixture();
    const r = await inProcess([`--events=${f.events}`, `--users=${f.users}`, `--out=${f.out}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(f.out, 'clean_events.parquet')));
  });

  test('each input error returns 2 with one "etl: error:" line naming the file, and keeps earlier outputs', async () => {
    const f = fixture();
    assert.equal((await inProcess(['--events', f.events, '--users', f.users, '--out', f.out])).code, 0);
    const before = hashTree(f.out);
    const badJson = writeFile(f.dir, 'broken.json', '[{"user_id":"u1"},\n{"user_id": }]');
    const noCountry = writeFile(f.dir, 'nocountry.csv', 'user_id,signup_date\nu1,2024-01-01\n');
    const cases: [string[], string][] = [
      [['--events', path.join(f.dir, 'missing.json'), '--users', f.users, '--out', f.out], 'missing.json'],
      [['--events', f.events, '--users', path.join(f.dir, 'missing.csv'), '--out', f.out], 'missing.csv'],
      [['--events', badJson, '--users', f.users, '--out', f.out], 'broken.json'],
      [['--events', f.events, '--users', noCountry, '--out', f.out], 'nocountry.csv'],
      [['--events', f.events, '--users', f.users, '--out', f.events], 'events.json'],
    ];
    for (const [args, name] of cases) {
      const r = await inProcess(args);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      const errors = lines(r.stderr).filter((l) => l.startsWith('etl: error: '));
      assert.equal(errors.length, 1, r.stderr);
      assert.ok(errors[0].includes(name), errors[0]);
      assert.deepEqual(hashTree(f.out), before, name);
    }
    const r = await inProcess(['--events', badJson, '--users', f.users, '--out', f.out]);
    assert.match(r.stderr, /etl: error: .*line 2/);
  });

  test('a bad users.csv or events file: the error names the file, line, column and byte, and shows the line with a caret', async () => {
    const f = fixture();
    const quote = writeFile(f.dir, 'quote.csv', 'user_id,signup_date,country\nu1,"2024-01-01,US\n');
    let r = await inProcess(['--events', f.events, '--users', quote, '--out', f.out]);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(lines(r.stderr).slice(-3), [
      'etl: error: quote.csv: a quoted field opened at line 2, column 4 (byte 31) is never closed. Close the quote (write "" for a quote inside a field).',
      '    u1,"2024-01-01,US',
      '       ^',
    ]);
    const badJson = writeFile(f.dir, 'broken.json', '[{"user_id":"u1"},\n{"user_id": }]');
    r = await inProcess(['--events', badJson, '--users', f.users, '--out', f.out]);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(lines(r.stderr).slice(-2), ['    {"user_id": }]', '                ^']);
    assert.equal(fs.existsSync(path.join(f.out, 'clean_events.parquet')), false, 'nothing is written');
  });

  test('--quiet prints only warnings and errors', async () => {
    const f = fixture();
    writeFile(f.dir, 'events.json', JSON.stringify([ev('u1', 1, { value: 'n/a' })]));
    const r = await inProcess(['--events', f.events, '--users', f.users, '--out', f.out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    // Only the one warning this input earns: no INFO line, nothing else.
    assert.deepEqual(
      lines(r.stderr).map((l) => l.replace(/^.* - WARNING - /, 'WARNING: ')),
      ['WARNING: 1 events have a value that is not a number or a decimal string; it was set to null'],
    );
  });

  test('an unexpected failure (a bug, not the input) exits 1, says so, and leaves the earlier outputs', async () => {
    const f = fixture();
    assert.equal((await inProcess(['--events', f.events, '--users', f.users, '--out', f.out])).code, 0);
    const before = hashTree(f.out);
    // A fault no rule foresees, after the outputs were written (a plain TypeError where the
    // engine reads a written file's size, not an input or folder problem): exit code 1 tells a
    // script it is a bug to report, not input to fix.
    const realStat = fsp.stat;
    const stat = mock.method(fsp, 'stat', (file: string, ...rest: []) => {
      if (String(file).endsWith('.parquet')) return Promise.reject(new TypeError('simulated engine bug'));
      return realStat(file, ...rest);
    });
    let r: Awaited<ReturnType<typeof inProcess>>;
    try {
      r = await inProcess(['--events', f.events, '--users', f.users, '--out', f.out]);
    } finally {
      stat.mock.restore();
    }
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^etl: unexpected error: TypeError: simulated engine bug$/m);
    assert.deepEqual(hashTree(f.out), before, 'the earlier outputs are untouched');
  });
});
