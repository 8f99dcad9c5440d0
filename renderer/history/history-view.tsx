/**
 * The run history: every finished run (CLI, app, browser mode) newest first, with when, where
 * from, its inputs and their hashes, rows in and clean, duration and output folder. Ticking two
 * runs compares them stage by stage (shared/run-comparison.ts).
 */
import { useEffect, useState } from 'react';
import { STAGE_LABELS, type EtlErrorInfo } from '../../shared/pipeline';
import { compareRuns, describeChange, headlineChanges } from '../../shared/run-comparison';
import type { ReopenedRun, RunHistoryEntry } from '../../shared/service-contract';
import { useClient } from '../components/client-context';
import { ErrorBanner } from '../components/error-banner';
import { REASON_LABELS } from '../dropped/offending-field';
import { baseName, formatCount, formatDuration } from '../lib/format';
import { formatWhen } from './run-badge';

const SOURCE_LABELS = { cli: 'Command line', app: 'Desktop app', browser: 'Browser mode' } as const;

const duration = (e: RunHistoryEntry) => Date.parse(e.report.finished_at) - Date.parse(e.report.started_at);
const inputRows = (e: RunHistoryEntry) => e.report.stages[0]?.rows_in ?? 0;
const cleanRows = (e: RunHistoryEntry) => e.report.stages.at(-1)?.rows_out ?? 0;

export function HistoryView({
  version,
  onOpen,
}: {
  version: number;
  /** A run whose outputs are still in its folder, to show in Dropped rows and Preview. */
  onOpen: (run: ReopenedRun) => void;
}) {
  const client = useClient();
  const [entries, setEntries] = useState<RunHistoryEntry[] | null>(null);
  const [error, setError] = useState<EtlErrorInfo | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  /** Why the run last asked for cannot be opened (its outputs were overwritten or are gone). */
  const [cannotOpen, setCannotOpen] = useState<{ id: string; error: EtlErrorInfo } | null>(null);

  async function open(entry: RunHistoryEntry) {
    setCannotOpen(null);
    const r = await client.reopenRun({ id: entry.id });
    if (!r.ok) return setCannotOpen({ id: entry.id, error: r.error });
    if (r.value.state === 'current') return onOpen(r.value);
    setCannotOpen({ id: entry.id, error: { kind: 'input', message: r.value.message } });
  }

  useEffect(() => {
    let live = true;
    client.runHistory().then(
      (r) => {
        if (!live) return;
        if (r.ok) setEntries(r.value);
        else setError(r.error);
      },
      (err: unknown) => live && setError({ kind: 'internal', message: String(err) }),
    );
    return () => {
      live = false;
    };
  }, [client, version]);

  // Two at most: ticking a third replaces the older pick.
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));

  if (error) return <ErrorBanner error={error} title="Could not read the run history" />;
  if (!entries) return <p className="muted">Reading the run history…</p>;
  if (entries.length === 0)
    return (
      <section className="panel empty-state">
        <h2>No runs yet</h2>
        <p>Every run that finishes, here, in browser mode or from the command line, is listed here.</p>
      </section>
    );

  const chosen = entries.filter((e) => picked.includes(e.id));
  // The earlier run is the base of the comparison, whatever order they were ticked in.
  const [before, after] = [...chosen].sort((a, b) => a.report.started_at.localeCompare(b.report.started_at));

  return (
    <div className="history-view">
      <p className="muted">Tick two runs to compare them stage by stage.</p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Run history">
        <table className="history-table">
          <caption className="visually-hidden">Finished runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Started</th>
              <th scope="col">From</th>
              <th scope="col">Inputs (SHA-256)</th>
              <th scope="col" className="num">
                Rows in
              </th>
              <th scope="col" className="num">
                Clean
              </th>
              <th scope="col" className="num">
                Took
              </th>
              <th scope="col">Outputs in</th>
              <th scope="col">
                <span className="visually-hidden">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-run={e.id} className={picked.includes(e.id) ? 'history-picked' : ''}>
                <td>
                  <input
                    type="checkbox"
                    checked={picked.includes(e.id)}
                    onChange={() => toggle(e.id)}
                    aria-label={`Compare the run of ${formatWhen(e.report.started_at)}`}
                  />
                </td>
                <td>{formatWhen(e.report.started_at)}</td>
                <td>{SOURCE_LABELS[e.source]}</td>
                <td>
                  {e.report.inputs.map((i) => (
                    <div key={i.path} title={`${i.path}\nSHA-256 ${i.sha256}`}>
                      {baseName(i.path)} <code>{i.sha256.slice(0, 8)}</code>
                    </div>
                  ))}
                </td>
                <td className="num">{formatCount(inputRows(e))}</td>
                <td className="num">{formatCount(cleanRows(e))}</td>
                <td className="num">{formatDuration(duration(e))}</td>
                <td className="history-path" title={e.outDir}>
                  {e.outDir}
                </td>
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => void open(e)}
                    aria-label={`Open the run of ${formatWhen(e.report.started_at)} in Dropped rows and Preview`}
                  >
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cannotOpen && (
        <div className="banner banner-warning" role="alert" data-testid="reopen-problem" data-run={cannotOpen.id}>
          <div className="banner-body">
            <strong className="banner-title">That run's outputs cannot be shown</strong>
            <span className="banner-message">{cannotOpen.error.message}</span>
          </div>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => setCannotOpen(null)}
            aria-label="Dismiss message"
          >
            Dismiss
          </button>
        </div>
      )}
      {before && after && <Comparison before={before} after={after} />}
    </div>
  );
}

function Comparison({ before, after }: { before: RunHistoryEntry; after: RunHistoryEntry }) {
  const c = compareRuns(before.report, after.report);
  const headlines = headlineChanges(c, REASON_LABELS);
  const signed = (n: number) => (n > 0 ? `+${formatCount(n)}` : n < 0 ? `−${formatCount(-n)}` : '0');
  return (
    <section className="panel comparison" aria-labelledby="comparison-heading" data-testid="comparison">
      <h2 id="comparison-heading">
        {formatWhen(after.report.started_at)} compared with {formatWhen(before.report.started_at)}
      </h2>
      <ul className="comparison-headlines">
        <li>
          Input rows {describeChange(c.input.change)} ({formatCount(c.input.before)} → {formatCount(c.input.after)});
          clean events {describeChange(c.clean.change)} ({formatCount(c.clean.before)} → {formatCount(c.clean.after)}).
        </li>
        {headlines.map((h) => (
          <li key={h}>{h}</li>
        ))}
        <li>
          {c.sameInputs.every(Boolean)
            ? 'Both runs read byte-identical inputs.'
            : `Inputs that differ: ${after.report.inputs
                .filter((_, i) => !c.sameInputs[i])
                .map((i) => baseName(i.path))
                .join(', ')}.`}
        </li>
      </ul>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Stage by stage">
        <table className="comparison-table">
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Drop reason</th>
              <th scope="col" className="num">
                Dropped before
              </th>
              <th scope="col" className="num">
                Dropped after
              </th>
              <th scope="col" className="num">
                Change
              </th>
              <th scope="col" className="num">
                Share of input
              </th>
            </tr>
          </thead>
          <tbody>
            {c.stages.map((s) => (
              <tr key={s.stage} data-stage={s.stage}>
                <td>{STAGE_LABELS[s.stage]}</td>
                <td>{REASON_LABELS[s.reason]}</td>
                <td className="num">{formatCount(s.before?.dropped)}</td>
                <td className="num">{formatCount(s.after?.dropped)}</td>
                <td className="num">
                  {signed(s.droppedDelta)} ({describeChange(s.droppedChange)})
                </td>
                <td className="num">
                  {s.sharePoints >= 0 ? '+' : '−'}
                  {Math.abs(s.sharePoints).toFixed(2)} pts
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
