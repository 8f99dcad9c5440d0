/** docs/rules.md "Inputs": a user_id is a string or a number; any other JSON value names no user. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ev, reasons, run, usersCsv } from './helpers';

test('a boolean, object or array user_id is missing; the dropped row shows its JSON text', async () => {
  // Even a users.csv row spelled "true" must not make `true` an id.
  const users = usersCsv([
    ['true', '2024-01-01', 'US'],
    ['7', '2024-01-01', 'US'],
  ]);
  const r = await run([ev(true, 1), ev({ a: 1 }, 2), ev([7], 3), ev(7, 4)], { users });
  assert.deepEqual(reasons(r), { 1: 'missing_user_id', 2: 'missing_user_id', 3: 'missing_user_id' });
  assert.deepEqual(
    r.dropped.map((d) => d.user_id),
    ['true', '{"a":1}', '[7]'],
  );
  assert.deepEqual(
    r.clean.map((c) => c.user_id),
    ['7'],
  );
});
