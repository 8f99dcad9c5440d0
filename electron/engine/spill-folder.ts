/**
 * The folder a run spills to when its data does not fit its memory budget: inside the output
 * folder, so on its volume (the outputs land there anyway, and a temp folder elsewhere may be a
 * small RAM disk). Named `.etl-spill-<pid>-<random>`: a run removes its own when it ends, and
 * every run starts by removing those whose process is gone (a crash, a kill), never those of a
 * run still going in the same folder.
 */
import { statfs } from 'node:fs/promises';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMemorySize } from '../../shared/memory-size';
import { SPILL_PREFIX } from './atomic-output';
import { inputError } from './errors';

const PREFIX = SPILL_PREFIX;

/** Creates this run's spill folder in `outDir` (which exists). */
export async function createSpillFolder(outDir: string): Promise<string> {
  try {
    return await mkdtemp(join(outDir, `${PREFIX}${process.pid}-`));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw inputError(`Cannot write to the output folder ${outDir} (${code}). Choose a folder you can write to.`, {
      file: outDir,
    });
  }
}

/** Removes the spill folders in `outDir` left by runs whose process no longer exists. */
export async function removeSpillLeftovers(outDir: string): Promise<string[]> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(PREFIX.length))?.[1]);
    if (pid && processIsAlive(pid)) continue;
    await rm(join(outDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Free bytes for this user on the volume holding `dir`. */
export async function freeDiskBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Throws a clear error, before anything is written, when the volume cannot hold the spill. */
export function checkSpillSpace(outDir: string, neededBytes: number, freeBytes: number): void {
  if (freeBytes >= neededBytes) return;
  throw inputError(
    `Not enough free disk space in ${outDir} for this run: it needs about ${formatMemorySize(neededBytes)} ` +
      `to spill to disk under its memory limit, and ${formatMemorySize(freeBytes)} is free. ` +
      'Free some space, choose an output folder on a larger disk, or raise the memory limit.',
    { file: outDir },
  );
}
