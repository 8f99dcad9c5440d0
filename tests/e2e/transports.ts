/**
 * The two ways the UI reaches the engine, for e2e scenarios that run on both: `desktop` (the
 * real preload bridge and main wiring, desktop/desktop-harness.ts) and `browser` (browser mode's
 * HTTP server as a child process, harness.ts). Each session is its own app or server, browser
 * context, page and folders, so no test depends on another's state or order.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { HISTORY_DIR_ENV } from '../../electron/service/run-history';
import { defaultOutputDir } from '../../electron/transport/desktop-wiring';
import { launchDesktop, osDrop, type DesktopApp } from './desktop/desktop-harness';
import { startServer } from './harness';

export type TransportName = 'desktop' | 'browser';

export interface Session {
  transport: TransportName;
  /** The app's page; a new one after `restart()`. */
  page: Page;
  /** Where this session's runs write (desktop: Documents/Benefits Engagement ETL/output). */
  outDir: string;
  /** This session's private run history (desktop: userData/run-history; browser: the server's ETL_HISTORY_DIR). */
  historyDir: string;
  /** A private scratch folder, removed at close. */
  tmp: string;
  /** Drops files from disk on the drop zone, as the OS does. */
  dropFiles(paths: string[]): Promise<void>;
  /** Clicks "Choose files…" and picks these files (native dialog or the page's file chooser). */
  chooseFiles(paths: string[]): Promise<void>;
  /**
   * Closes the app (desktop) or stops the server (browser) and opens it again over the same
   * userData / history and output folders; `page` is then the new page.
   */
  restart(): Promise<void>;
  /** Page errors and console errors (CSP violations show up there). */
  problems: string[];
  /** The desktop app, when transport is desktop. */
  desktop?: DesktopApp;
}

function watchProblems(page: Page, problems: string[]): void {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
}

async function openDesktop(browser: Browser, colorScheme: 'light' | 'dark') {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'etl-e2e-desktop-'));
  const documents = path.join(tmp, 'Documents');
  const userData = path.join(tmp, 'userData');
  const launch = async () => {
    const app = await launchDesktop(browser, { userData, documents, colorScheme });
    watchProblems(app.page, problems);
    return app;
  };
  const problems: string[] = [];
  let desktop = await launch();
  const session: Session = {
    transport: 'desktop',
    page: desktop.page,
    outDir: defaultOutputDir(documents),
    historyDir: path.join(userData, 'run-history'),
    tmp,
    problems,
    desktop,
    dropFiles: (paths) => desktop.dropFiles('[data-testid="drop-zone"]', paths),
    async chooseFiles(paths) {
      desktop.answerNextOpenDialog(paths);
      await desktop.page.getByRole('button', { name: 'Choose files…' }).click();
    },
    async restart() {
      await desktop.close();
      desktop = await launch();
      session.page = desktop.page;
      session.desktop = desktop;
    },
  };
  return { session, close: () => desktop.close() };
}

async function openBrowser(browser: Browser, colorScheme: 'light' | 'dark') {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'etl-e2e-browser-'));
  const outDir = path.join(tmp, 'out');
  const history = path.join(tmp, 'history');
  await mkdir(outDir);
  const problems: string[] = [];
  const open = async () => {
    // A private history folder, never the user's own.
    const server = await startServer(outDir, { env: { [HISTORY_DIR_ENV]: history } });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
    const page = await context.newPage();
    watchProblems(page, problems);
    await page.goto(server.url);
    return {
      page,
      close: async () => {
        await context.close();
        await server.stop();
      },
    };
  };
  let current = await open();
  const session: Session = {
    transport: 'browser',
    page: current.page,
    outDir,
    historyDir: history,
    tmp,
    problems,
    dropFiles: (paths) => osDrop(session.page, '[data-testid="drop-zone"]', paths),
    async chooseFiles(paths) {
      const chooser = session.page.waitForEvent('filechooser');
      await session.page.getByRole('button', { name: 'Choose files…' }).click();
      await (await chooser).setFiles(paths);
    },
    async restart() {
      await current.close();
      current = await open();
      session.page = current.page;
    },
  };
  return { session, close: () => current.close() };
}

export const TRANSPORTS: TransportName[] = ['desktop', 'browser'];

/**
 * Runs `body` in a fresh session of `transport`, then checks the page logged no errors and no
 * Content Security Policy violations, and closes everything.
 */
export async function withSession(
  browser: Browser,
  transport: TransportName,
  body: (s: Session) => Promise<void>,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<void> {
  const open = transport === 'desktop' ? openDesktop : openBrowser;
  const { session, close } = await open(browser, options.colorScheme ?? 'light');
  try {
    await body(session);
    assert.deepEqual(
      session.problems.filter((p) => p.startsWith('page error') || /Content Security Policy|Refused to/i.test(p)),
      [],
      'no page errors and no CSP violations',
    );
  } finally {
    await close();
    await rm(session.tmp, { recursive: true, force: true });
  }
}
