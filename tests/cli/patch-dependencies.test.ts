/**
 * `npm ci` runs electron/cli/patch-dependencies.cjs: it moves the computed keys of nodejs-polars'
 * wrapper literals last (each `pl.col()` cost 0.9 ms before), and has parquetjs-lite's Thrift
 * code make buffers without the deprecated `new Buffer` (see the script). These tests prove the
 * patches change nothing but speed, that the installed copies are patched, and that a file of
 * another shape is left alone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import vm from 'node:vm';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { tmpDir } from '../engine/helpers';

const patcher = require('../../electron/cli/patch-dependencies.cjs') as {
  moveComputedLast: (source: string, opener: string) => string | null;
  replaceNewBuffer: (source: string) => string | null;
  patch: (root: string, targets?: Target[]) => number;
  packageRoot: (target: Target, projectRoot: string) => string | null;
  MARKER: string;
  TARGETS: Target[];
};
interface Target {
  pkg: string;
  from?: string;
  file: string;
  change: (source: string) => string | null;
}

const ROOT = path.resolve(__dirname, '../..');

/** A wrapper shaped like nodejs-polars' own: computed members first, comments, multi-line members. */
const WRAPPER = `"use strict";
const inspect = Symbol.for("nodejs.util.inspect.custom");
exports.make = (_x) => {
    const helper = (n) => n + 1;
    return {
        _x,
        [Symbol.toStringTag]() {
            return "Thing";
        },
        /** the value,
         * doubled */
        double() {
            return _x * 2;
        },
        *[Symbol.iterator]() {
            yield _x;
            yield helper(_x);
        },
        get [inspect]() {
            return "thing";
        },
        plus: (n) => _x + n,
        get half() {
            return _x / 2;
        }
    };
};
`;
const OPENER = '    return {\n        _x,\n';

function load(source: string): { make: (x: number) => Record<string | symbol, unknown> } {
  const module = { exports: {} as never };
  vm.runInThisContext(`(function (exports, module) {${source}\n})`)(module.exports, module);
  return module.exports;
}

describe('moving computed keys last', () => {
  test('keeps every member and what it does; only the order of definition changes', () => {
    const moved = patcher.moveComputedLast(WRAPPER, OPENER);
    assert.ok(moved);
    const before = load(WRAPPER).make(4);
    const after = load(moved).make(4);
    assert.deepEqual(Reflect.ownKeys(after).map(String).sort(), Reflect.ownKeys(before).map(String).sort());
    assert.equal((after[Symbol.toStringTag] as () => string)(), 'Thing');
    assert.deepEqual([...(after as unknown as Iterable<number>)], [4, 5]);
    assert.equal(after[Symbol.for('nodejs.util.inspect.custom')], 'thing');
    assert.equal((after.double as () => number)(), 8);
    assert.equal((after.plus as (n: number) => number)(1), 5);
    assert.equal(after.half, 2);
    // The computed members now come after all the others.
    const keys = Reflect.ownKeys(after);
    const firstSymbol = keys.findIndex((k) => typeof k === 'symbol');
    assert.ok(keys.slice(firstSymbol).every((k) => typeof k === 'symbol'));
    assert.ok(moved.indexOf('[Symbol.toStringTag]') > moved.indexOf('get half()'));
  });

  test('a file of another shape is left alone, with a warning, and patching twice changes nothing', () => {
    // A project of its own, with one package holding a wrapper as expected and one file that is not.
    const root = tmpDir();
    const pkg = path.join(root, 'node_modules', 'wrappers');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"wrappers","version":"1.0.0"}');
    fs.writeFileSync(path.join(pkg, 'good.js'), WRAPPER);
    fs.writeFileSync(path.join(pkg, 'odd.js'), 'module.exports = {};\n');
    const targets: Target[] = ['good.js', 'odd.js', 'missing.js'].map((file) => ({
      pkg: 'wrappers',
      file,
      change: (s) => patcher.moveComputedLast(s, OPENER),
    }));
    const warnings: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (warnings.push(String(chunk)), true)) as typeof process.stderr.write;
    let first: number, second: number;
    try {
      first = patcher.patch(root, targets);
      second = patcher.patch(root, targets);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(first, 1);
    assert.equal(second, 0);
    assert.equal(fs.readFileSync(path.join(pkg, 'odd.js'), 'utf8'), 'module.exports = {};\n');
    assert.ok(
      warnings.some((w) => w.includes('odd.js') && w.includes('left as it is')),
      warnings.join(''),
    );
    assert.ok(
      warnings.some((w) => w.includes('missing.js') && w.includes('not found')),
      warnings.join(''),
    );
    const patched = fs.readFileSync(path.join(pkg, 'good.js'), 'utf8');
    assert.ok(patched.startsWith(patcher.MARKER));
    assert.ok(patched.indexOf('[Symbol.toStringTag]') > patched.indexOf('get half()'));
  });
});

describe('making buffers without new Buffer', () => {
  test('gives the same buffers, keeps strict mode, and leaves a file without new Buffer alone', () => {
    const source = `// a file
"use strict";
exports.sized = () => new Buffer(4);
exports.bytes = () => new Buffer([1, 2, 255]);
exports.text = () => new Buffer("héllo", "utf8");
exports.hex = () => new Buffer("ff00", "hex");
exports.copy = (b) => new Buffer(b);
exports.strict = function () { return this === undefined; };
`;
    const patched = patcher.replaceNewBuffer(source);
    assert.ok(patched);
    assert.doesNotMatch(patched, /new Buffer\(/);
    const m = load(patched) as unknown as Record<string, (...a: unknown[]) => unknown>;
    assert.deepEqual(m.sized(), Buffer.alloc(4));
    assert.deepEqual(m.bytes(), Buffer.from([1, 2, 255]));
    assert.equal((m.text() as Buffer).toString('utf8'), 'héllo');
    assert.deepEqual(m.hex(), Buffer.from([0xff, 0]));
    const original = Buffer.from('abc');
    const copy = m.copy(original) as Buffer;
    assert.deepEqual(copy, original);
    original[0] = 0x7a; // a copy, as new Buffer(buffer) makes
    assert.equal(copy.toString(), 'abc');
    const unbound = m.strict;
    assert.equal(unbound(), true, 'still strict: an unbound call sees no this');
    assert.equal(patcher.replaceNewBuffer('exports.x = Buffer.from("a");\n'), null);
  });
});

describe('the installed dependencies', () => {
  test('are patched: every target file starts with the marker and needs no more change', () => {
    for (const target of patcher.TARGETS) {
      const root = patcher.packageRoot(target, ROOT);
      assert.ok(root, `${target.pkg} is not installed`);
      const source = fs.readFileSync(path.join(root, target.file), 'utf8');
      assert.ok(
        source.startsWith(patcher.MARKER),
        `${target.pkg}/${target.file} is not patched: run npm ci (its postinstall patches it)`,
      );
      assert.doesNotMatch(source, /\bnew Buffer\(/, `${target.pkg}/${target.file}`);
    }
    // The wrappers' computed keys are last: moving them again changes nothing.
    for (const target of patcher.TARGETS.filter((t) => t.pkg === 'nodejs-polars')) {
      const body = fs
        .readFileSync(path.join(patcher.packageRoot(target, ROOT)!, target.file), 'utf8')
        .slice(patcher.MARKER.length + 1);
      assert.equal(target.change(body), body, `${target.file}: a computed key comes before a plain one`);
    }
  });

  test('still behaves: expressions, series and frames print, iterate and identify themselves', () => {
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
});
