/**
 * Codes stored in the `reason` column for the first three stages, which the scan decides (the
 * later stages' codes are in stages.ts). A module of its own so the engine thread can know them
 * without loading the scanner.
 */
export const REASON_CODE = { ok: 0, malformed_record: 1, missing_user_id: 2, invalid_timestamp: 3 } as const;
