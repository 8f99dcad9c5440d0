/**
 * The flow of rows from input to clean events: one bar per stage, the kept part and the part
 * dropped there, with each reason's share. Clicking a reason opens the dropped rows filtered to it.
 */
import type { DropReason } from '../../shared/pipeline';
import { REASON_LABELS } from '../dropped/offending-field';
import { formatCount, formatPercent } from '../lib/format';
import { stepWidths, type Funnel } from './funnel';

const WIDTH = 560;
const LABEL_W = 130;
const BAR_W = WIDTH - LABEL_W - 10;
const ROW_H = 30;
const BAR_H = 18;

export function FunnelChart({ funnel, onReason }: { funnel: Funnel; onReason?: (reason: DropReason) => void }) {
  const height = (funnel.steps.length + 1) * ROW_H + 8;
  return (
    <figure className="funnel" aria-label="Rows through the pipeline">
      <svg className="funnel-svg" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`${formatCount(funnel.input)} rows in, ${formatCount(funnel.output)} left`}>
        <text x={0} y={ROW_H / 2 + 5} className="funnel-label">
          Input
        </text>
        <rect x={LABEL_W} y={(ROW_H - BAR_H) / 2} width={BAR_W} height={BAR_H} rx={3} className="funnel-bar-input" />
        <text x={LABEL_W + 6} y={ROW_H / 2 + 5} className="funnel-value funnel-value-on-bar">
          {formatCount(funnel.input)} rows
        </text>
        {funnel.steps.map((step, i) => {
          const y = (i + 1) * ROW_H;
          const { kept, dropped } = stepWidths(step, funnel.input, BAR_W);
          return (
            <g key={step.stage}>
              <text x={0} y={y + ROW_H / 2 + 5} className="funnel-label">
                {step.label}
              </text>
              <rect x={LABEL_W} y={y + (ROW_H - BAR_H) / 2} width={Math.max(0, kept)} height={BAR_H} rx={3} className="funnel-bar-kept" />
              {dropped > 0 && (
                <rect
                  x={LABEL_W + kept}
                  y={y + (ROW_H - BAR_H) / 2}
                  width={dropped}
                  height={BAR_H}
                  className={`funnel-bar-dropped reason-fill-${step.reason}`}
                >
                  <title>{`${REASON_LABELS[step.reason]}: ${formatCount(step.dropped)} (${formatPercent(step.dropped, funnel.input)})`}</title>
                </rect>
              )}
              <text x={LABEL_W + Math.min(kept + dropped + 6, BAR_W - 120)} y={y + ROW_H / 2 + 5} className={`funnel-value ${kept + dropped > BAR_W - 120 ? 'funnel-value-on-bar' : ''}`}>
                {formatCount(step.rowsOut)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="funnel-legend" aria-label="Dropped rows by reason">
          {funnel.steps.map((step) => (
            <li key={step.reason}>
              <button
                type="button"
                className="legend-item"
                onClick={() => onReason?.(step.reason)}
                disabled={!onReason || step.dropped === 0 || !funnel.complete}
                data-reason={step.reason}
                title={funnel.complete ? `Show the ${formatCount(step.dropped)} rows dropped as ${step.reason}` : 'Available when the run has finished'}
              >
                <span className={`swatch reason-fill-${step.reason}`} aria-hidden="true" />
                <span className="legend-name">{REASON_LABELS[step.reason]}</span>
                <span className="legend-count">{formatCount(step.dropped)}</span>
                <span className="legend-share">{formatPercent(step.dropped, funnel.input)}</span>
              </button>
            </li>
          ))}
        </ul>
        <p className="funnel-total">
          {funnel.complete ? 'Clean events' : 'Left so far'}: <strong>{formatCount(funnel.output)}</strong> of {formatCount(funnel.input)} ({formatPercent(funnel.output, funnel.input)})
        </p>
      </figcaption>
    </figure>
  );
}
