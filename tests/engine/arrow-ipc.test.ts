/**
 * The hand-written Arrow IPC stream and file (arrow-ipc.ts) as Polars reads them: every column
 * type the reader builds, with and without nulls, empty and multi-byte strings, and zero rows.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { encodeIpcStream } from '../../electron/engine/arrow-ipc';
import {
  DictionaryColumn,
  Float64Column,
  Int32Column,
  StringColumn,
  toIpcFile,
  toIpcStream,
} from '../../electron/engine/column-builders';
import { tmpDir } from './helpers';

const read = (ipc: Uint8Array) => pl.readIPCStream(Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength));

/** Pushes row i's string, float (null as a null) and int(i) into the three builders. */
function fill(
  s: StringColumn,
  f: Float64Column,
  n: Int32Column,
  strings: (string | null)[],
  floats: (number | null)[],
  int: (i: number) => number,
) {
  strings.forEach((v, i) => {
    if (v === null) s.pushNull();
    else s.pushString(v);
    const x = floats[i];
    if (x === null) f.pushNull();
    else f.push(x);
    n.push(int(i));
  });
}

describe('Arrow IPC stream writer', () => {
  test('int32, float64 and utf8 columns with nulls come back as written', () => {
    const strings = ['a', null, '', 'héllo wörld, longer than twelve bytes', '😀', null, 'x'.repeat(100), 'z', 'y'];
    const floats = [1.5, null, -0, 3e300, null, 0.1, -2, 7, null];
    const s = new StringColumn();
    const f = new Float64Column();
    const n = new Int32Column();
    fill(s, f, n, strings, floats, (i) => i * 1000 - 3);
    const df = read(toIpcStream({ id: n.finish(), text: s.finish(), value: f.finish() }));
    assert.deepEqual(df.columns, ['id', 'text', 'value']);
    assert.deepEqual(df.dtypes.map(String), ['DataType(Int32)', 'DataType(String)', 'DataType(Float64)']);
    assert.deepEqual(
      df.getColumn('id').toArray(),
      strings.map((_, i) => i * 1000 - 3),
    );
    assert.deepEqual(df.getColumn('text').toArray(), strings);
    assert.deepEqual(df.getColumn('value').toArray(), floats);
  });

  test('bytes copied from input are stored as they are', () => {
    const input = Buffer.from('{"k":"ab","m":"ünï"}');
    const s = new StringColumn();
    s.pushBytes(input, 6, 8);
    s.pushBytes(input, 15, 20);
    s.pushBytes(input, 0, 0);
    assert.deepEqual(
      read(toIpcStream({ s: s.finish() }))
        .getColumn('s')
        .toArray(),
      ['ab', 'ünï', ''],
    );
  });

  test('builders start over empty after a batch', () => {
    const s = new StringColumn();
    for (let i = 0; i < 5000; i++) {
      if (i % 7 === 0) s.pushNull();
      else s.pushString(`v${i}`);
    }
    read(toIpcStream({ s: s.finish() }));
    s.pushString('next');
    assert.deepEqual(
      read(toIpcStream({ s: s.finish() }))
        .getColumn('s')
        .toArray(),
      ['next'],
    );
  });

  test("builders sized for a few rows grow past it, and one batch's nulls never carry into the next", () => {
    // Sized for 3 rows of 1 byte; each batch has hundreds, with nulls in different places.
    const s = new StringColumn(3, 1);
    const f = new Float64Column(3);
    const n = new Int32Column(3);
    for (const [batch, nullEvery] of [
      [0, 3],
      [1, 5],
      [2, 0],
    ] as const) {
      const rows = 700 + batch * 300;
      const isNull = (i: number) => nullEvery > 0 && i % nullEvery === batch;
      const strings = Array.from({ length: rows }, (_, i) => (isNull(i) ? null : `row ${i} of batch ${batch}`));
      const floats = Array.from({ length: rows }, (_, i) => (isNull(i) ? null : i / 4));
      fill(s, f, n, strings, floats, (i) => i);
      const df = read(toIpcStream({ n: n.finish(), s: s.finish(), f: f.finish() }));
      assert.deepEqual(df.getColumn('s').toArray(), strings, `strings of batch ${batch}`);
      assert.deepEqual(df.getColumn('f').toArray(), floats, `floats of batch ${batch}`);
      assert.deepEqual(
        df.getColumn('n').toArray(),
        strings.map((_, i) => i),
        `ints of batch ${batch}`,
      );
    }
  });

  test('dictionary columns come back as Categoricals with every value, batch after batch', () => {
    const d = new DictionaryColumn(4);
    const n = new Int32Column(4);
    // Few values with nulls, multi-byte and empty ones; then 5,000 distinct values (the table
    // grows several times); then few again (each batch has a dictionary of its own), the last
    // two with the same values in another order. Values are hashed and compared four bytes at
    // a time, so some differ only in their first byte, a middle word or the last (odd) byte.
    const batches = [
      ['login', null, 'view_plan', 'login', '', 'héllo', 'view_plan', null, '😀', 'login'],
      [
        '/docs/eob-2025.pdf',
        '/docs/eob-2024.pdf',
        'X/docs/eob-2025.pd',
        '/docsXeob-2025.pdf',
        '/docs/eob-2025.pdf',
        'abcd',
        'abcde',
        'abcdf',
        'abc',
        'abcd',
        'abcdf',
      ],
      Array.from({ length: 6000 }, (_, i) => (i % 97 === 0 ? null : `page/${i % 5000}`)),
      ['view_plan', 'logout', 'logout'],
      ['logout', 'view_plan'],
    ];
    for (const values of batches) {
      values.forEach((v, i) => {
        if (v === null) d.pushNull();
        else if (i % 2 === 0) d.pushString(v);
        else {
          const bytes = Buffer.from(`"${v}"`);
          d.pushBytes(bytes, 1, bytes.length - 1);
        }
        n.push(i);
      });
      const column = d.finish();
      // Each distinct value is in the dictionary once.
      assert.equal(column.dictionary!.length, new Set(values.filter((v) => v !== null)).size);
      const df = read(toIpcStream({ n: n.finish(), d: column }));
      assert.deepEqual(df.dtypes.map(String), ['DataType(Int32)', 'DataType(Categorical)']);
      assert.deepEqual(df.getColumn('d').cast(pl.Utf8).toArray(), values);
    }
    const empty = read(toIpcStream({ d: d.finish() }));
    assert.equal(empty.height, 0);
    assert.deepEqual(empty.dtypes.map(String), ['DataType(Categorical)']);
  });

  test('zero rows still carry the schema', () => {
    const df = read(toIpcStream({ a: new Int32Column().finish(), b: new StringColumn().finish() }));
    assert.equal(df.height, 0);
    assert.deepEqual(df.dtypes.map(String), ['DataType(Int32)', 'DataType(String)']);
  });

  test('columns of different lengths are refused', () => {
    assert.throws(
      () =>
        encodeIpcStream([
          { name: 'a', type: 'int32', length: 2, nullCount: 0, values: new Int32Array(2) },
          { name: 'b', type: 'int32', length: 1, nullCount: 0, values: new Int32Array(1) },
        ]),
      /column b has 1 rows, a has 2/,
    );
  });

  test('an IPC file holds the same columns, uint64 too, for a lazy scan and a plain read alike', async () => {
    const s = new StringColumn();
    const f = new Float64Column();
    const n = new Int32Column();
    const d = new DictionaryColumn();
    const strings = ['a', null, '', 'héllo', '😀'];
    fill(s, f, n, strings, [1.5, null, -0, 3e300, 0.1], (i) => i - 2);
    for (const v of ['login', null, 'view', 'login', '']) {
      if (v === null) d.pushNull();
      else d.pushString(v);
    }
    // uint64 as two words a row, low first: 1, 2^64 - 1, 2^32 + 5, 0, 2^63.
    const words = new Uint32Array([1, 0, 0xffffffff, 0xffffffff, 5, 1, 0, 0, 0, 0x80000000]);
    const h = { type: 'uint64' as const, length: 5, nullCount: 0, values: words };
    const file = path.join(tmpDir(), 'batch.ipc');
    fs.writeFileSync(file, toIpcFile({ n: n.finish(), s: s.finish(), f: f.finish(), d: d.finish(), h }));
    for (const df of [pl.readIPC(file), await pl.scanIPC(file).collect()]) {
      assert.deepEqual(df.dtypes.map(String), [
        'DataType(Int32)',
        'DataType(String)',
        'DataType(Float64)',
        'DataType(Categorical)',
        'DataType(UInt64)',
      ]);
      assert.deepEqual(df.getColumn('n').toArray(), [-2, -1, 0, 1, 2]);
      assert.deepEqual(df.getColumn('s').toArray(), strings);
      assert.deepEqual(df.getColumn('f').toArray(), [1.5, null, -0, 3e300, 0.1]);
      assert.deepEqual(df.getColumn('d').cast(pl.Utf8).toArray(), ['login', null, 'view', 'login', '']);
      assert.deepEqual(
        [...(df.getColumn('h').toTypedArray() as BigUint64Array)],
        [1n, 2n ** 64n - 1n, 2n ** 32n + 5n, 0n, 2n ** 63n],
      );
    }
    // Zero rows still carry the schema.
    const empty = path.join(tmpDir(), 'empty.ipc');
    fs.writeFileSync(empty, toIpcFile({ n: new Int32Column().finish(), s: new StringColumn().finish() }));
    const none = await pl.scanIPC(empty).collect();
    assert.equal(none.height, 0);
    assert.deepEqual(none.columns, ['n', 's']);
  });
});
