/**
 * What only the desktop app has, through the real preload bridge and main wiring
 * (desktop/desktop-harness.ts): the first launch as someone who double-clicked it sees it, a
 * relaunch that remembers the inputs, and drops: only files the user really dropped are granted.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { defaultOutputDir } from '../../electron/transport/desktop-wiring';
import { OUTPUT_FILES } from '../../shared/pipeline';
import { launchDesktop } from './desktop/desktop-harness';
import { launchBrowser, scriptedDrop, screenshot } from './harness';

let browser: Browser;
let tmp: string;

before(async () => {
  browser = await launchBrowser();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'etl-e2e-desktop-only-'));
});

after(async () => {
  await browser?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('desktop: first launch shows no files, the sample one click away and an output folder in Documents; a relaunch remembers the inputs', async () => {
  const userData = path.join(tmp, 'first', 'userData');
  const documents = path.join(tmp, 'first', 'Documents');
  const outDir = defaultOutputDir(documents);

  const first = await launchDesktop(browser, { userData, documents });
  try {
    const page = first.page;
    await page.getByText('Add the two inputs').waitFor();
    assert.equal(await page.locator('[data-slot="events"]').getByText('Not chosen yet').count(), 1);
    assert.equal(await page.locator('[data-slot="users"]').getByText('Not chosen yet').count(), 1);
    await page.getByText(outDir).waitFor();
    assert.equal(await page.getByTestId('run').count(), 0, 'no Run button before there is anything to run');
    await screenshot(page, 'desktop-first-launch');

    await page.getByRole('button', { name: 'Use sample data' }).click();
    await page.locator('[data-slot="events"]').getByText('raw_events.json').waitFor();
    await page.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-status="finished"]').waitFor({ timeout: 120_000 });
    const written = await readdir(outDir);
    for (const f of [OUTPUT_FILES.cleanEvents, OUTPUT_FILES.dailySummary, OUTPUT_FILES.droppedRows]) {
      assert.ok(written.includes(f), `${f} in ${outDir}`);
    }
  } finally {
    await first.close();
  }

  // A relaunch: a new main wiring and page over the same userData.
  const second = await launchDesktop(browser, { userData, documents });
  try {
    const page = second.page;
    await page.locator('[data-slot="events"]').getByText('raw_events.json').waitFor();
    await page.locator('[data-slot="users"]').getByText('users.csv').waitFor();
    await page.locator('[data-slot="users"] .input-format', { hasText: 'CSV' }).waitFor();
    await page.getByText(outDir).waitFor();
    assert.equal(await page.getByTestId('run').isDisabled(), false, 'the remembered inputs are ready to run');
    await screenshot(page, 'desktop-relaunch');
  } finally {
    await second.close();
  }
});

test('desktop: a drop made by script grants nothing; dropping the file itself grants exactly it', async () => {
  const dir = path.join(tmp, 'drops');
  const app = await launchDesktop(browser, {
    userData: path.join(dir, 'userData'),
    documents: path.join(dir, 'Documents'),
  });
  try {
    const page = app.page;
    const events = path.join(dir, 'raw_events.json');
    const content = '[{"user_id":"u1","event_type":"login","timestamp":"2025-01-15T10:00:00Z"}]';
    await writeFile(events, content);
    await page.getByText('Add the two inputs').waitFor();

    // A page script builds the same file and dispatches a drop: no path, nothing granted.
    await scriptedDrop(page, [{ name: 'raw_events.json', content }]);
    await page.locator('[role="alert"]', { hasText: 'has no path on disk' }).waitFor();
    assert.equal(app.wiring.allowlist.readable(events), null, 'a scripted drop granted nothing');

    // The user drops the real file: it, and only it, becomes readable.
    await app.dropFiles('[data-testid="drop-zone"]', [events]);
    await page.locator('[data-slot="events"] .input-format', { hasText: 'JSON array' }).waitFor();
    assert.ok(app.wiring.allowlist.readable(events));
    assert.equal(app.wiring.allowlist.readable(path.join(dir, 'users.csv')), null);
  } finally {
    await app.close();
  }
});
