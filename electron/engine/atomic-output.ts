/**
 * All-or-nothing outputs (docs/rules.md "Errors"): a run writes into a private staging folder inside the
 * output folder (same file system, so a rename moves a file), and only a run that fully
 * succeeded moves its files into place. A failed or cancelled run removes its staging folder,
 * leaving the earlier outputs exactly as they were. If a move fails half-way, the moves done so
 * far are undone and the earlier files put back.
 */
import { lstat, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
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
    throw inputError(`Cannot use the output folder ${outDir} (${code}). Choose a folder you can write to.`, {
      file: outDir,
    });
  }
  let dir: string;
  try {
    dir = await mkdtemp(join(outDir, '.etl-staging-'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw inputError(`Cannot write to the output folder ${outDir} (${code}). Choose a folder you can write to.`, {
      file: outDir,
    });
  }
  return {
    dir,
    path: (name) => join(dir, name),
    async commit(names) {
      // Never replace a folder that happens to carry an output's name (it is the user's).
      for (const name of names) {
        const st = await lstat(join(outDir, name)).catch(() => null);
        if (st && !st.isFile() && !st.isSymbolicLink())
          throw inputError(
            `Cannot write ${name} in ${outDir}: a folder of that name is in the way. Move it, or choose another output folder.`,
            { file: join(outDir, name) },
          );
      }
      const backup = join(dir, '.previous');
      await mkdir(backup);
      const savedOld: string[] = [];
      const placed: string[] = [];
      try {
        for (const name of names) {
          if (await lstat(join(outDir, name)).catch(() => null)) {
            await rename(join(outDir, name), join(backup, name));
            savedOld.push(name);
          }
        }
        for (const name of names) {
          await rename(join(dir, name), join(outDir, name));
          placed.push(name);
        }
      } catch (err) {
        // Undo: take back what was placed, return the earlier files, then report.
        for (const name of placed) await rename(join(outDir, name), join(dir, name)).catch(() => undefined);
        for (const name of savedOld) await rename(join(backup, name), join(outDir, name)).catch(() => undefined);
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        throw inputError(
          `Cannot move the new outputs into ${outDir} (${code}); the earlier outputs were left as they were. Check that the output files are not folders or open elsewhere.`,
          {
            file: outDir,
          },
        );
      }
      await rm(dir, { recursive: true, force: true });
    },
    discard: () => rm(dir, { recursive: true, force: true }),
  };
}
