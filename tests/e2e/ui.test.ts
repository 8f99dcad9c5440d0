/**
 * The UI against the real engine service, on both transports: `desktop:` tests go through the
 * real preload bridge and main-process wiring (desktop/desktop-harness.ts), `browser:` tests
 * through browser mode's HTTP server. Every scenario runs on both, each in its own app or
 * server, page and folders (transports.ts), so none depends on another or on their order.
 * Files are dropped as the OS drops them (trusted events carrying real files).
 * Screenshots of each screen go to tests/e2e/screenshots/ (git-ignored); UPDATE_SCREENSHOTS=1
 * also refreshes assets/screenshots/main-screen.png for the README.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DROP_REASONS, OUTPUT_FILES, STAGES, type RunReport } from '../../shared/pipeline';
import { assertText, generateMillionEvents, launchBrowser, root, runToEnd, screenshot, settledText } from './harness';
import { TRANSPORTS, withSession, type Session } from './transports';

const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);
const SAMPLE_EVENTS = path.join(root, 'data/raw_events.json');
const SAMPLE_USERS = path.join(root, 'data/users.csv');

let browser: Browser;
let shared: string;

before(async () => {
  browser = await launchBrowser();
  shared = await mkdtemp(path.join(os.tmpdir(), 'etl-ui-e2e-'));
});

after(async () => {
  await browser?.close();
  await rm(shared, { recursive: true, force: true });
});

let big: Promise<{ events: string; users: string }> | null = null;

/** A million-event NDJSON input (generated once, read-only for every test that uses it). */
function bigInputs(): Promise<{ events: string; users: string }> {
  big ??= (async () => {
    const inputs = generateMillionEvents(path.join(shared, 'big'));
    await stat(inputs.events);
    return inputs;
  })();
  return big;
}

async function readReport(outDir: string): Promise<RunReport> {
  return JSON.parse(await readFile(path.join(outDir, OUTPUT_FILES.runReport), 'utf8')) as RunReport;
}

/** The text of one column in the rendered rows of the visible virtual table. */
async function columnTexts(p: Page, column: string): Promise<string[]> {
  return p.evaluate((name) => {
    const headers = [...document.querySelectorAll('.vt-header [role="columnheader"]')].map((h) =>
      h.textContent?.replace(/[↕▲▼]/g, '').trim(),
    );
    const idx = headers.indexOf(name);
    if (idx < 0) throw new Error(`no column ${name} in ${headers.join(', ')}`);
    return [...document.querySelectorAll('.vt-rows [role="row"]:not(.vt-row-loading)')].map(
      (r) => r.children[idx]?.textContent ?? '',
    );
  }, column);
}

/** WCAG 2 relative luminance of a CSS `rgb(r, g, b)` colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two CSS colours. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

async function waitForRows(p: Page): Promise<void> {
  // A table keeps its previous rows, marked aria-busy, while a new sort or filter loads.
  await p.locator('.vt-scroller[aria-busy="false"] .vt-rows [role="row"]:not(.vt-row-loading)').first().waitFor();
}

/** Drops the two sample files on the window and waits until both cards have read them. */
async function dropSample(s: Session): Promise<void> {
  await s.dropFiles([SAMPLE_EVENTS, SAMPLE_USERS]);
  await s.page.locator('[data-slot="events"] .input-format', { hasText: 'JSON array' }).waitFor();
  await s.page.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();
}

/** Drops the sample files and runs them to the end. */
async function runSample(s: Session): Promise<void> {
  await dropSample(s);
  await runToEnd(s.page);
}

/** SHA-256 of each output file, to show a later failed or cancelled run left them exactly as they were. */
async function outputHashes(outDir: string): Promise<Record<string, string>> {
  const names = [OUTPUT_FILES.cleanEvents, OUTPUT_FILES.dailySummary, OUTPUT_FILES.droppedRows, OUTPUT_FILES.runReport];
  const entries = await Promise.all(
    names.map(async (n) => [
      n,
      createHash('sha256')
        .update(await readFile(path.join(outDir, n)))
        .digest('hex'),
    ]),
  );
  return Object.fromEntries(entries);
}

for (const transport of TRANSPORTS) {
  test(`${transport}: the empty state says what to do first`, () =>
    withSession(browser, transport, async (s) => {
      await s.page.getByText('Add the two inputs').waitFor();
      await s.page.getByRole('button', { name: 'Use sample data' }).waitFor();
      await screenshot(s.page, `${transport}-01-empty`);
    }));

  test(`${transport}: the output folder: the desktop app's can be changed; browser mode shows the one it was started with`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      if (transport === 'browser') {
        await page.getByTestId('out-dir-fixed').getByText('npm run serve -- --out').waitFor();
        await assertText(page.getByTestId('out-dir'), s.outDir);
        assert.equal(await page.getByRole('button', { name: 'Change…' }).count(), 0);
      } else {
        await page.getByTestId('out-dir').getByText(s.outDir).waitFor();
        const chosen = path.join(s.tmp, 'chosen-output');
        await mkdir(chosen);
        s.desktop!.answerNextOpenDialog([chosen]);
        await page.getByRole('button', { name: 'Change…' }).click();
        await page.getByTestId('out-dir').getByText(chosen).waitFor();
      }
    }));

  test(`${transport}: dropping both sample files at once recognises which is which; one at a time works too`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      // Users first: placement must come from the content and name, not the order.
      await s.dropFiles([SAMPLE_USERS, SAMPLE_EVENTS]);
      const eventsCard = page.locator('[data-slot="events"]');
      const usersCard = page.locator('[data-slot="users"]');
      await eventsCard.getByText('raw_events.json').waitFor();
      await usersCard.getByText('users.csv').waitFor();
      await eventsCard.locator('.input-format', { hasText: 'JSON array' }).waitFor();
      await assertText(usersCard.locator('.input-format'), 'CSV');
      assert.ok((await eventsCard.locator('.peek-table tbody tr').count()) > 0, 'events peek shows rows');
      assert.equal(await usersCard.locator('.peek-table th', { hasText: 'country' }).count(), 1);

      // Swap puts them the wrong way round and says so; swapping back restores them.
      await page.getByRole('button', { name: 'Swap events and users files' }).click();
      await eventsCard.getByText('looks like the users file').waitFor();
      await page.getByRole('button', { name: 'Swap events and users files' }).click();
      await eventsCard.getByText('raw_events.json').waitFor();

      // One at a time: remove the users file and drop it alone.
      await page.getByRole('button', { name: 'Remove users file' }).click();
      await usersCard.getByText('Not chosen yet').waitFor();
      await s.dropFiles([SAMPLE_USERS]);
      await usersCard.locator('.input-format', { hasText: 'CSV' }).waitFor();
      await eventsCard.getByText('raw_events.json').waitFor();
      await screenshot(page, `${transport}-02-inputs`);
    }));

  test(`${transport}: a run of the dropped sample fills every stage row with the counts of run_report.json`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      await dropSample(s);
      await page.keyboard.press('Control+Enter');
      await page.locator('[data-testid="run-status"][data-status="finished"]').waitFor({ timeout: 120_000 });
      const report = await readReport(s.outDir);
      assert.deepEqual(
        report.stages.map((s) => s.name),
        [...STAGES],
      );
      for (const stage of report.stages) {
        const row = page.locator(`tr[data-stage="${stage.name}"]`);
        assert.equal(
          await row.locator('[data-field="rows-in"]').textContent(),
          fmt(stage.rows_in),
          `${stage.name} rows in`,
        );
        assert.equal(
          await row.locator('[data-field="rows-out"]').textContent(),
          fmt(stage.rows_out),
          `${stage.name} rows out`,
        );
        const dropped = Object.values(stage.dropped).reduce((a, b) => a + (b ?? 0), 0);
        assert.equal(
          await row.locator('[data-field="dropped"] .num-inline').textContent(),
          fmt(dropped),
          `${stage.name} dropped`,
        );
        assert.equal(await row.locator('.balance-ok').count(), 1, `${stage.name} balances`);
      }
      const clean = report.stages[report.stages.length - 1].rows_out;
      await page.locator('.funnel-total', { hasText: `Clean events: ${fmt(clean)}` }).waitFor();
      assert.ok((await page.locator('.log-line').count()) > 3, 'log lines streamed in');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.mouse.move(5, 795);
      const file = await screenshot(page, `${s.transport}-03-run`);
      // The README's screenshot is committed; refresh it only on request so a test run leaves the tree clean.
      const readmeShot = path.join(root, 'assets/screenshots/main-screen.png');
      if (
        s.transport === 'browser' &&
        (process.env.UPDATE_SCREENSHOTS || !(await stat(readmeShot).catch(() => null)))
      ) {
        await mkdir(path.dirname(readmeShot), { recursive: true });
        await copyFile(file, readmeShot);
      }
    }));

  test(`${transport}: the memory limit in the run options reaches the engine: the run spills and writes what an unlimited run writes`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      await dropSample(s);
      const field = page.getByLabel('Memory limit');
      // A size the engine does not take blocks Run and says why.
      await field.fill('lots');
      await page.getByText("The memory limit 'lots' is not a size of at least 100 MB").first().waitFor();
      assert.equal(await page.getByTestId('run').isDisabled(), true);
      await field.fill('100MB');
      await page.getByText('Ready to run.').waitFor();
      await page.getByTestId('run').click();
      await page.locator('[data-testid="run-status"][data-status="finished"]').waitFor({ timeout: 120_000 });
      await page.locator('.log-line', { hasText: 'Memory limit 100 MB: the run spills to disk' }).first().waitFor();
      const spilled = await readReport(s.outDir);
      // The same counts as an unlimited run of the sample (tests/engine/spill.test.ts compares the files).
      await field.fill('');
      await runToEnd(page);
      const plain = await readReport(s.outDir);
      assert.notEqual(plain.started_at, spilled.started_at, 'a second run');
      assert.deepEqual(
        plain.stages.map((x) => [x.name, x.rows_in, x.rows_out]),
        spilled.stages.map((x) => [x.name, x.rows_in, x.rows_out]),
      );
    }));

  test(`${transport}: dropped rows: the funnel opens a reason, and each reason chip filters to its rows`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      await runSample(s);
      const report = await readReport(s.outDir);
      const counts = Object.fromEntries(report.stages.flatMap((s) => Object.entries(s.dropped))) as Record<
        string,
        number
      >;
      const reasons = DROP_REASONS.filter((r) => (counts[r] ?? 0) > 0);
      assert.ok(reasons.length >= 3, `the sample drops rows for several reasons (${reasons.join(', ')})`);

      // Clicking a reason in the flow chart opens the dropped rows filtered to it.
      await page.locator(`.funnel button[data-reason="${reasons[0]}"]`).click();
      await page.locator(`.chip[data-reason="${reasons[0]}"][aria-pressed="true"]`).waitFor();

      for (const reason of reasons) {
        await page.locator(`.chip[data-reason="${reason}"]`).click();
        await page.locator(`.chip[data-reason="${reason}"][aria-pressed="true"]`).waitFor();
        assert.equal(
          await settledText(page.locator(`.chip[data-reason="${reason}"] .chip-count`), fmt(counts[reason])),
          fmt(counts[reason]),
          `${reason} count`,
        );
        await page.locator('.vt-scroller').first().waitFor();
        await waitForRows(page);
        const shown = await columnTexts(page, 'drop_reason');
        assert.ok(
          shown.length > 0 && shown.every((r) => r === reason),
          `${reason}: rows shown ${shown.slice(0, 5).join(',')}`,
        );
        assert.ok(
          (await page.locator('.vt-rows .cell-offending').count()) > 0,
          `${reason}: the offending field is highlighted`,
        );
        if (reason === 'invalid_timestamp') await page.locator('.patterns-table tbody tr').first().waitFor();
        if (reason === 'duplicate') {
          await page.locator('.vt-rows .link-button').first().click();
          await page
            .getByRole('status')
            .filter({ hasText: /Source row \d+ was kept/ })
            .waitFor();
          assert.ok((await page.locator('.vt-rows .cell-linked').count()) > 0, 'the duplicate group is marked');
          // Find a duplicate whose original was dropped later (unknown or non-US user): the link
          // jumps to that row in the list of all dropped rows and highlights it.
          let jumped = false;
          for (let i = 0; i < 15 && !jumped; i++) {
            await page.locator(`.chip[data-reason="duplicate"]`).click();
            await waitForRows(page);
            const link = page.locator('.vt-rows .link-button').nth(i);
            const target = Number(((await link.textContent()) ?? '').replace(/\D/g, ''));
            await link.click();
            const status = page.getByRole('status').filter({ hasText: `Source row ${target} was kept` });
            await status.waitFor();
            if (/dropped by a later stage/.test((await status.textContent()) ?? '')) {
              const highlighted = page.locator('.vt-rows .vt-row-highlight:not(.vt-row-loading)');
              await highlighted.waitFor();
              // (The highlight moves to the target once the list of all dropped rows has loaded.)
              await assertText(highlighted.locator('.vt-cell').nth(1), fmt(target));
              assert.equal(await page.locator('.chip[data-reason="all"][aria-pressed="true"]').count(), 1);
              jumped = true;
            }
          }
          assert.ok(jumped, 'some duplicate points at a row dropped later');
          await page.locator(`.chip[data-reason="duplicate"]`).click();
          await waitForRows(page);
        }
      }
      // Export the filtered rows to CSV: the file has a header and one line per row.
      await page.locator('.chip[data-reason="unknown_user"]').click();
      await waitForRows(page);
      await page.getByTestId('export-csv').click();
      const note = page.getByRole('status').filter({ hasText: 'Exported' });
      await note.waitFor();
      const csvPath = (await note.locator('code').textContent())!;
      const csv = (await readFile(csvPath, 'utf8')).trimEnd().split(/\r?\n/);
      assert.match(csv[0], /source_row/);
      assert.equal(csv.filter((l) => l.includes('unknown_user')).length, counts.unknown_user);
      if (s.transport === 'browser') {
        // Browser mode has no file manager: the export is offered as a download instead.
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          note.getByRole('button', { name: 'Download' }).click(),
        ]);
        assert.equal(download.suggestedFilename(), path.basename(csvPath));
        assert.equal(await readFile((await download.path())!, 'utf8'), await readFile(csvPath, 'utf8'));
        assert.equal(await note.getByRole('button', { name: 'Show in folder' }).count(), 0);
      } else {
        // The desktop app shows it in the file manager (shell.showItemInFolder).
        const shown = s.desktop!.nextShowInFolder();
        await note.getByRole('button', { name: 'Show in folder' }).click();
        assert.equal(await shown, path.resolve(csvPath));
      }

      await page.locator('.chip[data-reason="all"]').click();
      await waitForRows(page);
      await page.locator('.chip[data-reason="invalid_timestamp"]').click();
      await waitForRows(page);
      // A new filter starts at its first row (an earlier jump must not scroll it again).
      const firstCells = await page.locator('.vt-rows [role="row"] .vt-index').allTextContents();
      assert.deepEqual(firstCells.slice(0, 2), ['1', '2']);
      assert.equal(await page.locator('.vt-rows [role="row"]:not(.vt-row-loading)').count(), counts.invalid_timestamp);
      await screenshot(page, `${s.transport}-04-dropped`);
    }));

  test(`${transport}: preview: schema and counts, sort by a column, scroll to the end`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      await runSample(s);
      const report = await readReport(s.outDir);
      await page.getByRole('tab', { name: 'Preview outputs' }).click();
      await waitForRows(page);
      const cleanOut = report.outputs.find((o) => o.path.endsWith(OUTPUT_FILES.cleanEvents))!;
      await assertText(page.getByTestId('row-count'), fmt(cleanOut.rows));
      await page.locator('.schema-list', { hasText: 'timestamp_dt' }).waitFor();
      assert.match((await page.locator('.file-meta').textContent()) ?? '', /SNAPPY/i);

      await page.locator('.vt-header button', { hasText: 'user_id' }).click();
      await page.locator('[role="columnheader"][aria-sort="ascending"]', { hasText: 'user_id' }).waitFor();
      await waitForRows(page);
      const asc = await columnTexts(page, 'user_id');
      assert.deepEqual(asc, [...asc].sort(), 'ascending by user_id');
      await page.locator('.vt-header button', { hasText: 'user_id' }).click();
      await page.locator('[role="columnheader"][aria-sort="descending"]').waitFor();
      await waitForRows(page);
      const desc = await columnTexts(page, 'user_id');
      assert.deepEqual(desc, [...desc].sort().reverse(), 'descending by user_id');

      // Scroll to the end: the last row is rendered and loaded, and only a window of rows is in the DOM.
      await page.locator('.vt-scroller').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.locator(`.vt-rows [data-row="${cleanOut.rows - 1}"]:not(.vt-row-loading)`).waitFor();
      assert.ok((await page.locator('.vt-rows [role="row"]').count()) < 100, 'only visible rows are rendered');
      // Readable instants.
      const instants = await columnTexts(page, 'timestamp_dt');
      assert.match(instants[0], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? UTC$/);
      await screenshot(page, `${s.transport}-05-preview`);

      await page.getByRole('tab', { name: 'daily_summary.parquet' }).click();
      await page.locator('.daily-chart .chart-bar').first().waitFor();
      const caption = (await page.locator('.daily-chart figcaption').textContent()) ?? '';
      assert.ok(caption.includes(`${fmt(cleanOut.rows)} events`), `chart total matches clean events: ${caption}`);
      await screenshot(page, `${s.transport}-06-daily`);
    }));

  test(`${transport}: the screens are tabs reachable with the arrow keys`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      await page.getByRole('tab', { name: 'Run' }).click();
      await page.getByRole('tab', { name: 'Run' }).focus();
      await page.keyboard.press('ArrowRight');
      await page.locator('[role="tab"][aria-selected="true"]', { hasText: 'Dropped rows' }).waitFor();
      await page.keyboard.press('End');
      await page.locator('[role="tab"][aria-selected="true"]', { hasText: 'History' }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'History');
      await page.keyboard.press('Home');
      await page.locator('[role="tab"][aria-selected="true"]', { hasText: 'Run' }).waitFor();
    }));

  test(`${transport}: a broken file shows its error at once, before any run`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      const broken = path.join(s.tmp, 'broken');
      await mkdir(broken);
      const events = path.join(broken, 'raw_events.json');
      const users = path.join(broken, 'users.csv');
      await writeFile(events, '[{"user_id": "u1", "event_type": "login",\n{"oops"');
      await writeFile(users, 'id,signup\nu1,2024-01-01\n');
      await s.dropFiles([events]);
      const card = page.locator('[data-slot="events"]');
      await card.locator('[role="alert"]', { hasText: 'not valid JSON' }).waitFor();
      assert.equal(await page.getByTestId('run').isDisabled(), true);
      await s.dropFiles([users]);
      await page.locator('[data-slot="users"] [role="alert"]', { hasText: 'user_id' }).waitFor();
      await screenshot(page, `${transport}-07-broken`);
    }));

  test(`${transport}: cancelling a long run leaves the previous outputs exactly as they were`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      const inputs = await bigInputs();
      await runSample(s);
      const before = await outputHashes(s.outDir);

      await s.chooseFiles([inputs.events, inputs.users]);
      const card = page.locator('[data-slot="events"]');
      await card.getByText('raw_events.ndjson').waitFor({ timeout: 120_000 });
      await assertText(card.locator('.input-format'), 'NDJSON (one object per line)');
      await page.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();

      await page.getByTestId('run').click();
      await page.locator('[data-testid="run-status"][data-status="running"]').waitFor();
      // Cancel once the engine has reported reading part of the file (a progress event arrived).
      await page.waitForFunction(
        () => {
          const bar = document.querySelector('.progress-running[role="progressbar"]');
          const now = Number(bar?.getAttribute('aria-valuenow') ?? 0);
          return now > 0;
        },
        undefined,
        { timeout: 60_000 },
      );
      await page.getByTestId('cancel').click();
      try {
        await page.locator('[data-testid="run-status"][data-status="cancelled"]').waitFor({ timeout: 60_000 });
      } catch (err) {
        await screenshot(page, `${transport}-08-cancel-failed`);
        throw new Error(`not cancelled: ${await page.getByTestId('run-status').textContent()} (${String(err)})`);
      }
      await page.locator('[role="alert"]', { hasText: 'Run cancelled' }).waitFor();
      await screenshot(page, `${transport}-08-cancelled`);

      assert.deepEqual(await outputHashes(s.outDir), before, 'the outputs are byte for byte as before');
      // And the UI still previews them.
      const report = await readReport(s.outDir);
      await page.getByRole('tab', { name: 'Preview outputs' }).click();
      await waitForRows(page);
      const cleanOut = report.outputs.find((o) => o.path.endsWith(OUTPUT_FILES.cleanEvents))!;
      await assertText(page.getByTestId('row-count'), fmt(cleanOut.rows));
    }));

  test(`${transport}: a million-event run finishes and its preview scrolls end to end`, () =>
    withSession(browser, transport, async (s) => {
      const page = s.page;
      const big = await bigInputs();
      await s.chooseFiles([big.events, big.users]);
      await page.locator('[data-slot="events"]').getByText('raw_events.ndjson').waitFor({ timeout: 120_000 });
      await page.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();
      await page.getByTestId('run').click();
      // Live: the extract row runs while bytes are read, then the stages fill in.
      await page.locator('tr[data-stage="extract"] .status-running').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="run-status"][data-status="finished"]').waitFor({ timeout: 300_000 });
      const report = await readReport(s.outDir);
      for (const stage of report.stages) {
        assert.equal(
          await page.locator(`tr[data-stage="${stage.name}"] [data-field="rows-out"]`).textContent(),
          fmt(stage.rows_out),
        );
      }
      assert.equal(report.stages[0].rows_in, 1_000_000);
      await screenshot(page, `${s.transport}-10-million-run`);

      await page.getByRole('button', { name: 'Preview outputs' }).click();
      await page.getByRole('tab', { name: 'clean_events.parquet' }).click();
      await waitForRows(page);
      const cleanOut = report.outputs.find((o) => o.path.endsWith(OUTPUT_FILES.cleanEvents))!;
      await assertText(page.getByTestId('row-count'), fmt(cleanOut.rows));
      // Jump to the middle: the rows around the middle index load.
      await page
        .locator('.vt-scroller')
        .evaluate((el) => el.scrollTo({ top: (el.scrollHeight - el.clientHeight) / 2 }));
      const middle = Math.floor(cleanOut.rows / 2);
      try {
        await page.waitForFunction(
          (mid) =>
            [...document.querySelectorAll('.vt-rows [role="row"]:not(.vt-row-loading)')].some(
              (r) => Math.abs(Number(r.getAttribute('data-row')) - mid) < 100,
            ),
          middle,
          { timeout: 15_000 },
        );
      } catch (err) {
        const rows = await page
          .locator('.vt-rows [role="row"]')
          .evaluateAll((els) =>
            els.map((e) => `${e.getAttribute('data-row')}${e.classList.contains('vt-row-loading') ? '(loading)' : ''}`),
          );
        await screenshot(page, `${s.transport}-11-million-failed`);
        throw new Error(`middle ${middle} not shown; rendered ${rows.slice(0, 5).join(', ')}: ${String(err)}`);
      }
      // Wheel through it: rows keep loading, and the DOM stays small.
      for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 1500);
      await waitForRows(page);
      assert.ok((await page.locator('.vt-rows [role="row"]').count()) < 100);
      await page.locator('.vt-scroller').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page
        .locator(`.vt-rows [data-row="${cleanOut.rows - 1}"]:not(.vt-row-loading)`)
        .waitFor({ timeout: 15_000 });
      await screenshot(page, `${s.transport}-11-million-preview`);

      // The chart is summed by the service (etl:daily-counts): every clean event, never a partial label.
      await page.getByRole('tab', { name: 'daily_summary.parquet' }).click();
      await page.locator('.daily-chart .chart-bar').first().waitFor({ timeout: 15_000 });
      const caption = (await page.locator('.daily-chart figcaption').textContent()) ?? '';
      assert.ok(caption.includes(`${fmt(cleanOut.rows)} events`), `chart total matches clean events: ${caption}`);
      assert.doesNotMatch(caption, /summary rows/);
      await waitForRows(page);
      await screenshot(page, `${s.transport}-12-million-daily`);
    }));

  test(`${transport}: dark theme follows the system`, () =>
    withSession(
      browser,
      transport,
      async (s) => {
        const dark = s.page;
        await dark.getByRole('button', { name: 'Use sample data' }).click();
        await dark.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();
        await dark.getByTestId('run').click();
        await dark.locator('[data-testid="run-status"][data-status="finished"]').waitFor({ timeout: 120_000 });
        const { fg, bg } = await dark.evaluate(() => {
          const style = getComputedStyle(document.body);
          return { fg: style.color, bg: style.backgroundColor };
        });
        // A dark page (WCAG relative luminance), and its body text readable on it (AA: 4.5:1).
        assert.ok(luminance(bg) < 0.1, `a dark background, got ${bg}`);
        assert.ok(contrast(fg, bg) >= 4.5, `text ${fg} on ${bg}: contrast ${contrast(fg, bg).toFixed(2)}`);
        await screenshot(dark, `${transport}-09-run-dark`);
        await dark.getByRole('button', { name: 'Dropped rows' }).click();
        await dark.locator('.chip[data-reason="invalid_timestamp"]').click();
        await waitForRows(dark);
        await screenshot(dark, `${transport}-09-dropped-dark`);
        await dark.getByRole('tab', { name: 'Preview outputs' }).click();
        await dark.getByRole('tab', { name: 'daily_summary.parquet' }).click();
        await dark.locator('.daily-chart .chart-bar').first().waitFor();
        await waitForRows(dark); // the chart is now ready before the table
        await screenshot(dark, `${transport}-09-preview-dark`);
      },
      { colorScheme: 'dark' },
    ));
}
