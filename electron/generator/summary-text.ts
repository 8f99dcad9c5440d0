/** The generator's report as readable text (what `npm run generate` prints). */
import type { GenerateSummary } from './generate-dataset';

function size(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function total(counts: Partial<Record<string, number>>): number {
  return Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
}

function list(counts: Partial<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '' : ` (${entries.map(([k, v]) => `${k} ${v}`).join(', ')})`;
}

function pct(n: number, of: number): string {
  return of === 0 ? '0%' : `${((100 * n) / of).toFixed(1)}%`;
}

/** Several lines: files, sizes, time, and the count of every injected category. */
export function describeSummary(s: GenerateSummary): string {
  const e = s.events;
  const u = s.users;
  const cleaned = total(e.missingUserId) + total(e.invalidTimestamp);
  const lines = [
    `Wrote ${s.eventsPath} (${e.events} events, ${size(s.eventsBytes)}) and ${s.usersPath} (${u.rows} rows, ${size(s.usersBytes)}) in ${s.ms} ms`,
    `Seed ${s.options.seed}, format ${s.options.format}${s.options.crlf ? ', CRLF' : ''}${s.options.bom ? ', BOM' : ''}`,
    `Expected counts: malformed_record ${total(e.malformedRecord)}, missing_user_id ${total(e.missingUserId)}, invalid_timestamp ${total(e.invalidTimestamp)} (cleaning drops ${cleaned}), duplicate ${total(e.duplicate)}`,
    `  missing user_id${list(e.missingUserId)}`,
    `  invalid timestamp${list(e.invalidTimestamp)}`,
    `  duplicates${list(e.duplicate)}`,
    `  near-duplicates kept: ${total(e.nearDuplicate)}${list(e.nearDuplicate)}`,
    `  malformed lines${list(e.malformedRecord)}; blank lines ${e.blankLines}`,
    `Natural events ${e.natural.count}: unknown user ${e.natural.unknownUser} (${pct(e.natural.unknownUser, e.natural.count)}), non-US user ${e.natural.nonUsUser} (${pct(e.natural.nonUsUser, e.natural.count)})`,
    `  user_id forms${list(e.natural.userIdForms)}`,
    `  timestamp forms${list(e.natural.timestampForms)}`,
    `  value kinds${list(e.natural.valueKinds)}`,
    `  metadata${list(e.natural.metadataKinds)}; event_type null ${e.natural.eventTypeNull}, absent ${e.natural.eventTypeAbsent}; extra field ${e.natural.extraField}`,
    `users.csv: ${u.rows} rows, ${u.distinctUsers} users, ${u.duplicateRows} duplicate rows, ${u.numericIds} numeric ids, ${u.quotedFields} rows with quoted fields`,
    `  first-row countries: US ${u.usRows}${list(u.usSpellings)}, other ${u.nonUsRows}, empty ${u.emptyCountry}`,
    `  signup_date${list(u.signup)}`,
  ];
  return lines.join('\n') + '\n';
}
