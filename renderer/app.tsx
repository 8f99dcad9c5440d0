/**
 * The app shell: a header with the three screens (Run, Dropped rows, Preview), the run state
 * folded from progress events, and the keyboard shortcut. Screens get the client from context.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { DropReason } from '../shared/pipeline';
import type { AppDefaults, EtlClient, MenuCommand, ReopenedRun } from '../shared/service-contract';
import { useClient } from './components/client-context';
import { ErrorBanner } from './components/error-banner';
import { ErrorBoundary } from './components/error-boundary';
import { TabPanel, Tabs } from './components/tabs';
import { DroppedView } from './dropped/dropped-view';
import { HistoryView } from './history/history-view';
import { formatWhen, RunBadge } from './history/run-badge';
import { REASON_LABELS } from './dropped/offending-field';
import { assignInputs, EMPTY_SLOTS, slotProblem, type InputSlots } from './inputs/input-slots';
import { InputsPanel, inspectOrError } from './inputs/inputs-panel';
import { PreviewView } from './preview/preview-view';
import { MemoryLimitField, memoryLimitFromText } from './run/memory-limit-field';
import { RunPanel } from './run/run-panel';
import { initialRunState, runReducer } from './run/run-state';
import type { EtlErrorInfo } from '../shared/pipeline';

export type Screen = 'run' | 'dropped' | 'preview' | 'history';

/** Why Run is not available yet, in words; null when it is. */
export function whyCannotRun(
  slots: InputSlots,
  outDir: string,
  running: boolean,
  limitProblem: string | null = null,
): string | null {
  if (running) return 'A run is in progress.';
  const problem = slotProblem(slots);
  if (problem) return problem;
  if (!outDir) return 'Choose an output folder.';
  return limitProblem;
}

/** Last session's inputs that can still be read; a missing one is skipped quietly. */
async function recentInputs(client: EtlClient, recent: AppDefaults['recent']) {
  const paths = [recent.eventsPath, recent.usersPath].filter((p): p is string => !!p);
  const infos = await Promise.all(paths.map((p) => inspectOrError(client, p)));
  return infos.filter((i) => !i.error);
}

export function App({ platform = typeof navigator === 'undefined' ? '' : navigator.platform }: { platform?: string }) {
  const client = useClient();
  const [screen, setScreen] = useState<Screen>('run');
  const [run, dispatch] = useReducer(runReducer, undefined, initialRunState);
  const [slots, setSlots] = useState<InputSlots>(EMPTY_SLOTS);
  const [defaults, setDefaults] = useState<AppDefaults | null>(null);
  const [outDir, setOutDir] = useState('');
  const [limitText, setLimitText] = useState('');
  const [reason, setReason] = useState<DropReason | null>(null);
  const [startupError, setStartupError] = useState<EtlErrorInfo | null>(null);
  /**
   * A run reopened from History: Dropped rows and Preview show its outputs (granted for reading
   * by main) until the user goes back, or a new run finishes.
   */
  const [reopened, setReopened] = useState<ReopenedRun | null>(null);
  const viewDir = reopened?.entry.outDir ?? outDir;
  // Another folder's outputs are only read: exports and the HTML report write into the folder.
  const readOnly = !!reopened && reopened.entry.outDir !== outDir;
  useEffect(() => setReopened(null), [run.completedRuns]);

  useEffect(() => client.onProgress((event) => dispatch({ type: 'progress', event })), [client]);

  useEffect(() => {
    client.defaults().then(
      (r) => {
        if (!r.ok) return setStartupError(r.error);
        setDefaults(r.value);
        setOutDir((dir) => dir || r.value.recent.outDir || r.value.outDir);
        void recentInputs(client, r.value.recent).then((infos) =>
          // Only into empty slots: anything the user chose meanwhile wins.
          setSlots((current) => (current.events || current.users ? current : assignInputs(current, infos))),
        );
      },
      (err: unknown) => setStartupError({ kind: 'internal', message: String(err) }),
    );
  }, [client]);

  const running = run.status === 'running';
  const limit = memoryLimitFromText(limitText);
  const whyNot = whyCannotRun(slots, outDir, running, limit.problem);

  const startRun = useCallback(async () => {
    if (whyNot || !slots.events || !slots.users) return;
    const request = {
      eventsPath: slots.events.path,
      usersPath: slots.users.path,
      outDir,
      ...(limit.bytes !== undefined && { memoryLimit: limit.bytes }),
    };
    dispatch({ type: 'start', request });
    try {
      dispatch({ type: 'result', result: await client.run(request) });
    } catch (err) {
      dispatch({
        type: 'result',
        result: { ok: false, error: { kind: 'internal', message: err instanceof Error ? err.message : String(err) } },
      });
    }
  }, [client, whyNot, slots, outDir, limit.bytes]);

  const cancel = useCallback(async () => {
    const r = await client.cancel();
    // The run() promise reports the cancellation; only a failure to cancel needs showing here.
    if (!r.ok) dispatch({ type: 'result', result: r });
  }, [client]);

  const startRef = useRef(startRun);
  startRef.current = startRun;
  // Desktop menu: Run and Cancel act here; the other commands need the inputs panel's pickers.
  const cancelRef = useRef(cancel);
  cancelRef.current = cancel;
  const [menuCommand, setMenuCommand] = useState<{ command: MenuCommand; seq: number } | null>(null);
  useEffect(
    () =>
      client.onMenuCommand?.((command) => {
        setScreen('run');
        if (command === 'run') void startRef.current();
        else if (command === 'cancel') void cancelRef.current();
        else setMenuCommand({ command, seq: Date.now() });
      }),
    [client],
  );

  // Ctrl/Cmd+Enter runs from anywhere in the app, as the Run button's hint says.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        setScreen('run');
        void startRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const [folderError, setFolderError] = useState<EtlErrorInfo | null>(null);
  async function showFolder() {
    const r = await client.showInFolder({ path: outDir });
    setFolderError(r.ok ? null : r.error);
  }

  function openReason(r: DropReason | null) {
    setReason(r);
    setScreen('dropped');
  }

  function openRun(r: ReopenedRun) {
    setReopened(r);
    setReason(null);
    setScreen('dropped');
  }

  const reopenedBanner = reopened && (
    <div className="note reopened-banner" role="status" data-testid="reopened-banner">
      <span>
        From History: the run of <strong>{formatWhen(reopened.entry.report.started_at)}</strong>, outputs in{' '}
        <code>{reopened.entry.outDir}</code>
        {readOnly ? ' (read only)' : ''}.
      </span>
      <button type="button" className="button button-small" onClick={() => setReopened(null)}>
        Back to the latest outputs
      </button>
    </div>
  );

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <svg className="brand-mark" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path d="M3 4h18l-7 8v6l-4 2v-8z" fill="currentColor" />
          </svg>
          <h1>Benefits Engagement ETL</h1>
        </div>
        <Tabs
          items={[
            { key: 'run', label: 'Run' },
            { key: 'dropped', label: reason ? `Dropped rows · ${REASON_LABELS[reason]}` : 'Dropped rows' },
            { key: 'preview', label: 'Preview outputs' },
            { key: 'history', label: 'History' },
          ]}
          selected={screen}
          onSelect={setScreen}
          label="Screens"
          idPrefix="screen"
          className="tabs-primary"
        />
      </header>
      <main className="app-main">
        {startupError && <ErrorBanner error={startupError} title="Could not reach the engine" />}
        {folderError && (
          <ErrorBanner
            error={folderError}
            title="Could not open the output folder"
            onDismiss={() => setFolderError(null)}
          />
        )}
        <TabPanel idPrefix="screen" tabKey={screen} className={`screen screen-${screen}`}>
          {screen === 'run' && (
            <div className="run-screen">
              <ErrorBoundary label="Inputs">
                <InputsPanel
                  slots={slots}
                  onSlots={setSlots}
                  outDir={outDir}
                  onOutDir={setOutDir}
                  defaults={defaults}
                  running={running}
                  menuCommand={menuCommand}
                  options={<MemoryLimitField text={limitText} onText={setLimitText} disabled={running} />}
                />
              </ErrorBoundary>
              <ErrorBoundary label="Run" resetKey={run.completedRuns}>
                {run.status === 'idle' && !slots.events && !slots.users ? (
                  <EmptyRun hasSample={!!defaults?.sample} />
                ) : (
                  <RunPanel
                    state={run}
                    canRun={!whyNot}
                    whyNot={whyNot}
                    onRun={() => void startRun()}
                    onCancel={() => void cancel()}
                    onReason={(r) => openReason(r)}
                    onDismissError={() => dispatch({ type: 'reset' })}
                    onOpenScreen={setScreen}
                    onShowFolder={client.browser ? undefined : () => void showFolder()}
                    platform={platform}
                  />
                )}
              </ErrorBoundary>
            </div>
          )}
          {screen === 'dropped' && (
            <ErrorBoundary label="Dropped rows" resetKey={`${run.completedRuns}|${reason}|${viewDir}`}>
              {reopenedBanner}
              <RunBadge outDir={viewDir} version={run.completedRuns} canSave={!readOnly} />
              <DroppedView
                key={viewDir}
                outDir={viewDir}
                reason={reason}
                onReason={setReason}
                version={run.completedRuns}
                readOnly={readOnly}
              />
            </ErrorBoundary>
          )}
          {screen === 'preview' && (
            <ErrorBoundary label="Preview" resetKey={`${run.completedRuns}|${viewDir}`}>
              {reopenedBanner}
              <PreviewView key={viewDir} outDir={viewDir} version={run.completedRuns} readOnly={readOnly} />
            </ErrorBoundary>
          )}
          {screen === 'history' && (
            <ErrorBoundary label="History" resetKey={run.completedRuns}>
              <HistoryView version={run.completedRuns} onOpen={openRun} />
            </ErrorBoundary>
          )}
        </TabPanel>
      </main>
    </div>
  );
}

/** What to do first, before any file is chosen. */
export function EmptyRun({ hasSample }: { hasSample: boolean }) {
  return (
    <section className="panel empty-state empty-run" aria-labelledby="empty-heading">
      <h2 id="empty-heading">Clean a batch of engagement events</h2>
      <ol className="steps">
        <li>
          <strong>Add the two inputs</strong> on the left: drop <code>raw_events.json</code> and <code>users.csv</code>,
          choose them with <em>Choose files…</em>
          {hasSample ? (
            <>
              , or click <em>Use sample data</em>
            </>
          ) : null}
          .
        </li>
        <li>
          <strong>Check the output folder</strong>: the three Parquet files, <code>run_report.json</code> and{' '}
          <code>etl.log</code> are written there.
        </li>
        <li>
          <strong>Run</strong> (Ctrl+Enter) and watch each stage's counts; then inspect the dropped rows and preview the
          outputs.
        </li>
      </ol>
    </section>
  );
}
