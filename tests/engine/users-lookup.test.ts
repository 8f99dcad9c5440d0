/**
 * Stage 4 finds each event's user by a table of the users' id hashes, built once per run
 * (electron/engine/users-lookup.ts). Whatever the hashes do, every event must get exactly
 * what a join on the id itself gives: its user's columns, or nulls for a missing id or an id
 * that is no user's. Tests replace the hash to force each kind of collision.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataFrame, Expr } from 'nodejs-polars';
import pl from '../../electron/engine/polars';
import { attachColumns, type EventBatches, usersFrame } from '../../electron/engine/stages';
import { USER_COLUMNS, attachUsers, usersLookup } from '../../electron/engine/users-lookup';
import type { UsersTable } from '../../electron/engine/users-reader';

function usersOf(ids: string[]): DataFrame {
  const countries = ['US', 'DE', 'usa', '', 'FR'];
  return usersFrame({
    userId: ids,
    signupDays: ids.map((_, i) => (i % 4 === 3 ? null : 19_000 + i)),
    country: ids.map((_, i) => countries[i % countries.length]),
  } as Partial<UsersTable> as UsersTable);
}

const batchOf = (ids: (string | null)[]) => pl.DataFrame({ user_id: pl.Series('user_id', ids, pl.Utf8) });

/**
 * Each batch's user columns from the lookup equal a join on the id itself; returns the batches
 * it joined by id instead of by the table (as many calls).
 */
async function assertLikeAJoin(users: DataFrame, batches: DataFrame[], idHash?: Expr): Promise<number[]> {
  const lookup = usersLookup(users, idHash);
  const byId: number[] = [];
  const got = await attachUsers(batches, lookup, (b: EventBatches) => {
    byId.push(b.length);
    return attachColumns(b, 'user_id', users, USER_COLUMNS);
  });
  assert.equal(got.length, batches.length);
  for (const [i, batch] of batches.entries()) {
    const want = await batch
      .lazy()
      .join(users.lazy(), { on: 'user_id', how: 'left', maintainOrder: 'left' })
      .select('user_id', ...USER_COLUMNS)
      .collect();
    const mine = got[i].select('user_id', ...USER_COLUMNS);
    assert.deepEqual(mine.schema, want.schema);
    assert.deepEqual(mine.toRecords(), want.toRecords(), `batch ${i}`);
  }
  return byId;
}

/** A hash that is the id's length in bytes (a missing id: `forNull`). */
const lengthHash = (forNull: number) =>
  pl.col('user_id').str.lengths().cast(pl.UInt64).fillNull(pl.lit(forNull).cast(pl.UInt64));

test('every user found by hash, nulls for missing ids and ids of no user, as a join on the id gives', async () => {
  const users = usersOf([
    'u1',
    'u22',
    'ü-333',
    ' u1',
    '12345',
    'Z',
    ...Array.from({ length: 500 }, (_, i) => `user-${i}`),
  ]);
  const batches = [
    batchOf(['u1', 'ghost', null, 'ü-333', 'u1 ', 'Z', 'z', '', 'user-499', 'user-500']),
    batchOf([
      '12345',
      'u22',
      'u2',
      ' u1',
      null,
      'nobody',
      'u1',
      ...Array.from({ length: 300 }, (_, i) => `user-${i * 3}`),
    ]),
  ];
  assert.deepEqual(await assertLikeAJoin(users, batches), [], 'all by the table: the real hash has no collisions here');
});

test("an id that is no user's but has a user's hash gets nulls: its chunk is joined by id", async () => {
  // Users of lengths 1-8 (distinct hashes); 'xx' has the hash of 'bb', a missing id that of 'ccc'.
  const users = usersOf(['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff', 'ggggggg', 'hhhhhhhh']);
  const batches = [batchOf(['bb', 'a', 'zzzzzzzzz']), batchOf(['xx', 'bb', 'dddd']), batchOf(['ccc', null])];
  assert.deepEqual(await assertLikeAJoin(users, batches, lengthHash(3)), [3], 'the whole chunk, at once');
});

test('two users with one hash: the batches are joined by id', async () => {
  const users = usersOf(['a', 'bb', 'cc', 'ddd', 'eeee', 'fffff']);
  const batches = [batchOf(['bb', 'cc', 'xx', null]), batchOf(['ddd', 'a'])];
  assert.deepEqual(await assertLikeAJoin(users, batches, lengthHash(0)), [2]);
});

test('many rows for few users (an in-memory run): joined by id, where the table costs more', async () => {
  const users = usersOf(['u1', 'u2']);
  assert.deepEqual(await assertLikeAJoin(users, [batchOf(['u1', 'u2', 'u3']), batchOf([null, 'u2'])]), [2]);
});

test('no users at all: every event gets nulls', async () => {
  assert.deepEqual(await assertLikeAJoin(usersOf([]), [batchOf(['u1', null, ''])]), [1]);
});
