/**
 * Events per day from daily_summary.parquet, drawn as plain SVG bars. The service sums the
 * file per day (`etl:daily-counts`), so the page gets one row per day whatever the run's size.
 */
import { useEffect, useRef, useState } from 'react';
import type { DailyCounts, EtlClient, Result } from '../../shared/service-contract';
import { useClient } from '../components/client-context';
import { ErrorBanner } from '../components/error-banner';
import { useWidth } from '../components/use-width';
import { formatCount } from '../lib/format';
import { niceMax } from './daily-counts';

export function DailyChart({ outDir, version }: { outDir: string; version: number }) {
  const client = useClient();
  const [result, setResult] = useState<Result<DailyCounts> | null>(null);

  useEffect(() => {
    let live = true;
    setResult(null);
    void loadDailyCounts(client, outDir).then((r) => live && setResult(r));
    return () => {
      live = false;
    };
  }, [client, outDir, version]);

  return <DailyChartBody result={result} />;
}

/** The chart's one request: per-day sums from the service; a thrown error becomes a value. */
export function loadDailyCounts(client: EtlClient, outDir: string): Promise<Result<DailyCounts>> {
  return Promise.resolve()
    .then(() => client.dailyCounts({ outDir }))
    .catch((err: unknown): Result<DailyCounts> => ({ ok: false, error: { kind: 'internal', message: String(err) } }));
}

/** Loading, the error, or the bars, for one answer of `dailyCounts` (null while it is pending). */
export function DailyChartBody({ result }: { result: Result<DailyCounts> | null }) {
  if (!result) return <div className="chart-loading muted">Summing events per day…</div>;
  if (!result.ok) return <ErrorBanner error={result.error} title="Could not read the daily summary" />;
  return <DailyBars counts={result.value} />;
}

const H = 150;
const PAD_L = 56;
const PAD_B = 24;
const PAD_T = 10;

/** The bars alone, pure, so it renders the same in tests. */
export function DailyBars({ counts }: { counts: DailyCounts }) {
  const { days, totalEvents } = counts;
  const ref = useRef<HTMLElement>(null);
  // Drawn at the real pixel width so text is never scaled.
  const W = useWidth(ref, 900) - 24;
  if (days.length === 0) return <p className="muted">No events per day to chart.</p>;
  const peak = Math.max(...days.map((d) => d.events));
  const max = niceMax(peak);
  const plotW = W - PAD_L - 8;
  const plotH = H - PAD_B - PAD_T;
  const step = plotW / days.length;
  const barW = Math.max(1, step > 3 ? step * 0.8 : step);
  // Label about eight dates, whatever the range.
  const labelEvery = Math.max(1, Math.ceil(days.length / Math.max(2, Math.floor(W / 90))));
  return (
    <figure className="daily-chart" ref={ref}>
      <figcaption>
        Events per day: {formatCount(totalEvents)} events over {formatCount(days.length)} days ({days[0].date} to{' '}
        {days[days.length - 1].date})
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        className="daily-svg"
        role="img"
        aria-label={`Daily event counts, peak ${formatCount(peak)}`}
      >
        {[0, 0.5, 1].map((f) => {
          const y = PAD_T + plotH * (1 - f);
          return (
            <g key={f}>
              <line x1={PAD_L} x2={W - 8} y1={y} y2={y} className="chart-grid" />
              <text x={PAD_L - 6} y={y + 4} className="chart-axis" textAnchor="end">
                {formatCount(max * f)}
              </text>
            </g>
          );
        })}
        {days.map((d, i) => {
          const h = (d.events / max) * plotH;
          const x = PAD_L + i * step + (step - barW) / 2;
          return (
            <g key={d.date}>
              <rect x={x} y={PAD_T + plotH - h} width={barW} height={h} className="chart-bar">
                <title>{`${d.date}: ${formatCount(d.events)} events, ${formatCount(d.users)} users`}</title>
              </rect>
              {i % labelEvery === 0 && (
                <text x={x + barW / 2} y={H - 6} className="chart-axis" textAnchor="middle">
                  {d.date}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
