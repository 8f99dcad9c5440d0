/**
 * The flow of rows from input to clean events: one row per stage with an SVG bar (kept part and
 * the part dropped there) and a button with the drop count and its share of the input.
 * Clicking a reason opens the dropped rows filtered to it. Bars are SVG; labels and buttons
 * are HTML so they stay crisp at any width and reachable by keyboard.
 */
import type { DropReason } from '../../shared/pipeline';
import { REASON_LABELS, SHORT_REASON_LABELS } from '../dropped/offending-field';
import { formatCount, formatPercent } from '../lib/format';
import { stepWidths, type Funnel } from './funnel';

/** Bars are drawn in a 1000-unit box stretched to the row width; nothing in it is text. */
const BAR_W = 1000;

function InputBar() {
  return (
    <svg className="funnel-bar" viewBox={`0 0 ${BAR_W} 10`} preserveAspectRatio="none" aria-hidden="true">
      <rect x={0} y={0} width={BAR_W} height={10} className="funnel-bar-input" />
    </svg>
  );
}

export function FunnelChart({ funnel, onReason }: { funnel: Funnel; onReason?: (reason: DropReason) => void }) {
  return (
    <figure className="funnel" aria-label="Rows through the pipeline">
      <div className="funnel-row funnel-row-input">
        <span className="funnel-label">Input</span>
        <InputBar />
        <span className="funnel-out">{formatCount(funnel.input)}</span>
        <span className="funnel-drop muted">read</span>
      </div>
      {funnel.steps.map((step) => {
        const { kept, dropped } = stepWidths(step, funnel.input, BAR_W);
        const clickable = !!onReason && step.dropped > 0 && funnel.complete;
        return (
          <div className="funnel-row" key={step.stage} data-stage={step.stage}>
            <span className="funnel-label">{step.label}</span>
            <svg className="funnel-bar" viewBox={`0 0 ${BAR_W} 10`} preserveAspectRatio="none" aria-hidden="true">
              <rect x={0} y={0} width={Math.max(0, kept)} height={10} className="funnel-bar-kept" />
              {dropped > 0 && (
                <rect x={kept} y={0} width={dropped} height={10} className={`reason-fill-${step.reason}`} />
              )}
            </svg>
            <span className="funnel-out">{formatCount(step.rowsOut)}</span>
            <button
              type="button"
              className="funnel-drop legend-item"
              onClick={() => onReason?.(step.reason)}
              disabled={!clickable}
              data-reason={step.reason}
              title={
                funnel.complete
                  ? `${REASON_LABELS[step.reason]}: show the ${formatCount(step.dropped)} rows dropped as ${step.reason}`
                  : 'Available when the run has finished'
              }
            >
              <span className={`swatch reason-fill-${step.reason}`} aria-hidden="true" />
              <span className="legend-name">{SHORT_REASON_LABELS[step.reason]}</span>
              <span className="legend-count">−{formatCount(step.dropped)}</span>
              <span className="legend-share">{formatPercent(step.dropped, funnel.input)}</span>
            </button>
          </div>
        );
      })}
      <figcaption className="funnel-total">
        {funnel.complete ? 'Clean events' : 'Left so far'}: <strong>{formatCount(funnel.output)}</strong> of{' '}
        {formatCount(funnel.input)} ({formatPercent(funnel.output, funnel.input)})
      </figcaption>
    </figure>
  );
}
