/** The desktop app's ShellPlatform: native dialogs, the file manager, remembered paths. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BaseWindow, Dialog, OpenDialogOptions, Shell } from 'electron';
import type { AppDefaults } from '../../shared/service-contract';
import type { RecentPathsStore } from '../service/recent-paths-store';
import { findSampleInputs } from '../service/sample-data';
import type { ShellPlatform } from './shell-platform';

export interface ElectronPlatformOptions {
  recent: RecentPathsStore;
  sampleDir: string;
  defaultOutDir: string;
  /** Electron's `dialog` (the e2e harness stands it in). */
  dialog: Pick<Dialog, 'showOpenDialog'>;
  /** Electron's `shell`. */
  shell: Pick<Shell, 'showItemInFolder'>;
  /** The window a dialog belongs to, if any. */
  parentWindow: () => BaseWindow | undefined;
}

/** The desktop app's platform; Electron's objects are passed in so the harness can stand them in. */
export function electronPlatform({
  recent,
  sampleDir,
  defaultOutDir,
  dialog,
  shell,
  parentWindow: parent,
}: ElectronPlatformOptions): ShellPlatform {
  return {
    async defaults(): Promise<AppDefaults> {
      const remembered = await recent.load();
      // Forget remembered files that were moved or deleted since.
      for (const key of ['eventsPath', 'usersPath', 'outDir'] as const) {
        if (remembered[key] && !existsSync(remembered[key]!)) delete remembered[key];
      }
      return {
        outDir: remembered.outDir ?? defaultOutDir,
        sample: await findSampleInputs(sampleDir),
        recent: remembered,
      };
    },
    async pickInputs() {
      const win = parent();
      const options: OpenDialogOptions = {
        title: 'Open events and users files',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'Events and users', extensions: ['json', 'ndjson', 'jsonl', 'csv'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const res = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return res.canceled ? [] : res.filePaths;
    },
    async pickOutputDir() {
      const win = parent();
      const options: OpenDialogOptions = {
        title: 'Choose the output folder',
        properties: ['openDirectory', 'createDirectory'],
      };
      const res = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return res.canceled || !res.filePaths[0] ? null : res.filePaths[0];
    },
    async showInFolder(p) {
      shell.showItemInFolder(path.resolve(p));
    },
    remember: (paths) => recent.save(paths),
  };
}
