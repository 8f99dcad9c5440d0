/**
 * Events per day, summed from daily_summary.parquet. The file is read in pages of 1000 rows
 * (it has one row per user and day, far fewer than events), and drawn as plain SVG bars.
 */
import { useEffect, useRef, useState } from 'react';
import { OUTPUT_FILES } from '../../shared/pipeline';
import type { EtlErrorInfo } from '../../shared/pipeline';
import { useClient } from '../components/client-context';
import { ErrorBanner } from '../components/error-banner';
import { useWidth } from '../components/use-width';
import { formatCount } from '../lib/format';
import { addDailyRows, niceMax, sortedDays, type DayCount } from './daily-counts';

const READ_PAGE = 1000;
/** Stop reading past this many summary rows; the chart says it is partial. */
const MAX_ROWS = 500_000;

export function DailyChart({ outDir, version }: { outDir: string; version: number }) {
  const client = useClient();
  const [days, setDays] = useState<DayCount[] | null>(null);
  const [read, setRead] = useState({ rows: 0, total: 0 });
  const [error, setError] = useState<EtlErrorInfo | null>(null);

  useEffect(() => {
    let live = true;
    setDays(null);
    setError(null);
    (async () => {
      const totals = new Map<string, number>();
      let offset = 0;
      let total = Infinity;
      while (live && offset < Math.min(total, MAX_ROWS)) {
        const page = await client.readPage({ outDir, file: OUTPUT_FILES.dailySummary, offset, limit: READ_PAGE });
        if (!live) return;
        if (!page.ok) return setError(page.error);
        total = page.value.totalRows;
        addDailyRows(totals, page.value.columns.map((c) => c.name), page.value.rows);
        offset += page.value.rows.length;
        setRead({ rows: offset, total });
        if (page.value.rows.length === 0) break;
      }
      if (live) setDays(sortedDays(totals));
    })().catch((err: unknown) => live && setError({ kind: 'internal', message: String(err) }));
    return () => {
      live = false;
    };
  }, [client, outDir, version]);

  if (error) return <ErrorBanner error={error} title="Could not read the daily summary" />;
  if (!days) return <div className="chart-loading muted">Summing events per day… {read.total ? `${formatCount(read.rows)} of ${formatCount(read.total)} rows` : ''}</div>;
  return <DailyBars days={days} partial={read.total > MAX_ROWS} />;
}

const H = 150;
const PAD_L = 56;
const PAD_B = 24;
const PAD_T = 10;

/** The bars alone, pure, so it renders the same in tests. */
export function DailyBars({ days, partial }: { days: DayCount[]; partial?: boolean }) {
  const ref = useRef<HTMLElement>(null);
  // Drawn at the real pixel width so text is never scaled.
  const W = useWidth(ref, 900) - 24;
  if (days.length === 0) return <p className="muted">No events per day to chart.</p>;
  const max = niceMax(Math.max(...days.map((d) => d.count)));
  const plotW = W - PAD_L - 8;
  const plotH = H - PAD_B - PAD_T;
  const step = plotW / days.length;
  const barW = Math.max(1, step > 3 ? step * 0.8 : step);
  const total = days.reduce((s, d) => s + d.count, 0);
  // Label about eight dates, whatever the range.
  const labelEvery = Math.max(1, Math.ceil(days.length / Math.max(2, Math.floor(W / 90))));
  return (
    <figure className="daily-chart" ref={ref}>
      <figcaption>
        Events per day: {formatCount(total)} events over {formatCount(days.length)} days ({days[0].date} to {days[days.length - 1].date}){partial ? ', first 500,000 summary rows' : ''}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} className="daily-svg" role="img" aria-label={`Daily event counts, peak ${formatCount(Math.max(...days.map((d) => d.count)))}`}>
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
          const h = (d.count / max) * plotH;
          const x = PAD_L + i * step + (step - barW) / 2;
          return (
            <g key={d.date}>
              <rect x={x} y={PAD_T + plotH - h} width={barW} height={h} className="chart-bar">
                <title>{`${d.date}: ${formatCount(d.count)} events`}</title>
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
