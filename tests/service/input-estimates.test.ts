/**
 * The input peek agrees with the run: empty files are what the CLI says they are, and the row
 * estimate of a file too large to count whole is within 5% of the rows the run reads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { inspectInput } from '../../electron/service/input-inspector';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-estimates-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const root = path.resolve(__dirname, '../..');

test('an empty events file is accepted, as the CLI accepts it, with a note that it holds no events', async () => {
  for (const [name, content] of [
    ['raw_events.json', ''],
    ['raw_events.ndjson', ''],
    ['blank.json', '\n  \n'],
  ]) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    const info = await inspectInput(file);
    assert.equal(info.error, undefined, `${name}: ${info.error?.message}`);
    assert.equal(info.kind, 'events');
    assert.equal(info.format, 'ndjson');
    assert.equal(info.rowEstimate, 0);
    assert.match(info.notice ?? '', /holds no events/);
  }
});

test('an empty users file is refused, as the run refuses it, naming the file', async () => {
  const file = path.join(dir, 'users.csv');
  fs.writeFileSync(file, '');
  const info = await inspectInput(file);
  assert.equal(info.kind, 'users');
  assert.equal(info.error?.file, file);
  assert.match(info.error?.message ?? '', /users file .*users\.csv is empty: it needs a header row/);
});

test('row estimates of generated files larger than the exact-count limit are within 5%', async () => {
  const events = 40_000;
  const users = 60_000;
  for (const format of ['json', 'ndjson']) {
    const out = path.join(dir, format);
    const gen = spawnSync(
      path.join(root, 'node_modules/.bin/tsx'),
      [
        'electron/cli/generate.ts',
        '--events',
        String(events),
        '--users',
        String(users),
        '--format',
        format,
        '--out',
        out,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(gen.status, 0, gen.stderr);
    const eventsFile = path.join(out, format === 'json' ? 'raw_events.json' : 'raw_events.ndjson');
    assert.ok(fs.statSync(eventsFile).size > 4 << 20, 'large enough to be estimated from its head');
    const e = await inspectInput(eventsFile);
    assert.ok(Math.abs(e.rowEstimate - events) / events < 0.05, `${format} events estimate ${e.rowEstimate}`);
    const u = await inspectInput(path.join(out, 'users.csv'));
    assert.ok(Math.abs(u.rowEstimate - users) / users < 0.05, `users estimate ${u.rowEstimate}`);
  }
});
