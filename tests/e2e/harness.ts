/**
 * Shared set-up for the e2e tests: browser mode (`electron/cli/serve.ts`) as a child process
 * with its own output folder, and a local Chromium (see find-chromium.ts) driven by playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { findChromium } from './find-chromium';

export const root = path.resolve(__dirname, '../..');
export const screenshotDir = path.join(root, 'tests/e2e/screenshots');

export interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `electron/cli/serve.ts --port 0 --out <outDir>` and resolves with the printed URL;
 * `env` is added to the child's environment (e.g. a private ETL_HISTORY_DIR).
 */
export function startServer(outDir: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<Server> {
  // Node itself with tsx as a loader: node_modules/.bin/tsx is a shell script (tsx.cmd on Windows).
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/serve.ts', '--port', '0', '--out', outDir], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Open: (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5000).unref();
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Dispatches a drop made by script: a DataTransfer of Files built in the page from `files`
 * (untrusted events, Files with no path on disk), as a page could do on its own.
 */
export async function scriptedDrop(page: Page, files: { name: string; content: string }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.content], f.name));
    return dt;
  }, files);
  const zone = page.getByTestId('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
}

/**
 * Generates a million-event NDJSON input and its users into `dir` with the project's generator
 * (`npm run generate`); the paths of the two files.
 */
export function generateMillionEvents(dir: string): { events: string; users: string } {
  const args = ['--events', '1000000', '--users', '1000', '--format', 'ndjson', '--out', dir];
  const gen = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/generate.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(gen.status, 0, gen.stderr);
  return { events: path.join(dir, 'raw_events.ndjson'), users: path.join(dir, 'users.csv') };
}

const AXE_SCRIPT = `axe.run(document, { resultTypes: ['violations'] }).then((results) =>
  results.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .flatMap((v) => v.nodes.map((n) => v.impact + ' ' + v.id + ': ' + n.target.join(' ') + ' | ' + (n.failureSummary || '').replace(/\\s+/g, ' ')))
)`;
let axeSource: string | undefined;

/**
 * axe-core's critical and serious violations on the page as it is, as readable lines. Its source
 * goes in through `evaluate`: the app's CSP (and the HTML report's) forbid script tags.
 */
export async function axeViolations(p: Page): Promise<string[]> {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await p.evaluate(() => 'axe' in window))) await p.evaluate(axeSource);
  return p.evaluate(AXE_SCRIPT) as Promise<string[]>;
}

/**
 * Waits until no data table is loading: a table keeps its previous rows, dimmed and marked
 * aria-busy, while a new sort or filter loads, and what a test reads or checks then is the old view.
 */
export async function tablesSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.vt-loading, .vt-stale, .vt [aria-busy="true"]'));
}

/**
 * The text of `locator` once it equals `expected`, or its last text after `boundMs`: for values
 * the UI fills in after a load, so the caller's assertion compares the settled value.
 */
export async function settledText(locator: Locator, expected: string, boundMs = 30_000): Promise<string | null> {
  const until = Date.now() + boundMs;
  let text = await locator.textContent();
  while (text !== expected && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    text = await locator.textContent();
  }
  return text;
}

/** Asserts that `locator` comes to read exactly `expected`: the UI fills values in after a load or a filter. */
export async function assertText(locator: Locator, expected: string): Promise<void> {
  assert.equal(await settledText(locator, expected), expected);
}

/**
 * Clicks Run and waits until that run has finished. The status line still says "finished" for
 * the last run when Run is clicked, so waiting for the status alone can return before this run
 * has even started: it counts finished runs (`data-runs`) instead.
 */
export async function runToEnd(page: Page, timeout = 120_000): Promise<void> {
  const status = page.getByTestId('run-status');
  const before = Number(await status.getAttribute('data-runs'));
  await page.getByTestId('run').click();
  await page
    .locator(`[data-testid="run-status"][data-status="finished"][data-runs="${before + 1}"]`)
    .waitFor({ timeout });
}
