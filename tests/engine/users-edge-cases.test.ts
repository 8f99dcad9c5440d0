/** users.csv edge cases (issue #13): a header with no rows warns; a repeated column name is an input error naming it. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { EtlError } from '../../electron/engine/errors';
import { runPipeline } from '../../electron/engine/pipeline';
import { ev, ndjson, tmpDir, writeFile } from './helpers';

test('a users file with a header and no rows: a warning that every event will be unknown_user', async () => {
  const dir = tmpDir();
  const events = writeFile(dir, 'events.ndjson', ndjson([ev('u1', 1), ev('u2', 2)]));
  const users = writeFile(dir, 'users.csv', 'user_id,signup_date,country\n');
  const report = await runPipeline({ eventsPath: events, usersPath: users, outDir: path.join(dir, 'out') });
  const warning = report.warnings.find((w) => w.code === 'no_users');
  assert.ok(warning, JSON.stringify(report.warnings));
  assert.match(warning.message, /header but no users: every event will be dropped as unknown_user/);
  assert.equal(report.stages.find((s) => s.name === 'join_users')?.rows_out, 0);
});

test('a repeated column name in the users header is an input error naming it', async () => {
  const dir = tmpDir();
  const events = writeFile(dir, 'events.ndjson', ndjson([ev('u1', 1)]));
  const users = writeFile(dir, 'users.csv', 'user_id,signup_date,Country, country \nu1,2024-01-01,US,CA\n');
  const out = path.join(dir, 'out');
  const err = await runPipeline({ eventsPath: events, usersPath: users, outDir: out }).then(
    () => assert.fail('refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EtlError);
  assert.equal(err.info.kind, 'input');
  assert.equal(err.info.file, users);
  assert.equal(err.info.line, 1);
  assert.match(err.message, /names "country" more than once in its header/);
});
