/**
 * The app installs on Windows x64, macOS arm64/x64 and Linux x64: no direct dependency is tied to
 * one OS or CPU, the postinstall picks each platform's nodejs-polars binary (npm skips it on
 * Node < 22), and no npm script needs a POSIX shell.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pl from 'nodejs-polars';
import { findChromium } from '../e2e/find-chromium';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));

const installer = require('../../electron/cli/install-polars-binary.cjs') as {
  targetPlatform: (env: Record<string, string | undefined>) => { os: string; cpu: string; libc: string | null };
  pickBinaryPackage: (
    lock: unknown,
    target: { os: string; cpu: string; libc: string | null },
  ) => { name: string; version: string } | null;
  admits: (list: string[] | undefined, value: string | null) => boolean;
  ensureBinary: (root: string, opts?: { log?: (m: string) => void }) => 'present' | 'installed' | 'none';
};
const runner = require('../../electron/cli/run-tests.cjs') as {
  suiteFiles: (root: string, suite: string) => string[];
};

test('no installed direct dependency declares os or cpu', () => {
  for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    assert.equal(manifest.os, undefined, `${name} declares os ${manifest.os}`);
    assert.equal(manifest.cpu, undefined, `${name} declares cpu ${manifest.cpu}`);
  }
});

test("each supported platform gets nodejs-polars' binary for it, at nodejs-polars' version", () => {
  const version = lock.packages['node_modules/nodejs-polars'].version;
  const cases: [{ os: string; cpu: string; libc: string | null }, string][] = [
    [{ os: 'win32', cpu: 'x64', libc: null }, 'nodejs-polars-win32-x64-msvc'],
    [{ os: 'darwin', cpu: 'arm64', libc: null }, 'nodejs-polars-darwin-arm64'],
    [{ os: 'darwin', cpu: 'x64', libc: null }, 'nodejs-polars-darwin-x64'],
    [{ os: 'linux', cpu: 'x64', libc: 'glibc' }, 'nodejs-polars-linux-x64-gnu'],
    [{ os: 'linux', cpu: 'x64', libc: 'musl' }, 'nodejs-polars-linux-x64-musl'],
  ];
  for (const [target, name] of cases) {
    assert.deepEqual(
      { ...installer.pickBinaryPackage(lock, target), integrity: undefined },
      { name, version, integrity: undefined },
      JSON.stringify(target),
    );
  }
  assert.equal(installer.pickBinaryPackage(lock, { os: 'aix', cpu: 'ppc64', libc: null }), null);
});

test("npm's --os/--cpu/--libc choose the target; otherwise it is this machine", () => {
  assert.deepEqual(installer.targetPlatform({ npm_config_os: 'win32', npm_config_cpu: 'x64' }), {
    os: 'win32',
    cpu: 'x64',
    libc: null,
  });
  assert.deepEqual(
    installer.targetPlatform({ npm_config_os: 'linux', npm_config_cpu: 'x64', npm_config_libc: 'musl' }),
    {
      os: 'linux',
      cpu: 'x64',
      libc: 'musl',
    },
  );
  const here = installer.targetPlatform({});
  assert.equal(here.os, process.platform);
  assert.equal(here.cpu, process.arch);
});

test("npm's os/cpu rules: a list admits its members, `!x` excludes x", () => {
  assert.equal(installer.admits(undefined, 'linux'), true);
  assert.equal(installer.admits(['linux'], 'linux'), true);
  assert.equal(installer.admits(['linux'], 'win32'), false);
  assert.equal(installer.admits(['!win32'], 'linux'), true);
  assert.equal(installer.admits(['!win32'], 'win32'), false);
  assert.equal(installer.admits(['glibc'], null), false);
});

test("this machine's binary is installed and Polars computes with it", () => {
  assert.equal(installer.ensureBinary(ROOT, { log: () => undefined }), 'present');
  const df = pl.DataFrame({ a: [1, 2, 3] });
  assert.equal(df.getColumn('a').sum(), 6);
});

test('no npm script needs a POSIX shell', () => {
  // cmd.exe has no $(…), backticks, single quotes, find/grep, `VAR=x cmd` or `rm -rf`.
  const posixOnly = /\$\(|`|'|\bfind\b|\bgrep\b|\bsort\b|\brm -|\bexport\b|(^|\s)[A-Z_]+=\S/;
  for (const [name, script] of Object.entries(pkg.scripts)) {
    assert.doesNotMatch(script, posixOnly, `script "${name}": ${script}`);
  }
});

test('npm test lists every test file but the e2e ones; npm run test:e2e lists those', () => {
  const unit = runner.suiteFiles(ROOT, 'unit');
  const e2e = runner.suiteFiles(ROOT, 'e2e');
  assert.ok(unit.includes('tests/cli/cross-platform-install.test.ts'));
  assert.ok(unit.includes('tests/renderer/components.test.tsx'), '.test.tsx files too');
  assert.ok(unit.every((f) => /\.test\.tsx?$/.test(f) && !f.startsWith('tests/e2e/')));
  assert.ok(!unit.includes('tests/engine/helpers.ts'), 'helpers are not tests');
  assert.ok(e2e.length > 0 && e2e.every((f) => f.startsWith('tests/e2e/') && f.endsWith('.test.ts')));
  assert.deepEqual(unit, [...unit].sort());
});

test('the e2e tests find Chromium through CHROMIUM_PATH, then the usual places of each OS', () => {
  const only = (p: string) => (q: string) => q === p;
  assert.equal(findChromium('linux', { CHROMIUM_PATH: '/opt/c/chrome' }, only('/opt/c/chrome')), '/opt/c/chrome');
  assert.equal(findChromium('linux', { CHROME_PATH: '/opt/c/chrome' }, only('/opt/c/chrome')), '/opt/c/chrome');
  assert.throws(
    () => findChromium('linux', { CHROMIUM_PATH: '/nope' }, () => false),
    /CHROMIUM_PATH is set to "\/nope"/,
  );
  assert.equal(findChromium('linux', {}, only('/usr/bin/chromium')), '/usr/bin/chromium');
  const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
  assert.equal(findChromium('darwin', {}, only(mac)), mac);
  const win = path.win32.join('C:\\Program Files', 'Google', 'Chrome', 'Application', 'chrome.exe');
  assert.equal(findChromium('win32', { PROGRAMFILES: 'C:\\Program Files' }, only(win)), win);
  assert.throws(() => findChromium('linux', {}, () => false), /set CHROMIUM_PATH/);
});
