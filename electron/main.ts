/**
 * The desktop app's main process, kept thin: the window, the app:// protocol, the menu, and
 * `wireDesktop` (transport/desktop-wiring.ts), which connects the engine service (runs hosted in
 * a utilityProcess) to the IPC transport; the desktop e2e harness calls that same function.
 */
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  utilityProcess,
  type BrowserWindowConstructorOptions,
} from 'electron';
import { MENU_COMMAND_CHANNEL, type MenuCommand } from '../shared/service-contract';
import { utilityProcessRunHost } from './service/utility-process-run-host';
import { buildMenuTemplate } from './transport/app-menu';
import { APP_SCHEME_PRIVILEGES, serveAppProtocol } from './transport/app-protocol';
import { wireDesktop } from './transport/desktop-wiring';
import { APP_ORIGIN, isAppUrl } from './transport/sender-check';

/** The main window's options; a test asserts on the security-relevant ones. */
export function getMainWindowOptions(
  preloadPath = path.join(__dirname, 'preload.js'),
): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    title: 'Benefits Engagement ETL',
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

const windows = new Set<BrowserWindow>();

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(getMainWindowOptions());
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

/** No navigation away from the UI, no new windows, no webviews, no permissions. */
function lockDown(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function start(): void {
  // A second launch focuses the running app instead of starting a second service.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  protocol.registerSchemesAsPrivileged(APP_SCHEME_PRIVILEGES);
  app.on('second-instance', () => {
    const win = [...windows][0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.whenReady().then(() => {
    lockDown();
    serveAppProtocol(protocol, path.join(__dirname, '..', 'renderer'));

    const sampleDir = app.isPackaged ? path.join(process.resourcesPath, 'data') : path.join(app.getAppPath(), 'data');
    const wiring = wireDesktop({
      ipcMain,
      fromWebContents: (wc) => BrowserWindow.fromWebContents(wc),
      windows: () => windows,
      focusedWindow: () => BrowserWindow.getFocusedWindow(),
      dialog,
      shell,
      hosts: utilityProcessRunHost(utilityProcess.fork, path.join(__dirname, 'run-worker.js'), scanWorkerScript()),
      userData: app.getPath('userData'),
      documents: app.getPath('documents'),
      sampleDir,
    });

    const sendMenuCommand = (command: MenuCommand) => {
      const win = BrowserWindow.getFocusedWindow() ?? [...windows][0];
      if (win && windows.has(win)) win.webContents.send(MENU_COMMAND_CHANNEL, command);
    };
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildMenuTemplate(sendMenuCommand, { isMac: process.platform === 'darwin', isDev: !app.isPackaged }),
      ),
    );

    createWindow();
    app.on('activate', () => {
      if (windows.size === 0) createWindow();
    });
    app.on('before-quit', () => void wiring.dispose());
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

// Importing this file outside Electron (tests read getMainWindowOptions) must not start an app.
if (process.versions.electron && typeof app === 'object' && app) start();

/**
 * The engine's scan threads cannot load a script from inside app.asar, so a packaged app ships
 * it unpacked (`asarUnpack` in package.json) and the engine is told where.
 */
function scanWorkerScript(): string {
  const script = path.join(__dirname, 'scan-worker.js');
  return app.isPackaged ? script.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`) : script;
}
