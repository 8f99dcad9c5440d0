/**
 * Queries over `dropped_rows.parquet`: counts by reason, invalid timestamps grouped by how they
 * are wrong (with an example of each), and a CSV export of the (filtered) rows into the
 * output folder. All Polars work goes through async `collect()`.
 */
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import pl from 'nodejs-polars';
import { OUTPUT_FILES, isDropReason, type DropReason } from '../../shared/pipeline';
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

/**
 * Rows of dropped_rows.parquet read by one query of the pass below. The summary is written at
 * the end of every run (the HTML report), inside the run's memory budget: a query over the
 * whole file holds every row it reads at once (the drop_reason column of millions of rows, or
 * every column of the rows of one reason when it looks for examples), while a slice of the
 * file is read from its own row groups only (docs/performance.md "Memory budget").
 */
export const SUMMARY_SLICE_ROWS = 1 << 18;

/** The summary, and the file positions (0-based) of the first `examples` rows of each reason. */
export interface DroppedScan {
  summary: DroppedSummary;
  firstRows: Partial<Record<DropReason, number[]>>;
}

/**
 * One pass over dropped_rows.parquet, a slice at a time in file order: counts by reason,
 * invalid timestamps counted by value (in order of first appearance, so each pattern's example
 * is its first row), and the positions of the first `examples` rows of each reason. Whatever
 * `sliceRows` is, the result is the same.
 */
export async function scanDropped(outDir: string, examples = 0, sliceRows = SUMMARY_SLICE_ROWS): Promise<DroppedScan> {
  const file = await droppedFile(outDir);
  const counts = new Map<string, number>();
  const firstRows: DroppedScan['firstRows'] = {};
  const timestamps = new Map<string | null, number>();
  for (let offset = 0; ; offset += sliceRows) {
    const slice = pl.scanParquet(file, { rowIndexName: ROW_INDEX }).slice(offset, sliceRows);
    // (Within a group, rows keep their order: the row positions come first to last.)
    const groups = await slice
      .groupBy('drop_reason')
      .agg(pl.len().alias('n'), pl.col(ROW_INDEX).head(examples).alias('rows'))
      .collect();
    let rows = 0;
    let invalidTimestamps = false;
    for (const g of groups.toRecords() as unknown as { drop_reason: string; n: number; rows: number[] }[]) {
      rows += Number(g.n);
      counts.set(g.drop_reason, (counts.get(g.drop_reason) ?? 0) + Number(g.n));
      if (g.drop_reason === 'invalid_timestamp') invalidTimestamps = true;
      if (!isDropReason(g.drop_reason)) continue;
      const seen = (firstRows[g.drop_reason] ??= []);
      seen.push(...g.rows.slice(0, examples - seen.length).map(Number));
    }
    if (invalidTimestamps) {
      const byValue = await slice
        .filter(pl.col('drop_reason').eq(pl.lit('invalid_timestamp')))
        // Group equal strings in Polars first: many rows often share a few bad values.
        .groupBy('timestamp', true)
        .agg(pl.len().alias('n'))
        .collect();
      for (const { timestamp, n } of byValue.toRecords() as { timestamp: string | null; n: number }[])
        timestamps.set(timestamp, (timestamps.get(timestamp) ?? 0) + Number(n));
    }
    if (rows < sliceRows) break;
  }
  const byReason: DroppedSummary['byReason'] = {};
  for (const [reason, n] of counts) {
    if (isDropReason(reason)) byReason[reason] = n;
  }
  const patterns = new Map<string, { pattern: string; count: number; example: string }>();
  for (const [timestamp, n] of timestamps) {
    const pattern = classifyTimestamp(timestamp);
    const entry = patterns.get(pattern) ?? { pattern, count: 0, example: timestamp ?? '(null)' };
    entry.count += n;
    patterns.set(pattern, entry);
  }
  return {
    summary: {
      byReason,
      timestampPatterns: [...patterns.values()].sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern)),
    },
    firstRows,
  };
}

/** The row position column the pass adds (not a column of the file). */
const ROW_INDEX = '__row';

export async function droppedSummary(outDir: string): Promise<DroppedSummary> {
  return (await scanDropped(outDir)).summary;
}

/** The rows at these file positions (0-based), every column as text; each read from its own row group. */
export async function droppedRowsAt(outDir: string, positions: number[]): Promise<Record<string, string | null>[]> {
  const file = await droppedFile(outDir);
  const rows: Record<string, string | null>[] = [];
  for (const at of positions) {
    const frame = await pl.scanParquet(file).slice(at, 1).select(pl.all().cast(pl.String)).collect();
    rows.push(...(frame.toRecords() as Record<string, string | null>[]));
  }
  return rows;
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
