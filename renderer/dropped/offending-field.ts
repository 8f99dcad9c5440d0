/**
 * Which column of a dropped row explains its drop, so the table can highlight it
 * (docs/rules.md "Stages": each reason is about one field).
 */
import { isDropReason, type DropReason } from '../../shared/pipeline';

export const OFFENDING_COLUMN: Record<DropReason, string> = {
  malformed_record: 'raw',
  missing_user_id: 'user_id',
  invalid_timestamp: 'timestamp',
  duplicate: 'duplicate_of',
  unknown_user: 'user_id',
  non_us_user: 'user_id',
};

/** Plain-language explanation of each reason, shown on chips and in the funnel. */
export const REASON_LABELS: Record<DropReason, string> = {
  malformed_record: 'Malformed line',
  missing_user_id: 'Missing user_id',
  invalid_timestamp: 'Invalid timestamp',
  duplicate: 'Duplicate',
  unknown_user: 'Unknown user',
  non_us_user: 'Non-US user',
};

/** Shorter names where space is tight (the flow chart). */
export const SHORT_REASON_LABELS: Record<DropReason, string> = {
  malformed_record: 'Malformed',
  missing_user_id: 'No user_id',
  invalid_timestamp: 'Bad timestamp',
  duplicate: 'Duplicate',
  unknown_user: 'Unknown user',
  non_us_user: 'Non-US',
};

/** The column to highlight in a row, given that row's own drop_reason cell. */
export function offendingColumn(reasonCell: unknown): string | null {
  return isDropReason(reasonCell) ? OFFENDING_COLUMN[reasonCell] : null;
}

/**
 * Splits a value into its leading white space, core and trailing white space, so the table can
 * make invisible characters visible ("surrounding white space" is a drop cause worth seeing).
 */
export function whitespaceParts(value: string): { lead: string; core: string; trail: string } {
  const lead = /^\s*/.exec(value)![0];
  const rest = value.slice(lead.length);
  const trail = /\s*$/.exec(rest)![0];
  return { lead, core: rest.slice(0, rest.length - trail.length), trail };
}

/** A visible stand-in for white space: ␣ for a space, → for a tab, ↵ for a line end. */
export function showWhitespace(ws: string): string {
  return ws
    .replace(/ /g, '␣')
    .replace(/\t/g, '→')
    .replace(/\r?\n/g, '↵')
    .replace(/[^␣→↵]/g, '·');
}
