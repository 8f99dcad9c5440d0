/**
 * The code stored in the `reason` column for each drop reason, in stage order (0: kept). The
 * scan threads set the first three, the Polars stages the rest. A module of its own, with no
 * run-time imports, so the engine thread and the scan threads can know them without loading
 * the scanner or Polars.
 */
import type { DropReason } from '../../shared/pipeline';

export const REASON_CODE = {
  ok: 0,
  malformed_record: 1,
  missing_user_id: 2,
  invalid_timestamp: 3,
  duplicate: 4,
  unknown_user: 5,
  non_us_user: 6,
} as const satisfies { ok: 0 } & Record<DropReason, number>;
