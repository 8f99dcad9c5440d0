/**
 * The log's sentences, rendered from stage reports (docs/rules.md "Log"): the same numbers the
 * desktop app shows, worded as the seed's log worded them.
 */
import { DROP_REASONS, type StageReport } from '../../shared/pipeline';

const dropped = (s: StageReport) => s.rows_in - s.rows_out;

/** The line a finished stage adds to the log, if any (the two cleaning stages share one). */
export function describeStage(stage: StageReport, all: readonly StageReport[]): string | null {
  switch (stage.name) {
    case 'extract':
      return dropped(stage) > 0
        ? `Malformed records: ${stage.rows_in} -> ${stage.rows_out} (dropped ${dropped(stage)} lines that are not JSON objects)`
        : null;
    case 'clean_user_id':
      return null;
    case 'clean_timestamp': {
      const first = all.find((s) => s.name === 'clean_user_id');
      if (!first) return null;
      return `Cleaned events: ${first.rows_in} -> ${stage.rows_out} (dropped ${first.rows_in - stage.rows_out} rows)`;
    }
    case 'deduplicate':
      return `Deduplication: ${stage.rows_in} -> ${stage.rows_out} (removed ${dropped(stage)} duplicates)`;
    case 'join_users':
      return `Joined users: ${stage.rows_in} -> ${stage.rows_out} (dropped ${dropped(stage)} events of unknown users)`;
    case 'filter_us':
      return `Filtered to US users: ${stage.rows_in} -> ${stage.rows_out} (dropped ${dropped(stage)} events of non-US users)`;
  }
}

/** The `DROPPED ROW SUMMARY:` block: one line per reason, then the total. */
export function droppedSummaryLines(stages: readonly StageReport[]): string[] {
  const byReason = new Map<string, number>();
  for (const s of stages)
    for (const [reason, n] of Object.entries(s.dropped)) byReason.set(reason, (byReason.get(reason) ?? 0) + (n ?? 0));
  const total = [...byReason.values()].reduce((a, b) => a + b, 0);
  return ['DROPPED ROW SUMMARY:', ...DROP_REASONS.map((r) => `  ${r}: ${byReason.get(r) ?? 0}`), `  total: ${total}`];
}
