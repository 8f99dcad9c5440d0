/**
 * Funnel maths: from the stage rows to "rows in -> clean events" with each drop reason's share.
 * Works on partial runs too, so the chart can appear as soon as the first stage has numbers.
 */
import { STAGE_DROP_REASON, type DropReason, type StageName } from '../../shared/pipeline';
import type { StageRow } from './run-state';

export interface FunnelStep {
  stage: StageName;
  label: string;
  rowsIn: number;
  rowsOut: number;
  reason: DropReason;
  dropped: number;
  /** Dropped here as a share of all input rows, 0..1. */
  share: number;
}

export interface Funnel {
  input: number;
  /** Rows left after the last finished stage (clean events once all six are done). */
  output: number;
  complete: boolean;
  steps: FunnelStep[];
}

/** Null until the first stage has finished: there is nothing to draw before that. */
export function buildFunnel(stages: StageRow[]): Funnel | null {
  const done = stages.filter((s) => s.status === 'done' && s.rowsIn !== null && s.rowsOut !== null);
  if (done.length === 0) return null;
  const input = done[0].rowsIn!;
  const steps = done.map((s) => {
    const reason = STAGE_DROP_REASON[s.name];
    // A stage reports its own reason; fall back to the row difference if a report omits it.
    const dropped = s.dropped[reason] ?? Math.max(0, s.rowsIn! - s.rowsOut!);
    return {
      stage: s.name,
      label: s.label,
      rowsIn: s.rowsIn!,
      rowsOut: s.rowsOut!,
      reason,
      dropped,
      share: input > 0 ? dropped / input : 0,
    };
  });
  return {
    input,
    output: steps[steps.length - 1].rowsOut,
    complete: done.length === stages.length,
    steps,
  };
}

/** Bar widths in px for a step: kept and dropped parts scaled against the input. */
export function stepWidths(
  step: Pick<FunnelStep, 'rowsOut' | 'dropped'>,
  input: number,
  width: number,
): { kept: number; dropped: number } {
  if (input <= 0) return { kept: 0, dropped: 0 };
  const kept = (step.rowsOut / input) * width;
  // A non-zero drop stays visible even when it is a sliver of a million rows.
  const dropped = step.dropped > 0 ? Math.max(2, (step.dropped / input) * width) : 0;
  return { kept, dropped };
}
