/**
 * The `etl` command line (electron/cli/etl.ts), run as a real child process with
 * `npx tsx electron/cli/etl.ts`, and in-process through `main(argv)`.
 * Exit codes: 0 success, 2 bad input or usage, 1 unexpected. Log lines go to standard error.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { LOG_LINE } from '../engine/helpers';
import { fixture, lines } from './cli-fixtures';

const ROOT = path.resolve(__dirname, '../..');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'electron/cli/etl.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('as a child process (npx tsx electron/cli/etl.ts)', () => {
  test('--help prints usage and exits 0', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--events/);
    assert.match(r.stdout, /--users/);
    assert.match(r.stdout, /--out/);
  });

  test('an unknown flag exits 2 with one line on stderr', async () => {
    const r = await cli(['--frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /frobnicate/);
    assert.equal(r.stdout, '');
  });

  test('bad input exits 2 with one "etl: error:" line naming the file', async () => {
    const f = fixture();
    const missing = path.join(f.dir, 'nowhere.json');
    const r = await cli(['--events', missing, '--users', f.users, '--out', f.out]);
    assert.equal(r.code, 2, r.stderr);
    const errors = lines(r.stderr).filter((l) => l.startsWith('etl: error: '));
    assert.equal(errors.length, 1, r.stderr);
    assert.ok(errors[0].includes('nowhere.json'), errors[0]);
    // Everything else on stderr is a log line.
    for (const l of lines(r.stderr)) if (!l.startsWith('etl: error: ')) assert.match(l, LOG_LINE);
  });

  test('success exits 0, prints the log lines to stderr and writes the outputs', async () => {
    const f = fixture();
    const r = await cli(['--events', f.events, '--users', f.users, '--out', f.out]);
    assert.equal(r.code, 0, r.stderr);
    const err = lines(r.stderr);
    assert.ok(err.length > 5);
    for (const l of err) assert.match(l, LOG_LINE);
    assert.match(r.stderr, /Loaded 4 events/);
    assert.match(r.stderr, /Deduplication: 4 -> 3 \(removed 1 duplicates\)/);
    assert.match(r.stderr, /DROPPED ROW SUMMARY:/);
    assert.deepEqual(fs.readdirSync(f.out).sort(), [
      'clean_events.parquet',
      'daily_summary.parquet',
      'dropped_rows.parquet',
      'etl.log',
      'run_report.html',
      'run_report.json',
    ]);
    // The same messages as etl.log.
    const strip = (l: string) => l.replace(LOG_LINE, '');
    assert.deepEqual(err.map(strip), lines(fs.readFileSync(path.join(f.out, 'etl.log'), 'utf8')).map(strip));
  });
});
