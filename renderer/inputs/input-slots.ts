/**
 * Decides which chosen file is the events file and which the users file. The service's
 * inspection (extension + content) decides first; a file it cannot place fills whichever slot
 * is still empty. Nothing is dropped quietly: a file that was chosen but not placed comes back
 * in `unused`, with the reason, for the panel to name.
 */
import type { InputInfo } from '../../shared/service-contract';

export interface InputSlots {
  events: InputInfo | null;
  users: InputInfo | null;
}

export type SlotName = keyof InputSlots;

export const EMPTY_SLOTS: InputSlots = { events: null, users: null };

/** A chosen file left out, and why, in words for the user. */
export interface UnusedInput {
  name: string;
  path: string;
  why: string;
}

export interface Placement {
  slots: InputSlots;
  unused: UnusedInput[];
}

/** Guess from the name alone, for files the service could not read. */
export function kindFromName(name: string): 'events' | 'users' | 'unknown' {
  const lower = name.toLowerCase();
  if (/\.(json|ndjson|jsonl)$/.test(lower)) return 'events';
  if (/\.(csv|tsv)$/.test(lower)) return 'users';
  return 'unknown';
}

const SLOT_WORDS: Record<SlotName, string> = { events: 'events file', users: 'users file' };

/** The name the app expects for a slot: between two candidates, the one so named wins. */
const EXPECTED_NAME: Record<SlotName, RegExp> = {
  events: /^raw_events\.(json|ndjson|jsonl)$/i,
  users: /^users\.csv$/i,
};

/**
 * Which of two files of one kind, chosen together, should fill the slot: one that can be used
 * over one with an error, then the expected name, then the first chosen.
 */
function better(slot: SlotName, a: InputInfo, b: InputInfo): InputInfo {
  if (!a.error !== !b.error) return a.error ? b : a;
  const an = EXPECTED_NAME[slot].test(a.name);
  const bn = EXPECTED_NAME[slot].test(b.name);
  if (an !== bn) return an ? a : b;
  return a;
}

/**
 * Places newly chosen files (one drop or one pick) into the slots. A file replaces the one of
 * its kind chosen earlier; of several of one kind chosen together, one is placed (see `better`)
 * and the others are reported in `unused`, as is a file of no known kind once both slots are full.
 */
export function placeInputs(current: InputSlots, infos: InputInfo[]): Placement {
  const chosen: Partial<Record<SlotName, InputInfo>> = {};
  const unused: UnusedInput[] = [];
  const unknown: InputInfo[] = [];
  for (const info of infos) {
    const kind = info.kind !== 'unknown' ? info.kind : kindFromName(info.name);
    if (kind === 'unknown') {
      unknown.push(info);
      continue;
    }
    const other = chosen[kind];
    if (!other) {
      chosen[kind] = info;
      continue;
    }
    const keep = better(kind, other, info);
    const left = keep === other ? info : other;
    chosen[kind] = keep;
    unused.push({
      name: left.name,
      path: left.path,
      why: `another ${SLOT_WORDS[kind]}; ${keep.name} was used. Drop it alone to use it instead.`,
    });
  }
  const slots: InputSlots = { ...current, ...chosen };
  for (const info of unknown) {
    if (!slots.events) slots.events = info;
    else if (!slots.users) slots.users = info;
    else
      unused.push({
        name: info.name,
        path: info.path,
        why: 'not recognised as events (JSON) or users (CSV), and both inputs are already chosen.',
      });
  }
  return { slots, unused };
}

/** Places files and keeps only the slots (for inputs reopened from the last session). */
export function assignInputs(current: InputSlots, infos: InputInfo[]): InputSlots {
  return placeInputs(current, infos).slots;
}

export function swapSlots(slots: InputSlots): InputSlots {
  return { events: slots.users, users: slots.events };
}

/** The kind a slot's file looks like when it is not the slot's own kind; null when it fits. */
export function wrongKind(slot: SlotName, info: InputInfo | null): SlotName | null {
  if (!info || info.kind === 'unknown' || info.kind === slot) return null;
  return info.kind;
}

/**
 * Why the chosen files cannot run, in words, or null when they can: a missing file, a file
 * with an error, or a file in the wrong slot (Swap fixes that, and the card offers it).
 */
export function slotProblem(slots: InputSlots): string | null {
  if (!slots.events && !slots.users) return 'Choose the events and users files first, or use the sample data.';
  if (!slots.events) return 'Choose the events file (raw_events.json).';
  if (!slots.users) return 'Choose the users file (users.csv).';
  const eventsWrong = wrongKind('events', slots.events);
  const usersWrong = wrongKind('users', slots.users);
  if (eventsWrong && usersWrong) return 'The two files are the wrong way round: use Swap.';
  if (eventsWrong)
    return `${slots.events.name} looks like a users file, not events: use Swap or choose the events file.`;
  if (usersWrong) return `${slots.users.name} looks like an events file, not users: use Swap or choose the users file.`;
  if (slots.events.error) return 'The events file cannot be used: see its error.';
  if (slots.users.error) return 'The users file cannot be used: see its error.';
  return null;
}

/** The slot that needs the user next (empty, wrong kind or with an error), or null if none. */
export function slotNeedingAttention(slots: InputSlots): SlotName | null {
  for (const slot of ['events', 'users'] as const) {
    const info = slots[slot];
    if (!info || info.error || wrongKind(slot, info)) return slot;
  }
  return null;
}
