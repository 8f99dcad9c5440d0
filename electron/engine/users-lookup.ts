/**
 * Stage 4's lookup of each event's user (docs/rules.md "Stages"), built once per run. A join
 * hashes every user again each time it runs, which a spilled run, joining a chunk at a time,
 * paid once a chunk. Here the users' ids are hashed once into a table; each chunk's ids are
 * hashed, found in the table, and the users' columns gathered by row. Every match is then
 * checked against the user's id itself: should an id share a hash with a user's (or two users'
 * ids share one), the chunk is joined by id instead, so the result never depends on luck (the
 * same rule as dedup's, stages.ts `markDuplicates`).
 *
 * The table costs more per row than a join, so it is used only when the rows joined at once
 * are few for the users (a spilled run's chunk); an in-memory run joins by id
 * (docs/performance.md "Memory budget").
 */
import type { DataFrame, Expr } from 'nodejs-polars';
import pl from './polars';
import type { EventBatches } from './stages';
import { withFoundRows } from './batch-rows';

/** The columns stage 4 gives each event (null where its user_id is no user's). */
export const USER_COLUMNS = ['signup_date', 'country', 'known', 'user_rank'];

/** The users, and the table that finds them once a call needs it (an in-memory run never does). */
export interface UsersLookup {
  /** The users frame (usersFrame), for the join by id. */
  frame: DataFrame;
  idHash: Expr;
  table: Promise<UsersTable> | null;
}

/** The users' ids by hash. */
interface UsersTable {
  /** USER_COLUMNS and the id (`found_id`) of each user, in the frame's order, then a row of nulls. */
  columns: DataFrame;
  /**
   * Open addressing over the ids' 64-bit hashes: slot i is slots[4i..4i+2], the hash's low and
   * high halves and the user's row + 1 (0: empty). A slot's words share a cache line, so a
   * lookup costs one miss, where three arrays cost three.
   */
  slots: Uint32Array;
  /** False when two users' ids share a hash: every batch is joined by id. */
  usable: boolean;
}

/**
 * Rows per user below which the table costs less than a join by id. Measured at 20,000,000
 * events and 400,000 users: a join costs about 0.1 µs a row plus 0.28 µs a user, the table
 * about 0.25 µs a row (docs/performance.md "Memory budget").
 */
const TABLE_BELOW_ROWS_PER_USER = 2;

/** A 64-bit hash of user_id (fixed seeds: the users and the events are hashed alike within a run). */
const defaultIdHash = () => pl.col('user_id').hash(0x75e4, 5, 6, 7);

async function hashHalves(frame: DataFrame, idHash: Expr): Promise<Uint32Array> {
  const hashes = (await frame.lazy().select(idHash.alias('h')).collect()).getColumn('h').toTypedArray();
  const h = hashes as BigUint64Array;
  // Little-endian halves: [low, high] per hash, read without a BigInt per row.
  return new Uint32Array(h.buffer, h.byteOffset, h.length * 2);
}

/** The lookup of `users` (usersFrame). `idHash` is replaceable so tests can force collisions. */
export function usersLookup(users: DataFrame, idHash: Expr = defaultIdHash()): UsersLookup {
  return { frame: users, idHash, table: null };
}

async function buildTable(users: DataFrame, idHash: Expr): Promise<UsersTable> {
  const halves = await hashHalves(users, idHash);
  const size = 2 ** Math.ceil(Math.log2(Math.max(2, users.height * 2)));
  const slots = new Uint32Array(size * 4);
  let usable = true;
  for (let row = 0; row < users.height && usable; row++) {
    const low = halves[2 * row];
    const high = halves[2 * row + 1];
    let slot = low & (size - 1);
    while (slots[4 * slot + 2] !== 0) {
      if (slots[4 * slot] === low && slots[4 * slot + 1] === high) usable = false;
      slot = (slot + 1) & (size - 1);
    }
    slots[4 * slot] = low;
    slots[4 * slot + 1] = high;
    slots[4 * slot + 2] = row + 1;
  }
  const columns = users.select(...USER_COLUMNS, pl.col('user_id').alias('found_id'));
  const nulls = pl.DataFrame(columns.columns.map((c) => pl.Series(c, [null]).cast(columns.getColumn(c).dtype)));
  return {
    columns: pl.concat([columns, nulls], { how: 'vertical', rechunk: true }),
    slots,
    usable,
  };
}

/** Starts building the table, in the background, if lookups of `rows` rows at once will use it. */
export function prepareLookups(lookup: UsersLookup, rows: number): void {
  if (!usesTable(lookup, rows)) return;
  // (A failed build is reported by the lookup that awaits it.)
  tableOf(lookup).catch(() => undefined);
}

/** The lookup's table, built on first need. */
function tableOf(lookup: UsersLookup): Promise<UsersTable> {
  return (lookup.table ??= buildTable(lookup.frame, lookup.idHash));
}

function usesTable(lookup: UsersLookup, rows: number): boolean {
  return rows < TABLE_BELOW_ROWS_PER_USER * lookup.frame.height;
}

/**
 * Gives each batch USER_COLUMNS by its user_id, in row order, without copying the batch's own
 * columns: by the table, or by `joinById` (stages.ts attachColumns) when a join costs less or
 * the hashes collide. The batches are looked up at once: a few calls into Polars for the whole
 * chunk, where one per batch left its threads waiting on this one between them.
 */
export async function attachUsers(
  batches: EventBatches,
  lookup: UsersLookup,
  joinById: (batches: EventBatches) => Promise<EventBatches>,
): Promise<EventBatches> {
  const rows = batches.reduce((n, b) => n + b.height, 0);
  if (!usesTable(lookup, rows)) return joinById(batches);
  const table = await tableOf(lookup);
  if (!table.usable) return joinById(batches);
  const ids = pl.concat(
    batches.map((b) => b.select('user_id')),
    { how: 'vertical', rechunk: false },
  );
  const found = await foundByHash(ids, table, lookup.idHash);
  if (!found) return joinById(batches);
  return withFoundRows(batches, found.select(...USER_COLUMNS));
}

/** The users of `ids` found by hash, or null if an id matched another id's hash. */
async function foundByHash(ids: DataFrame, table: UsersTable, idHash: Expr): Promise<DataFrame | null> {
  const rows = rowsOf(await hashHalves(ids, idHash), table);
  const found = await table.columns.lazy().select(pl.all().gather(rows)).collect();
  return (await allMatch(ids, found)) ? found : null;
}

/** Each event's row in the lookup's columns: its user's, or the row of nulls. */
function rowsOf(halves: Uint32Array, table: UsersTable): ReturnType<typeof pl.Series> {
  const { slots } = table;
  const mask = slots.length / 4 - 1;
  const none = table.columns.height - 1;
  const rows = new Uint32Array(halves.length / 2);
  for (let i = 0; i < rows.length; i++) {
    const low = halves[2 * i];
    const high = halves[2 * i + 1];
    let slot = low & mask;
    let row = none;
    for (; slots[4 * slot + 2] !== 0; slot = (slot + 1) & mask)
      if (slots[4 * slot] === low && slots[4 * slot + 1] === high) {
        row = slots[4 * slot + 2] - 1;
        break;
      }
    rows[i] = row;
  }
  return pl.Series('row', rows);
}

/** Whether every event found a user whose id is its own (hashes alone could match another id). */
async function allMatch(ids: DataFrame, found: DataFrame): Promise<boolean> {
  const id = pl.col('user_id');
  const foundId = pl.col('found_id');
  // (The typings pick hstack's in-place overload; called like this it returns the new frame.)
  const both = ids.hstack([found.getColumn('found_id')]) as unknown as DataFrame;
  const wrong = await both
    .lazy()
    .select(foundId.isNotNull().and(id.eq(foundId).fillNull(false).not()).sum().alias('wrong'))
    .collect();
  return Number(wrong.getColumn('wrong').toArray()[0]) === 0;
}
