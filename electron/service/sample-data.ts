/** Finds the sample inputs shipped in `data/` so a first launch can run on something. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

const EVENTS_NAMES = ['raw_events.json', 'raw_events.ndjson', 'raw_events.jsonl'];
const USERS_NAMES = ['users.csv'];

export async function findSampleInputs(dir: string): Promise<{ eventsPath: string; usersPath: string } | null> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const events =
    EVENTS_NAMES.find((n) => names.includes(n)) ?? names.find((n) => /events.*\.(json|ndjson|jsonl)$/i.test(n));
  const users = USERS_NAMES.find((n) => names.includes(n)) ?? names.find((n) => /users.*\.csv$/i.test(n));
  return events && users ? { eventsPath: path.join(dir, events), usersPath: path.join(dir, users) } : null;
}
