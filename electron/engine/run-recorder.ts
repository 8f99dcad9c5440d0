/**
 * What a run tells the world while it goes: progress events for listeners (the CLI, the
 * desktop app), and the log lines, stage reports and warnings that end up in etl.log and
 * run_report.json. One place, so the live view and the files always agree.
 */
import {
  STAGE_DROP_REASON,
  type LogLevel,
  type ProgressEvent,
  type RunWarning,
  type StageName,
  type StageSteps,
  type StageReport,
} from '../../shared/pipeline';
import { formatLogLine } from './log-format';
import { describeStage } from './stage-log';

/** How often a busy stage says it is still alive. */
const HEARTBEAT_MS = 200;
const TRACE_MEMORY = process.env.ETL_TRACE_MEMORY === '1';

export class RunRecorder {
  readonly logLines: string[] = [];
  readonly stages: StageReport[] = [];
  readonly warnings: RunWarning[] = [];
  private busy: { name: StageName | 'write'; t: number; steps?: StageSteps } | null = null;
  private readonly beat: ReturnType<typeof setInterval>;

  constructor(readonly emit: (e: ProgressEvent) => void) {
    // Polars works off this thread, so the timer fires even during a long query.
    this.beat = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
  }

  private heartbeat(): void {
    if (!this.busy) return;
    const { name, t, steps } = this.busy;
    this.emit({
      type: 'heartbeat',
      stage: name,
      elapsedMs: Math.round(performance.now() - t),
      ...(steps && { steps: { ...steps } }),
    });
  }

  /**
   * The current stage (or write) goes in `total` counted steps of what `label` names; each
   * heartbeat then says how many are done, and so does one sent at once on each step, so a UI
   * can estimate the time left (a spilled run's dedup passes, chunks, merge ranges).
   */
  steps(label: string, total: number): { done: (n: number) => void } {
    if (this.busy) this.busy.steps = { label, done: 0, total, sinceMs: Math.round(performance.now() - this.busy.t) };
    this.heartbeat();
    return {
      done: (n) => {
        if (!this.busy?.steps || this.busy.steps.label !== label) return;
        this.busy.steps.done = n;
        this.heartbeat();
      },
    };
  }

  log(level: LogLevel, message: string): void {
    // A diagnostic for speed and memory work: ETL_TRACE_MEMORY=1 appends the process's resident
    // memory, the JavaScript heap in use, and the CPU time of all its threads so far.
    if (TRACE_MEMORY) {
      const cpu = process.cpuUsage();
      message += ` [rss ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s]`;
    }
    const at = new Date();
    this.logLines.push(formatLogLine(at, level, message));
    this.emit({ type: 'log', level, message, at: at.toISOString() });
  }

  /**
   * Adds a line to the log file's lines now, but tells listeners only when the returned
   * function is called (the final line, said once the outputs are in place).
   */
  logLater(level: LogLevel, message: string): () => void {
    const at = new Date();
    this.logLines.push(formatLogLine(at, level, message));
    return () => this.emit({ type: 'log', level, message, at: at.toISOString() });
  }

  /** Records a warning (skipped when nothing happened) and logs it. */
  warn(code: string, count: number, message: string): void {
    if (count <= 0) return;
    const warning = { code, count, message };
    this.warnings.push(warning);
    this.emit({ type: 'warning', warning });
    this.log('WARNING', message);
  }

  startStage(name: StageName): void {
    this.busy = { name, t: performance.now() };
    this.emit({ type: 'stage-started', stage: name, at: new Date().toISOString() });
  }

  /** Milliseconds since the current stage (or write) started. */
  elapsed(): number {
    return this.busy ? performance.now() - this.busy.t : 0;
  }

  finishStage(name: StageName, rowsIn: number, rowsOut: number, ms: number): void {
    this.busy = null;
    const report: StageReport = {
      name,
      rows_in: rowsIn,
      rows_out: rowsOut,
      dropped: { [STAGE_DROP_REASON[name]]: rowsIn - rowsOut },
      ms: Math.round(ms),
    };
    this.stages.push(report);
    this.emit({ type: 'stage-finished', stage: report });
    const line = describeStage(report, this.stages);
    if (line) this.log('INFO', line);
  }

  /** Marks the output writing as busy (for heartbeats) until `done()`. */
  writing(): { done: () => void } {
    this.busy = { name: 'write', t: performance.now() };
    return { done: () => (this.busy = null) };
  }

  dispose(): void {
    clearInterval(this.beat);
  }
}
