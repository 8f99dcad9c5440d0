/**
 * A virtualised table over a paged source: fixed row height, only the visible rows are in the
 * DOM, pages of PAGE_SIZE rows are fetched on demand and kept in a small LRU cache. Scrolls
 * millions of rows because nothing is proportional to the row count but the spacer height.
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useReducer,
  useRef,
  useState,
  type CSSProperties,
  type ReactNode,
} from 'react';
import type { EtlErrorInfo } from '../../shared/pipeline';
import type { Cell, ParquetColumnInfo, ParquetPage, Result } from '../../shared/service-contract';
import { formatCell, formatCount } from '../lib/format';
import { ErrorBanner } from './error-banner';
import { PageCache } from './page-cache';
import { pagesFor, scrollTopForRow, visibleWindow } from './virtual-window';

export const PAGE_SIZE = 200;
const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 34;
const INDEX_WIDTH = 80;
/** Wait this long after the last scroll before fetching, so a fling does not fetch every page it passes. */
const FETCH_DELAY_MS = 40;

export interface SortState {
  column: string;
  descending: boolean;
}

export interface VirtualTableProps {
  /** Changing it drops the cache and starts over (new file, filter, sort or run). */
  queryKey: string;
  load: (offset: number, limit: number) => Promise<Result<ParquetPage>>;
  onMeta?: (page: ParquetPage) => void;
  sort?: SortState | null;
  onSort?: (column: string) => void;
  /** Extra class for a cell (e.g. the field that made a row drop). */
  cellClassName?: (row: Cell[], column: string, columns: ParquetColumnInfo[]) => string | undefined;
  renderCell?: (row: Cell[], column: string, columns: ParquetColumnInfo[]) => ReactNode | undefined;
  highlightRow?: number | null;
  /** Scroll so this row is at the top; `seq` lets the same row be asked for twice. */
  scrollTo?: { row: number; seq: number } | null;
  label: string;
  emptyMessage?: string;
  /** What to show instead of the table when a page cannot be read. */
  errorFallback?: (error: EtlErrorInfo) => ReactNode;
}

/** Column width by type: dates and numbers are narrow, instants and raw text wide. */
export function columnWidth(col: ParquetColumnInfo): number {
  if (col.name === 'raw') return 360;
  if (/datetime|timestamp/i.test(col.type)) return 260;
  if (/^date/i.test(col.type)) return 120;
  if (/int|float|double|decimal/i.test(col.type)) return 120;
  if (col.name === 'timestamp') return 240;
  if (col.name === 'drop_reason') return 160;
  return 150;
}

export function isNumericType(type: string): boolean {
  return /int|float|double|decimal/i.test(type);
}

interface Meta {
  columns: ParquetColumnInfo[];
  totalRows: number;
}

export function VirtualTable(props: VirtualTableProps) {
  const {
    queryKey,
    load,
    onMeta,
    sort,
    onSort,
    cellClassName,
    renderCell,
    highlightRow,
    scrollTo,
    label,
    emptyMessage,
    errorFallback,
  } = props;
  // A state, not a ref: the scroller only mounts once the first page has arrived, and the
  // viewport must be measured then.
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
  const scrollerRef = useRef<HTMLDivElement | null>(null);
  const attachScroller = useCallback((el: HTMLDivElement | null) => {
    scrollerRef.current = el;
    setScroller(el);
  }, []);
  const cache = useRef(new PageCache<Cell[][]>(30));
  const inflight = useRef(new Set<number>());
  const keyRef = useRef(queryKey);
  const [meta, setMeta] = useState<Meta | null>(null);
  /** The query `meta` describes. */
  const metaKey = useRef<unknown>(null);
  const [error, setError] = useState<EtlErrorInfo | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const onMetaRef = useRef(onMeta);
  onMetaRef.current = onMeta;

  const fetchPage = useCallback((page: number) => {
    const key = keyRef.current;
    if (cache.current.has(page) || inflight.current.has(page)) return;
    inflight.current.add(page);
    loadRef.current(page * PAGE_SIZE, PAGE_SIZE).then(
      (result) => {
        if (keyRef.current !== key) return; // a newer query owns the table now
        inflight.current.delete(page);
        if (!result.ok) {
          setError(result.error);
          return;
        }
        cache.current.set(page, result.value.rows);
        metaKey.current = key;
        setMeta((m) =>
          m && m.totalRows === result.value.totalRows && m.columns.length === result.value.columns.length
            ? m
            : { columns: result.value.columns, totalRows: result.value.totalRows },
        );
        if (page === 0) onMetaRef.current?.(result.value);
        bump();
      },
      (err: unknown) => {
        if (keyRef.current !== key) return;
        inflight.current.delete(page);
        setError({ kind: 'internal', message: err instanceof Error ? err.message : String(err) });
      },
    );
  }, []);

  // A new query: forget everything and fetch the first page (it brings the schema and count).
  useLayoutEffect(() => {
    keyRef.current = queryKey;
    cache.current.clear();
    inflight.current.clear();
    setError(null);
    setMeta(null);
    setScrollTop(0);
    if (scrollerRef.current) scrollerRef.current.scrollTop = 0;
    fetchPage(0);
  }, [queryKey, fetchPage]);

  useLayoutEffect(() => {
    const el = scroller;
    if (!el) return;
    const measure = () => setViewport(Math.max(0, el.clientHeight - HEADER_HEIGHT));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [scroller]);

  const totalRows = meta?.totalRows ?? 0;
  const win = visibleWindow({ scrollTop, viewportHeight: viewport, rowHeight: ROW_HEIGHT, totalRows });

  useEffect(() => {
    if (!meta) return;
    const timer = setTimeout(() => {
      for (const page of pagesFor(win.start, win.end, PAGE_SIZE)) fetchPage(page);
    }, FETCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [meta, win.start, win.end, fetchPage]);

  // A scroll request is carried out once, when the query it came with has its first page:
  // a later query (another filter or sort) must not be scrolled to that row again.
  const scrolledSeq = useRef<number | null>(null);
  useEffect(() => {
    if (!scrollTo || scrollTo.seq === scrolledSeq.current || !scroller || !meta || metaKey.current !== queryKey) return;
    scrolledSeq.current = scrollTo.seq;
    scroller.scrollTop = scrollTopForRow(Math.max(0, scrollTo.row - 3), viewport, ROW_HEIGHT, meta.totalRows);
    // What the browser made of it: it stops at the end of the rows.
    setScrollTop(scroller.scrollTop);
  }, [scrollTo, scroller, meta, viewport, queryKey]);

  if (error && errorFallback) return <>{errorFallback(error)}</>;
  if (error) return <ErrorBanner error={error} title={`Could not read ${label}`} />;
  if (!meta)
    return (
      <div className="vt-loading" aria-busy="true">
        Loading {label}…
      </div>
    );

  const columns = meta.columns;
  const widths = columns.map(columnWidth);
  const template = [`${INDEX_WIDTH}px`, ...widths.map((w) => `${w}px`)].join(' ');
  const totalWidth = INDEX_WIDTH + widths.reduce((a, b) => a + b, 0);
  const tableStyle = { '--vt-columns': template, '--vt-width': `${totalWidth}px` } as CSSProperties;

  const rows: ReactNode[] = [];
  for (let i = win.start; i < win.end; i++) {
    const page = cache.current.get(Math.floor(i / PAGE_SIZE));
    const row = page?.[i % PAGE_SIZE];
    const classes = [
      'vt-row',
      i % 2 ? 'vt-row-odd' : '',
      highlightRow === i ? 'vt-row-highlight' : '',
      row ? '' : 'vt-row-loading',
    ];
    rows.push(
      <div key={i} className={classes.join(' ')} role="row" aria-rowindex={i + 2} data-row={i}>
        <div className="vt-cell vt-index" role="cell">
          {formatCount(i + 1)}
        </div>
        {columns.map((col, c) => {
          if (!row) return <div key={col.name} className="vt-cell vt-placeholder" role="cell" />;
          const value = row[c];
          const custom = renderCell?.(row, col.name, columns);
          const extra = cellClassName?.(row, col.name, columns) ?? '';
          const numeric = isNumericType(col.type) ? 'vt-num' : '';
          const text = formatCell(value, col.type);
          return (
            <div
              key={col.name}
              className={`vt-cell ${numeric} ${value === null ? 'vt-null' : ''} ${extra}`}
              role="cell"
              title={text}
            >
              {custom ?? text}
            </div>
          );
        })}
      </div>,
    );
  }

  return (
    <div className="vt" style={tableStyle} role="table" aria-label={label} aria-rowcount={totalRows + 1}>
      <div
        className="vt-scroller"
        ref={attachScroller}
        tabIndex={0}
        aria-label={`${label}: ${formatCount(totalRows)} rows, scroll to read`}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div className="vt-header vt-row" role="row" aria-rowindex={1}>
          <div className="vt-cell vt-index" role="columnheader">
            #
          </div>
          {columns.map((col) => {
            const active = sort?.column === col.name;
            const ariaSort = active ? (sort!.descending ? 'descending' : 'ascending') : 'none';
            return (
              <div key={col.name} className="vt-cell" role="columnheader" aria-sort={ariaSort}>
                {onSort ? (
                  <button
                    type="button"
                    className={`vt-sort ${active ? 'vt-sort-active' : ''}`}
                    onClick={() => onSort(col.name)}
                    title={`Sort by ${col.name} (${col.type})`}
                  >
                    <span className="vt-col-name">{col.name}</span>
                    <span className="vt-sort-mark" aria-hidden="true">
                      {active ? (sort!.descending ? '▼' : '▲') : '↕'}
                    </span>
                  </button>
                ) : (
                  <span className="vt-col-name">{col.name}</span>
                )}
              </div>
            );
          })}
        </div>
        {totalRows === 0 ? (
          <div className="vt-empty">{emptyMessage ?? 'No rows.'}</div>
        ) : (
          <div className="vt-spacer" style={{ height: win.spacerHeight }}>
            <div className="vt-rows" style={{ transform: `translateY(${win.offsetTop}px)` }}>
              {rows}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
