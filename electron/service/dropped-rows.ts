/**
 * Queries over `dropped_rows.parquet`: counts by reason, invalid timestamps grouped by how they
 * are wrong (with an example of each), and a CSV export of the (filtered) rows into the
 * output folder. All Polars work goes through async `collect()`.
 */
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import pl from 'nodejs-polars';
import { DROP_REASONS, OUTPUT_FILES, type DropReason } from '../../shared/pipeline';
import type { DroppedSummary } from '../../shared/service-contract';
import { inputError } from '../engine/errors';
import { classifyTimestamp } from './timestamp-patterns';

async function droppedFile(outDir: string): Promise<string> {
  const file = path.join(outDir, OUTPUT_FILES.droppedRows);
  if (!(await stat(file).catch(() => null))) {
    throw inputError(
      `There is no ${OUTPUT_FILES.droppedRows} in ${outDir} yet. Run the pipeline first, or choose the output folder of an earlier run.`,
      { file },
    );
  }
  return file;
}

export async function droppedSummary(outDir: string): Promise<DroppedSummary> {
  const file = await droppedFile(outDir);
  // One query after the other: this runs at the end of every run (the HTML report), inside the
  // run's memory budget.
  const counts = await pl.scanParquet(file).groupBy('drop_reason').agg(pl.len().alias('n')).collect();
  const timestamps = await pl
    .scanParquet(file)
    .filter(pl.col('drop_reason').eq(pl.lit('invalid_timestamp')))
    // Group equal strings in Polars first: many rows often share a few bad values.
    .groupBy('timestamp', true)
    .agg(pl.len().alias('n'))
    .collect();
  const byReason: DroppedSummary['byReason'] = {};
  for (const { drop_reason, n } of counts.toRecords() as { drop_reason: string; n: number }[]) {
    if ((DROP_REASONS as readonly string[]).includes(drop_reason)) byReason[drop_reason as DropReason] = Number(n);
  }
  const patterns = new Map<string, { pattern: string; count: number; example: string }>();
  for (const { timestamp, n } of timestamps.toRecords() as { timestamp: string | null; n: number }[]) {
    const pattern = classifyTimestamp(timestamp);
    const entry = patterns.get(pattern) ?? { pattern, count: 0, example: timestamp ?? '(null)' };
    entry.count += Number(n);
    patterns.set(pattern, entry);
  }
  return {
    byReason,
    timestampPatterns: [...patterns.values()].sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern)),
  };
}

/**
 * Writes the dropped rows (all, or one reason) to `dropped_rows[_<reason>].csv` in the output
 * folder, through a temporary file so a half-written CSV is never left behind.
 */
export async function exportDroppedCsv(
  outDir: string,
  dropReason?: DropReason,
): Promise<{ path: string; rows: number }> {
  const file = await droppedFile(outDir);
  const target = path.join(outDir, dropReason ? `dropped_rows_${dropReason}.csv` : 'dropped_rows.csv');
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  let lf = pl.scanParquet(file);
  if (dropReason) lf = lf.filter(pl.col('drop_reason').eq(pl.lit(dropReason)));
  try {
    const frame = await lf.collect();
    await writeCsv(frame, temp);
    await rename(temp, target);
    return { path: target, rows: frame.height };
  } catch (err) {
    await rm(temp, { force: true });
    const why = err instanceof Error ? err.message : String(err);
    throw inputError(
      `Could not write ${target}: ${why}. Check that the output folder is writable and has free space.`,
      { file: target },
    );
  }
}

/** Polars' CSV writer, via a lazy sink so the write happens off the JS thread. */
async function writeCsv(frame: pl.DataFrame, target: string): Promise<void> {
  await frame.lazy().sinkCSV(target).collect();
}
