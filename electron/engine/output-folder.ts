/**
 * What a run does to its output folder before anything else: take the folder's lock (one run at
 * a time, see output-lock.ts), then finish or undo what a crashed run left (atomic-output.ts).
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { recoverOutputFolder, type Recovery } from './atomic-output';
import { EtlError } from './errors';
import { lockOutputFolder, removeDeadLockFiles, type RunSource } from './output-lock';

/** A claimed output folder: what recovery did, and the lock to release when the run ends. */
export interface ClaimedFolder {
  /** Null when the folder could not be created or locked: `createStaging` then reports why. */
  recovery: Recovery | null;
  release(): Promise<void>;
}

/**
 * Locks the output folder and recovers it. A folder held by another live run is refused at
 * once (a `busy` EtlError naming the holder). A folder that cannot be created or written is not
 * an error here: the run reports it, in its usual order, when it creates its staging folder.
 */
export async function claimOutputFolder(outDir: string, source: RunSource): Promise<ClaimedFolder> {
  let lock;
  try {
    await mkdir(outDir, { recursive: true });
    lock = await lockOutputFolder(outDir, source);
  } catch (err) {
    if (err instanceof EtlError) throw err;
    return { recovery: null, release: async () => undefined };
  }
  try {
    const recovery = await recoverOutputFolder(outDir);
    await removeDeadLockFiles(outDir, await readdir(outDir).catch(() => []));
    return { recovery, release: () => lock.release() };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/**
 * After a run's process died (the service's host was killed or crashed): recovers its output
 * folder now, so the outputs are whole before anyone looks. `busy` when another live run holds
 * the folder (it recovers it itself before it writes).
 */
export async function recoverAfterCrash(outDir: string, source: RunSource): Promise<Recovery | 'busy'> {
  if (
    !(await stat(outDir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return { completed: 0, removed: 0 };
  let claimed: ClaimedFolder;
  try {
    claimed = await claimOutputFolder(outDir, source);
  } catch (err) {
    if (err instanceof EtlError && err.info.kind === 'busy') return 'busy';
    throw err;
  }
  await claimed.release();
  if (!claimed.recovery) throw new Error(`cannot lock ${outDir}`);
  return claimed.recovery;
}
