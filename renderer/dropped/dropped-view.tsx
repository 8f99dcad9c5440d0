/**
 * Dropped rows: a chip per reason with its count, the rows of the chosen reason with the field
 * that made each drop highlighted, timestamp patterns, duplicate links and CSV export.
 */
import { useCallback, useEffect, useState } from 'react';
import { DROP_REASONS, OUTPUT_FILES, type DropReason, type EtlErrorInfo } from '../../shared/pipeline';
import type { Cell, DroppedSummary, ParquetColumnInfo } from '../../shared/service-contract';
import { useClient } from '../components/client-context';
import { ErrorBanner } from '../components/error-banner';
import { VirtualTable, type SortState } from '../components/virtual-table';
import { formatCount, formatPercent } from '../lib/format';
import { findSourceRow } from './find-source-row';
import { OFFENDING_COLUMN, offendingColumn, REASON_LABELS, showWhitespace, whitespaceParts } from './offending-field';

export function DroppedView({
  outDir,
  reason,
  onReason,
  version,
  readOnly = false,
}: {
  outDir: string;
  /** The outputs of a run reopened from History in another folder: no export (it writes there). */
  readOnly?: boolean;
  reason: DropReason | null;
  onReason: (reason: DropReason | null) => void;
  /** Bumped after each finished run so the counts reload. */
  version: number;
}) {
  const client = useClient();
  const [summary, setSummary] = useState<DroppedSummary | null>(null);
  const [error, setError] = useState<EtlErrorInfo | null>(null);
  const [sort, setSort] = useState<SortState | null>(null);
  const [jump, setJump] = useState<{ row: number; seq: number } | null>(null);
  const [highlight, setHighlight] = useState<number | null>(null);
  /** The source_row whose duplicates are marked (every row with this duplicate_of). */
  const [duplicateTarget, setDuplicateTarget] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [exported, setExported] = useState<{ path: string; rows: number } | null>(null);
  const [exporting, setExporting] = useState(false);

  useEffect(() => {
    let live = true;
    setSummary(null);
    setError(null);
    client.droppedSummary({ outDir }).then(
      (r) => {
        if (!live) return;
        if (r.ok) setSummary(r.value);
        else setError(r.error);
      },
      (err: unknown) => live && setError({ kind: 'internal', message: String(err) }),
    );
    return () => {
      live = false;
    };
  }, [client, outDir, version]);

  /** A new filter starts unsorted and unhighlighted. */
  function selectReason(r: DropReason | null) {
    setSort(null);
    setHighlight(null);
    setDuplicateTarget(null);
    setNotice(null);
    setExported(null);
    onReason(r);
  }

  const load = useCallback(
    (offset: number, limit: number) =>
      client.readPage({
        outDir,
        file: OUTPUT_FILES.droppedRows,
        offset,
        limit,
        dropReason: reason ?? undefined,
        sort: sort ?? undefined,
      }),
    [client, outDir, reason, sort],
  );

  async function jumpToOriginal(sourceRow: number) {
    setDuplicateTarget(sourceRow);
    setNotice(`Looking for source row ${sourceRow}…`);
    const loadAll = (offset: number, limit: number) =>
      client.readPage({ outDir, file: OUTPUT_FILES.droppedRows, offset, limit });
    const first = await loadAll(0, 1);
    if (!first.ok) return setNotice(first.error.message);
    const found = await findSourceRow(loadAll, sourceRow, first.value.totalRows);
    if (!found.ok) return setNotice(found.error.message);
    if (found.value === null) {
      setNotice(
        `Source row ${sourceRow} was kept by deduplication and passed every later stage: it is in clean_events.parquet. Its duplicates are marked below.`,
      );
      return;
    }
    setNotice(
      `Source row ${sourceRow} was kept by deduplication, then dropped by a later stage. It is highlighted below.`,
    );
    onReason(null);
    setSort(null);
    setHighlight(found.value);
    setJump({ row: found.value, seq: Date.now() });
  }

  async function onExport() {
    setExporting(true);
    setExported(null);
    const r = await client.exportDroppedCsv(reason ? { outDir, dropReason: reason } : { outDir });
    setExporting(false);
    if (r.ok) setExported(r.value);
    else setError(r.error);
  }

  async function onShowInFolder(file: string) {
    const r = await client.showInFolder({ path: file });
    if (!r.ok) setError(r.error);
  }

  async function onDownload(file: string) {
    const r = await client.browser!.download(file);
    if (!r.ok) setError(r.error);
  }

  function toggleSort(column: string) {
    setHighlight(null);
    setSort((s) =>
      s?.column !== column ? { column, descending: false } : !s.descending ? { column, descending: true } : null,
    );
  }

  if (error && !summary) {
    return (
      <div className="empty-state">
        <h2>No dropped rows to show yet</h2>
        <p>Run the pipeline first: the dropped rows are read from {OUTPUT_FILES.droppedRows} in the output folder.</p>
        <ErrorBanner error={error} title="Could not read the dropped rows" />
      </div>
    );
  }
  if (!summary) return <div className="vt-loading">Loading dropped rows…</div>;

  const total = DROP_REASONS.reduce((sum, r) => sum + (summary.byReason[r] ?? 0), 0);
  const cellClassName = (row: Cell[], column: string, columns: ParquetColumnInfo[]) => {
    const reasonIdx = columns.findIndex((c) => c.name === 'drop_reason');
    const classes: string[] = [];
    if (offendingColumn(row[reasonIdx]) === column) classes.push('cell-offending');
    if (duplicateTarget !== null) {
      // Mark the kept row and all its duplicates, so the group reads at a glance.
      const own = row[columns.findIndex((c) => c.name === 'source_row')];
      const of = row[columns.findIndex((c) => c.name === 'duplicate_of')];
      if ((column === 'duplicate_of' && of === duplicateTarget) || (column === 'source_row' && own === duplicateTarget))
        classes.push('cell-linked');
    }
    return classes.join(' ') || undefined;
  };
  const renderCell = (row: Cell[], column: string, columns: ParquetColumnInfo[]) => {
    if (column === 'duplicate_of') {
      const value = row[columns.findIndex((c) => c.name === column)];
      if (typeof value !== 'number') return undefined;
      return (
        <button
          type="button"
          className="link-button"
          onClick={() => void jumpToOriginal(value)}
          title={`Find source row ${value}, the event this one duplicates`}
        >
          → row {value}
        </button>
      );
    }
    const reasonIdx = columns.findIndex((c) => c.name === 'drop_reason');
    if (offendingColumn(row[reasonIdx]) === column) {
      const value = row[columns.findIndex((c) => c.name === column)];
      if (typeof value !== 'string') return undefined;
      // Empty values and stray white space are invisible as text; show what is there.
      if (value === '') return <span className="cell-note">(empty)</span>;
      return value.trim() === value ? undefined : <Visible text={value} />;
    }
    return undefined;
  };

  return (
    <div className="dropped-view">
      <div className="chips" role="group" aria-label="Filter dropped rows by reason">
        <button
          type="button"
          className={`chip ${reason === null ? 'chip-active' : ''}`}
          aria-pressed={reason === null}
          onClick={() => selectReason(null)}
          data-reason="all"
        >
          All reasons <span className="chip-count">{formatCount(total)}</span>
        </button>
        {DROP_REASONS.map((r) => {
          const count = summary.byReason[r] ?? 0;
          return (
            <button
              key={r}
              type="button"
              className={`chip reason-chip-${r} ${reason === r ? 'chip-active' : ''}`}
              aria-pressed={reason === r}
              onClick={() => selectReason(r)}
              disabled={count === 0}
              data-reason={r}
              title={`${REASON_LABELS[r]}: highlighted field is ${OFFENDING_COLUMN[r]}`}
            >
              <span className={`swatch reason-fill-${r}`} aria-hidden="true" />
              {REASON_LABELS[r]} <span className="chip-count">{formatCount(count)}</span>
            </button>
          );
        })}
        <span className="chips-spacer" />
        {!readOnly && (
          <button
            type="button"
            className="button button-small"
            onClick={() => void onExport()}
            disabled={exporting || total === 0}
            data-testid="export-csv"
            title={`Export ${reason ? `the rows dropped as ${reason}` : 'all dropped rows'} to a CSV file`}
          >
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        )}
      </div>
      {exported && (
        <div className="note note-ok" role="status">
          Exported {formatCount(exported.rows)} rows to <code>{exported.path}</code>{' '}
          {client.browser ? (
            <button type="button" className="link-button" onClick={() => void onDownload(exported.path)}>
              Download
            </button>
          ) : (
            <button type="button" className="link-button" onClick={() => void onShowInFolder(exported.path)}>
              Show in folder
            </button>
          )}
        </div>
      )}
      {error && summary && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {notice && (
        <div className="note" role="status">
          {notice}
        </div>
      )}
      {(reason === 'invalid_timestamp' || reason === null) && summary.timestampPatterns.length > 0 && (
        <details className="patterns" open={reason === 'invalid_timestamp'}>
          <summary>Invalid timestamps by pattern ({summary.timestampPatterns.length})</summary>
          <table className="patterns-table">
            <thead>
              <tr>
                <th scope="col">Pattern</th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col" className="num">
                  Share
                </th>
                <th scope="col">Example</th>
              </tr>
            </thead>
            <tbody>
              {summary.timestampPatterns.map((p) => (
                <tr key={p.pattern}>
                  <td>{p.pattern}</td>
                  <td className="num">{formatCount(p.count)}</td>
                  <td className="num">{formatPercent(p.count, summary.byReason.invalid_timestamp ?? 0)}</td>
                  <td>
                    <code>{p.example === '' ? '(empty)' : <Visible text={p.example} />}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {total === 0 ? (
        <div className="empty-state">
          <h2>No rows were dropped</h2>
          <p>Every event passed every stage.</p>
        </div>
      ) : (
        <VirtualTable
          queryKey={`${outDir}|${version}|${reason ?? 'all'}|${sort ? `${sort.column}:${sort.descending}` : ''}`}
          load={load}
          sort={sort}
          onSort={toggleSort}
          cellClassName={cellClassName}
          renderCell={renderCell}
          highlightRow={highlight}
          scrollTo={jump}
          label={reason ? `Rows dropped as ${reason}` : 'All dropped rows'}
        />
      )}
    </div>
  );
}

/** Text with its surrounding white space shown as marks. */
function Visible({ text }: { text: string }) {
  const { lead, core, trail } = whitespaceParts(text);
  return (
    <>
      {lead && <span className="ws-mark">{showWhitespace(lead)}</span>}
      {core}
      {trail && <span className="ws-mark">{showWhitespace(trail)}</span>}
    </>
  );
}
