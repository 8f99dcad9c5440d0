/**
 * The desktop app in Chromium, for the e2e tests: the real built renderer, served by the real
 * app:// protocol handler (`serveAppProtocol`, reached at http://etl.localhost through a
 * Playwright route); the real preload (`electron/preload.ts`, bundled with `electron` resolved to
 * ./electron-renderer-stand-in.ts); and the real main-process wiring (`wireDesktop`) in this
 * Node process, exactly as electron/main.ts calls it.
 *
 * Stood in, because they cannot run outside Electron, and nothing else: the ipcRenderer/ipcMain
 * pair (Playwright bindings one way, `page.evaluate` the other), the sender's webContents and
 * frame, `webUtils.getPathForFile`, `dialog` and `shell`. Runs are hosted in a child Node
 * process from the bundled run worker, as in browser mode (the app uses a utilityProcess).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserWindow, IpcMain, OpenDialogOptions, Protocol, WebContents } from 'electron';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { buildRunWorker } from '../../../electron/cli/build';
import { forkRunHost } from '../../../electron/service/fork-run-host';
import { serveAppProtocol } from '../../../electron/transport/app-protocol';
import { wireDesktop, type DesktopWiring } from '../../../electron/transport/desktop-wiring';
import { APP_ORIGIN } from '../../../electron/transport/sender-check';

const root = path.resolve(__dirname, '../../..');
/** Where the page is served; a *.localhost origin is a secure context, like app://. */
export const DESKTOP_ORIGIN = 'http://etl.localhost';

let preloadBundle: Promise<string> | null = null;

/** electron/preload.ts bundled for the page, with the stand-in `electron` module. */
function bundlePreload(): Promise<string> {
  preloadBundle ??= build({
    entryPoints: [path.join(root, 'electron/preload.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    alias: { electron: path.join(__dirname, 'electron-renderer-stand-in.ts') },
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0].text);
  return preloadBundle;
}

let runWorker: Promise<string> | null = null;

/** What the page's frame is, as Electron reports it to main: our page is at app://etl. */
function frameUrl(frame: Frame): string {
  const url = frame.url();
  return url.startsWith(`${DESKTOP_ORIGIN}/`) ? APP_ORIGIN + url.slice(DESKTOP_ORIGIN.length) : url;
}

export interface DesktopOptions {
  /** Electron's userData folder: remembered paths, run history. Reuse it to relaunch. */
  userData: string;
  /** Electron's documents folder: the default output folder goes under it. */
  documents: string;
  colorScheme?: 'light' | 'dark';
}

export interface DesktopApp {
  page: Page;
  context: BrowserContext;
  wiring: DesktopWiring;
  /** The paths the next native open dialog returns (then it is cancelled again). */
  answerNextOpenDialog(paths: string[]): void;
  /** Every native open dialog shown, with its options. */
  dialogs: OpenDialogOptions[];
  /** Every path shown in the file manager. */
  shownInFolder: string[];
  /** Resolves with the next path shown in the file manager. */
  nextShowInFolder(): Promise<string>;
  /** Drops files from disk on the element, as the OS does (trusted events carrying real files). */
  dropFiles(selector: string, paths: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Opens the desktop app: a new browser context and page, wired to a new `wireDesktop`. */
export async function launchDesktop(browser: Browser, options: DesktopOptions): Promise<DesktopApp> {
  runWorker ??= buildRunWorker();
  const [preload, worker] = await Promise.all([bundlePreload(), runWorker]);
  await mkdir(options.userData, { recursive: true });
  await mkdir(options.documents, { recursive: true });

  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  // The real app:// handler answers every request for the page's origin.
  let appHandler: ((request: Request) => Promise<Response>) | null = null;
  serveAppProtocol(
    {
      handle: (_scheme: string, handler: (request: Request) => Promise<Response>) => (appHandler = handler),
    } as unknown as Pick<Protocol, 'handle'>,
    path.join(root, 'dist/renderer'),
  );
  await context.route(`${DESKTOP_ORIGIN}/**`, async (route) => {
    const url = APP_ORIGIN + route.request().url().slice(DESKTOP_ORIGIN.length);
    const res = await appHandler!(new Request(url));
    await route.fulfill({
      status: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body: Buffer.from(await res.arrayBuffer()),
    });
  });
  const page = await context.newPage();

  // ipcMain: the handlers and listeners the wiring registers.
  const handlers = new Map<string, (event: unknown, payload: unknown) => unknown>();
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const ipcMain = {
    handle: (channel: string, h: (event: unknown, payload: unknown) => unknown) => void handlers.set(channel, h),
    removeHandler: (channel: string) => void handlers.delete(channel),
    on(channel: string, l: (event: unknown, payload: unknown) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
      return ipcMain;
    },
    removeListener(channel: string, l: (event: unknown, payload: unknown) => void) {
      listeners.get(channel)?.delete(l);
      return ipcMain;
    },
  };
  // The window and its webContents: main sends to the page through page.evaluate, in order.
  let sending = Promise.resolve();
  const webContents = {
    send(channel: string, payload: unknown) {
      sending = sending.then(() =>
        page
          .evaluate(
            ([c, p]) => (window as unknown as { __etlIpcEmit?: (c: string, p: unknown) => void }).__etlIpcEmit?.(c, p),
            [channel, payload] as const,
          )
          .catch(() => undefined),
      );
    },
    isDestroyed: () => page.isClosed(),
  } as unknown as WebContents;
  const win = { webContents } as unknown as BrowserWindow;
  const event = (frame: Frame) => ({
    sender: webContents,
    senderFrame: { url: frameUrl(frame), parent: frame.parentFrame() },
  });
  await page.exposeBinding('__etlIpcInvoke', async ({ frame }, channel: string, payload: unknown) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event(frame), payload);
  });
  await page.exposeBinding('__etlIpcSend', ({ frame }, channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l(event(frame), payload);
  });

  const dialogs: OpenDialogOptions[] = [];
  const shownInFolder: string[] = [];
  let nextOpen: string[] | null = null;
  const folderWaiters: ((p: string) => void)[] = [];
  const wiring = wireDesktop({
    ipcMain: ipcMain as unknown as IpcMain,
    fromWebContents: (wc) => (wc === webContents ? win : null),
    windows: () => (page.isClosed() ? [] : [win]),
    focusedWindow: () => win,
    dialog: {
      showOpenDialog: (async (...args: unknown[]) => {
        dialogs.push(args[args.length - 1] as OpenDialogOptions);
        const filePaths = nextOpen ?? [];
        nextOpen = null;
        return { canceled: filePaths.length === 0, filePaths };
      }) as never,
    },
    shell: {
      showItemInFolder(p: string) {
        shownInFolder.push(p);
        for (const resolve of folderWaiters.splice(0)) resolve(p);
      },
    },
    hosts: forkRunHost(worker),
    userData: options.userData,
    documents: options.documents,
    sampleDir: path.join(root, 'data'),
    env: {},
  });

  await page.addInitScript({ content: preload });
  await page.goto(`${DESKTOP_ORIGIN}/index.html`);

  return {
    page,
    context,
    wiring,
    dialogs,
    shownInFolder,
    nextShowInFolder: () => new Promise<string>((resolve) => folderWaiters.push(resolve)),
    answerNextOpenDialog: (paths) => (nextOpen = paths),
    dropFiles: (selector, paths) => osDrop(page, selector, paths),
    async close() {
      await wiring.dispose();
      await context.close();
    },
  };
}

/**
 * Drops files from disk as the OS does: Chromium's Input.dispatchDragEvent with the files' paths
 * makes trusted dragenter/dragover/drop events whose Files are the real files. The page's
 * webUtils stand-in is told the paths, which Electron knows for such Files.
 */
export async function osDrop(page: Page, selector: string, paths: string[]): Promise<void> {
  await page.evaluate(
    (byName) => ((window as unknown as { __etlOsDropPaths?: Record<string, string> }).__etlOsDropPaths = byName),
    Object.fromEntries(paths.map((p) => [path.basename(p), p])),
  );
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible; cannot drop on it`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  try {
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
    }
  } finally {
    await cdp.detach();
  }
}
