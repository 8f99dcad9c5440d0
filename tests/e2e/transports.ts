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
import { defaultOutputDir } from '../../electron/transport/desktop-wiring';
import { launchDesktop, osDrop, type DesktopApp } from './desktop/desktop-harness';
import { startServer } from './harness';

export type TransportName = 'desktop' | 'browser';

export interface Session {
  transport: TransportName;
  page: Page;
  /** Where this session's runs write (desktop: Documents/Benefits Engagement ETL/output). */
  outDir: string;
  /** A private scratch folder, removed at close. */
  tmp: string;
  /** Drops files from disk on the drop zone, as the OS does. */
  dropFiles(paths: string[]): Promise<void>;
  /** Clicks "Choose files…" and picks these files (native dialog or the page's file chooser). */
  chooseFiles(paths: string[]): Promise<void>;
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
  const desktop = await launchDesktop(browser, { userData: path.join(tmp, 'userData'), documents, colorScheme });
  const problems: string[] = [];
  watchProblems(desktop.page, problems);
  const session: Session = {
    transport: 'desktop',
    page: desktop.page,
    outDir: defaultOutputDir(documents),
    tmp,
    problems,
    desktop,
    dropFiles: (paths) => desktop.dropFiles('[data-testid="drop-zone"]', paths),
    async chooseFiles(paths) {
      desktop.answerNextOpenDialog(paths);
      await desktop.page.getByRole('button', { name: 'Choose files…' }).click();
    },
  };
  return { session, close: () => desktop.close() };
}

async function openBrowser(browser: Browser, colorScheme: 'light' | 'dark') {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'etl-e2e-browser-'));
  const outDir = path.join(tmp, 'out');
  await mkdir(outDir);
  const server = await startServer(outDir);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  watchProblems(page, problems);
  await page.goto(server.url);
  const session: Session = {
    transport: 'browser',
    page,
    outDir,
    tmp,
    problems,
    dropFiles: (paths) => osDrop(page, '[data-testid="drop-zone"]', paths),
    async chooseFiles(paths) {
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Choose files…' }).click();
      await (await chooser).setFiles(paths);
    },
  };
  return {
    session,
    close: async () => {
      await context.close();
      await server.stop();
    },
  };
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
