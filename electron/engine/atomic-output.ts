/**
 * All-or-nothing outputs (docs/rules.md "Errors"), safe against a crash at any instant.
 *
 * A run writes into a private staging folder inside the output folder (same file system, so a
 * rename moves a file). Committing is a small journalled transaction:
 *   1. every staged file and the staging folder are fsynced (a power cut cannot leave empty
 *      Parquet files behind a finished switch);
 *   2. a journal naming the files is written, fsynced and renamed into the staging folder:
 *      from here on the new set is complete and durable, and the switch only ever goes forward;
 *   3. each earlier file is moved into `.previous` inside the staging folder, then the new one
 *      into its place; the output folder is fsynced;
 *   4. the journal goes, then the staging folder.
 * A staging folder without a journal never touched the output folder, so it is only removed.
 * A staging folder with a journal is rolled forward: a file still in staging is not yet placed.
 * `recoverOutputFolder` does exactly that; every run calls it (holding the folder's lock, see
 * output-lock.ts) before it does anything else, and so does the service after a host died.
 * Nothing here ever deletes the only copy of an output: `.previous` is removed only once the
 * new set is wholly in place.
 */
import { lstat, mkdir, mkdtemp, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cancelledError, inputError } from './errors';

/** The one name prefix of staging folders: everything that creates, finds or removes them uses it. */
export const STAGING_PREFIX = '.etl-staging-';
/** Beside it, the prefix of a run's spill folder (spill-folder.ts): removed when the run ends, or at the next start after a crash. */
export const SPILL_PREFIX = '.etl-spill-';
/** Inside a staging folder: the commit's journal, and where the earlier files wait during the switch. */
const JOURNAL = 'commit-journal.json';
const PREVIOUS = '.previous';

/** One file-system step of a commit or a recovery, as seen by the fault-injection hook. */
export interface CommitStep {
  op: 'fsync' | 'write' | 'rename' | 'unlink' | 'rmdir' | 'mkdir';
  path: string;
}

let stepHook: ((step: CommitStep) => void) | null = null;

/**
 * For the fault-injection tests only: called before every step of a commit or recovery, so a
 * test can kill the process (or throw) at exactly that step.
 */
export function setCommitStepHook(hook: ((step: CommitStep) => void) | null): void {
  stepHook = hook;
}

function step(op: CommitStep['op'], path: string): void {
  stepHook?.({ op, path });
}

const code = (err: unknown) => (err as NodeJS.ErrnoException)?.code ?? String(err);
const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

/** Flushes a file's (or a folder's) data and metadata to the disk. */
async function fsyncPath(path: string, isDir = false): Promise<void> {
  step('fsync', path);
  let fh;
  try {
    // Windows flushes only handles open for writing, and cannot open a folder at all.
    fh = await open(path, isDir ? 'r' : 'r+');
  } catch (err) {
    if (isDir && process.platform === 'win32') return;
    throw err;
  }
  try {
    await fh.sync();
  } catch (err) {
    // Some file systems cannot flush a folder; its entries are then as safe as they can be.
    if (!(isDir && ['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(code(err)))) throw err;
  } finally {
    await fh.close();
  }
}

async function move(from: string, to: string): Promise<void> {
  step('rename', from);
  await rename(from, to);
}

/** Files staged for a run; `commit` moves them into the output folder. */
export interface StagingFolder {
  dir: string;
  path(name: string): string;
  /**
   * Moves the named files into the output folder, all or none. A `signal` aborted before the
   * point of no return (the journal) cancels; after it, the commit completes.
   */
  commit(names: readonly string[], signal?: AbortSignal): Promise<void>;
  discard(): Promise<void>;
}

/** Staging folders of this process not yet committed: removed by `abandonStagingSync` on a forced exit. */
const open_ = new Set<string>();
/** Switches under way in this process (past the point of no return). */
const switching = new Set<Promise<void>>();

/**
 * Resolves once no switch is under way in this process: a process that must exit waits for
 * this, so that it never stops half-way through moving files (the next run would finish the
 * move, but the user was told the run had stopped).
 */
export async function switchesSettled(): Promise<void> {
  while (switching.size) await Promise.allSettled([...switching]);
}

/**
 * For a process that must exit now (a second signal, or a cancel the engine cannot honour in
 * time): removes its staging folders that are not past the point of no return. Whatever
 * cannot be removed is a leftover the next run cleans.
 */
export function abandonStagingSync(): void {
  for (const dir of open_) rmSync(dir, { recursive: true, force: true });
  open_.clear();
}

/** Creates the output folder if needed and a staging folder inside it. */
export async function createStaging(outDir: string): Promise<StagingFolder> {
  try {
    await mkdir(outDir, { recursive: true });
    const s = await stat(outDir);
    if (!s.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    throw inputError(`Cannot use the output folder ${outDir} (${code(err)}). Choose a folder you can write to.`, {
      file: outDir,
    });
  }
  let dir: string;
  try {
    dir = await mkdtemp(join(outDir, STAGING_PREFIX));
  } catch (err) {
    throw inputError(`Cannot write to the output folder ${outDir} (${code(err)}). Choose a folder you can write to.`, {
      file: outDir,
    });
  }
  open_.add(dir);
  return {
    dir,
    path: (name) => join(dir, name),
    async commit(names, signal) {
      // Never replace a folder that happens to carry an output's name (it is the user's).
      for (const name of names) {
        const st = await lstat(join(outDir, name)).catch(() => null);
        if (st && !st.isFile() && !st.isSymbolicLink())
          throw inputError(
            `Cannot write ${name} in ${outDir}: a folder of that name is in the way. Move it, or choose another output folder.`,
            { file: join(outDir, name) },
          );
      }
      const writeError = (err: unknown, file: string) =>
        inputError(`Cannot write ${file} (${code(err)}); the earlier outputs were left as they were. ${advice(err)}`, {
          file,
        });
      // 1. Everything staged reaches the disk before anything in the output folder changes.
      for (const name of names) {
        try {
          await fsyncPath(join(dir, name));
        } catch (err) {
          throw writeError(err, join(outDir, name));
        }
      }
      try {
        await fsyncPath(dir, true);
      } catch (err) {
        throw writeError(err, outDir);
      }
      if (signal?.aborted) throw cancelledError();
      // 2. A complete, durable journal: from the first rename on, the switch only goes forward.
      try {
        await writeJournal(dir, names);
        await fsyncPath(outDir, true);
      } catch (err) {
        throw writeError(err, join(dir, JOURNAL));
      }
      // The last moment a cancel wins: nothing in the output folder has changed yet.
      if (signal?.aborted) {
        step('unlink', join(dir, JOURNAL));
        await unlink(join(dir, JOURNAL));
        throw cancelledError();
      }
      open_.delete(dir);
      // 3. The switch, then 4. the staging folder goes.
      const existedBefore = await Promise.all(names.map((n) => exists(join(outDir, n))));
      const switched = rollForward(outDir, dir, names);
      switching.add(switched);
      try {
        await switched;
      } catch (err) {
        throw await undoSwitch(outDir, dir, names, existedBefore, err);
      } finally {
        switching.delete(switched);
      }
    },
    async discard() {
      open_.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function advice(err: unknown): string {
  const c = code(err);
  if (c === 'ENOSPC' || c === 'EDQUOT') return 'The disk is full: free some space or choose another output folder.';
  if (c === 'EACCES' || c === 'EPERM' || c === 'EROFS') return 'Choose a folder you can write to.';
  return 'Check that the output files are not folders or open elsewhere, and try again.';
}

async function writeJournal(dir: string, names: readonly string[]): Promise<void> {
  const tmp = join(dir, `${JOURNAL}.tmp`);
  step('write', tmp);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify({ version: 1, names }) + '\n');
    step('fsync', tmp);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await move(tmp, join(dir, JOURNAL));
  await fsyncPath(dir, true);
}

/**
 * Completes a journalled switch from whatever point it reached: a name still in staging is
 * not placed yet (its earlier file, if any, is set aside first); a name gone from staging is.
 */
async function rollForward(outDir: string, dir: string, names: readonly string[]): Promise<void> {
  const previous = join(dir, PREVIOUS);
  if (!(await exists(previous))) {
    step('mkdir', previous);
    await mkdir(previous);
  }
  for (const name of names) {
    if (!(await exists(join(dir, name)))) continue; // placed before
    if ((await exists(join(outDir, name))) && !(await exists(join(previous, name))))
      await move(join(outDir, name), join(previous, name));
    await move(join(dir, name), join(outDir, name));
  }
  await fsyncPath(outDir, true);
  await removeCommitted(dir);
}

/** Removes a staging folder whose new set is wholly in place: the journal first, then the rest. */
async function removeCommitted(dir: string): Promise<void> {
  step('unlink', join(dir, JOURNAL));
  await unlink(join(dir, JOURNAL)).catch((err) => {
    if (code(err) !== 'ENOENT') throw err;
  });
  await removeTree(dir);
}

/** A folder and what it holds, one step per file (so a kill can land between any two). */
async function removeTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await removeTree(p);
    else {
      step('unlink', p);
      await unlink(p).catch(() => undefined);
    }
  }
  step('rmdir', dir);
  await rmdir(dir).catch(() => rm(dir, { recursive: true, force: true }));
}

/**
 * A switch failed in this process (not a crash): put every earlier file back and check that
 * it is. Only then does the error say so; otherwise the journal stays, and the next run into
 * the folder finishes the switch.
 */
async function undoSwitch(
  outDir: string,
  dir: string,
  names: readonly string[],
  existedBefore: boolean[],
  cause: unknown,
): Promise<Error> {
  const previous = join(dir, PREVIOUS);
  let restored = true;
  for (let i = names.length - 1; i >= 0; i--) {
    const name = names[i];
    try {
      if (!(await exists(join(dir, name)))) await move(join(outDir, name), join(dir, name));
      if (await exists(join(previous, name))) await move(join(previous, name), join(outDir, name));
      if ((await exists(join(outDir, name))) !== existedBefore[i] || !(await exists(join(dir, name)))) restored = false;
    } catch {
      restored = false;
    }
  }
  if (restored) {
    try {
      await fsyncPath(outDir, true);
      step('unlink', join(dir, JOURNAL));
      await unlink(join(dir, JOURNAL));
      await rm(dir, { recursive: true, force: true });
    } catch {
      // The earlier files are back; a journal left behind only makes the next run finish the switch.
    }
    return inputError(
      `Cannot move the new outputs into ${outDir} (${code(cause)}); the earlier outputs were left as they were. ${advice(cause)}`,
      { file: outDir },
    );
  }
  return inputError(
    `Cannot move the new outputs into ${outDir} (${code(cause)}), and the earlier outputs could not all be put back. Nothing was deleted: the new outputs are complete in ${dir}, and the next run into this folder finishes moving them into place. ${advice(cause)}`,
    { file: outDir },
  );
}

/** What `recoverOutputFolder` found and did. */
export interface Recovery {
  /** Interrupted commits finished: the output folder now holds their complete new set. */
  completed: number;
  /** Staging folders of runs that never reached their commit, removed. */
  removed: number;
}

/**
 * Finishes or undoes what a crashed run left in an output folder, like a database replaying
 * its journal. Call it only while holding the folder's lock (output-lock.ts), before anything
 * else touches the folder. Throws an input error (and deletes nothing more) when it cannot.
 */
export async function recoverOutputFolder(outDir: string): Promise<Recovery> {
  const result: Recovery = { completed: 0, removed: 0 };
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return result;
    throw err;
  }
  for (const name of entries.filter((n) => n.startsWith(STAGING_PREFIX)).sort()) {
    const dir = join(outDir, name);
    const st = await lstat(dir).catch(() => null);
    if (!st) continue;
    if (!st.isDirectory()) {
      step('unlink', dir);
      await unlink(dir).catch(() => undefined);
      result.removed++;
      continue;
    }
    let journal: string | null = null;
    try {
      journal = await readFile(join(dir, JOURNAL), 'utf8');
    } catch (err) {
      if (code(err) !== 'ENOENT') throw recoveryError(outDir, dir, err);
    }
    if (journal === null) {
      // Never committed: the output folder was not touched by it.
      await removeTree(dir);
      result.removed++;
      continue;
    }
    let names: string[];
    try {
      const parsed = JSON.parse(journal) as { names?: unknown };
      if (!Array.isArray(parsed.names) || !parsed.names.every((n) => typeof n === 'string' && !/[\\/]/.test(n)))
        throw new Error('the journal names no files');
      names = parsed.names as string[];
    } catch (err) {
      throw recoveryError(outDir, dir, err);
    }
    try {
      await rollForward(outDir, dir, names);
    } catch (err) {
      throw recoveryError(outDir, dir, err);
    }
    result.completed++;
  }
  return result;
}

function recoveryError(outDir: string, dir: string, err: unknown) {
  return inputError(
    `Cannot finish the interrupted commit in ${outDir} (${code(err)}: ${err instanceof Error ? err.message : err}). Nothing was deleted; its files are in ${dir}. Check the folder is writable and run again.`,
    { file: dir },
  );
}

/** Node's error codes for the OS errors Polars reports as `(os error N)` (Linux numbering). */
const OS_ERRORS: Record<number, string> = {
  2: 'ENOENT',
  5: 'EIO',
  13: 'EACCES',
  28: 'ENOSPC',
  30: 'EROFS',
  122: 'EDQUOT',
};

/**
 * The one-line error for a failed write of an output (`file` is where the user will look for
 * it), whether Node (an error code) or Polars ("os error N") reported it: the file, the reason,
 * and what to do. Any other failure is returned as it is.
 */
export function writeFailure(file: string, err: unknown): unknown {
  if (err instanceof Error && err.name === 'EtlError') return err;
  const message = err instanceof Error ? err.message : String(err);
  // Node's codes (ENOSPC); Polars' own (GenericFailure) say nothing, its message does.
  let c = /^E[A-Z]+$/.test(String((err as NodeJS.ErrnoException)?.code))
    ? (err as NodeJS.ErrnoException).code
    : undefined;
  const os = /os error (\d+)/.exec(message);
  // Anything else is not about the file (a bug): it stays what it is, to be reported as one.
  if (!c && !os) return err;
  if (!c && os) c = OS_ERRORS[Number(os[1])] ?? `os error ${os[1]}`;
  const why = c ?? message.split('\n')[0].slice(0, 200);
  return inputError(
    `Cannot write ${file} (${why}); the earlier outputs were left as they were. ${advice(Object.assign(new Error(), { code: c }))}`,
    { file },
  );
}
