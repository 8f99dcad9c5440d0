/** `npm run generate` as a user runs it: help, usage errors, and a small run. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const repo = path.resolve(import.meta.dirname, '../..');
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'generator-cli-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function generate(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'electron/cli/generate.ts'), ...args], {
    cwd: repo,
    encoding: 'utf8',
  });
}

test('--help prints usage and exits 0', () => {
  const r = generate('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: npm run generate/);
  assert.match(r.stdout, /--events N/);
});

test('a bad flag is one line on stderr and exit code 2', () => {
  for (const args of [['--nope'], ['--format', 'xml'], ['--events', 'ten']]) {
    const r = generate(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^generate: /);
  }
});

test('a small ndjson run writes raw_events.ndjson and users.csv and reports its counts', () => {
  const out = path.join(tmpRoot, 'small');
  const r = generate('--events', '500', '--users', '40', '--seed', '1', '--format', 'ndjson', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(out).sort(), ['raw_events.ndjson', 'users.csv']);
  assert.match(r.stdout, /500 events/);
  assert.match(r.stdout, /duplicate 10/);
  assert.equal(fs.readFileSync(path.join(out, 'users.csv'), 'utf8').trimEnd().split('\n').length, 41);
});
