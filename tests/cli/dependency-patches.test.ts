/**
 * `npm ci` applies patches/*.patch with patch-package (the postinstall script). The patches only
 * change speed (docs/building.md "Dependency patches"): nodejs-polars' wrapper literals define
 * their computed keys last, and parquetjs-lite / node-int64 make buffers without the deprecated
 * `new Buffer`. These tests show that each patch is made for the installed version, that the
 * installed files carry it, and that the patched libraries still behave.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';

const ROOT = path.resolve(__dirname, '../..');
const PATCHES = path.join(ROOT, 'patches');

interface FilePatch {
  file: string;
  added: string[];
}

/** The files a unified diff changes, each with its added lines in order. */
function parsePatch(text: string): FilePatch[] {
  const files: FilePatch[] = [];
  for (const line of text.split('\n')) {
    const header = /^\+\+\+ b\/(.+)$/.exec(line);
    if (header) files.push({ file: header[1], added: [] });
    else if (line.startsWith('+') && files.length > 0) files[files.length - 1].added.push(line.slice(1));
  }
  return files;
}

/** `name+1.2.3.patch` -> { name, version } (patch-package's naming; `a++b` for a nested package). */
function patchTarget(fileName: string): { name: string; version: string } {
  const m = /^(.+)\+(\d[^+]*)\.patch$/.exec(fileName);
  assert.ok(m, `${fileName} is not named as patch-package names its patches`);
  return { name: m[1].replace(/\+\+/g, '/node_modules/'), version: m[2] };
}

const patchFiles = fs.readdirSync(PATCHES).filter((f) => f.endsWith('.patch'));

describe('the dependency patches', () => {
  test('cover the three packages, each made for the version that is installed', () => {
    assert.deepEqual(patchFiles.map((f) => patchTarget(f).name).sort(), [
      'node-int64',
      'nodejs-polars',
      'parquetjs-lite',
    ]);
    for (const file of patchFiles) {
      const { name, version } = patchTarget(file);
      const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      };
      assert.equal(
        installed.version,
        version,
        `${file} was made for ${name}@${version}; make it again for the new version`,
      );
    }
  });

  test('are applied: every installed file holds its added lines, in order', () => {
    for (const file of patchFiles) {
      const changes = parsePatch(fs.readFileSync(path.join(PATCHES, file), 'utf8'));
      assert.ok(changes.length > 0, `${file} changes no file`);
      for (const { file: target, added } of changes) {
        const lines = fs.readFileSync(path.join(ROOT, target), 'utf8').split('\n');
        assert.match(lines[0], /^\/\/ Patched by patches\//, `${target} does not say it is patched: run npm ci`);
        let at = 0;
        for (const line of added) {
          const found = lines.indexOf(line, at);
          assert.ok(found >= 0, `${target} lacks a line of ${file}: ${JSON.stringify(line)}; run npm ci`);
          at = found + 1;
        }
      }
    }
  });

  test('leave no new Buffer() in the Thrift code that reads the footers', () => {
    const thrift = parsePatch(fs.readFileSync(path.join(PATCHES, 'parquetjs-lite+0.8.7.patch'), 'utf8'));
    const int64 = parsePatch(fs.readFileSync(path.join(PATCHES, 'node-int64+0.3.3.patch'), 'utf8'));
    for (const { file } of [...thrift, ...int64]) {
      assert.doesNotMatch(fs.readFileSync(path.join(ROOT, file), 'utf8'), /\bnew Buffer\(/, file);
    }
  });

  test('nodejs-polars still behaves: expressions, series and frames print, iterate and identify themselves', () => {
    const e = pl.col('a').add(1);
    assert.equal((e as unknown as Record<symbol, () => string>)[Symbol.toStringTag](), 'Expr');
    assert.match(inspect(e), /col\("a"\)/);
    const s = pl.Series('s', [1, 2, 3]);
    assert.deepEqual([...s], [1, 2, 3]);
    assert.match(inspect(s), /shape: \(3,\)/);
    const df = pl.DataFrame({ a: [1, 2] });
    assert.equal(Object.prototype.toString.call(df), '[object DataFrame]');
    assert.deepEqual(
      [...df].map((c) => c.name),
      ['a'],
    );
    assert.equal(Object.prototype.toString.call(df.lazy()), '[object LazyDataFrame]');
    assert.deepEqual(df.lazy().filter(pl.col('a').gt(1)).collectSync().getColumn('a').toArray(), [2]);
  });

  test('the legacy-buffer helper the patch adds makes what new Buffer made', () => {
    const source = fs.readFileSync(path.join(ROOT, 'node_modules/node-int64/Int64.js'), 'utf8');
    const helper = /^const legacyBuffer = .*$/m.exec(source);
    assert.ok(helper, 'node-int64 has no legacyBuffer helper');
    const legacyBuffer = new Function(`${helper[0]}\nreturn legacyBuffer;`)() as (...a: unknown[]) => Buffer;
    assert.deepEqual(legacyBuffer(4), Buffer.alloc(4));
    assert.deepEqual(legacyBuffer([1, 2, 255]), Buffer.from([1, 2, 255]));
    assert.equal(legacyBuffer('héllo', 'utf8').toString('utf8'), 'héllo');
    assert.deepEqual(legacyBuffer('ff00', 'hex'), Buffer.from([0xff, 0]));
    const original = Buffer.from('abc');
    const copy = legacyBuffer(original);
    original[0] = 0x7a; // a copy, as new Buffer(buffer) makes
    assert.equal(copy.toString(), 'abc');
  });
});
