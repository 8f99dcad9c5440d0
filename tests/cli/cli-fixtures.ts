/** Inputs and helpers shared by the CLI tests (as a child process and in-process). */
import path from 'node:path';
import { DEFAULT_USERS, ev, tmpDir, writeFile } from '../engine/helpers';

/** Four events (one a duplicate) and the default users, in a fresh folder. */
export function fixture() {
  const dir = tmpDir();
  const events = writeFile(dir, 'events.json', JSON.stringify([ev('u1', 1), ev('u2', 2), ev('ca', 3), ev('u1', 1)]));
  const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
  return { dir, events, users, out: path.join(dir, 'out') };
}

/** The non-empty lines of a text. */
export const lines = (s: string) => s.split('\n').filter((l) => l !== '');
