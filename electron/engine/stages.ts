/**
 * Stages 3-5 of docs/rules.md "Stages" and the three output tables, as Polars queries over the events
 * the reader built (one row per event, with stages 0-2 already decided in `reason`).
 *
 * The events stay in the reader's batches (one single-chunk frame each) instead of one big
 * frame: Polars re-lays a multi-chunk frame in one piece whenever a new column does not line
 * up with its chunks, which at 10,000,000 events costs gigabytes. So global questions (was
 * this key seen before?) are asked of narrow columns, and each batch gets its answers as new
 * columns that line up with it. Every query runs with the async `collect()`, so the thread
 * hosting the engine stays free.
 *
 * Expressions are built once and shared by every batch and every run (the `once` factories
 * below; `prepareExpressions` builds them all ahead): nodejs-polars wraps each expression node
 * in an object of some 200 closures, costly to build even with the install-time patch
 * (patches/nodejs-polars+0.25.2.patch); built per batch, they were a visible share of this
 * thread's time (docs/performance.md).
 */
import pl from './polars';
import type { DataFrame, Expr, LazyDataFrame } from 'nodejs-polars';
import { DROP_REASONS } from '../../shared/pipeline';
import { REASON_CODE } from './reason-codes';
import type { UsersTable } from './users-reader';
import { USER_COLUMNS, attachUsers, type UsersLookup } from './users-lookup';
import { withFoundRows } from './batch-rows';

/** The events, as the reader's batches in file order. */
export type EventBatches = DataFrame[];

/** How every Parquet output is written (docs/rules.md "Outputs"), whole or a spilled run's part at a time. */
export const OUTPUT_PARQUET = { compression: 'snappy', maintainOrder: true } as const;

const col = (name: string) => pl.col(name);
const MICROS_PER_DAY = 86_400_000_000;
/** Room for every day of years 0000-9999 (see dailySummaryQuery). */
const DAY_SPAN = 2 ** 23;

/**
 * For each range of the events file the reader scanned (its `rowOffsets`), the expression that
 * numbers its rows file-wide: rows of later ranges were numbered from 1 within their range.
 * Null for a range already numbered so (the first). Shared by every batch of its range.
 */
export function fileWideRows(rowOffsets: number[]): (Expr | null)[] {
  return rowOffsets.map((offset) => (offset ? col('source_row').add(offset).cast(pl.Int32) : null));
}

/** `frame` with its rows numbered file-wide by `shift` (from fileWideRows). */
export function fileWide<F extends DataFrame | LazyDataFrame>(frame: F, shift: Expr | null): F {
  return (shift ? frame.withColumns(shift) : frame) as F;
}

/** The rules' dedup key: trimmed user_id, event_type, the timestamp as written, value. */
export const DEDUP_KEY = ['user_id', 'event_type', 'timestamp', 'value'] as const;

/**
 * The key as compared: DEDUP_KEY, plus `lost_key`, null unless user_id or event_type held a
 * lone surrogate. Those write as U+FFFD, so two different ids can look alike in the columns;
 * `lost_key` keeps them apart (docs/rules.md "Text that UTF-8 cannot hold"). It lives with the
 * as-read extras (null in nearly every row: see splitBatch) and joins the key where compared.
 */
const COMPARED_KEY = [...DEDUP_KEY, 'lost_key'] as const;

/**
 * Splits a batch from the reader into the events and the as-read extras: `raw` (malformed
 * lines), `user_id_raw` (ids whose trimming changed them) and `lost_key` (see COMPARED_KEY).
 * All three are null in nearly every
 * row, yet a null string still costs 16 bytes a row in Polars, so they live apart, keyed by
 * source_row, until the dropped rows are written.
 */
export function splitBatch(batch: DataFrame): SplitBatch {
  return { events: eventsOf(batch), asRead: asReadOf(batch).collectSync() };
}

/**
 * splitBatch with the filter on Polars' threads, leaving this thread free (a spilled run reads
 * a chunk while it writes the one before).
 */
export async function splitBatchAsync(batch: DataFrame): Promise<SplitBatch> {
  return { events: eventsOf(batch), asRead: await asReadOf(batch).collect() };
}

export interface SplitBatch {
  events: DataFrame;
  asRead: DataFrame;
}

const AS_READ_COLUMNS = ['user_id_raw', 'raw', 'lost_key'];
const eventsOf = (batch: DataFrame) => batch.drop(AS_READ_COLUMNS);
const asReadOf = (batch: DataFrame) =>
  batch
    .lazy()
    .filter(splitExpressions().hasExtras)
    .select('source_row', ...AS_READ_COLUMNS);

/** Built on first use, then shared by every batch of every run. */
const splitExpressions = once(() => ({
  hasLostKey: col('lost_key').isNotNull(),
  hasExtras: col('raw').isNotNull().or(col('user_id_raw').isNotNull()).or(col('lost_key').isNotNull()),
}));

/** The rows whose key held a lone surrogate, (source_row, lost_key), from the as-read extras; null if none. */
export function lostKeysOf(asRead: EventBatches): DataFrame | null {
  const x = splitExpressions();
  const parts = asRead.map((b) => b.filter(x.hasLostKey).select('source_row', 'lost_key')).filter((f) => f.height > 0);
  return parts.length === 0 ? null : pl.concat(parts, { how: 'vertical' });
}

/** A value made on first use and kept (for expressions that never change). */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** `reason` tests shared by several queries. */
const reasonTests = once(() => ({
  kept: col('reason').eq(REASON_CODE.ok),
  dropped: col('reason').neq(REASON_CODE.ok),
}));

const asString = (c: string) => col(c).cast(pl.Utf8);

/**
 * All batches as one lazy query (a union: nothing is copied). `each` runs once per batch, so
 * it must only apply expressions built outside it (see the top of this file).
 */
export function unionOf(batches: EventBatches, each: (b: LazyDataFrame) => LazyDataFrame = (b) => b): LazyDataFrame {
  const parts = batches.map((b) => each(b.lazy()));
  return parts.length === 1 ? parts[0] : pl.concat(parts, { how: 'vertical', rechunk: false });
}

/**
 * Gives every batch `columns` looked up in a small `table` by the key column `on` (null where
 * it has no match). Only the key column goes through the join, and the result comes back in
 * row order; each batch gets its own rows of it as one chunk that lines up with the batch.
 * Batches are joined a group at a time: one join per batch would build the table's hash over
 * and over, one join for all of them would hold every row's result at once.
 */
export async function attachColumns(
  batches: EventBatches,
  on: string,
  table: DataFrame,
  columns: string[],
  groupRows = ATTACH_GROUP_ROWS,
): Promise<EventBatches> {
  const out: EventBatches = [];
  const key = col(on);
  const wanted = columns.map((c) => col(c));
  for (const [first, last] of batchGroups(
    batches.map((b) => b.height),
    groupRows,
  )) {
    const group = batches.slice(first, last);
    const rows = group.reduce((n, b) => n + b.height, 0);
    const found = await unionOf(group, (b) => b.select(key))
      .join(table.lazy(), { on, how: 'left', maintainOrder: 'left', validate: 'm:1' })
      .select(...wanted)
      .collect();
    if (found.height !== rows) throw new Error(`a lookup by ${on} changed the row count (${rows} -> ${found.height})`);
    out.push(...withFoundRows(group, found));
  }
  return out;
}

/** Consecutive runs [first, last) of batches holding at most `maxRows` rows (at least one batch each). */
export function batchGroups(heights: number[], maxRows: number): [number, number][] {
  const groups: [number, number][] = [];
  for (let first = 0; first < heights.length;) {
    let last = first + 1;
    let rows = heights[first];
    while (last < heights.length && rows + heights[last] <= maxRows) rows += heights[last++];
    groups.push([first, last]);
    first = last;
  }
  return groups;
}
/** Rows joined at once by attachColumns (eight of the reader's batches). */
const ATTACH_GROUP_ROWS = 1 << 21;

/** Sets `reason` (an expression already named `reason`) where a stage drops a row that was still kept. */
function updateReasons(batches: EventBatches, reason: Expr): Promise<EventBatches> {
  return Promise.all(batches.map((b) => b.lazy().withColumns(reason).collect()));
}

/**
 * Stage 3. Marks every later exact match of a kept event as `duplicate`, remembering the
 * first occurrence in `first_row` (null on every other row). Nulls match nulls; 3 and 3.0 are one float64.
 *
 * Each row's key comes with a 64-bit hash (`key_hash`, taken by the reader: key-hash.ts). The kept rows are
 * sorted by hash, then row: within a run of equal hashes the first row is the first
 * occurrence and every later one a candidate duplicate (a sort of two numbers is cheaper
 * than a hash table of every row). Every candidate is then checked against its first
 * occurrence column by column (`lostKeys`, from lostKeysOf, adds lost_key to both); should two
 * different keys ever share a hash, exact grouping is used instead, so the result never depends
 * on luck. (`keyHash` is replaceable so tests can force collisions.)
 */
export async function markDuplicates(
  batches: EventBatches,
  lostKeys: DataFrame | null = null,
  keyHash?: Expr,
): Promise<Deduplicated> {
  const x = dedupExpressions();
  const { kept } = reasonTests();
  const hashColumns = keyHash ? [x.sourceRow, keyHash.alias('key_hash')] : x.hashColumns;
  // Each candidate and its first occurrence: a small table (a few % of the rows).
  const pairs = await unionOf(batches, (b) => b.filter(kept).select(...hashColumns))
    .sort(['key_hash', 'source_row'])
    .withColumns(x.repeatsHash)
    .withColumns(x.runFirstRow)
    .filter(x.isRepeat)
    .select(x.sourceRow, x.firstRow)
    .collect();

  // Check each candidate's key against its first occurrence's, reading only those rows (in one
  // pass over the batches for both sides).
  const rows = pl
    .concat([pairs.select(x.sourceRow), pairs.select(x.firstRowAsSourceRow)], { how: 'vertical' })
    .unique();
  const rowsToRead = rows.lazy();
  const keys = withLostKeys(
    unionOf(batches, (b) => b.join(rowsToRead, { on: 'source_row', how: 'semi' }).select(...x.keyColumns)),
    lostKeys,
  );
  const firstKeys = keys.select(...x.firstKeyColumns);
  const verified = await pairs
    .lazy()
    .join(keys, { on: 'source_row', how: 'left' })
    .join(firstKeys, { on: 'first_row', how: 'left' })
    .select(x.collisions)
    .collect();
  if (Number(verified.getColumn('collisions').toArray()[0] ?? 0) > 0) {
    const exact = await exactDuplicates(batches, lostKeys);
    return { batches: exact, duplicates: (await countReasons(exact)).get(REASON_CODE.duplicate) ?? 0 };
  }

  // Every pair is one row marked: no pass over all rows is needed to count them.
  return { batches: await applyDuplicates(batches, pairs), duplicates: pairs.height };
}

/**
 * Marks the rows of `pairs` (source_row, first_row) as duplicates of their first occurrence:
 * every batch gets `first_row` (null where the row is no duplicate) and its reason.
 */
export async function applyDuplicates(batches: EventBatches, pairs: DataFrame): Promise<EventBatches> {
  const withFirst = await attachColumns(batches, 'source_row', pairs, ['first_row']);
  return updateReasons(withFirst, dedupExpressions().markDuplicate);
}

/**
 * A spilled run's first dedup step (spilled-run.ts), over one share of the kept rows' hashes
 * (source_row, key_hash): the candidates, every row whose hash more than one row has (only
 * those can be, or have, a duplicate), as source_row, key_hash and the hash's last row
 * (last_row). A few per cent of the rows.
 */
export async function repeatedHashRows(hashes: LazyDataFrame): Promise<DataFrame> {
  const x = dedupExpressions();
  const rows = await hashes.collect();
  // The hashes alone are sorted and each run's second one kept: sorting them with their rows
  // took twice as long, and grouping every row by its hash four times (docs/performance.md
  // "Memory budget"). Then only the rows of those hashes are kept.
  const repeated = await rows.lazy().select(x.keyHash).sort('key_hash').filter(x.secondOfRun).collect();
  return rows.lazy().join(repeated.lazy(), { on: 'key_hash', how: 'semi' }).withColumns(x.lastRowOfHash).collect();
}

/**
 * The compared key of every kept row in `batches` that is a candidate (`candidates`: the
 * batches' rows of repeatedHashRows): source_row, key_hash, last_row, DEDUP_KEY (event_type as
 * text, so that rows of different chunks compare without their categories) and lost_key.
 */
export function dedupKeys(batches: EventBatches, candidates: DataFrame, lostKeys: DataFrame | null): LazyDataFrame {
  const x = dedupExpressions();
  const { kept } = reasonTests();
  // Joined by row: only the candidates are hashed for the join, not the chunk's rows.
  const rows = unionOf(batches, (b) => b.filter(kept).select(...x.hashedKeyColumns)).join(
    candidates.lazy().select(x.sourceRow, x.lastRowColumn),
    { on: 'source_row', how: 'inner' },
  );
  return withLostKeys(rows, lostKeys)
    .select(...x.carriedColumns)
    .sort('source_row');
}

/** A chunk's duplicates, and the first occurrences a later chunk must still compare with. */
export interface ChunkDuplicates {
  /** source_row and first_row of each duplicate (applyDuplicates marks them). */
  duplicates: DataFrame;
  /** Every row of `earlier` and `rows` that is the first occurrence of its key, with its key. */
  firsts: DataFrame;
}

/**
 * Stage 3 over rows whose keys are in hand (dedupKeys): `earlier`, first occurrences from
 * earlier chunks, and `rows`, later in input order. The same rule as markDuplicates: each row
 * is matched with the first row of its hash, every match is checked column by column, and
 * should two different keys share a hash, exact grouping decides instead.
 */
export async function firstOccurrences(earlier: DataFrame | null, rows: DataFrame): Promise<ChunkDuplicates> {
  const x = dedupExpressions();
  const all = earlier && earlier.height > 0 ? pl.concat([earlier, rows], { how: 'vertical' }) : rows;
  let marked = await all
    .lazy()
    .withColumns(...x.firstOfHash)
    .collect();
  const verified = marked.select(x.collisions);
  if (Number(verified.getColumn('collisions').toArray()[0] ?? 0) > 0)
    marked = await all.lazy().withColumns(x.firstOfKey).collect();
  return {
    duplicates: marked.filter(x.isDuplicate).select(x.sourceRow, x.firstRow),
    firsts: marked.filter(x.isDuplicate.not()).select(...x.carriedColumns),
  };
}

/** The batches with stage 3 applied, and how many rows it marked as duplicates. */
export interface Deduplicated {
  batches: EventBatches;
  duplicates: number;
}

const dedupExpressions = once(() => {
  // Null-safe equality of a key column and the same column of the first occurrence.
  const same = (k: string) =>
    col(k)
      .eq(col(`first_${k}`))
      .fillNull(false)
      .or(
        col(k)
          .isNull()
          .and(col(`first_${k}`).isNull()),
      );
  return {
    sourceRow: col('source_row'),
    firstRow: col('first_row'),
    hashColumns: [col('source_row'), col('key_hash')],
    // In rows sorted by hash: the row repeats the previous row's hash; the run's first row.
    repeatsHash: col('key_hash').eq(col('key_hash').shift(1)).fillNull(false).alias('repeat'),
    runFirstRow: pl
      .when(col('repeat'))
      .then(pl.lit(null))
      .otherwise(col('source_row'))
      .forwardFill()
      .alias('first_row'),
    isRepeat: col('repeat'),
    firstRowAsSourceRow: col('first_row').alias('source_row'),
    keyColumns: [col('source_row'), ...DEDUP_KEY.map((k) => col(k))],
    firstKeyColumns: [col('source_row').alias('first_row'), ...COMPARED_KEY.map((k) => col(k).alias(`first_${k}`))],
    noLostKey: pl.lit(null).cast(pl.Utf8).alias('lost_key'),
    collisions: COMPARED_KEY.map((k) => same(k))
      .reduce((a, b) => a.and(b))
      .not()
      .sum()
      .alias('collisions'),
    // (A spilled run's chunks: see firstOccurrences.)
    keyHash: col('key_hash'),
    // In sorted hashes: the second of a run of equal ones (one row per repeated hash).
    secondOfRun: col('key_hash')
      .eq(col('key_hash').shift(1))
      .and(col('key_hash').neq(col('key_hash').shift(2)).fillNull(true))
      .fillNull(false),
    lastRowOfHash: col('source_row').max().over('key_hash').alias('last_row'),
    lastRowColumn: col('last_row'),
    hashedKeyColumns: [
      col('source_row'),
      col('key_hash'),
      ...DEDUP_KEY.map((k) => (k === 'event_type' ? asString(k) : col(k))),
    ],
    // Rows come in source_row order: a hash's first row is its first occurrence.
    firstOfHash: [
      col('source_row').first().over('key_hash').alias('first_row'),
      ...COMPARED_KEY.map((k) => col(k).first().over('key_hash').alias(`first_${k}`)),
    ],
    firstOfKey: col('source_row')
      .min()
      .over(...COMPARED_KEY)
      .alias('first_row'),
    isDuplicate: col('first_row').neq(col('source_row')),
    carriedColumns: [col('source_row'), col('key_hash'), col('last_row'), ...COMPARED_KEY.map((k) => col(k))],
    markDuplicate: pl
      .when(col('first_row').isNotNull())
      .then(pl.lit(REASON_CODE.duplicate))
      .otherwise(col('reason'))
      .alias('reason'),
  };
});

/** A query's rows with their lost_key (null where they have none). */
function withLostKeys(rows: LazyDataFrame, lostKeys: DataFrame | null): LazyDataFrame {
  return lostKeys
    ? rows.join(lostKeys.lazy(), { on: 'source_row', how: 'left' })
    : rows.withColumns(dedupExpressions().noLostKey);
}

/** Plain grouping by the whole key over all rows at once: exact, and memory-hungry at scale. */
async function exactDuplicates(batches: EventBatches, lostKeys: DataFrame | null): Promise<EventBatches> {
  const { kept } = reasonTests();
  const all = await withLostKeys(unionOf(batches), lostKeys)
    .withColumns(
      col('source_row')
        .min()
        .over('reason', ...COMPARED_KEY)
        .alias('first_row'),
    )
    .withColumns(
      pl
        .when(kept.and(col('first_row').neq(col('source_row'))))
        .then(pl.lit(REASON_CODE.duplicate))
        .otherwise(col('reason'))
        .alias('reason'),
    )
    .withColumns(
      pl
        .when(col('reason').eq(REASON_CODE.duplicate))
        .then(col('first_row'))
        .otherwise(pl.lit(null))
        .alias('first_row'),
    )
    .drop('lost_key')
    .collect();
  // (A join need not keep row order: the batch is in source_row order, as it came.)
  return [lostKeys ? all.sort('source_row') : all];
}

/** users.csv as a frame: one row per user_id (first wins), with a `known` marker. */
export function usersFrame(users: UsersTable): DataFrame {
  return (
    pl
      .DataFrame({
        user_id: pl.Series('user_id', users.userId, pl.Utf8),
        signup_date: pl.Series('signup_date', users.signupDays, pl.Int32).cast(pl.Date),
        country: pl.Series('country', users.country, pl.Utf8).cast(pl.Categorical),
        known: pl.Series('known', new Array(users.userId.length).fill(true), pl.Bool),
      })
      // `user_rank` is the id's place in byte order: the daily summary groups and sorts by
      // this small integer instead of by the string (docs/rules.md: sorted by user_id, byte order).
      .sort('user_id')
      .withRowIndex('user_rank')
  );
}

/**
 * Stages 4 and 5: join the users (`users` is usersLookup of usersFrame), then keep only United
 * States users. The user attributes are appended to each batch, so the wide event columns are
 * never copied.
 */
export async function joinAndFilter(batches: EventBatches, users: UsersLookup): Promise<EventBatches> {
  const byId = (b: EventBatches) => attachColumns(b, 'user_id', users.frame, USER_COLUMNS);
  return updateReasons(await attachUsers(batches, users, byId), userReason());
}

const userReason = once(() => {
  const { kept } = reasonTests();
  return pl
    .when(kept.and(col('known').isNull()))
    .then(pl.lit(REASON_CODE.unknown_user))
    .when(kept.and(col('country').eq(pl.lit('US')).fillNull(false).not()))
    .then(pl.lit(REASON_CODE.non_us_user))
    .otherwise(col('reason'))
    .alias('reason');
});

/** Rows per reason code, from the final `reason` column. */
export async function countReasons(batches: EventBatches): Promise<Map<number, number>> {
  const x = countExpressions();
  const counts = await unionOf(batches, (b) => b.select(x.reason))
    .groupBy('reason')
    .agg(x.n)
    .collect();
  const codes = counts.getColumn('reason').toArray() as number[];
  const ns = counts.getColumn('n').toArray() as number[];
  return new Map(codes.map((c, i) => [Number(c), Number(ns[i])]));
}

const countExpressions = once(() => ({ reason: col('reason'), n: pl.len().alias('n') }));

/** `clean_events.parquet`, column order and types of docs/rules.md "Outputs". */
export function cleanEventsQuery(batches: EventBatches): LazyDataFrame {
  const { kept } = reasonTests();
  const columns = cleanColumns();
  return unionOf(batches, (b) => b.filter(kept).select(...columns));
}

/** The clean events with `source_row` first, for a spilled run to put them back in input order. */
export function cleanEventsWithRowQuery(batches: EventBatches): LazyDataFrame {
  const { kept } = reasonTests();
  const columns = [col('source_row'), ...cleanColumns()];
  return unionOf(batches, (b) => b.filter(kept).select(...columns));
}

const cleanColumns = once(() => [
  col('user_id'),
  asString('event_type'),
  col('timestamp'),
  col('ts_days')
    .cast(pl.Int64)
    .mul(MICROS_PER_DAY)
    .add(col('ts_micros').cast(pl.Int64))
    .cast(pl.Datetime('us', 'UTC'))
    .alias('timestamp_dt'),
  col('ts_days').cast(pl.Date).alias('event_date'),
  col('value'),
  asString('device'),
  asString('page'),
  col('signup_date'),
  asString('country'),
]);

/**
 * `daily_summary.parquet`: events per user per UTC day, by user_id (byte order), then day.
 * Counted by sorting, not grouping: the kept rows are sorted on one integer key (the user's
 * rank, then the day), and each run of equal keys is one output row whose count is the run's
 * length. A hash table with a slot per user and day (millions at scale) is never built.
 */
export function dailySummaryQuery(batches: EventBatches, users: DataFrame): LazyDataFrame {
  return dailySummaryFromCounts(dailyCountsQuery(batches), users);
}

/**
 * The first half of the daily summary: one row per user and day, `key` (the user's rank, then
 * the day, as one sortable integer) and `event_count`, sorted by key. A spilled run computes it
 * per chunk of input order, then summed over the chunks (spilled-run.ts).
 */
export function dailyCountsQuery(batches: EventBatches): LazyDataFrame {
  const x = dailyExpressions();
  const { kept } = reasonTests();
  return unionOf(batches, (b) => b.filter(kept).select(x.key))
    .sort('key')
    .withRowIndex('row')
    .filter(x.runEnd)
    .select(x.sortKey, x.runRow)
    .withColumns(x.count)
    .select(x.sortKey, x.eventCount);
}

/** The second half: `counts` (key, event_count, sorted by key) as the summary's columns. */
export function dailySummaryFromCounts(counts: LazyDataFrame, users: DataFrame): LazyDataFrame {
  const x = dailyExpressions();
  return counts
    .select(...x.run)
    .join(users.lazy().select(...x.userColumns), {
      on: 'user_rank',
      how: 'left',
      maintainOrder: 'left',
      validate: 'm:1',
    })
    .select(...x.output);
}

/** The daily summary's sort key of the first row of user rank `rank` (for ranges of users). */
export function dailyKeyOfRank(rank: number): number {
  return rank * DAY_SPAN;
}

const dailyExpressions = once(() => {
  // Days of years 0000-9999 lie within 2^22 of 1970, so rank * 2^23 + (day + 2^22) orders by
  // rank, then day, and the two come back out by division. Only this one column is sorted.
  const int = (n: number) => pl.lit(n).cast(pl.Int64);
  return {
    key: col('user_rank')
      .cast(pl.Int64)
      .mul(int(DAY_SPAN))
      .add(col('ts_days').cast(pl.Int64))
      .add(int(DAY_SPAN / 2))
      .alias('key'),
    runEnd: col('key').neq(col('key').shift(-1)).fillNull(true),
    sortKey: col('key'),
    // A run is as long as the distance from the previous run's end (the first from row -1).
    runRow: col('row').cast(pl.Int64).alias('row'),
    count: col('row')
      .sub(col('row').shift(1).fillNull(int(-1)))
      .alias('event_count'),
    eventCount: col('event_count'),
    run: [
      col('key').div(int(DAY_SPAN)).cast(pl.UInt32).alias('user_rank'),
      col('key')
        .modulo(int(DAY_SPAN))
        .sub(int(DAY_SPAN / 2))
        .cast(pl.Int32)
        .alias('day'),
      col('event_count'),
    ],
    userColumns: [col('user_rank'), col('user_id')],
    output: [col('user_id'), col('day').cast(pl.Date).alias('event_date'), col('event_count')],
  };
});

/** The reason's name for a code (a lookup: much cheaper than a when/then chain per row). */
function reasonName(): Expr {
  return col('reason')
    .replaceStrict(
      DROP_REASONS.map((reason) => REASON_CODE[reason]),
      [...DROP_REASONS],
      pl.lit(null),
      pl.Utf8,
    )
    .alias('drop_reason');
}

/**
 * `dropped_rows.parquet`: every dropped event in input order, its fields as read. The as-read
 * extras are few, and are collected into one small table first: joining with them as a union of
 * every batch's rows took about a fifth longer.
 */
export async function droppedRowsQuery(batches: EventBatches, asRead: EventBatches): Promise<LazyDataFrame> {
  return droppedWithExtras(droppedEventsQuery(batches), await collectExtras(asRead));
}

/** The dropped events' own columns, `source_row` first, in input order (before the extras join). */
export function droppedEventsQuery(batches: EventBatches): LazyDataFrame {
  const x = droppedExpressions();
  const { dropped } = reasonTests();
  return unionOf(batches, (b) => b.filter(dropped).select(...x.columns));
}

/** Every batch's as-read extras as one small table keyed by `source_row`. */
export function collectExtras(asRead: EventBatches): Promise<DataFrame> {
  const x = droppedExpressions();
  return unionOf(asRead, (b) => b.withColumns(x.sourceRow)).collect();
}

/** The dropped rows' output columns: `events` (droppedEventsQuery) with their as-read extras. */
export function droppedWithExtras(events: LazyDataFrame, extras: DataFrame): LazyDataFrame {
  const x = droppedExpressions();
  return events
    .join(extras.lazy(), { on: 'source_row', how: 'left', maintainOrder: 'left', validate: 'm:1' })
    .select(...x.output);
}

const droppedExpressions = once(() => {
  const sourceRow = col('source_row').cast(pl.Int64);
  const columns = [
    sourceRow,
    reasonName(),
    // Set by stage 3 on exactly the rows it marks as duplicates (see markDuplicates).
    col('first_row').cast(pl.Int64).alias('duplicate_of'),
    col('user_id'),
    asString('event_type'),
    col('timestamp'),
    col('value'),
    asString('device'),
    asString('page'),
  ];
  const output = [
    col('source_row'),
    col('drop_reason'),
    col('duplicate_of'),
    // The id as read where trimming changed it, else the id itself.
    col('user_id_raw').fillNull(col('user_id')).alias('user_id'),
    col('event_type'),
    col('timestamp'),
    col('value'),
    col('device'),
    col('page'),
    col('raw'),
  ];
  return { sourceRow, columns, output };
});

/** Builds every shared expression now, while this thread would otherwise wait (see the top). */
export function prepareExpressions(): void {
  splitExpressions();
  reasonTests();
  dedupExpressions();
  userReason();
  countExpressions();
  cleanColumns();
  dailyExpressions();
  droppedExpressions();
}
