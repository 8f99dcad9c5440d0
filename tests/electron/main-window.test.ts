/** The main process's security-relevant choices, read without starting Electron. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate } from '../../electron/transport/app-menu';
import { APP_SCHEME_PRIVILEGES, serveAppProtocol } from '../../electron/transport/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../electron/transport/content-security-policy';
import { staticFilePath } from '../../electron/transport/static-files';

/**
 * Outside Electron, `require('electron')` only knows where the binary is (and this machine has
 * none), so main.ts is loaded with an empty stand-in: it must export its options without
 * starting an app.
 */
function loadMain(): typeof import('../../electron/main') {
  const electronPath = require.resolve('electron');
  require.cache[electronPath] = {
    id: electronPath,
    filename: electronPath,
    loaded: true,
    exports: {},
  } as NodeJS.Module;
  return require('../../electron/main');
}

test('getMainWindowOptions: isolated, sandboxed, no Node in the page, web security on, our preload', () => {
  const { getMainWindowOptions } = loadMain();
  const options = getMainWindowOptions('/app/dist/electron/preload.js');
  const web = options.webPreferences!;
  assert.equal(web.contextIsolation, true);
  assert.equal(web.sandbox, true);
  assert.equal(web.nodeIntegration, false);
  assert.equal(web.nodeIntegrationInWorker, false);
  assert.equal(web.webSecurity, true);
  assert.equal(web.allowRunningInsecureContent, false);
  assert.equal(web.webviewTag, false);
  assert.equal(web.preload, '/app/dist/electron/preload.js');
  assert.match(getMainWindowOptions().webPreferences!.preload!, /preload\.js$/);
  assert.equal(options.show, false, 'shown on ready-to-show, without a white flash');
});

test('the CSP allows only our own files: no remote content, no eval, no inline script', () => {
  assert.match(CONTENT_SECURITY_POLICY, /^default-src 'self'/);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
  assert.match(CONTENT_SECURITY_POLICY, /object-src 'none'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|unsafe-inline|https?:|\*/);
});

test('app:// is a privileged standard, secure scheme, served with the CSP and no way out of the UI folder', async () => {
  assert.deepEqual(APP_SCHEME_PRIVILEGES, [
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  let handler!: (req: Request) => Promise<Response>;
  serveAppProtocol({ handle: (_scheme: string, h: never) => void (handler = h) } as never, __dirname);
  const ok = await handler(new Request('app://etl/main-window.test.ts'));
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal((await handler(new Request('app://etl/..%2f..%2fpackage.json'))).status, 404);
  assert.equal((await handler(new Request('app://elsewhere/main-window.test.ts'))).status, 404);
  assert.equal(staticFilePath('/ui', '/'), '/ui/index.html');
  assert.equal(staticFilePath('/ui', '/../secret'), null);
});

test('the menu: Open inputs Ctrl/Cmd+O and Run Ctrl/Cmd+R send typed commands', () => {
  const sent: string[] = [];
  const template = buildMenuTemplate((c) => sent.push(c), { isMac: false, isDev: false });
  const items = template.flatMap((m) => (m.submenu as MenuItemConstructorOptions[] | undefined) ?? []);
  const byAccelerator = Object.fromEntries(items.filter((i) => i.accelerator).map((i) => [i.accelerator, i]));
  assert.equal(byAccelerator['CmdOrCtrl+O'].label, 'Open Inputs…');
  assert.equal(byAccelerator['CmdOrCtrl+R'].label, 'Run Pipeline');
  for (const item of items) (item.click as (() => void) | undefined)?.();
  assert.deepEqual(sent, ['open-inputs', 'choose-output-dir', 'run', 'cancel']);
  assert.ok(!items.some((i) => i.role === 'toggleDevTools'), 'no devtools in a packaged app');
  assert.ok(!items.some((i) => i.role === 'reload' || i.role === 'forceReload'), 'Ctrl+R is Run, not reload');
});
