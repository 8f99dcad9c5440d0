/**
 * Issue #15 items 1-4 against the real engine service, on both transports (transports.ts): every
 * control visible and reachable at 900x600 and 1024x700 (inside the viewport once scrolled to,
 * never cut off by an overflow-hidden ancestor), focus kept after each action, live stage counts
 * before the extract of a 1,000,000-event run ends, the three-file drop and the blocked Run, and
 * axe-core with no critical or serious violation on each screen in the light and the dark theme.
 * Each test has its own app or server, page and folders; files are dropped from disk as the OS
 * drops them. Page errors and CSP violations are checked per test by withSession.
 * Screenshots go to tests/e2e/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  axeViolations,
  generateMillionEvents,
  launchBrowser,
  root,
  runToEnd,
  screenshot,
  tablesSettled,
} from './harness';
import { TRANSPORTS, withSession, type Session } from './transports';

const SIZES = [
  { width: 900, height: 600 },
  { width: 1024, height: 700 },
] as const;

const SAMPLE_EVENTS = path.join(root, 'data/raw_events.json');
const SAMPLE_USERS = path.join(root, 'data/users.csv');

let browser: Browser;
let shared: string;

before(async () => {
  shared = await mkdtemp(path.join(os.tmpdir(), 'etl-layout-e2e-'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await rm(shared, { recursive: true, force: true });
});

let big: Promise<{ events: string; users: string }> | null = null;

/** A million-event NDJSON input (generated once, read-only for every test that uses it). */
function bigInputs(): Promise<{ events: string; users: string }> {
  big ??= (async () => {
    return generateMillionEvents(path.join(shared, 'big'));
  })();
  return big;
}

/** Writes `content` as `name` in a fresh folder of the session's scratch space; its path. */
async function tempFile(s: Session, folder: string, name: string, content: string): Promise<string> {
  const dir = path.join(s.tmp, folder);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

/** The session's page at 900x600, as the scenarios start. */
async function smallWindow(s: Session): Promise<Page> {
  await s.page.setViewportSize(SIZES[0]);
  return s.page;
}

/** Clicks "Use sample data" and waits until both cards have read it. */
async function useSample(p: Page): Promise<void> {
  await p.getByRole('button', { name: 'Use sample data' }).click();
  await p.locator('[data-slot="events"] .input-format', { hasText: 'JSON array' }).waitFor();
  await p.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();
}

/**
 * Every visible control, scrolled to as a keyboard user's focus would scroll it: the problems
 * found (outside the viewport, or cut off by an ancestor that clips its overflow).
 */
async function unreachableControls(p: Page): Promise<string[]> {
  // As a string: tsx would wrap the named helpers of a function in a __name() the page lacks.
  return p.evaluate(REACHABILITY_SCRIPT) as Promise<string[]>;
}

const REACHABILITY_SCRIPT = `(() => {
  const selector =
    'button, a[href], input, select, textarea, summary, [tabindex]:not([tabindex="-1"]), [role="tab"]';
  const problems = [];
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    ' "' + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40) + '"';
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box0 = el.getBoundingClientRect();
    if (box0.width === 0 && box0.height === 0) continue;
    // Rows of a virtual table are recycled as it scrolls; its first row stands for all.
    const row = el.closest('.vt-rows [data-row]');
    if (row && row !== document.querySelector('.vt-rows [data-row]')) continue;
    el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    const box = el.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    if (box.left < -1 || box.top < -1 || box.right > vw + 1 || box.bottom > vh + 1) {
      problems.push(describe(el) + ' outside the ' + vw + 'x' + vh + ' viewport at ' +
        Math.round(box.left) + ',' + Math.round(box.top));
      continue;
    }
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const r = a.getBoundingClientRect();
      // The ancestor's inside, within its borders.
      const left = r.left + a.clientLeft;
      const top = r.top + a.clientTop;
      const right = left + a.clientWidth;
      const bottom = top + a.clientHeight;
      if (box.left < left - 1 || box.top < top - 1 || box.right > right + 1 || box.bottom > bottom + 1) {
        problems.push(describe(el) + ' cut off by ' + a.tagName.toLowerCase() + '.' + [...a.classList].join('.'));
        break;
      }
    }
  }
  return problems;
})()`;

/** The screen as it is now, at both sizes and in both themes: reachable controls and axe. */
async function checkScreen(page: Page, name: string): Promise<void> {
  await tablesSettled(page);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    const problems = await unreachableControls(page);
    assert.deepEqual(problems, [], `${name} at ${size.width}x${size.height}`);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      // axe once per theme, at the larger size (the smaller has the same elements and colours).
      if (size.width === 1024) {
        const violations = await axeViolations(page);
        assert.deepEqual(violations, [], `axe on ${name}, ${colorScheme} theme`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }
  await page.setViewportSize(SIZES[0]);
  await screenshot(page, `layout-${name}-900`);
}

const activeId = (p: Page) => p.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName ?? '');

for (const transport of TRANSPORTS) {
  const check = (page: Page, name: string) => checkScreen(page, `${transport}-${name}`);

  test(`${transport}: the empty screen: every control reachable, no axe violation in either theme`, () =>
    withSession(
      browser,
      transport,
      async (s) => {
        const page = await smallWindow(s);
        await page.getByText('Add the two inputs').waitFor();
        await check(page, 'empty');
      },
      { colorScheme: 'light' },
    ));

  test(`${transport}: after "Use sample data" the focus is on Run, and the inputs screen passes`, () =>
    withSession(
      browser,
      transport,
      async (s) => {
        const page = await smallWindow(s);
        await page.getByRole('button', { name: 'Use sample data' }).click();
        await page.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();
        await page.waitForFunction(() => document.activeElement?.id === 'run-button');
        await check(page, 'inputs');
      },
      { colorScheme: 'light' },
    ));

  test(`${transport}: three files dropped at once: the extra one is named, not used; a swapped pair blocks Run until Swap`, () =>
    withSession(
      browser,
      transport,
      async (s) => {
        const page = await smallWindow(s);
        const users = await readFile(SAMPLE_USERS, 'utf8');
        const old = await tempFile(s, 'three', 'users-old.csv', users.split('\n').slice(0, 50).join('\n') + '\n');
        await s.dropFiles([SAMPLE_EVENTS, SAMPLE_USERS, old]);
        const unused = page.getByTestId('unused-inputs');
        await unused.getByText('users-old.csv').waitFor();
        assert.match((await unused.textContent()) ?? '', /another users file; users\.csv was used/);
        await page.locator('[data-slot="users"] .input-file-name', { hasText: /^users\.csv$/ }).waitFor();
        await check(page, 'unused-file');
        await unused.getByRole('button', { name: 'Dismiss' }).click();

        // The wrong way round: Run is blocked, and says why; the card offers Swap in one click.
        await page.getByRole('button', { name: 'Swap events and users files' }).click();
        await page.locator('[data-slot="events"] .mismatch').waitFor();
        assert.equal(await page.getByTestId('run').isDisabled(), true);
        assert.match((await page.getByTestId('run-status').textContent()) ?? '', /wrong way round: use Swap/);
        await check(page, 'swapped');
        await page.locator('[data-slot="events"] .mismatch').getByRole('button', { name: 'Swap files' }).click();
        await page.locator('[data-slot="events"] .input-file-name', { hasText: 'raw_events.json' }).waitFor();
        assert.equal(await page.getByTestId('run').isDisabled(), false);
      },
      { colorScheme: 'light' },
    ));

  test(`${transport}: a broken file: its error, in both themes, with every control reachable`, () =>
    withSession(
      browser,
      transport,
      async (s) => {
        const page = await smallWindow(s);
        const broken = await tempFile(
          s,
          'broken',
          'raw_events.json',
          '[{"user_id": "u1", "event_type": "login",\n{"oops"',
        );
        await s.dropFiles([broken]);
        await page.locator('[data-slot="events"] [role="alert"]', { hasText: 'not valid JSON' }).waitFor();
        // The focus goes to the card that needs the user.
        await page.waitForFunction(() => document.activeElement?.id === 'input-card-events');
        // As the CLI words it: the user's file (not an upload's temp path), line, column, and the text there.
        const alert = page.locator('[data-slot="events"] [role="alert"]');
        const text = (await alert.textContent()) ?? '';
        assert.match(text, /raw_events\.json is not valid JSON at line 2, column 1 \(byte 42\)/);
        assert.doesNotMatch(text, /etl-uploads/);
        assert.equal(await alert.locator('.banner-excerpt').textContent(), '{"oops"\n^');
        await check(page, 'broken-file');

        // An empty events file is accepted, as the CLI accepts it, and says so.
        const empty = await tempFile(s, 'empty', 'raw_events.json', '');
        // The checks above scrolled the page to its last control; a user scrolls the drop zone
        // back into view before dropping on it (the OS drop lands where the pointer is).
        await page.getByTestId('drop-zone').scrollIntoViewIfNeeded();
        await s.dropFiles([empty]);
        await page.locator('[data-slot="events"] .note', { hasText: 'holds no events' }).waitFor();
        assert.equal(await page.locator('[data-slot="events"] [role="alert"]').count(), 0);
        await page.getByRole('button', { name: 'Use sample data' }).click();
        await page.locator('[data-slot="events"] .input-format', { hasText: 'JSON array' }).waitFor();

        // A broken users.csv: the same error as the CLI's, with line, column, byte and the line.
        const badUsers = await tempFile(
          s,
          'bad-users',
          'users.csv',
          'user_id,signup_date,country\nu1,2024-01-01,"US\nu2,2024-01-01,US\n',
        );
        await page.getByTestId('drop-zone').scrollIntoViewIfNeeded();
        await s.dropFiles([badUsers]);
        const usersAlert = page.locator('[data-slot="users"] [role="alert"]', { hasText: 'never closed' });
        await usersAlert.waitFor();
        const usersText = (await usersAlert.textContent()) ?? '';
        assert.match(usersText, /users\.csv: a quoted field opened at line 2, column 15 \(byte 42\) is never closed/);
        assert.doesNotMatch(usersText, /etl-uploads/);
        assert.equal(await usersAlert.locator('.banner-excerpt').textContent(), 'u1,2024-01-01,"US\n              ^');
        assert.equal(await page.getByTestId('run').isDisabled(), true);
        await check(page, 'broken-users');

        // A .json of lines that are not events: the run reads it as the CLI does (every line
        // dropped as malformed_record), and the card says so before the run.
        await page.getByRole('button', { name: 'Use sample data' }).click();
        await page.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();
        const notEvents = await tempFile(s, 'text', 'raw_events.json', 'hello\nuser_id,country\n[1, 2]\n');
        await page.getByTestId('drop-zone').scrollIntoViewIfNeeded();
        await s.dropFiles([notEvents]);
        await page
          .locator('[data-slot="events"] .note', { hasText: 'None of the 3 lines of raw_events.json is a JSON object' })
          .waitFor();
        assert.equal(await page.locator('[data-slot="events"] [role="alert"]').count(), 0);
        await page.getByTestId('run').click();
        await page.locator('[data-testid="run-status"][data-status="finished"]').waitFor({ timeout: 120_000 });
        const extract = page.locator('tr[data-stage="extract"]');
        assert.equal(await extract.locator('[data-field="rows-in"]').textContent(), '3');
        assert.equal(await extract.locator('[data-field="rows-out"]').textContent(), '0');
      },
      { colorScheme: 'light' },
    ));

  test(`${transport}: a finished run, the dropped rows and the preview: reachable and accessible in both themes`, () =>
    withSession(
      browser,
      transport,
      async (s) => {
        const page = await smallWindow(s);
        await useSample(page);
        await page.getByTestId('run').click();
        await page.locator('[data-testid="run-status"][data-status="finished"]').waitFor({ timeout: 120_000 });
        // Run came back in Cancel's place, and has the focus again.
        await page.waitForFunction(() => document.activeElement?.id === 'run-button');
        await check(page, 'run-done');

        await page.getByRole('button', { name: 'Dropped rows' }).click();
        await page.locator('.vt-rows [role="row"]:not(.vt-row-loading)').first().waitFor();
        await check(page, 'dropped');
        await page.locator('.chip[data-reason="duplicate"]').click();
        await page.locator('.vt-rows .link-button').first().waitFor();
        await check(page, 'dropped-duplicates');
        await page.locator('.chip[data-reason="invalid_timestamp"]').click();
        await page.locator('.patterns-table tbody tr').first().waitFor();
        await check(page, 'dropped-timestamps');

        await page.getByRole('tab', { name: 'Preview outputs' }).click();
        await page.locator('.vt-rows [role="row"]:not(.vt-row-loading)').first().waitFor();
        await check(page, 'preview');
        await page.getByRole('tab', { name: 'daily_summary.parquet' }).click();
        await page.locator('.daily-chart .chart-bar').first().waitFor();
        await check(page, 'preview-daily');
        await page.getByRole('tab', { name: 'Run' }).click();
      },
      { colorScheme: 'light' },
    ));

  test(`${transport}: the column profile, History, a comparison and a reopened run: reachable and accessible in both themes`, () =>
    withSession(
      browser,
      transport,
      async (s) => {
        const page = await smallWindow(s);
        for (let i = 0; i < 2; i++) {
          await useSample(page);
          await runToEnd(page);
        }
        await page.getByRole('tab', { name: 'Preview outputs' }).click();
        await page.getByLabel('Filter', { exact: true }).selectOption('device');
        await page.getByLabel('Value').fill('mobile');
        await page.getByRole('button', { name: 'Apply' }).click();
        await page.getByLabel('Profile a column').selectOption('value');
        await page.getByTestId('profile-distinct').waitFor();
        await check(page, 'preview-filter-profile');

        await page.getByRole('tab', { name: 'History' }).click();
        const rows = page.locator('.history-table tbody tr');
        await rows.nth(1).waitFor();
        await check(page, 'history');
        await rows.nth(0).getByRole('checkbox').check();
        await rows.nth(1).getByRole('checkbox').check();
        await page.getByTestId('comparison').waitFor();
        await check(page, 'history-compare');
        // The older run's outputs were overwritten by the newer one: the app says so.
        await rows
          .nth(1)
          .getByRole('button', { name: /^Open the run of / })
          .click();
        await page.getByTestId('reopen-problem').waitFor();
        await check(page, 'history-reopen-overwritten');
        await rows
          .nth(0)
          .getByRole('button', { name: /^Open the run of / })
          .click();
        await page.getByTestId('reopened-banner').waitFor();
        await page.locator('.vt-rows [role="row"]:not(.vt-row-loading)').first().waitFor();
        await check(page, 'reopened-dropped');
      },
      { colorScheme: 'light' },
    ));

  test(`${transport}: a 1,000,000-event run: live counts before the extract ends, and the view stays where it was when it ends`, () =>
    withSession(
      browser,
      transport,
      async (s) => {
        const page = await smallWindow(s);
        const inputs = await bigInputs();
        await s.chooseFiles([inputs.events, inputs.users]);
        await page.locator('[data-slot="events"]').getByText('raw_events.ndjson').waitFor({ timeout: 120_000 });
        await page.waitForFunction(() => document.activeElement?.id === 'run-button');

        await page.getByTestId('run').click();
        // Cancel took Run's place, and the focus.
        await page.waitForFunction(() => document.activeElement?.id === 'cancel-button');
        // Live: rows read and drops so far while the extract is still running (a live row is one
        // whose stage has not finished: the finished report replaces it).
        // Read in one go in the page, so the three rows are from the same moment.
        const handle = await page.waitForFunction(
          () => {
            const rows = ['extract', 'clean_user_id', 'clean_timestamp'].map((s) => {
              const row = document.querySelector(`tr[data-stage="${s}"]`)!;
              return {
                live: row.getAttribute('data-live'),
                rowsIn: Number(row.querySelector('[data-field="rows-in"]')!.textContent!.replace(/\D/g, '')),
                status: row.querySelector('.status')!.textContent,
              };
            });
            return rows[0].live === 'true' && rows[0].rowsIn > 0 ? rows : null;
          },
          undefined,
          { timeout: 120_000 },
        );
        const live = (await handle.jsonValue())!;
        assert.ok(live[0].rowsIn > 0 && live[0].rowsIn < 1_000_000, `extract rows so far: ${live[0].rowsIn}`);
        assert.equal(live[0].status, 'Running');
        assert.equal(live[1].live, 'true', 'the clean stages count while the file is read');
        assert.ok(live[1].rowsIn <= live[0].rowsIn);
        await screenshot(page, `layout-${transport}-run-live-900`);
        await check(page, 'run-in-progress');

        // Scroll the run panel down to its last stage rows, as a user following them would; the
        // end of the run must not move them. (Not to the panel's very end: once the extract has
        // finished, the row-flow chart and the log below the table can fill the whole view, and
        // on a fast machine the extract finishes while the checks above run.)
        const panel = page.locator('.run-panel');
        await panel.evaluate((el) => {
          const last = el.querySelector('tr[data-stage="filter_us"]')!;
          const offset = last.getBoundingClientRect().top - el.getBoundingClientRect().top;
          el.scrollTo({ top: el.scrollTop + offset - 2 * last.getBoundingClientRect().height });
        });
        const scrolled = await panel.evaluate((el) => el.scrollTop);
        assert.ok(scrolled > 0, 'the run panel scrolls at 900x600');
        // What the user was reading: the first stage row in view, and where it is in the panel.
        const rowInView = (stage: string | null) =>
          panel.evaluate((el, only) => {
            const top = el.getBoundingClientRect().top;
            const rows = [...el.querySelectorAll('tr[data-stage]')];
            const row = only
              ? rows.find((r) => r.getAttribute('data-stage') === only)
              : rows.find((r) => r.getBoundingClientRect().bottom > top);
            return row ? { stage: row.getAttribute('data-stage')!, y: row.getBoundingClientRect().top - top } : null;
          }, stage);
        const reading = await rowInView(null);
        assert.ok(reading, 'a stage row is in view');
        await page.locator('[data-testid="run-status"][data-status="finished"]').waitFor({ timeout: 300_000 });
        // The view did not jump: the browser's scroll anchoring keeps what the user was reading in
        // place as the panel's content changes at the end of the run. (Not scrollTop alone: the
        // live status line above can wrap to two lines and then shrink to one, and anchoring then
        // lowers scrollTop by that line to keep the rows still.)
        const after = await panel.evaluate((el) => el.scrollTop);
        const still = await rowInView(reading.stage);
        assert.ok(after > 0, `the view did not jump to the top (${scrolled} -> ${after})`);
        assert.ok(
          still && Math.abs(still.y - reading.y) <= 1,
          `the view did not jump: ${reading.stage} was at ${reading.y}px, now at ${still?.y}px (scrollTop ${scrolled} -> ${after})`,
        );
        assert.equal(await activeId(page), 'run-button');
        assert.equal(await page.locator('tr[data-live="true"]').count(), 0, 'finished counts replace the live ones');
      },
      { colorScheme: 'light' },
    ));
}
