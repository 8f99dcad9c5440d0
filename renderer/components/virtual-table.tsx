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
  /** Cells can be picked, and the cell, its row or the visible rows copied as TSV. */
  copyable?: boolean;
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
    copyable,
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
  /** The previous query's pages, shown (dimmed) until the new query's first page arrives. */
  const stale = useRef<PageCache<Cell[][]> | null>(null);
  const [selected, setSelected] = useState<{ row: number; col: number } | null>(null);
  const [copied, setCopied] = useState('');
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
        stale.current = null;
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
    // The grid stays on screen while a sort or filter is computed: the old rows stay, dimmed and
    // marked busy, until the new first page replaces them.
    if (cache.current.size > 0) stale.current = cache.current;
    cache.current = new PageCache<Cell[][]>(30);
    inflight.current.clear();
    setError(null);
    setSelected(null);
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

  const loadingNew = metaKey.current !== queryKey;
  const pageOf = (i: number) =>
    // Before the new query's effect has run, its old pages are still in `cache`.
    (loadingNew ? (stale.current ?? cache.current) : cache.current).get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
  const columns = meta.columns;
  const widths = columns.map(columnWidth);
  const template = [`${INDEX_WIDTH}px`, ...widths.map((w) => `${w}px`)].join(' ');
  const totalWidth = INDEX_WIDTH + widths.reduce((a, b) => a + b, 0);
  const tableStyle = { '--vt-columns': template, '--vt-width': `${totalWidth}px` } as CSSProperties;

  const rows: ReactNode[] = [];
  for (let i = win.start; i < win.end; i++) {
    const row = pageOf(i);
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
          const picked = selected?.row === i && selected.col === c;
          return (
            <div
              key={col.name}
              className={`vt-cell ${numeric} ${value === null ? 'vt-null' : ''} ${extra} ${picked ? 'vt-cell-selected' : ''}`}
              role="cell"
              title={text}
              // aria-selected is not allowed on a plain table cell (axe aria-allowed-attr); the picked
              // cell is the current one.
              aria-current={copyable && picked ? true : undefined}
              onClick={copyable ? () => setSelected({ row: i, col: c }) : undefined}
            >
              {custom ?? text}
            </div>
          );
        })}
      </div>,
    );
  }

  const copy = async (what: 'cell' | 'row' | 'visible') => {
    let rowsToCopy: Cell[][];
    if (what === 'visible') {
      rowsToCopy = [];
      for (let i = win.start; i < win.end; i++) {
        const r = pageOf(i);
        if (r) rowsToCopy.push(r);
      }
    } else {
      const r = selected ? pageOf(selected.row) : undefined;
      if (!r || !selected) return;
      rowsToCopy = what === 'row' ? [r] : [[r[selected.col]]];
    }
    const header = what === 'cell' ? [] : [columns.map((c) => c.name)];
    const text = toTsv([...header, ...rowsToCopy]);
    const ok = await writeClipboard(text);
    setCopied(
      !ok
        ? 'Could not copy: the system refused access to the clipboard.'
        : what === 'cell'
          ? 'Copied the cell.'
          : what === 'row'
            ? `Copied row ${formatCount(selected!.row + 1)} with its header.`
            : `Copied ${formatCount(rowsToCopy.length)} visible rows with the header.`,
    );
  };

  return (
    <div className="vt-frame">
      {copyable && (
        <div className="vt-toolbar" role="toolbar" aria-label={`Copy from ${label}`}>
          <button type="button" className="button button-small" disabled={!selected} onClick={() => void copy('cell')}>
            Copy cell
          </button>
          <button type="button" className="button button-small" disabled={!selected} onClick={() => void copy('row')}>
            Copy row
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={totalRows === 0}
            onClick={() => void copy('visible')}
          >
            Copy visible rows
          </button>
          <span className="muted vt-copy-status" role="status">
            {copied || (selected ? '' : 'Click a cell to pick it; copies are tab-separated (TSV).')}
          </span>
          {loadingNew && (
            <span className="vt-busy" role="status">
              Loading…
            </span>
          )}
        </div>
      )}
      <div className={`vt ${loadingNew ? 'vt-stale' : ''}`} style={tableStyle}>
        {/* The scroller is the table itself: a focusable scroll box between role=table and its
            rows would break the table's structure for assistive technology (axe
            aria-required-children). */}
        <div
          className="vt-scroller"
          ref={attachScroller}
          tabIndex={0}
          role="table"
          aria-rowcount={totalRows + 1}
          aria-busy={loadingNew}
          aria-label={`${label}: ${formatCount(totalRows)} rows, scroll to read`}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          onKeyDown={(e) => {
            if (copyable && selected && (e.ctrlKey || e.metaKey) && e.key === 'c') {
              e.preventDefault();
              void copy('cell');
            }
          }}
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
            <div className="vt-empty" role="row">
              <div role="cell">{emptyMessage ?? 'No rows.'}</div>
            </div>
          ) : (
            <div className="vt-spacer" style={{ height: win.spacerHeight }}>
              <div className="vt-rows" style={{ transform: `translateY(${win.offsetTop}px)` }}>
                {rows}
              </div>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

/** Rows as tab-separated text: null as empty, tabs and line breaks inside a value as spaces. */
export function toTsv(rows: Cell[][]): string {
  return rows.map((r) => r.map((v) => (v === null ? '' : String(v).replace(/[\t\r\n]+/g, ' '))).join('\t')).join('\n');
}

/** The clipboard API where the page may use it, else the older copy command; false if both fail. */
async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
