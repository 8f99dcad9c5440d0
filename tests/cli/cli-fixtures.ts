/** Inputs and helpers shared by the CLI tests (as a child process and in-process). */
import path from 'node:path';
import { HISTORY_DIR_ENV } from '../../electron/service/run-history';
import { DEFAULT_USERS, ev, tmpDir, writeFile } from '../engine/helpers';

// Every CLI run records itself in the run history: the tests' runs (in this process and in the
// children, which inherit the environment) go to a folder of their own, not the user's.
process.env[HISTORY_DIR_ENV] ??= path.join(tmpDir(), 'run-history');

/** Four events (one a duplicate) and the default users, in a fresh folder. */
export function fixture() {
  const dir = tmpDir();
  const events = writeFile(dir, 'events.json', JSON.stringify([ev('u1', 1), ev('u2', 2), ev('ca', 3), ev('u1', 1)]));
  const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
  return { dir, events, users, out: path.join(dir, 'out') };
}

/** The non-empty lines of a text. */
export const lines = (s: string) => s.split('\n').filter((l) => l !== '');
