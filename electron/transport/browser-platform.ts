/**
 * Browser mode's ShellPlatform. The server has no window, so files are picked (and uploaded)
 * in the page; the output folder is fixed when the server starts (`--out`).
 */
import type { AppDefaults } from '../../shared/service-contract';
import type { RecentPathsStore } from '../service/recent-paths-store';
import { findSampleInputs } from '../service/sample-data';
import { inputError } from '../engine/errors';
import type { ShellPlatform } from './shell-platform';

export function browserPlatform(opts: { outDir: string; sampleDir: string; recent?: RecentPathsStore }): ShellPlatform {
  let remembered: AppDefaults['recent'] = {};
  return {
    async defaults() {
      const recent = opts.recent ? await opts.recent.load() : remembered;
      return {
        outDir: opts.outDir,
        sample: await findSampleInputs(opts.sampleDir),
        recent: { ...recent, outDir: undefined },
      };
    },
    async pickInputs() {
      throw inputError(
        'In browser mode, files are chosen in the page and uploaded; use Open inputs or drop the files on the page.',
      );
    },
    async pickOutputDir() {
      throw inputError(
        `Browser mode writes to ${opts.outDir}. To use another folder, restart with \`npm run serve -- --out <folder>\`.`,
      );
    },
    async showInFolder(p) {
      throw inputError(`Browser mode cannot open a file manager. The file is at ${p}.`, { file: p });
    },
    async remember(recent) {
      remembered = { ...remembered, ...recent };
      await opts.recent?.save(recent);
    },
  };
}
