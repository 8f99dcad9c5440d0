/** electron-builder cannot download Electron here, so its configuration is checked instead. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const build = pkg.build;

test("the build config passes electron-builder's own schema validation", async () => {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util/out/DebugLogger');
  const config = await getConfig(root, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  await assert.rejects(
    validateConfiguration({ ...config, electronFusez: {} }, new DebugLogger(false)),
    /electronFusez/,
    'a misspelt option is caught',
  );
});

test('ships the bundle, unpacks the native Polars module, and brings the sample data', () => {
  assert.equal(build.appId, 'com.benefitsengagement.etl');
  assert.equal(build.productName, 'Benefits Engagement ETL');
  assert.equal(pkg.main, 'dist/electron/main.js');
  assert.ok(build.files.includes('dist/**') && build.files.includes('package.json'));
  assert.ok(build.asarUnpack.includes('node_modules/nodejs-polars*/**'));
  // The engine's scan workers start from a real file outside the asar (see events-reader.ts).
  assert.ok(build.asarUnpack.includes('dist/electron/*-worker.js'));
  assert.deepEqual(build.extraResources, [{ from: 'data', to: 'data', filter: ['**/*'] }]);
  assert.deepEqual(build.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(build.mac.target, ['dmg']);
  assert.deepEqual(build.win.target, ['nsis']);
  assert.equal(build.icon, 'assets/icon.png');
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
