/**
 * Everything the desktop app's main process wires between Electron and the engine, in one
 * function: the engine service and its run history, the path allowlist, the desktop platform
 * (dialogs, file manager, remembered paths), the request handlers behind `ipcMain` with the
 * sender check, the drop-grant channel, and progress sent to the app's windows.
 *
 * Electron's objects come in as parameters: `electron/main.ts` passes the real ones, and the
 * desktop end-to-end harness (tests/e2e/desktop-harness.ts) passes stand-ins for the few that
 * cannot run outside Electron, so both run this same code.
 */
import path from 'node:path';
import type { BrowserWindow, Dialog, IpcMain, Shell, WebContents } from 'electron';
import type { Result } from '../../shared/service-contract';
import { EngineService } from '../service/engine-service';
import { PathAllowlist } from '../service/path-allowlist';
import { RecentPathsStore } from '../service/recent-paths-store';
import { APP_FOLDER_NAME, HISTORY_DIR_ENV, historyDir, RunHistory } from '../service/run-history';
import type { RunHostFactory } from '../service/run-host';
import { electronPlatform } from './electron-platform';
import { forwardProgress, registerDropGrants, registerIpcHandlers } from './ipc-main';
import { createRequestHandlers } from './request-handlers';
import { createSenderCheck } from './sender-check';

export interface DesktopWiringDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;
  /** Electron's `BrowserWindow.fromWebContents`. */
  fromWebContents: (contents: WebContents) => BrowserWindow | null;
  /** The windows this app created (only they may call the service; they get progress). */
  windows: () => Iterable<BrowserWindow>;
  /** Electron's `BrowserWindow.getFocusedWindow`, the parent of dialogs. */
  focusedWindow: () => BrowserWindow | null;
  dialog: Pick<Dialog, 'showOpenDialog'>;
  shell: Pick<Shell, 'showItemInFolder'>;
  /** Where runs are hosted (a utilityProcess in the app, a child process in tests). */
  hosts: RunHostFactory;
  /** `app.getPath('userData')`: remembered paths and run history. */
  userData: string;
  /** `app.getPath('documents')`: the default output folder goes under it. */
  documents: string;
  /** The sample data shipped with the app. */
  sampleDir: string;
  env?: NodeJS.ProcessEnv;
}

export interface DesktopWiring {
  service: EngineService;
  allowlist: PathAllowlist;
  /** The request handlers behind the IPC channels (after the sender check). */
  handle: (channel: string, payload: unknown) => Promise<Result<unknown>>;
  /** Removes the IPC handlers and listeners and ends a run in progress. */
  dispose(): Promise<void>;
}

/** The default output folder: `<Documents>/Benefits Engagement ETL/output`. */
export function defaultOutputDir(documents: string): string {
  return path.join(documents, APP_FOLDER_NAME, 'output');
}

/** Wires the service to Electron's IPC; see the file comment. */
export function wireDesktop(deps: DesktopWiringDeps): DesktopWiring {
  const env = deps.env ?? process.env;
  // The same folder the CLI and browser mode use (run-history.ts): userData, unless overridden.
  const historyFolder = env[HISTORY_DIR_ENV] ? historyDir(env) : path.join(deps.userData, 'run-history');
  const service = new EngineService({
    hosts: deps.hosts,
    history: { store: new RunHistory(historyFolder), source: 'app' },
  });
  const allowlist = new PathAllowlist();
  const platform = electronPlatform({
    recent: new RecentPathsStore(path.join(deps.userData, 'recent-paths.json')),
    sampleDir: deps.sampleDir,
    defaultOutDir: defaultOutputDir(deps.documents),
    dialog: deps.dialog,
    shell: deps.shell,
    parentWindow: () => deps.focusedWindow() ?? [...deps.windows()][0],
  });
  const { handle } = createRequestHandlers({ service, platform, allowlist });
  const isTrustedSender = createSenderCheck({ fromWebContents: deps.fromWebContents, ownWindows: deps.windows });
  const unregister = registerIpcHandlers({ ipcMain: deps.ipcMain, isTrustedSender, handle });
  const ungrant = registerDropGrants({
    ipcMain: deps.ipcMain,
    isTrustedSender,
    grant: (p) => allowlist.allowFile(p),
  });
  const unforward = forwardProgress((l) => service.onProgress(l), deps.windows);
  return {
    service,
    allowlist,
    handle,
    async dispose() {
      unforward();
      ungrant();
      unregister();
      await service.dispose();
    },
  };
}
