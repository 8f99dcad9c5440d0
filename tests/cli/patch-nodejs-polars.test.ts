/**
 * `npm ci` runs electron/cli/patch-nodejs-polars.cjs, which moves the computed keys of
 * nodejs-polars' wrapper literals last (each `pl.col()` cost 0.9 ms before, see the script).
 * These tests prove the move changes nothing but the order, that the installed copy is patched,
 * and that a file of another shape is left alone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import vm from 'node:vm';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { tmpDir } from '../engine/helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const patcher = require('../../electron/cli/patch-nodejs-polars.cjs') as {
  moveComputedLast: (source: string, opener: string) => string | null;
  patch: (root: string) => number;
  MARKER: string;
  TARGETS: { file: string; opener: string }[];
};

const POLARS = path.dirname(require.resolve('nodejs-polars/package.json'));

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
    const root = tmpDir();
    const bin = path.join(root, 'bin');
    for (const { file } of patcher.TARGETS) fs.mkdirSync(path.dirname(path.join(bin, file)), { recursive: true });
    // One target with the expected shape, one without.
    const [good, odd] = patcher.TARGETS;
    // (The expression wrapper's literal opens with `_expr`, as WRAPPER's does with `_x`.)
    assert.equal(good.opener, OPENER.replace('_x', '_expr'));
    fs.writeFileSync(path.join(bin, good.file), WRAPPER.replaceAll('_x', '_expr'));
    fs.writeFileSync(path.join(bin, odd.file), 'module.exports = {};\n');
    const warnings: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (warnings.push(String(chunk)), true)) as typeof process.stderr.write;
    let first: number, second: number;
    try {
      first = patcher.patch(root);
      second = patcher.patch(root);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(first, 1);
    assert.equal(second, 0);
    assert.equal(fs.readFileSync(path.join(bin, odd.file), 'utf8'), 'module.exports = {};\n');
    assert.ok(warnings.some((w) => w.includes(odd.file) && w.includes('left as it is')), warnings.join(''));
    const patched = fs.readFileSync(path.join(bin, good.file), 'utf8');
    assert.ok(patched.startsWith(patcher.MARKER));
    assert.ok(patched.indexOf('[Symbol.toStringTag]') > patched.indexOf('get half()'));
  });
});

describe('the installed nodejs-polars', () => {
  test('is patched: every wrapper literal has its computed keys last', () => {
    for (const { file, opener } of patcher.TARGETS) {
      const source = fs.readFileSync(path.join(POLARS, 'bin', file), 'utf8');
      assert.ok(source.startsWith(patcher.MARKER), `${file} is not patched: run npm ci (its postinstall patches it)`);
      const body = source.slice(patcher.MARKER.length + 1);
      assert.equal(patcher.moveComputedLast(body, opener), body, `${file}: a computed key comes before a plain one`);
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
    assert.deepEqual([...df].map((c) => c.name), ['a']);
    assert.equal(Object.prototype.toString.call(df.lazy()), '[object LazyDataFrame]');
    assert.deepEqual(df.lazy().filter(pl.col('a').gt(1)).collectSync().getColumn('a').toArray(), [2]);
  });
});
