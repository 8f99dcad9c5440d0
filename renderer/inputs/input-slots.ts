/**
 * Decides which chosen file is the events file and which the users file. The service's
 * inspection (extension + content) decides first; a file it cannot place fills whichever slot
 * is still empty, so dropping two files always fills both.
 */
import type { InputInfo } from '../../shared/service-contract';

export interface InputSlots {
  events: InputInfo | null;
  users: InputInfo | null;
}

export const EMPTY_SLOTS: InputSlots = { events: null, users: null };

/** Guess from the name alone, for files the service could not read. */
export function kindFromName(name: string): 'events' | 'users' | 'unknown' {
  const lower = name.toLowerCase();
  if (/\.(json|ndjson|jsonl)$/.test(lower)) return 'events';
  if (/\.(csv|tsv)$/.test(lower)) return 'users';
  return 'unknown';
}

/** Places newly inspected files into the slots; later files replace earlier ones of their kind. */
export function assignInputs(current: InputSlots, infos: InputInfo[]): InputSlots {
  const next: InputSlots = { ...current };
  const unplaced: InputInfo[] = [];
  for (const info of infos) {
    const kind = info.kind !== 'unknown' ? info.kind : kindFromName(info.name);
    if (kind === 'events') next.events = info;
    else if (kind === 'users') next.users = info;
    else unplaced.push(info);
  }
  for (const info of unplaced) {
    if (!next.events) next.events = info;
    else if (!next.users) next.users = info;
    // Both already filled: the file replaces the events slot; the user can Swap if wrong.
    else next.events = info;
  }
  return next;
}

export function swapSlots(slots: InputSlots): InputSlots {
  return { events: slots.users, users: slots.events };
}
