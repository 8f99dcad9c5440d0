/**
 * A column's profile for the Preview's side panel: rows, nulls, distinct values, min/max, and
 * a histogram (numbers, dates, instants) or the most frequent values (text, true/false). All of
 * it is Polars aggregation with async `collect()`, and only the summary comes back to JS: for
 * numbers, dates and instants the column is read once and queried twice in memory; for text,
 * one count per value answers everything.
 */
import pl from 'nodejs-polars';
import type { Cell, ColumnProfile, ParquetColumnInfo } from '../../shared/service-contract';
import { valueKind } from './column-filter';

/** Bins of a histogram (fewer when a whole-number column has fewer distinct steps). */
export const HISTOGRAM_BINS = 20;
/** How many of the most frequent values a text column's profile lists. */
export const TOP_VALUES = 10;

export async function profileColumn(source: pl.LazyDataFrame, info: ParquetColumnInfo): Promise<ColumnProfile> {
  const kind = valueKind(info.type);
  const col = pl.col(info.name);
  // Numbers, dates and instants are binned on their physical value (days, microseconds).
  const binned = kind === 'number' || kind === 'date' || kind === 'instant';
  if (!binned) return textProfile(source.select(info.name), info);
  const physical = kind === 'number' ? col.cast(pl.Float64) : col.cast(pl.Int64).cast(pl.Float64);
  // The column is read (and decoded) from the file once; both queries then run in memory.
  const rows = (await source.select(info.name).collect()).lazy();
  const summary = (
    await rows
      .select(
        pl.len().alias('rows'),
        col.nullCount().alias('nulls'),
        col.dropNulls().nUnique().alias('distinct'),
        physical.min().alias('min'),
        physical.max().alias('max'),
      )
      .collect()
  ).toRecords()[0] as { rows: number; nulls: number; distinct: number; min: number | null; max: number | null };
  return {
    column: info.name,
    type: info.type,
    rows: Number(summary.rows),
    nulls: Number(summary.nulls),
    distinct: Number(summary.distinct),
    min: shown(summary.min, kind, info.type),
    max: shown(summary.max, kind, info.type),
    histogram: await histogram(rows, physical, summary.min, summary.max, kind, info.type),
  };
}

/**
 * Text and true/false: one pass that counts each value (nulls as one more group), from which
 * the rows, nulls, distinct values, min, max and most frequent values all follow: half the
 * work of two passes, a distinct count and then the counts (docs/performance.md).
 */
async function textProfile(rows: pl.LazyDataFrame, info: ParquetColumnInfo): Promise<ColumnProfile> {
  const col = pl.col(info.name);
  const counts = (await rows.groupBy(info.name).agg(pl.len().alias('count')).collect()).lazy();
  const summary = (
    await counts
      .select(
        pl.col('count').sum().alias('rows'),
        pl.when(col.isNull()).then(pl.col('count')).otherwise(pl.lit(0)).sum().alias('nulls'),
        col.count().alias('distinct'),
        col.cast(pl.String).min().alias('min'),
        col.cast(pl.String).max().alias('max'),
      )
      .collect()
  ).toRecords()[0] as { rows: number | null; nulls: number | null; distinct: number; min: Cell; max: Cell };
  const top = await counts
    .filter(col.isNotNull())
    // Most frequent first; ties by value so the list is the same every time.
    .sort(['count', info.name], [true, false])
    .head(TOP_VALUES)
    .collect();
  return {
    column: info.name,
    type: info.type,
    rows: Number(summary.rows ?? 0),
    nulls: Number(summary.nulls ?? 0),
    distinct: Number(summary.distinct),
    min: summary.min,
    max: summary.max,
    topValues: (top.toRecords() as Record<string, unknown>[]).map((r) => ({
      value: r[info.name] as Cell,
      count: Number(r.count),
    })),
  };
}

async function histogram(
  rows: pl.LazyDataFrame,
  physical: pl.Expr,
  min: number | null,
  max: number | null,
  kind: 'number' | 'date' | 'instant',
  type: string,
): Promise<NonNullable<ColumnProfile['histogram']>> {
  if (min === null || max === null) return [];
  const whole = kind !== 'number' || /int/i.test(type);
  // A whole-number column with few steps gets one bin per value, so no bin straddles two.
  const bins = whole && max - min + 1 < HISTOGRAM_BINS ? max - min + 1 : max === min ? 1 : HISTOGRAM_BINS;
  const width = whole && bins === max - min + 1 ? 1 : (max - min) / bins;
  const counts = (
    await rows
      .select(physical.alias('v'))
      .dropNulls()
      .select(
        pl
          .col('v')
          .sub(pl.lit(min))
          .div(pl.lit(width || 1))
          .floor()
          .clip(0, bins - 1)
          .cast(pl.Int32)
          .alias('bin'),
      )
      .groupBy('bin')
      .agg(pl.len().alias('count'))
      .collect()
  ).toRecords() as { bin: number; count: number }[];
  const byBin = new Map(counts.map((c) => [Number(c.bin), Number(c.count)]));
  return Array.from({ length: bins }, (_, i) => {
    const from = min + i * width;
    // Whole numbers: a bin of width 1 is the single value `from`.
    const to = width === 1 && whole ? from : i === bins - 1 ? max : min + (i + 1) * width;
    return { from: shown(from, kind, type), to: shown(to, kind, type), count: byBin.get(i) ?? 0 };
  });
}

/** A physical value (a number, days, microseconds) as the grid shows it. */
function shown(v: number | null, kind: ReturnType<typeof valueKind>, type: string): Cell {
  if (v === null) return null;
  if (kind === 'date') return new Date(Math.floor(v) * 86_400_000).toISOString().slice(0, 10);
  if (kind === 'instant') {
    const micros = Math.floor(v * (/\(ns/.test(type) ? 1e-3 : /\(ms/.test(type) ? 1e3 : 1));
    const ms = Math.floor(micros / 1000);
    const iso = new Date(ms).toISOString(); // ...T00:00:03.123Z
    return `${iso.slice(0, 23)}${String(((micros % 1000) + 1000) % 1000).padStart(3, '0')}Z`;
  }
  return v;
}
