/**
 * electron-builder cannot download Electron here, so its configuration is loaded the way it loads
 * it and what it means is checked: which files each OS leaves outside the asar, the macOS
 * signing entitlements, the fuses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const build = pkg.build;
// electron-builder logs to stdout in pieces, which can break the test runner's own messages there.
require('builder-util/out/log').log.stream = { write: () => true };
const { getConfig } = require('app-builder-lib/out/util/config/config');
/** The configuration as electron-builder loads it (package.json "build", defaults applied). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- electron-builder's Configuration, loaded untyped
const loadedConfig: Promise<Record<string, any>> = getConfig(root, null, null);
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const installer = require('../../electron/cli/install-polars-binary.cjs') as {
  pickBinaryPackage: (
    lock: unknown,
    target: { os: string; cpu: string; libc: string | null },
  ) => { name: string } | null;
};

test("the build config passes electron-builder's own schema validation", async () => {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util/out/DebugLogger');
  const config = await loadedConfig;
  await validateConfiguration(config, new DebugLogger(false));
  await assert.rejects(
    validateConfiguration({ ...config, electronFusez: {} }, new DebugLogger(false)),
    /electronFusez/,
    'a misspelt option is caught',
  );
});

test('ships the bundle and the sample data, one installer type per OS', () => {
  assert.equal(build.appId, 'com.benefitsengagement.etl');
  assert.equal(build.productName, 'Benefits Engagement ETL');
  assert.equal(pkg.main, 'dist/electron/main.js');
  assert.ok(build.files.includes('dist/**') && build.files.includes('package.json'));
  assert.deepEqual(build.extraResources, [{ from: 'data', to: 'data', filter: ['**/*'] }]);
  assert.deepEqual(build.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(build.mac.target, ['dmg']);
  assert.deepEqual(build.win.target, ['nsis']);
  assert.equal(build.icon, 'assets/icon.png');
});

/** The files electron-builder leaves outside the asar when packaging for `platformKey`, as it computes them. */
async function unpackedFilter(platformKey: 'linux' | 'mac' | 'win') {
  const { getFileMatchers } = require('app-builder-lib/out/fileMatcher');
  const config = await loadedConfig;
  const matchers = getFileMatchers(config, 'asarUnpack', path.join(root, 'release', 'app'), {
    macroExpander: (s: string) => s,
    customBuildOptions: config[platformKey] ?? {},
    globalOutDir: path.join(root, 'release'),
    defaultSrc: root,
  });
  const filter = matchers[0].createFilter() as (file: string, stat: { isDirectory(): boolean }) => boolean;
  const file = { isDirectory: () => false };
  return (relative: string) => filter(path.join(root, ...relative.split('/')), file);
}

/** The native module file of a nodejs-polars platform package (napi-rs names it after the package). */
const nativeModule = (name: string) => `node_modules/${name}/nodejs-polars.${name.slice('nodejs-polars-'.length)}.node`;

test("each OS's build unpacks that OS's native Polars module (and the workers), nothing else of the app", async () => {
  const targets: ['linux' | 'mac' | 'win', { os: string; cpu: string; libc: string | null }[]][] = [
    ['linux', [{ os: 'linux', cpu: 'x64', libc: 'glibc' }]],
    [
      'mac',
      [
        { os: 'darwin', cpu: 'arm64', libc: null },
        { os: 'darwin', cpu: 'x64', libc: null },
      ],
    ],
    ['win', [{ os: 'win32', cpu: 'x64', libc: null }]],
  ];
  const binaries = targets.flatMap(([, ts]) => ts.map((t) => installer.pickBinaryPackage(lock, t)!.name));
  for (const [key, platforms] of targets) {
    const unpacked = await unpackedFilter(key);
    const own = platforms.map((t) => installer.pickBinaryPackage(lock, t)!.name);
    for (const name of own) assert.ok(unpacked(nativeModule(name)), `${key}: ${nativeModule(name)} is unpacked`);
    for (const name of binaries.filter((n) => !own.includes(n))) {
      assert.ok(!unpacked(nativeModule(name)), `${key}: another OS's ${name} is not listed`);
    }
    // nodejs-polars' loader and the run/scan workers (started from a real file) sit beside it.
    assert.ok(unpacked('node_modules/nodejs-polars/bin/native-polars.js'), `${key}: the Polars loader`);
    // A spilled run's scan threads require('nodejs-polars') from the unpacked scan worker: the
    // whole package must resolve there, outside the asar.
    for (const f of ['package.json', 'bin/index.js'])
      assert.ok(unpacked(`node_modules/nodejs-polars/${f}`), `${key}: nodejs-polars/${f}`);
    for (const name of own) assert.ok(unpacked(`node_modules/${name}/package.json`), `${key}: ${name}/package.json`);
    assert.ok(unpacked('dist/electron/run-worker.js'), `${key}: the run worker`);
    assert.ok(unpacked('dist/electron/scan-worker.js'), `${key}: the scan worker`);
    assert.ok(!unpacked('dist/electron/main.js'), `${key}: main.js stays in the asar`);
    assert.ok(!unpacked('dist/renderer/index.html'), `${key}: the UI stays in the asar`);
  }
});

/** The keys of a plist's top-level dict that are set to <true/>. */
function trueKeys(plist: string): string[] {
  const body = plist.replace(/<!--[\s\S]*?-->/g, '');
  return [...body.matchAll(/<key>([^<]+)<\/key>\s*<true\s*\/>/g)].map((m) => m[1]);
}

test('macOS: hardened runtime, and entitlements of our own that keep library validation on', async () => {
  const config = await loadedConfig;
  assert.equal(config.mac.hardenedRuntime, true);
  for (const key of ['entitlements', 'entitlementsInherit'] as const) {
    const file = config.mac[key] as string;
    assert.ok(file, `mac.${key} is set (electron-builder's default turns library validation off)`);
    assert.ok(!path.isAbsolute(file) && path.resolve(root, file).startsWith(path.join(root, 'assets')), file);
    const keys = trueKeys(readFileSync(path.join(root, file), 'utf8'));
    assert.ok(
      !keys.includes('com.apple.security.cs.disable-library-validation'),
      `${file} disables library validation`,
    );
    assert.ok(!keys.includes('com.apple.security.cs.allow-dyld-environment-variables'), file);
    assert.ok(!keys.includes('com.apple.security.get-task-allow'), `${file} allows a debugger to attach`);
    // V8 needs JIT memory under the hardened runtime, or the app does not start.
    assert.ok(keys.includes('com.apple.security.cs.allow-jit'), file);
  }
  assert.deepEqual(
    trueKeys('<dict><key>com.apple.security.cs.disable-library-validation</key><true/></dict>'),
    ['com.apple.security.cs.disable-library-validation'],
    'the plist reader sees a key it must refuse',
  );
});

test('fuses close Node-style back doors and pin the app to its asar', () => {
  assert.deepEqual(
    {
      runAsNode: build.electronFuses.runAsNode,
      enableNodeOptionsEnvironmentVariable: build.electronFuses.enableNodeOptionsEnvironmentVariable,
      enableNodeCliInspectArguments: build.electronFuses.enableNodeCliInspectArguments,
      enableEmbeddedAsarIntegrityValidation: build.electronFuses.enableEmbeddedAsarIntegrityValidation,
      onlyLoadAppFromAsar: build.electronFuses.onlyLoadAppFromAsar,
    },
    {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    },
  );
});

test('the icon is a 512x512 PNG', () => {
  const png = readFileSync(path.join(root, 'assets/icon.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 512);
  assert.equal(png.readUInt32BE(20), 512);
});
