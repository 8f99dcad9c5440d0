/** A determinate progress bar drawn in SVG-free CSS; the fill width is the only dynamic style. */
export function ProgressBar({
  value,
  label,
  state,
  valueText,
}: {
  value: number;
  label: string;
  /** What the value means in words ("45 MB of 143 MB, about 8 s left"), for screen readers. */
  valueText?: string;
  state: 'idle' | 'running' | 'finished' | 'failed' | 'cancelled';
}) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div
      className={`progress progress-${state}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
