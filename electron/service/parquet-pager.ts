/**
 * Pages through an output Parquet file for the preview tables, fast enough to scroll a
 * 10,000,000-row file: a page of the file as written is a `scanParquet` slice, for which Polars
 * reads only the row groups the page falls in, so nothing is held between pages. (Loading the
 * whole file in the background instead made the pages after the first wait for it.) Sorted or
 * filtered views are computed once with async `collect()` and cached, so every further page of
 * one is cut from memory (a slice, or for a sort a gather of the page's rows). Never `collectSync` here: this runs on the
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

/**
 * A filtered view (sorted or not) as the file positions of its rows, in the view's order. Only
 * the columns the filter and the sort need are read to make it; each page then reads its own
 * rows from the file (`rowsAt`). Holding every column of every matching row instead made a wide
 * match wait seconds for its first page (docs/performance.md "Preview filter and column profile").
 */
interface PositionsView {
  positions: pl.Series;
}

interface FileFacts extends ParquetFooter {
  bytes: number;
  columns: ParquetColumnInfo[];
}

export class ParquetPager {
  /** Per file version (path + mtime + size): footer facts. */
  private readonly facts = new Map<string, Promise<FileFacts>>();
  /** Computed views (filtered and/or sorted), least recently used first. */
  private readonly views = new Map<string, Promise<View | PositionsView>>();

  /** `sliceSpan`: see SLICE_SPAN (tests make it small to take the other way on small files). */
  constructor(
    private readonly maxViews = 4,
    private readonly sliceSpan = SLICE_SPAN,
  ) {}

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
    } else if (req.filter) {
      const { positions } = await this.positionsView(file, version, req, facts.columns);
      totalRows = positions.length;
      page = await rowsAt(file, positions.slice(req.offset, req.limit).toArray() as number[], this.sliceSpan);
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
    let rows: pl.LazyDataFrame;
    if (req.filter) {
      // Only the columns the filter and the profile need are read.
      const needed = [...new Set([req.column, req.filter.column, ...(req.dropReason ? ['drop_reason'] : [])])];
      rows = pl
        .scanParquet(file)
        .select(...needed)
        .filter(viewPredicate(req, facts.columns, file))
        .select(req.column);
    } else if (req.dropReason) {
      rows = (await this.view(file, version, { dropReason: req.dropReason }, facts.columns)).rows.lazy();
    } else rows = pl.scanParquet(file);
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

  /** The positions of the rows of a filtered view (cached like the other views). */
  private positionsView(
    file: string,
    version: string,
    req: Pick<PageRequest, 'dropReason' | 'sort' | 'filter'>,
    columns: ParquetColumnInfo[],
  ): Promise<PositionsView> {
    const key = `positions|${viewKey(file, version, req)}`;
    const making = this.cached(key, async () => {
      const needed = [
        ...new Set([
          req.filter!.column,
          ...(req.dropReason ? ['drop_reason'] : []),
          ...(req.sort ? [req.sort.column] : []),
        ]),
      ];
      // The row index is taken before the filter, so it is each row's place in the file.
      let lf = pl
        .scanParquet(file)
        .select(...needed)
        .withRowIndex(PLACE)
        .filter(viewPredicate(req, columns, file));
      // Stable, nulls last, as the other sorted views.
      if (req.sort)
        lf = lf.sort({ by: req.sort.column, descending: req.sort.descending, nullsLast: true, maintainOrder: true });
      return { positions: (await lf.select(PLACE).collect()).getColumn(PLACE) };
    });
    return making as Promise<PositionsView>;
  }

  /** A view from the cache (most recently used last), or made now and cached. */
  private cached(key: string, make: () => Promise<View | PositionsView>): Promise<View | PositionsView> {
    const hit = this.views.get(key);
    if (hit) {
      this.views.delete(key);
      this.views.set(key, hit);
      return hit;
    }
    const making = make();
    making.catch(() => this.views.delete(key));
    this.views.set(key, making);
    while (this.views.size > this.maxViews) this.views.delete(this.views.keys().next().value as string);
    return making;
  }

  private view(
    file: string,
    version: string,
    req: Pick<PageRequest, 'dropReason' | 'sort' | 'filter'>,
    columns: ParquetColumnInfo[],
  ): Promise<View> {
    const sort = req.sort;
    return this.cached(viewKey(file, version, req), async (): Promise<View> => {
      if (!sort) {
        let lf = pl.scanParquet(file);
        if (req.dropReason) lf = lf.filter(pl.col('drop_reason').eq(pl.lit(req.dropReason)));
        if (req.filter) lf = lf.filter(filterExpression(req.filter, columns, file));
        return { rows: await lf.collect(), order: null };
      }
      // Every sort of the same rows shares them. Only the sort key is sorted, with each row's
      // place, and each page gathers its own rows: sorting whole rows made Polars gather every
      // column of every row, most of a sort's time (docs/performance.md). Stable, nulls
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
    }) as Promise<View>;
  }
}

/** The rows of a view: its drop reason and its filter, as one predicate. */
function viewPredicate(
  req: Pick<PageRequest, 'dropReason' | 'filter'>,
  columns: ParquetColumnInfo[],
  file: string,
): pl.Expr {
  const filter = filterExpression(req.filter!, columns, file);
  return req.dropReason ? pl.col('drop_reason').eq(pl.lit(req.dropReason)).and(filter) : filter;
}

/**
 * Rows at most this far apart are read as one slice of the file (Polars reads only the row
 * groups a slice covers); pages spread wider are picked by their row index in one scan, which
 * reads the whole column set once and is slower than a slice of this span (docs/performance.md).
 */
const SLICE_SPAN = 200_000;

/** The file's rows at `positions`, in that order. */
async function rowsAt(file: string, positions: number[], sliceSpan: number): Promise<Frame> {
  if (positions.length === 0) return pl.scanParquet(file).slice(0, 0).collect();
  let lo = Infinity;
  let hi = -1;
  for (const p of positions) {
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  if (hi - lo < sliceSpan) {
    const span = await pl
      .scanParquet(file)
      .slice(lo, hi - lo + 1)
      .collect();
    return span
      .lazy()
      .select(pl.all().gather(positions.map((p) => p - lo)))
      .collect();
  }
  const picked = await pl.scanParquet(file).withRowIndex(PLACE).filter(pl.col(PLACE).isIn(positions)).collect();
  // In file order; put in the view's order.
  const places = picked.getColumn(PLACE).toArray() as number[];
  const at = new Map(places.map((p, i) => [p, i]));
  return picked
    .lazy()
    .select(pl.all().gather(positions.map((p) => at.get(p)!)))
    .drop(PLACE)
    .collect();
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
 * Polars' thread pool, which is slow to get on a busy machine; these calls are immediate.
 */
function toCells(page: Frame, columns: ParquetColumnInfo[]): Cell[][] {
  // Types come from the file's facts: `frame.schema` on a slice of a large frame is slow.
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
