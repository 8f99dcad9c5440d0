/**
 * Stages 3-5 of the SPEC table and the three output tables, as Polars queries over the frame
 * the reader built (one row per event, with stages 0-2 already decided in `reason`).
 * Every query runs with the async `collect()`, so the thread hosting the engine stays free.
 */
import pl from 'nodejs-polars';
import type { DataFrame } from 'nodejs-polars';
import type { DropReason } from '../../shared/pipeline';
import { REASON_CODE } from './event-columns';
import type { UsersTable } from './users-reader';

/** Codes for every drop reason, in stage order (0 = kept). */
export const REASON_CODES: Record<DropReason, number> = {
  ...REASON_CODE,
  duplicate: 4,
  unknown_user: 5,
  non_us_user: 6,
};
delete (REASON_CODES as Record<string, number>).ok;

const col = pl.col;
const MICROS_PER_DAY = 86_400_000_000;

/** The SPEC's dedup key: trimmed user_id, event_type, the timestamp as written, value. */
export const DEDUP_KEY = ['user_id', 'event_type', 'timestamp', 'value'] as const;

/**
 * Stage 3. Marks every later exact match of a kept event as `duplicate`, remembering the
 * first occurrence in `first_row`. Nulls match nulls; 3 and 3.0 are one float64.
 *
 * Grouping 10,000,000 rows by four columns costs gigabytes, so rows are grouped by a 64-bit
 * hash of their key instead, and every row that hash calls a duplicate is then checked against
 * its first occurrence column by column. Should two different keys ever share a hash, the
 * exact four-column grouping is used after all: the result never depends on luck. (`keyHash`
 * is replaceable so tests can force collisions.)
 */
export async function markDuplicates(events: DataFrame, keyHash = pl.struct(DEDUP_KEY.map((k) => col(k))).hash(0x5eed, 1, 2, 3)): Promise<DataFrame> {
  const kept = col('reason').eq(REASON_CODE.ok);
  const hashed = await events
    .lazy()
    .withColumns(keyHash.alias('key_hash'))
    // Partitioning by `reason` too keeps rows dropped earlier out of every kept row's group.
    .withColumns(col('source_row').min().over('reason', 'key_hash').alias('first_row'))
    .collect();
  const collisions = await hashCollisions(hashed, kept);
  const exact = collisions === 0 ? hashed.drop('key_hash') : await exactFirstRows(hashed.drop('key_hash').drop('first_row'));
  return exact
    .lazy()
    .withColumns(
      pl
        .when(kept.and(col('first_row').neq(col('source_row'))))
        .then(pl.lit(REASON_CODES.duplicate))
        .otherwise(col('reason'))
        .alias('reason'),
    )
    .collect();
}

/** Rows the hash calls duplicates whose key differs from their first occurrence's. */
async function hashCollisions(hashed: DataFrame, kept: ReturnType<typeof col>): Promise<number> {
  const firsts = hashed.lazy().select(col('source_row').alias('first_row'), ...DEDUP_KEY.map((k) => col(k).alias(`first_${k}`)));
  const same = (k: string) =>
    col(k)
      .eq(col(`first_${k}`))
      .fillNull(false)
      .or(col(k).isNull().and(col(`first_${k}`).isNull()));
  const mismatches = await hashed
    .lazy()
    .filter(kept.and(col('first_row').neq(col('source_row'))))
    .select(col('first_row'), ...DEDUP_KEY.map((k) => col(k)))
    .join(firsts, { on: 'first_row', how: 'left' })
    .filter(same('user_id').and(same('event_type')).and(same('timestamp')).and(same('value')).not())
    .select(pl.len().alias('n'))
    .collect();
  return Number(mismatches.getColumn('n').toArray()[0] ?? 0);
}

/** The plain four-column grouping: exact, and memory-hungry at scale. */
function exactFirstRows(events: DataFrame): Promise<DataFrame> {
  return events
    .lazy()
    .withColumns(col('source_row').min().over('reason', ...DEDUP_KEY).alias('first_row'))
    .collect();
}

/** users.csv as a frame: one row per user_id (first wins), with a `known` marker. */
export function usersFrame(users: UsersTable): DataFrame {
  return pl.DataFrame({
    user_id: pl.Series('user_id', users.userId, pl.Utf8),
    signup_date: pl.Series('signup_date', users.signupDays, pl.Int32).cast(pl.Date),
    country: pl.Series('country', users.country, pl.Utf8),
    known: pl.Series('known', new Array(users.userId.length).fill(true), pl.Bool),
  });
}

/**
 * Stages 4 and 5: join the users, then keep only United States users. Only the user_id column
 * goes through the join; the user attributes come back in row order and are appended, so the
 * wide event columns are never copied.
 */
export async function joinAndFilter(events: DataFrame, users: DataFrame): Promise<DataFrame> {
  const attrs = await events
    .lazy()
    .select(col('user_id'))
    .join(users.lazy(), { on: 'user_id', how: 'left', maintainOrder: 'left', validate: 'm:1' })
    .select(col('signup_date'), col('country'), col('known'))
    .collect();
  if (attrs.height !== events.height) throw new Error(`join changed the row count (${events.height} -> ${attrs.height})`);
  const kept = col('reason').eq(REASON_CODE.ok);
  // (The typings pick hstack's in-place overload; called like this it returns the new frame.)
  const widened = events.hstack(attrs) as unknown as DataFrame;
  return widened
    .lazy()
    .withColumns(
      pl
        .when(kept.and(col('known').isNull()))
        .then(pl.lit(REASON_CODES.unknown_user))
        .when(kept.and(col('country').eq(pl.lit('US')).fillNull(false).not()))
        .then(pl.lit(REASON_CODES.non_us_user))
        .otherwise(col('reason'))
        .alias('reason'),
    )
    .collect();
}

/** Rows per reason code, from the final `reason` column. */
export async function countReasons(events: DataFrame): Promise<Map<number, number>> {
  const counts = await events.lazy().groupBy('reason').agg(pl.len().alias('n')).collect();
  const codes = counts.getColumn('reason').toArray() as number[];
  const ns = counts.getColumn('n').toArray() as number[];
  return new Map(codes.map((c, i) => [Number(c), Number(ns[i])]));
}

/** `clean_events.parquet`, SPEC column order and types. */
export function cleanEventsQuery(events: DataFrame) {
  return events
    .lazy()
    .filter(col('reason').eq(REASON_CODE.ok))
    .select(
      col('user_id'),
      col('event_type'),
      col('timestamp'),
      col('ts_days')
        .cast(pl.Int64)
        .mul(MICROS_PER_DAY)
        .add(col('ts_micros').cast(pl.Int64))
        .cast(pl.Datetime('us', 'UTC'))
        .alias('timestamp_dt'),
      col('ts_days').cast(pl.Date).alias('event_date'),
      col('value'),
      col('device'),
      col('page'),
      col('signup_date'),
      col('country'),
    );
}

/** `daily_summary.parquet`: events per user per UTC day, by user_id (byte order), then day. */
export function dailySummaryQuery(events: DataFrame) {
  return events
    .lazy()
    .filter(col('reason').eq(REASON_CODE.ok))
    .select(col('user_id'), col('ts_days').cast(pl.Date).alias('event_date'))
    .groupBy(['user_id', 'event_date'])
    .agg(pl.len().cast(pl.Int64).alias('event_count'))
    .sort(['user_id', 'event_date']);
}

function reasonName() {
  let chain = pl.when(col('reason').eq(REASON_CODES.malformed_record)).then(pl.lit('malformed_record'));
  for (const [name, code] of Object.entries(REASON_CODES)) {
    if (name !== 'malformed_record') chain = chain.when(col('reason').eq(code)).then(pl.lit(name));
  }
  return chain.otherwise(pl.lit(null)).alias('drop_reason');
}

/** `dropped_rows.parquet`: every dropped event in input order, its fields as read. */
export function droppedRowsQuery(events: DataFrame) {
  return events
    .lazy()
    .filter(col('reason').neq(REASON_CODE.ok))
    .select(
      col('source_row').cast(pl.Int64),
      reasonName(),
      pl
        .when(col('reason').eq(REASON_CODES.duplicate))
        .then(col('first_row').cast(pl.Int64))
        .otherwise(pl.lit(null).cast(pl.Int64))
        .alias('duplicate_of'),
      // The reader stores the id as read only where trimming changed it.
      col('user_id_raw').fillNull(col('user_id')).alias('user_id'),
      col('event_type'),
      col('timestamp'),
      col('value'),
      col('device'),
      col('page'),
      col('raw'),
    );
}
