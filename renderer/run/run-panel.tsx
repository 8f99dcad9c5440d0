/** Run, live: the Run/Cancel buttons, progress, the stage table, the funnel, warnings and the log. */
import type { DropReason } from '../../shared/pipeline';
import { useEffect, useRef } from 'react';
import { ErrorBanner } from '../components/error-banner';
import { FOCUS_IDS, focusById } from '../components/focus';
import { ProgressBar } from '../components/progress-bar';
import { formatBytes, formatCount, formatDuration } from '../lib/format';
import { FunnelChart } from './funnel-chart';
import { buildFunnel } from './funnel';
import { LogPanel } from './log-panel';
import { formatEta, formatRowRate, readRate, stepsTimeLeft } from './read-rate';
import { allBalanced, runProgress, type RunState } from './run-state';
import { StageTable } from './stage-table';

/** While reading, say how far; the bytes are what a big file's wait is made of. */
export function runningText(state: RunState, progress: number): string {
  const files = Object.values(state.bytes);
  const read = files.reduce((s, f) => s + f.read, 0);
  const total = files.reduce((s, f) => s + f.total, 0);
  if (total > 0 && read < total) {
    const rate = readRate(state.readSamples, total);
    const speed = rate ? ` · ${formatRowRate(rate.rowsPerSec)} · ${formatEta(rate.etaMs)} to read` : '';
    return `Reading events… ${formatBytes(read)} of ${formatBytes(total)}${speed}`;
  }
  const done = state.stages.filter((s) => s.status === 'done').length;
  if (done === state.stages.length) return 'Writing outputs…';
  if (total === 0 && done === 0) return 'Starting…';
  return `Running… ${Math.round(progress * 100)}%`;
}

/** A stage's counted steps and the time left at their pace: " · merge ranges 4 of 27 · about 20 s left". */
export function stepsText(steps: RunState['steps']): string {
  if (!steps) return '';
  const left = stepsTimeLeft(steps);
  return ` · ${steps.label} ${steps.done} of ${steps.total}${left === null ? '' : ` · ${formatEta(left)}`}`;
}

/** Shortcut hint in the platform's words. */
export function runShortcutLabel(platform: string): string {
  return /mac/i.test(platform) ? '⌘ Enter' : 'Ctrl+Enter';
}

export function RunPanel({
  state,
  canRun,
  whyNot,
  onRun,
  onCancel,
  onReason,
  onDismissError,
  onOpenScreen,
  onShowFolder,
  platform,
}: {
  state: RunState;
  canRun: boolean;
  whyNot: string | null;
  onRun: () => void;
  onCancel: () => void;
  onReason: (reason: DropReason) => void;
  onDismissError: () => void;
  onOpenScreen?: (screen: 'dropped' | 'preview') => void;
  onShowFolder?: () => void;
  platform: string;
}) {
  const running = state.status === 'running';
  const progress = runProgress(state);
  const funnel = buildFunnel(state.stages);
  const balanced = allBalanced(state.stages);
  const totalMs = state.report ? Date.parse(state.report.finished_at) - Date.parse(state.report.started_at) : null;
  const statusText =
    state.status === 'running'
      ? (state.writingMs !== null
          ? `Writing outputs… ${formatDuration(state.writingMs)}`
          : runningText(state, progress)) + stepsText(state.steps)
      : null;

  // Run and Cancel take each other's place: the focus moves with them instead of falling to the
  // page (only when it was on the button that went; a run started with Ctrl+Enter leaves it be).
  const lastStatus = useRef(state.status);
  useEffect(() => {
    const was = lastStatus.current;
    lastStatus.current = state.status;
    if (was === state.status) return;
    // The end of a run leaves the view where the user scrolled it.
    if (state.status === 'running') focusById(FOCUS_IDS.cancel, { onlyIfLost: true, scroll: false });
    else if (was === 'running') focusById(FOCUS_IDS.run, { onlyIfLost: true, scroll: false });
  }, [state.status]);

  return (
    <section className="panel run-panel" aria-labelledby="run-heading">
      <div className="panel-head">
        <h2 id="run-heading">Run</h2>
        <div className="button-row">
          {state.status === 'finished' && onOpenScreen && (
            <>
              <button type="button" className="button button-small" onClick={() => onOpenScreen('dropped')}>
                Dropped rows
              </button>
              <button type="button" className="button button-small" onClick={() => onOpenScreen('preview')}>
                Preview outputs
              </button>
              {onShowFolder && (
                <button type="button" className="button button-small" onClick={onShowFolder}>
                  Show in folder
                </button>
              )}
            </>
          )}
          {running ? (
            <button
              type="button"
              id={FOCUS_IDS.cancel}
              className="button button-danger"
              onClick={onCancel}
              data-testid="cancel"
            >
              Cancel
            </button>
          ) : (
            <button
              type="button"
              id={FOCUS_IDS.run}
              className="button button-primary"
              onClick={onRun}
              disabled={!canRun}
              data-testid="run"
              title={whyNot ?? `Run the pipeline (${runShortcutLabel(platform)})`}
              aria-keyshortcuts="Control+Enter Meta+Enter"
            >
              Run <kbd>{runShortcutLabel(platform)}</kbd>
            </button>
          )}
        </div>
      </div>
      {/* Only the run's turns are announced; the figures that change many times a second are
          in the progress bar's value text, read when the user asks. */}
      <span className="visually-hidden" role="status">
        {state.status === 'running' && 'Run started.'}
        {state.status === 'finished' && 'Run finished.'}
        {state.status === 'failed' && 'The run failed.'}
        {state.status === 'cancelled' && 'Run cancelled.'}
      </span>
      {/* data-runs: finished runs so far, so that a script can tell this run's end from the last one's. */}
      <div
        className="run-status-line"
        data-testid="run-status"
        data-status={state.status}
        data-runs={state.completedRuns}
      >
        <ProgressBar value={progress} label="Run progress" state={state.status} valueText={statusText ?? undefined} />
        <span className="run-status-text">
          {state.status === 'idle' && (whyNot ?? 'Ready to run.')}
          {statusText}
          {state.status === 'finished' &&
            `Finished in ${formatDuration(totalMs)}: ${formatCount(funnel?.output ?? 0)} clean events.`}
          {state.status === 'failed' && 'Failed.'}
          {state.status === 'cancelled' && 'Cancelled.'}
        </span>
      </div>
      {state.error && (
        <ErrorBanner
          error={state.error}
          title={state.status === 'cancelled' ? 'Run cancelled' : 'The run failed'}
          onDismiss={onDismissError}
        />
      )}
      {!balanced && (
        <div className="banner banner-error" role="alert">
          <div className="banner-body">
            <strong className="banner-title">Row counts do not balance</strong>
            <span className="banner-advice">
              A stage's rows in differ from its rows out plus dropped rows. The outputs cannot be trusted; report it
              with etl.log.
            </span>
          </div>
        </div>
      )}
      <StageTable stages={state.stages} />
      <div className="run-lower">
        {/* A scroll region once the chart outgrows it: focusable, so the keyboard can scroll it too. */}
        <div className="run-funnel" role="region" aria-label="Row flow" tabIndex={0}>
          <h3>Row flow</h3>
          {funnel ? (
            <FunnelChart funnel={funnel} onReason={onReason} />
          ) : (
            <p className="muted">The chart appears as soon as the first stage has counts.</p>
          )}
        </div>
        <div className="run-log">
          <h3>Log</h3>
          {state.warnings.length > 0 && (
            <ul className="warnings" aria-label="Warnings" tabIndex={0}>
              {state.warnings.map((w, i) => (
                <li key={`${w.code}-${i}`} className="note note-warning">
                  {w.message}
                </li>
              ))}
            </ul>
          )}
          <LogPanel logs={state.logs} />
        </div>
      </div>
    </section>
  );
}
