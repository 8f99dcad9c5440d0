/**
 * Preview of the Parquet outputs: a tab per file with its schema, row count, size and codec,
 * and a virtualised, sortable table. The daily summary tab adds the events-per-day chart.
 */
import { useCallback, useState } from 'react';
import { OUTPUT_FILES, PARQUET_OUTPUTS, type ParquetOutputName } from '../../shared/pipeline';
import type { ColumnFilter, ParquetPage } from '../../shared/service-contract';
import { useClient } from '../components/client-context';
import { ErrorBanner } from '../components/error-banner';
import { ErrorBoundary } from '../components/error-boundary';
import { TabPanel, Tabs } from '../components/tabs';
import { VirtualTable, type SortState } from '../components/virtual-table';
import { formatBytes, formatCodec, formatCount } from '../lib/format';
import { RunBadge } from '../history/run-badge';
import { ColumnProfilePanel } from './column-profile-panel';
import { DailyChart } from './daily-chart';
import { describeFilter, FilterBar } from './filter-bar';

export function PreviewView({
  outDir,
  version,
  readOnly = false,
}: {
  outDir: string;
  version: number;
  /** The outputs of a run reopened from History in another folder: nothing is written there. */
  readOnly?: boolean;
}) {
  const [file, setFile] = useState<ParquetOutputName>(OUTPUT_FILES.cleanEvents);
  return (
    <div className="preview-view">
      <RunBadge outDir={outDir} version={version} canSave={!readOnly} />
      <Tabs
        items={PARQUET_OUTPUTS.map((f) => ({ key: f, label: f }))}
        selected={file}
        onSelect={setFile}
        label="Output files"
        idPrefix="preview"
        className="tabs-secondary"
      />
      <TabPanel idPrefix="preview" tabKey={file} className="preview-panel">
        <ErrorBoundary label={file} resetKey={`${file}|${version}`}>
          <FilePreview key={file} outDir={outDir} file={file} version={version} />
        </ErrorBoundary>
      </TabPanel>
    </div>
  );
}

function FilePreview({ outDir, file, version }: { outDir: string; file: ParquetOutputName; version: number }) {
  const client = useClient();
  const [sort, setSort] = useState<SortState | null>(null);
  const [meta, setMeta] = useState<ParquetPage | null>(null);
  const [filter, setFilter] = useState<ColumnFilter | null>(null);
  const [profiled, setProfiled] = useState<string | null>(null);
  const load = useCallback(
    (offset: number, limit: number) =>
      client.readPage({ outDir, file, offset, limit, sort: sort ?? undefined, filter: filter ?? undefined }),
    [client, outDir, file, sort, filter],
  );
  const filterKey = filter ? JSON.stringify(filter) : '';

  return (
    <div className="file-preview">
      {meta && (
        <div className="file-meta" data-testid="file-meta">
          <dl className="facts-inline">
            <div>
              <dt>{filter ? 'Matching rows' : 'Rows'}</dt>
              <dd data-testid="row-count" title={filter ? describeFilter(filter) : undefined}>
                {formatCount(meta.totalRows)}
              </dd>
            </div>
            <div>
              <dt>Size</dt>
              <dd>{formatBytes(meta.bytes)}</dd>
            </div>
            <div>
              <dt>Codec</dt>
              <dd data-testid="codec">{formatCodec(meta.codec)}</dd>
            </div>
          </dl>
          <ul className="schema-list" aria-label={`Schema of ${file}`}>
            {meta.columns.map((c) => (
              <li key={c.name}>
                <code className="schema-name">{c.name}</code> <span className="schema-type">{c.type}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {file === OUTPUT_FILES.dailySummary && <DailyChart outDir={outDir} version={version} />}
      {meta && meta.columns.length > 0 && (
        <div className="explore-bar">
          <FilterBar columns={meta.columns} filter={filter} onFilter={setFilter} idPrefix={file.replace('.', '-')} />
          <label className="profile-pick">
            Profile{' '}
            <select
              value={profiled ?? ''}
              onChange={(e) => setProfiled(e.target.value || null)}
              aria-label="Profile a column"
            >
              <option value="">choose a column…</option>
              {meta.columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      <div className="explore-body">
        <VirtualTable
          copyable
          queryKey={`${outDir}|${file}|${version}|${sort ? `${sort.column}:${sort.descending}` : ''}|${filterKey}`}
          load={load}
          onMeta={setMeta}
          sort={sort}
          onSort={(column) =>
            setSort((s) =>
              s?.column !== column
                ? { column, descending: false }
                : !s.descending
                  ? { column, descending: true }
                  : null,
            )
          }
          label={file}
          emptyMessage={filter ? `No rows where ${describeFilter(filter)}.` : 'This file has no rows.'}
          errorFallback={(error) => (
            <div className="empty-state">
              <h2>Nothing to preview yet</h2>
              <p>
                Run the pipeline first: {file} is read from <code>{outDir}</code>.
              </p>
              <ErrorBanner error={error} title={`Could not read ${file}`} />
            </div>
          )}
        />
        {profiled && (
          <ColumnProfilePanel
            key={`${profiled}|${version}`}
            request={{ outDir, file, column: profiled, ...(filter ? { filter } : {}) }}
            onClose={() => setProfiled(null)}
          />
        )}
      </div>
    </div>
  );
}
