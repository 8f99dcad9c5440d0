/**
 * Two runs compared stage by stage: rows in, rows out and drops of each, the change in each
 * count and in each drop's share of the input, and a sentence for the largest moves ("Non-US
 * drops up 12%"). Pure maths over two run reports; the history screen shows it.
 */
import { STAGE_DROP_REASON, STAGES, type DropReason, type RunReport, type StageName } from './pipeline';

export interface Counts {
  rowsIn: number;
  rowsOut: number;
  dropped: number;
  /** Dropped as a share of the run's input rows, 0..1 (0 when the run read no rows). */
  share: number;
}

export interface StageComparison {
  stage: StageName;
  reason: DropReason;
  /** Null when that run has no such stage (a report from another version). */
  before: Counts | null;
  after: Counts | null;
  /** after − before, in rows. */
  droppedDelta: number;
  /** Relative change of the drop count (0.12 = up 12%); null when the earlier count was 0. */
  droppedChange: number | null;
  /** Change of the drop's share of the input, in percentage points. */
  sharePoints: number;
}

export interface RunComparison {
  input: { before: number; after: number; change: number | null };
  clean: { before: number; after: number; change: number | null };
  durationMs: { before: number; after: number };
  stages: StageComparison[];
  /** Which inputs are byte-identical (same SHA-256) in both runs, by position (events, users). */
  sameInputs: boolean[];
}

/** Relative change from `a` to `b`; null when `a` is 0 (no base to compare with). */
export function relativeChange(a: number, b: number): number | null {
  return a === 0 ? (b === 0 ? 0 : null) : (b - a) / a;
}

function stageCounts(report: RunReport, stage: StageName): Counts | null {
  const s = report.stages.find((x) => x.name === stage);
  if (!s) return null;
  const input = report.stages[0]?.rows_in ?? 0;
  const dropped = s.dropped[STAGE_DROP_REASON[stage]] ?? s.rows_in - s.rows_out;
  return { rowsIn: s.rows_in, rowsOut: s.rows_out, dropped, share: input > 0 ? dropped / input : 0 };
}

const runDuration = (r: RunReport) => Math.max(0, Date.parse(r.finished_at) - Date.parse(r.started_at));

/** Compares `after` with `before` (pass the earlier run first). */
export function compareRuns(before: RunReport, after: RunReport): RunComparison {
  const inputOf = (r: RunReport) => r.stages[0]?.rows_in ?? 0;
  const cleanOf = (r: RunReport) => r.stages[r.stages.length - 1]?.rows_out ?? 0;
  const stages = STAGES.map((stage): StageComparison => {
    const b = stageCounts(before, stage);
    const a = stageCounts(after, stage);
    const db = b?.dropped ?? 0;
    const da = a?.dropped ?? 0;
    return {
      stage,
      reason: STAGE_DROP_REASON[stage],
      before: b,
      after: a,
      droppedDelta: da - db,
      droppedChange: relativeChange(db, da),
      sharePoints: ((a?.share ?? 0) - (b?.share ?? 0)) * 100,
    };
  });
  return {
    input: { before: inputOf(before), after: inputOf(after), change: relativeChange(inputOf(before), inputOf(after)) },
    clean: { before: cleanOf(before), after: cleanOf(after), change: relativeChange(cleanOf(before), cleanOf(after)) },
    durationMs: { before: runDuration(before), after: runDuration(after) },
    stages,
    sameInputs: after.inputs.map((input, i) => before.inputs[i]?.sha256 === input.sha256),
  };
}

/** "up 12%", "down 3.5%", "unchanged", "new" (from 0): a change in words. */
export function describeChange(change: number | null): string {
  if (change === null) return 'new';
  if (change === 0) return 'unchanged';
  const pct = Math.abs(change) * 100;
  const text = pct >= 10 ? pct.toFixed(0) : pct >= 0.1 ? pct.toFixed(1) : '<0.1';
  return `${change > 0 ? 'up' : 'down'} ${text}%`;
}

/**
 * The drops that moved, largest relative move first, as sentences: "Non-US drops up 12%
 * (200 → 224)". `labels` names each reason for the reader.
 */
export function headlineChanges(comparison: RunComparison, labels: Record<DropReason, string>, max = 3): string[] {
  const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);
  return comparison.stages
    .filter((s) => s.droppedDelta !== 0)
    .sort(
      (x, y) =>
        Math.abs(y.droppedChange ?? Infinity) - Math.abs(x.droppedChange ?? Infinity) ||
        Math.abs(y.droppedDelta) - Math.abs(x.droppedDelta),
    )
    .slice(0, max)
    .map(
      (s) =>
        `${labels[s.reason]} drops ${describeChange(s.droppedChange)} (${fmt(s.before?.dropped ?? 0)} → ${fmt(s.after?.dropped ?? 0)})`,
    );
}
