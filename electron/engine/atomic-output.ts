/**
 * All-or-nothing outputs (SPEC "Errors"): a run writes into a private staging folder inside the
 * output folder (same file system, so a rename moves a file), and only a run that fully
 * succeeded moves its files into place. A failed or cancelled run removes its staging folder,
 * leaving the earlier outputs exactly as they were.
 */
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from './errors';

export interface StagingFolder {
  dir: string;
  path(name: string): string;
  /** Moves the named files into the output folder. */
  commit(names: readonly string[]): Promise<void>;
  discard(): Promise<void>;
}

export async function createStaging(outDir: string): Promise<StagingFolder> {
  try {
    await mkdir(outDir, { recursive: true });
    const s = await stat(outDir);
    if (!s.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw inputError(`Cannot use the output folder ${outDir} (${code}). Choose a folder you can write to.`, { file: outDir });
  }
  let dir: string;
  try {
    dir = await mkdtemp(join(outDir, '.etl-staging-'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw inputError(`Cannot write to the output folder ${outDir} (${code}). Choose a folder you can write to.`, { file: outDir });
  }
  return {
    dir,
    path: (name) => join(dir, name),
    async commit(names) {
      for (const name of names) await rename(join(dir, name), join(outDir, name));
      await rm(dir, { recursive: true, force: true });
    },
    discard: () => rm(dir, { recursive: true, force: true }),
  };
}
