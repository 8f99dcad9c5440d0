/**
 * Events and users per day for the preview chart, from `daily_summary.parquet` (one row per
 * user and UTC day, see engine/stages.ts `dailySummaryQuery`). One lazy Polars query with an
 * async `collect()`: the service answers with a row per day instead of the UI paging through
 * a row per user and day.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import pl from 'nodejs-polars';
import { OUTPUT_FILES } from '../../shared/pipeline';
import type { DailyCount, DailyCounts } from '../../shared/service-contract';
import { inputError } from '../engine/errors';

export async function dailyCounts(outDir: string): Promise<DailyCounts> {
  const file = path.join(outDir, OUTPUT_FILES.dailySummary);
  if (!(await stat(file).catch(() => null))) {
    throw inputError(
      `There is no ${OUTPUT_FILES.dailySummary} in ${outDir} yet. Run the pipeline first, or choose the output folder of an earlier run.`,
      { file },
    );
  }
  let frame: pl.DataFrame;
  try {
    frame = await pl
      .scanParquet(file)
      .groupBy('event_date')
      .agg(pl.col('event_count').sum().alias('events'), pl.col('user_id').nUnique().alias('users'))
      .sort('event_date')
      // A Date cast to text is ISO `YYYY-MM-DD`, with no time zone to shift it.
      .select(pl.col('event_date').cast(pl.String).alias('date'), pl.col('events'), pl.col('users'))
      .collect();
  } catch (err) {
    // Polars appends its query plan after the first line; the user needs only the reason.
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
    throw inputError(
      `Could not sum events per day from ${file}: ${why}. It needs the columns event_date, event_count and user_id; run the pipeline again to rewrite it.`,
      { file },
    );
  }
  const days: DailyCount[] = [];
  let totalEvents = 0;
  for (const row of frame.toRecords() as {
    date: string | null;
    events: number | bigint | null;
    users: number | bigint;
  }[]) {
    const events = Number(row.events ?? 0);
    totalEvents += events;
    // The engine never writes a null date; if a file has one, its events still count in the total.
    if (row.date !== null) days.push({ date: row.date, events, users: Number(row.users) });
  }
  return { days, totalEvents };
}
