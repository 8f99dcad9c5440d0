/**
 * Run history, comparison, Preview filter / profile / copy, and the shareable HTML report, on
 * both transports (transports.ts) against the real engine service. Each test is its own session
 * with a private history folder: a CLI run (half the sample, plus hostile values) and an app run
 * of the whole sample land in it; the history must list both after the app or server restarts,
 * and comparing them must show the stage deltas of their run_report.json files. Expected numbers
 * are counted here from the Parquet files' rows in JS.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import pl from 'nodejs-polars';
import type { Browser, Page } from 'playwright-core';
import { main as etlMain } from '../../electron/cli/etl';
import { HTML_REPORT_FILE } from '../../electron/service/html-report';
import { HISTORY_DIR_ENV } from '../../electron/service/run-history';
import { OUTPUT_FILES, type RunReport } from '../../shared/pipeline';
import { assertText, axeViolations, launchBrowser, root, screenshot } from './harness';
import { TRANSPORTS, withSession, type Session } from './transports';

const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);
const HOSTILE = `<script>document.title='pwned'</script>`;
const SOURCE_LABEL = { desktop: /Desktop app/, browser: /Browser mode/ } as const;

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const readReport = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, OUTPUT_FILES.runReport), 'utf8')) as RunReport;

const readClean = (outDir: string) =>
  pl.readParquet(path.join(outDir, OUTPUT_FILES.cleanEvents)).toRecords() as Record<string, unknown>[];

/**
 * A CLI run into the session's history folder: the first half of the sample events, and two
 * with hostile text. Returns its output folder.
 */
async function cliRun(s: Session): Promise<string> {
  const cliOut = path.join(s.tmp, 'cli-out');
  const events = JSON.parse(await readFile(path.join(root, 'data/raw_events.json'), 'utf8')) as unknown[];
  const half = events.slice(0, Math.floor(events.length / 2));
  // First in the file, so they are the first examples of their drop reasons in the report.
  half.unshift(
    { user_id: HOSTILE, event_type: 'login', timestamp: '2025-01-03T00:00:00Z', metadata: {} },
    { user_id: 'u00871', event_type: 'login', timestamp: `<img src=x onerror="document.title='pwned'">` },
  );
  await writeFile(path.join(s.tmp, 'half.json'), JSON.stringify(half));
  const quiet = process.stderr.write;
  const previous = process.env[HISTORY_DIR_ENV];
  process.stderr.write = (() => true) as typeof process.stderr.write;
  process.env[HISTORY_DIR_ENV] = s.historyDir;
  try {
    const code = await etlMain([
      '--events',
      path.join(s.tmp, 'half.json'),
      '--users',
      path.join(root, 'data/users.csv'),
      '--out',
      cliOut,
      '--quiet',
    ]);
    assert.equal(code, 0);
  } finally {
    process.stderr.write = quiet;
    if (previous === undefined) delete process.env[HISTORY_DIR_ENV];
    else process.env[HISTORY_DIR_ENV] = previous;
  }
  return cliOut;
}

/** Runs the sample data in the app, to the end. */
async function appRun(s: Session): Promise<void> {
  const page = s.page;
  await page.getByRole('button', { name: 'Use sample data' }).click();
  await page.locator('[data-testid="run"]:not([disabled])').click();
  const status = page.locator(
    '[data-testid="run-status"][data-status="finished"], [data-testid="run-status"][data-status="failed"]',
  );
  await status.waitFor({ timeout: 120_000 });
  if ((await status.getAttribute('data-status')) !== 'finished') {
    await screenshot(page, `${s.transport}-explore-run-failed`);
    assert.fail(`the run did not finish: ${await page.locator('main').textContent()}`);
  }
}

/** Opens Preview outputs and waits for the first rows. */
async function openPreview(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Preview outputs' }).click();
  await page.locator('.vt-scroller[aria-busy="false"] .vt-rows [role="row"]:not(.vt-row-loading)').first().waitFor();
}

/** Lets the page use the clipboard API, the same way on both transports (a page of its origin). */
async function allowClipboard(page: Page): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
}

for (const transport of TRANSPORTS) {
  test(`${transport}: an app run joins the CLI run in the history; two runs compare stage by stage`, () =>
    withSession(browser, transport, async (s) => {
      const cliOut = await cliRun(s);
      await appRun(s);
      const page = s.page;
      await page.getByRole('tab', { name: 'History' }).click();
      const rows = page.locator('.history-table tbody tr');
      await rows.nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      assert.match((await rows.nth(0).textContent()) ?? '', SOURCE_LABEL[transport]);
      assert.match((await rows.nth(1).textContent()) ?? '', /Command line/);
      const [appReport, cliReport] = [await readReport(s.outDir), await readReport(cliOut)];
      assert.match((await rows.nth(0).textContent()) ?? '', new RegExp(appReport.inputs[0].sha256.slice(0, 8)));
      assert.match((await rows.nth(1).textContent()) ?? '', new RegExp(fmt(cliReport.stages[0].rows_in)));

      await rows.nth(0).getByRole('checkbox').check();
      await rows.nth(1).getByRole('checkbox').check();
      const comparison = page.getByTestId('comparison');
      await comparison.waitFor();
      // The CLI run is the earlier one, so it is the base: each stage's drops, before → after.
      for (const stage of appReport.stages) {
        const before = cliReport.stages.find((st) => st.name === stage.name)!;
        const dropsBefore = before.rows_in - before.rows_out;
        const dropsAfter = stage.rows_in - stage.rows_out;
        const cells = await comparison.locator(`tr[data-stage="${stage.name}"] td`).allTextContents();
        assert.equal(cells[2], fmt(dropsBefore), stage.name);
        assert.equal(cells[3], fmt(dropsAfter), stage.name);
        const delta = dropsAfter - dropsBefore;
        assert.match(cells[4], new RegExp(`^${delta > 0 ? '\\+' : delta < 0 ? '−' : ''}${fmt(Math.abs(delta))} `));
      }
      const nonUsBefore = cliReport.stages[5].rows_in - cliReport.stages[5].rows_out;
      const nonUsAfter = appReport.stages[5].rows_in - appReport.stages[5].rows_out;
      const pct = (((nonUsAfter - nonUsBefore) / nonUsBefore) * 100).toFixed(0);
      await comparison.getByText(`Non-US user drops up ${pct}% (${fmt(nonUsBefore)} → ${fmt(nonUsAfter)})`).waitFor();
      await screenshot(page, `${transport}-explore-01-history-compare`);
    }));

  test(`${transport}: the history survives a restart of the ${transport === 'desktop' ? 'app' : 'server'}`, () =>
    withSession(browser, transport, async (s) => {
      await cliRun(s);
      await appRun(s);
      await s.restart();
      const page = s.page;
      await page.getByRole('tab', { name: 'History' }).click();
      const rows = page.locator('.history-table tbody tr');
      await rows.nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      assert.match((await rows.nth(0).textContent()) ?? '', SOURCE_LABEL[transport]);
      assert.match((await rows.nth(1).textContent()) ?? '', /Command line/);
    }));

  test(`${transport}: Preview says which run it shows, filters in the service, and keeps the grid during a sort`, () =>
    withSession(browser, transport, async (s) => {
      await appRun(s);
      const page = s.page;
      await page.getByRole('tab', { name: 'Preview outputs' }).click();
      const report = await readReport(s.outDir);
      const badge = page.getByTestId('run-badge');
      await badge.getByText(`${report.started_at.slice(0, 10)} ${report.started_at.slice(11, 16)} UTC`).waitFor();
      assert.match(
        (await badge.textContent()) ?? '',
        new RegExp(`raw_events.json ${report.inputs[0].sha256.slice(0, 8)}`),
      );
      await page.locator('.vt-rows [role="row"]:not(.vt-row-loading)').first().waitFor();

      const clean = readClean(s.outDir);
      await page.getByLabel('Filter', { exact: true }).selectOption('device');
      await page.getByLabel('How to match').selectOption('contains');
      await page.getByLabel('Value').fill('MOB');
      await page.getByRole('button', { name: 'Apply' }).click();
      const mobile = clean.filter((r) => typeof r.device === 'string' && r.device.toLowerCase().includes('mob')).length;
      assert.ok(mobile > 0 && mobile < clean.length);
      await page.getByTestId('row-count').getByText(fmt(mobile), { exact: true }).waitFor();

      await page.getByLabel('How to match').selectOption('range');
      await page.getByLabel('Filter', { exact: true }).selectOption('value');
      await page.getByLabel('From (inclusive)').fill('10');
      await page.getByLabel('To (inclusive)').fill('50');
      await page.getByRole('button', { name: 'Apply' }).click();
      const ranged = clean.filter((r) => typeof r.value === 'number' && r.value >= 10 && r.value <= 50).length;
      await page.getByTestId('row-count').getByText(fmt(ranged), { exact: true }).waitFor();
      await page
        .locator('.vt-scroller[aria-busy="false"] .vt-rows [role="row"]:not(.vt-row-loading)')
        .first()
        .waitFor();

      // While the sorted view is computed the old rows stay: a watcher records if the grid ever empties.
      // (A string, so the test's compiler adds no helper the page lacks.)
      await page.evaluate(`
        window.emptied = false;
        window.watcher = new MutationObserver(() => {
          if (document.querySelectorAll('.vt-rows [role="row"]:not(.vt-row-loading)').length === 0) window.emptied = true;
        });
        window.watcher.observe(document.querySelector('.preview-panel'), { childList: true, subtree: true, attributes: true });
      `);
      await page
        .locator('.vt-header')
        .getByRole('button', { name: /^value/ })
        .click();
      await page.locator('.vt-scroller[aria-busy="false"] [role="columnheader"][aria-sort="ascending"]').waitFor();
      const emptied = await page.evaluate('window.watcher.disconnect(), window.emptied');
      assert.equal(emptied, false, 'the grid stayed visible while the sort loaded');
      const firstValue = await page
        .locator('.vt-rows [role="row"]')
        .first()
        .locator('[role="cell"]')
        .nth(6)
        .textContent();
      const inRange = clean.map((r) => r.value).filter((v): v is number => typeof v === 'number' && v >= 10 && v <= 50);
      assert.equal(firstValue, String(Math.min(...inRange)), 'the smallest value in the range comes first');
      await screenshot(page, `${transport}-explore-02-filter`);
    }));

  test(`${transport}: the column profile matches the counts of the file, and follows the filter`, () =>
    withSession(browser, transport, async (s) => {
      await appRun(s);
      const page = s.page;
      await openPreview(page);
      await page.getByLabel('Profile a column').selectOption('device');
      const clean = readClean(s.outDir);
      const devices = clean.map((r) => r.device as string | null);
      const nulls = devices.filter((d) => d === null).length;
      const distinct = new Set(devices.filter((d) => d !== null)).size;
      await page.getByTestId('profile-distinct').getByText(fmt(distinct), { exact: true }).waitFor();
      assert.match((await page.getByTestId('profile-nulls').textContent()) ?? '', new RegExp(`^${fmt(nulls)} `));
      const counts = new Map<string, number>();
      for (const d of devices) if (d !== null) counts.set(d, (counts.get(d) ?? 0) + 1);
      const [topValue, topCount] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
      const firstBar = page.locator('.profile-bars tbody tr').first();
      await assertText(firstBar.locator('.profile-label'), topValue);
      await assertText(firstBar.locator('.profile-count'), fmt(topCount));

      await page.getByLabel('Profile a column').selectOption('value');
      const values = clean.map((r) => r.value as number | null).filter((v): v is number => v !== null);
      await page
        .getByTestId('profile-max')
        .getByText(String(Math.max(...values)), { exact: true })
        .waitFor();
      await assertText(page.getByTestId('profile-min'), String(Math.min(...values)));
      await screenshot(page, `${transport}-explore-03-profile`);
    }));

  test(`${transport}: copy a cell, a row and the visible rows as TSV`, () =>
    withSession(browser, transport, async (s) => {
      await appRun(s);
      const page = s.page;
      await allowClipboard(page);
      await openPreview(page);
      // Back to the file's own order: the sort goes ascending → descending → off.
      const sortValue = page.locator('.vt-header').getByRole('button', { name: /^value/ });
      await sortValue.click();
      await page.locator('.vt-scroller[aria-busy="false"] [role="columnheader"][aria-sort="ascending"]').waitFor();
      await sortValue.click();
      await page.locator('[role="columnheader"][aria-sort="descending"]').waitFor();
      await sortValue.click();
      await page.locator('.vt-scroller[aria-busy="false"]').waitFor();
      assert.equal(
        await page
          .locator('[role="columnheader"][aria-sort="descending"], [role="columnheader"][aria-sort="ascending"]')
          .count(),
        0,
      );
      await page
        .locator('.vt-scroller[aria-busy="false"] .vt-rows [role="row"]:not(.vt-row-loading)')
        .first()
        .waitFor();
      const header = await page.locator('.vt-header [role="columnheader"]').allTextContents();
      const names = header.slice(1).map((h) => h.replace(/[↕▲▼]/g, '').trim());
      const firstRow = page.locator('.vt-rows [role="row"]').first();
      await firstRow.locator('[role="cell"]').nth(1).click(); // user_id of row 1
      await page.getByRole('button', { name: 'Copy cell' }).click();
      await page.getByText('Copied the cell.').waitFor();
      const clean = readClean(s.outDir);
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), clean[0].user_id);

      await page.getByRole('button', { name: 'Copy row' }).click();
      await page.getByText('Copied row 1 with its header.').waitFor();
      const rowText = await page.evaluate(() => navigator.clipboard.readText());
      const [head, line] = rowText.split('\n');
      assert.deepEqual(head.split('\t'), names);
      const cells = line.split('\t');
      assert.equal(cells[names.indexOf('user_id')], clean[0].user_id);
      assert.equal(cells[names.indexOf('event_type')], clean[0].event_type ?? '');

      await page.getByRole('button', { name: 'Copy visible rows' }).click();
      const status = await page.getByText(/^Copied [\d,]+ visible rows with the header\.$/).textContent();
      const n = Number(/Copied ([\d,]+)/.exec(status!)![1].replace(/,/g, ''));
      const all = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
      assert.equal(all.length, n + 1);
      assert.ok(n >= 10, `${n} rows visible`);
      assert.deepEqual(
        all.slice(1).map((l) => l.split('\t')[names.indexOf('user_id')]),
        clean.slice(0, n).map((r) => r.user_id),
      );
    }));

  test(`${transport}: the HTML report: saved from the UI, and it opens in Chromium with hostile values as inert text`, () =>
    withSession(browser, transport, async (s) => {
      const cliOut = await cliRun(s);
      await appRun(s);
      const page = s.page;
      await page.getByRole('tab', { name: 'Preview outputs' }).click();
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Save HTML report' }).click();
      const file = await (await download).path();
      const saved = await readFile(file, 'utf8');
      assert.equal(saved, await readFile(path.join(s.outDir, HTML_REPORT_FILE), 'utf8'));
      assert.match(saved, /^<!doctype html>/);

      // The CLI run's report holds the hostile user_id and timestamp as drop examples.
      const report = await browser.newPage();
      try {
        const errors: string[] = [];
        report.on('pageerror', (e) => errors.push(e.message));
        const requests: string[] = [];
        report.on('request', (r) => requests.push(r.url()));
        await report.goto(pathToFileURL(path.join(cliOut, HTML_REPORT_FILE)).href);
        await report.getByRole('heading', { name: 'Benefits Engagement ETL · run report' }).waitFor();
        assert.notEqual(await report.title(), 'pwned');
        assert.match(await report.title(), /^ETL run report/);
        await report.getByText(HOSTILE, { exact: true }).waitFor();
        assert.equal(await report.locator('script, img').count(), 0);
        assert.deepEqual(
          requests,
          [pathToFileURL(path.join(cliOut, HTML_REPORT_FILE)).href],
          'nothing else is fetched',
        );
        assert.deepEqual(errors, []);
        const stages = await report.locator('#stages tbody tr').count();
        assert.equal(stages, 6);
        assert.equal(await report.locator('#stages td.ok').count(), 6, 'every stage balances');
        for (const colorScheme of ['light', 'dark'] as const) {
          await report.emulateMedia({ colorScheme });
          assert.deepEqual(await axeViolations(report), [], `axe on the HTML report, ${colorScheme} theme`);
        }
        await report.emulateMedia({ colorScheme: 'light' });
        await report.setViewportSize({ width: 1000, height: 900 });
        await report.screenshot({
          path: path.join(root, `tests/e2e/screenshots/${transport}-explore-04-html-report.png`),
          fullPage: false,
        });
      } finally {
        await report.context().close();
      }
    }));

  test(`${transport}: a run reopened from History shows its dropped rows and outputs, after a restart; an overwritten one says so`, () =>
    withSession(browser, transport, async (s) => {
      const cliOut = await cliRun(s);
      await appRun(s);
      const overwritten = await readReport(s.outDir);
      await appRun(s);
      const latest = await readReport(s.outDir);
      const cliReport = await readReport(cliOut);
      await s.restart();
      const page = s.page;
      await page.getByRole('tab', { name: 'History' }).click();
      const rows = page.locator('.history-table tbody tr');
      await rows.nth(2).waitFor();
      const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
      const drops = (r: RunReport) => r.stages[0].rows_in - r.stages.at(-1)!.rows_out;

      // The CLI run, in a folder of its own: its dropped rows and its outputs, read only.
      await rows
        .nth(2)
        .getByRole('button', { name: /^Open the run of / })
        .click();
      const banner = page.getByTestId('reopened-banner');
      await banner.getByText(when(cliReport.started_at)).waitFor();
      assert.match((await banner.textContent()) ?? '', /\(read only\)/);
      assert.equal(await page.getByRole('tab', { name: /^Dropped rows/ }).getAttribute('aria-selected'), 'true');
      const badge = page.getByTestId('run-badge');
      await badge.getByText(`half.json ${cliReport.inputs[0].sha256.slice(0, 8)}`).waitFor();
      await page
        .locator('[data-reason="all"] .chip-count', { hasText: new RegExp(`^${fmt(drops(cliReport))}$`) })
        .waitFor();
      assert.notEqual(drops(cliReport), drops(latest), 'the two runs differ, so the count shows which one is read');
      assert.equal(await page.getByTestId('export-csv').count(), 0, 'nothing is written into that folder');
      await page.getByRole('tab', { name: 'Preview outputs' }).click();
      await page
        .getByTestId('row-count')
        .getByText(fmt(readClean(cliOut).length), { exact: true })
        .waitFor();
      await page.getByTestId('reopened-banner').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save HTML report' }).count(), 0);
      await screenshot(page, `${transport}-explore-07-reopened-preview`);

      // Back to the latest outputs: the app's own folder again.
      await page.getByRole('button', { name: 'Back to the latest outputs' }).click();
      await page
        .getByTestId('row-count')
        .getByText(fmt(readClean(s.outDir).length), { exact: true })
        .waitFor();
      await page.getByTestId('run-badge').getByText(when(latest.started_at)).waitFor();
      assert.equal(await page.getByTestId('reopened-banner').count(), 0);

      // The first app run: the second one wrote over its outputs, and the app says so.
      await page.getByRole('tab', { name: 'History' }).click();
      await rows
        .nth(1)
        .getByRole('button', { name: /^Open the run of / })
        .click();
      const problem = page.getByTestId('reopen-problem');
      await problem.waitFor();
      const text = (await problem.textContent()) ?? '';
      assert.match(
        text,
        new RegExp(
          `were overwritten by the run of ${latest.started_at.slice(0, 10)} ${latest.started_at.slice(11, 19)} UTC`,
        ),
      );
      assert.match(text, new RegExp(overwritten.started_at.slice(11, 19)));
      assert.equal(await page.getByRole('tab', { name: 'History' }).getAttribute('aria-selected'), 'true');
      await screenshot(page, `${transport}-explore-08-reopen-overwritten`);

      // The latest app run is still in its folder: it opens, with its export.
      await rows
        .nth(0)
        .getByRole('button', { name: /^Open the run of / })
        .click();
      await page.getByTestId('reopened-banner').getByText(when(latest.started_at)).waitFor();
      assert.doesNotMatch((await page.getByTestId('reopened-banner').textContent()) ?? '', /read only/);
      await page
        .locator('[data-reason="all"] .chip-count', { hasText: new RegExp(`^${fmt(drops(latest))}$`) })
        .waitFor();
      assert.equal(await page.getByTestId('export-csv').count(), 1);
    }));

  test(`${transport}: at 900×600 every control of these screens is on screen and reachable`, () =>
    withSession(browser, transport, async (s) => {
      await cliRun(s);
      await appRun(s);
      const page = s.page;
      await page.setViewportSize({ width: 900, height: 600 });
      const reachable = async (locator: ReturnType<Page['locator']>, what: string) => {
        await locator.scrollIntoViewIfNeeded();
        const box = await locator.boundingBox();
        assert.ok(box, `${what} is rendered`);
        assert.ok(box.x >= 0 && box.x + box.width <= 900 && box.y >= 0 && box.y + box.height <= 600, `${what} fits`);
      };
      await openPreview(page);
      await page.getByLabel('Profile a column').selectOption('event_type');
      await page.getByTestId('profile-distinct').waitFor();
      await reachable(page.getByRole('button', { name: 'Save HTML report' }), 'Save HTML report');
      await reachable(page.getByRole('button', { name: 'Apply' }), 'Apply filter');
      await reachable(page.getByLabel('Profile a column'), 'Profile picker');
      await reachable(page.getByRole('button', { name: 'Copy visible rows' }), 'Copy visible rows');
      await reachable(page.getByRole('button', { name: 'Close profile' }), 'Close profile');
      await screenshot(page, `${transport}-explore-05-preview-900`);
      await page.getByRole('tab', { name: 'History' }).click();
      const rows = page.locator('.history-table tbody tr');
      await rows.nth(1).waitFor();
      await rows.nth(0).getByRole('checkbox').check();
      await rows.nth(1).getByRole('checkbox').check();
      await page.getByTestId('comparison').waitFor();
      await reachable(rows.nth(1).getByRole('checkbox'), "the second run's checkbox");
      await reachable(page.locator('tr[data-stage="filter_us"]'), "the comparison's last stage");
      await page.locator('.history-view').evaluate((el) => el.scrollIntoView());
      await screenshot(page, `${transport}-explore-06-history-900`);
    }));
}
