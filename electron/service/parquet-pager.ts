/**
 * Pages through an output Parquet file for the preview tables, fast enough to scroll a
 * 10,000,000-row file: a page of the file as written is a `scanParquet` slice, for which Polars
 * reads only the row groups the page falls in (10-50 ms at 7.8M rows), so nothing is held
 * between pages. (Loading the whole file in the background instead made the pages after the
 * first wait for it: 2.5 s at 7.8M rows.) Sorted or filtered views are computed once with
 * async `collect()` and cached, so every further page of one is cut from memory (a slice, or
 * for a sort a gather of the page's rows). Never `collectSync` here: this runs on the
 * service's thread, which must stay responsive.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import pl from 'nodejs-polars';
import type {
  Cell,
  ColumnProfile,
  PageRequest,
  ParquetColumnInfo,
  ParquetPage,
  ProfileRequest,
} from '../../shared/service-contract';
import { filterExpression, filterKey } from './column-filter';
import { profileColumn } from './column-profile';
import { inputError } from '../engine/errors';
import { readParquetFooter, type ParquetFooter } from '../engine/parquet-footer';

type Frame = pl.DataFrame;

/** A filtered and/or sorted view: the rows, and for a sort the rows' places in sorted order. */
interface View {
  rows: Frame;
  order: pl.Series | null;
}

interface FileFacts extends ParquetFooter {
  bytes: number;
  columns: ParquetColumnInfo[];
}

export class ParquetPager {
  /** Per file version (path + mtime + size): footer facts. */
  private readonly facts = new Map<string, Promise<FileFacts>>();
  /** Computed views (filtered and/or sorted), least recently used first. */
  private readonly views = new Map<string, Promise<View>>();

  constructor(private readonly maxViews = 4) {}

  async readPage(req: PageRequest): Promise<ParquetPage> {
    const file = path.join(req.outDir, req.file);
    const version = await fileVersion(file);
    const facts = await this.fileFacts(file, version);
    if (req.sort && !facts.columns.some((c) => c.name === req.sort!.column)) {
      throw inputError(
        `${req.file} has no column "${req.sort.column}" to sort by. Choose one of: ${facts.columns.map((c) => c.name).join(', ')}.`,
        { file },
      );
    }
    if (req.dropReason && !facts.columns.some((c) => c.name === 'drop_reason')) {
      throw inputError(
        `${req.file} has no drop_reason column; the drop reason filter applies to dropped_rows.parquet only.`,
        { file },
      );
    }

    // Checked here, before any view is made, so a bad filter is an error at once.
    if (req.filter) filterExpression(req.filter, facts.columns, file);

    let page: Frame;
    let totalRows: number;
    if (!req.sort && !req.dropReason && !req.filter) {
      totalRows = facts.rows;
      page = await pl.scanParquet(file).slice(req.offset, req.limit).collect();
    } else {
      const view = await this.view(file, version, req, facts.columns);
      totalRows = view.rows.height;
      page = view.order
        ? await view.rows
            .lazy()
            .select(pl.all().gather(view.order.slice(req.offset, req.limit)))
            .collect()
        : view.rows.slice(req.offset, req.limit);
    }
    return {
      file: req.file,
      columns: facts.columns,
      totalRows,
      bytes: facts.bytes,
      codec: facts.codec,
      offset: req.offset,
      rows: toCells(page, facts.columns),
    };
  }

  /**
   * Profiles one column of the rows a page request with the same file, drop reason and filter
   * shows. Unfiltered, Polars aggregates straight from the file; filtered, from the cached view.
   */
  async profile(req: ProfileRequest): Promise<ColumnProfile> {
    const file = path.join(req.outDir, req.file);
    const version = await fileVersion(file);
    const facts = await this.fileFacts(file, version);
    const info = facts.columns.find((c) => c.name === req.column);
    if (!info) {
      throw inputError(
        `${req.file} has no column "${req.column}" to profile. Choose one of: ${facts.columns.map((c) => c.name).join(', ')}.`,
        { file },
      );
    }
    if (req.filter) filterExpression(req.filter, facts.columns, file);
    const rows =
      req.dropReason || req.filter
        ? (
            await this.view(file, version, { dropReason: req.dropReason, filter: req.filter }, facts.columns)
          ).rows.lazy()
        : pl.scanParquet(file);
    return profileColumn(rows, info);
  }

  /** Drops cached views of files under `dir` (after a run rewrote them). */
  forget(dir: string): void {
    for (const key of [...this.views.keys(), ...this.facts.keys()]) {
      if (key.startsWith(dir)) {
        this.views.delete(key);
        this.facts.delete(key);
      }
    }
  }

  private fileFacts(file: string, version: string): Promise<FileFacts> {
    const key = `${file}|${version}`;
    let facts = this.facts.get(key);
    if (!facts) {
      facts = (async () => {
        const [footer, { size }, schemaFrame] = await Promise.all([
          readParquetFooter(file),
          stat(file),
          pl.scanParquet(file).slice(0, 0).collect(),
        ]);
        const columns = Object.entries(schemaFrame.schema).map(([name, dtype]) => ({
          name,
          type: readableType(dtype),
        }));
        return { ...footer, bytes: size, columns };
      })();
      facts.catch(() => this.facts.delete(key));
      this.facts.set(key, facts);
    }
    return facts;
  }

  private view(
    file: string,
    version: string,
    req: Pick<PageRequest, 'dropReason' | 'sort' | 'filter'>,
    columns: ParquetColumnInfo[],
  ): Promise<View> {
    const key = viewKey(file, version, req);
    const cached = this.views.get(key);
    if (cached) {
      this.views.delete(key);
      this.views.set(key, cached); // most recently used last
      return cached;
    }
    const sort = req.sort;
    const making = (async (): Promise<View> => {
      if (!sort) {
        let lf = pl.scanParquet(file);
        if (req.dropReason) lf = lf.filter(pl.col('drop_reason').eq(pl.lit(req.dropReason)));
        if (req.filter) lf = lf.filter(filterExpression(req.filter, columns, file));
        return { rows: await lf.collect(), order: null };
      }
      // Every sort of the same rows shares them. Only the sort key is sorted, with each row's
      // place, and each page gathers its own rows: sorting whole rows made Polars gather every
      // column of every row (5 of the 5.3 s it took to sort 7.8M rows by value). Stable, nulls
      // last, so rows with equal keys keep the file's (input) order.
      const { rows } = await this.view(file, version, { dropReason: req.dropReason, filter: req.filter }, columns);
      const sorted = await rows
        .lazy()
        .select(sort.column)
        .withRowIndex(PLACE)
        .sort({ by: sort.column, descending: sort.descending, nullsLast: true, maintainOrder: true })
        .select(PLACE)
        .collect();
      return { rows, order: sorted.getColumn(PLACE) };
    })();
    making.catch(() => this.views.delete(key));
    this.views.set(key, making);
    while (this.views.size > this.maxViews) this.views.delete(this.views.keys().next().value as string);
    return making;
  }
}

/** The column of row places in a sorted order (a name no output has). */
const PLACE = '__place';

function viewKey(file: string, version: string, req: Pick<PageRequest, 'dropReason' | 'sort' | 'filter'>): string {
  const sort = req.sort ? `${req.sort.column}:${req.sort.descending}` : '';
  return `${file}|${version}|${req.dropReason ?? ''}|${sort}|${filterKey(req.filter)}`;
}

async function fileVersion(file: string): Promise<string> {
  try {
    const st = await stat(file);
    return `${st.mtimeMs}|${st.size}`;
  } catch {
    throw inputError(
      `There is no ${path.basename(file)} in ${path.dirname(file)} yet. Run the pipeline first, or choose the output folder of an earlier run.`,
      { file },
    );
  }
}

/** `DataType(Datetime(us,UTC))` → `Datetime(us, UTC)`. */
export function readableType(dtype: unknown): string {
  const s = String(dtype);
  const inner = s.startsWith('DataType(') && s.endsWith(')') ? s.slice('DataType('.length, -1) : s;
  return inner.replace(/,(?=\S)/g, ', ');
}

/**
 * Timestamps as ISO strings (with microseconds), dates as YYYY-MM-DD, int64 as numbers.
 * Works column by column on the (at most 1000-row) page: a frame-wide select would wait for
 * Polars' thread pool, which is slow to get on a busy machine; these calls take ~1 ms.
 */
function toCells(page: Frame, columns: ParquetColumnInfo[]): Cell[][] {
  // Types come from the file's facts: `frame.schema` on a slice of a large frame costs ~25 ms.
  const names = columns.map((c) => c.name);
  const kinds = columns.map((c) => c.type);
  // JS Dates only hold milliseconds, so datetimes are formatted by Polars, to the microsecond.
  const datetimeText = new Map<number, (string | null)[]>();
  kinds.forEach((kind, i) => {
    if (kind.includes('Datetime'))
      datetimeText.set(i, page.getColumn(names[i]).cast(pl.String).toArray() as (string | null)[]);
  });
  return page.rows().map((row, r) =>
    row.map((v: unknown, i: number): Cell => {
      if (v === null || v === undefined) return null;
      const text = datetimeText.get(i);
      if (text) return text[r] === null ? null : isoDatetime(text[r]!);
      if (v instanceof Date) return kinds[i].includes('Date') ? v.toISOString().slice(0, 10) : v.toISOString();
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
      return String(v);
    }),
  );
}

/** Polars' `2025-01-01 00:00:03.000000+00:00` → `2025-01-01T00:00:03.000000Z`. */
function isoDatetime(s: string): string {
  return s.replace(' ', 'T').replace(/\+00:00$| UTC$/, 'Z');
}
