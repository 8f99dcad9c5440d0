/**
 * One run per output folder at a time. A run holds `.etl-lock.json` in the folder for its whole
 * life; a second run, from the command line, the desktop app or browser mode, is refused at once
 * with who holds it. A lock whose process is gone (a crash, a kill) is taken over.
 *
 * The lock file is created whole or not at all: written to a private file, then hard-linked to
 * its name (a link fails if the name exists, atomically), so no run ever reads half a lock.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { EtlError } from './errors';

/** The lock file's name in an output folder. */
export const LOCK_NAME = '.etl-lock.json';

/** Who started a run, as the lock (and the refusal) names it. */
export type RunSource = 'cli' | 'app' | 'browser' | 'api';

const SOURCE_LABEL: Record<RunSource, string> = {
  cli: 'a command-line run (npm run etl)',
  app: 'a run from the desktop app',
  browser: 'a run from browser mode',
  api: 'a run started by another program',
};

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  source: RunSource;
  token: string;
  /** Linux: the process's start time in clock ticks since boot, so a reused pid is not mistaken for it. */
  procStart?: string;
}

/** A held lock; `release` removes it (only if it is still this run's). */
export interface OutputLock {
  release(): Promise<void>;
}

/** Locks of this process, released synchronously by `releaseLocksSync` on a forced exit. */
const held = new Map<string, string>();

/** For a process that must exit now: removes the lock files it holds. */
export function releaseLocksSync(): void {
  for (const [path, token] of held) {
    try {
      if ((JSON.parse(readFileSync(path, 'utf8')) as LockHolder).token === token) unlinkSync(path);
    } catch {
      // Gone already, or not ours.
    }
  }
  held.clear();
}

function procStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat, counted after the command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** `false` only when the holder is certainly gone: same host, and no such process (or another one with its pid). */
function holderAlive(h: LockHolder): boolean {
  if (h.host !== os.hostname()) return true;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (h.procStart !== undefined) {
    const now = procStart(h.pid);
    if (now !== undefined && now !== h.procStart) return false;
  }
  return true;
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const h = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.token === 'string' ? h : null;
  } catch {
    return null;
  }
}

function busyError(outDir: string, lockPath: string, h: LockHolder): EtlError {
  const who = SOURCE_LABEL[h.source] ?? 'another run';
  const where = h.host === os.hostname() ? `process ${h.pid}` : `process ${h.pid} on ${h.host}`;
  const remote = h.host === os.hostname() ? '' : ` If that run is no longer going, delete ${lockPath} and try again.`;
  return new EtlError({
    kind: 'busy',
    message: `The output folder ${outDir} is in use by ${who} (${where}, started ${h.startedAt}). Wait for it to finish or cancel it, or choose another output folder.${remote}`,
    file: outDir,
  });
}

/** Creates the lock file with `content`, or returns false if one exists. */
async function createLock(lockPath: string, content: string, token: string): Promise<boolean> {
  const tmp = `${lockPath}.${token}.tmp`;
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, lockPath);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // A file system without hard links: an exclusive create (a reader may briefly see it empty,
    // which is read as held).
    const lock = await open(lockPath, 'wx').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') return null;
      throw e;
    });
    if (!lock) return false;
    try {
      await lock.writeFile(content);
    } finally {
      await lock.close();
    }
    return true;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Takes the output folder's lock (the folder must exist). Rejects with a `busy` EtlError naming
 * the holder when another live run has it; other errors (a folder that cannot be written) are
 * thrown as they are.
 */
export async function lockOutputFolder(outDir: string, source: RunSource): Promise<OutputLock> {
  const lockPath = join(outDir, LOCK_NAME);
  const token = randomUUID();
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    source,
    token,
    procStart: procStart(process.pid),
  };
  const content = JSON.stringify(me) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createLock(lockPath, content, token)) {
      held.set(lockPath, token);
      return {
        async release() {
          held.delete(lockPath);
          if ((await readHolder(lockPath))?.token === token) await unlink(lockPath).catch(() => undefined);
        },
      };
    }
    const holder = await readHolder(lockPath);
    if (holder === null) {
      // Unreadable: being written by a file system without links, or damaged. Held, unless
      // it is still unreadable on the next look.
      if (attempt === 0) continue;
      await takeOver(lockPath, null, token);
      continue;
    }
    if (holderAlive(holder)) throw busyError(outDir, lockPath, holder);
    await takeOver(lockPath, holder, token);
  }
  throw new EtlError({
    kind: 'busy',
    message: `The output folder ${outDir} is being locked by several runs at once. Try again, or choose another output folder.`,
    file: outDir,
  });
}

/**
 * Removes a dead run's lock. Moved aside first and checked, so that of two runs taking over at
 * once, neither removes a lock the other has just created.
 */
async function takeOver(lockPath: string, stale: LockHolder | null, token: string): Promise<void> {
  const aside = `${lockPath}.${token}.stale`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = await readHolder(aside);
  if ((moved?.token ?? null) === (stale?.token ?? null)) {
    await unlink(aside).catch(() => undefined);
    return;
  }
  // A live run's fresh lock: put it back (never over a newer one).
  await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/**
 * Removes the private files (`.etl-lock.json.*`) a run killed while taking or taking over the
 * lock left behind, once their process is gone. Call it while holding the lock.
 */
export async function removeDeadLockFiles(outDir: string, names: readonly string[]): Promise<number> {
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(`${LOCK_NAME}.`)) continue;
    const holder = await readHolder(join(outDir, name));
    if (holder && holderAlive(holder)) continue;
    await unlink(join(outDir, name)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}
