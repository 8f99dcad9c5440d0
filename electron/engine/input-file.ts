/**
 * Inputs must be regular files. A named pipe (FIFO, such as a shell's `<(...)`), a device or a
 * socket is refused at once, before it is opened: opening a pipe waits for a writer, and reading
 * `/dev/zero` never ends, so either would hang the run with no message.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { inputError } from './errors';

/** What a path that is neither a regular file nor a folder is, in words; null otherwise. */
export function specialFileKind(st: Stats): string | null {
  if (st.isFile() || st.isDirectory()) return null;
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Refuses an input that is a pipe, device or socket, with a message naming it; `what` is how
 * the user knows the file ("events file"). Other problems (missing, unreadable, a folder) are
 * left to the reader, which words them for its file.
 */
export async function refuseSpecialFile(path: string, what: string): Promise<void> {
  const st = await stat(path).catch(() => null);
  const kind = st && specialFileKind(st);
  if (kind)
    throw inputError(
      `The ${what} ${path} is ${kind}, not a regular file: it cannot be read safely. Save its contents to a file and choose that file.`,
      { file: path },
    );
}
