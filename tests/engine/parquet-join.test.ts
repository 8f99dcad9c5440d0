/**
 * A spilled run joins each chunk's Parquet file onto its output (electron/engine/parquet-join.ts),
 * editing footers through a generic Thrift reader and writer (thrift-compact.ts). The joined file
 * must hold every part's rows in order, with their types, for Polars and for an independent
 * reader (DuckDB); its footer must be what parquetjs-lite reads; and the page indexes it moves
 * must point at the pages. A part of another schema, or a file that is not Parquet, is refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DataFrame } from 'nodejs-polars';
import pl from '../../electron/engine/polars';
import { ParquetJoin, ParquetJoinError } from '../../electron/engine/parquet-join';
import { readParquetFooter } from '../../electron/engine/parquet-footer';
import { T, field, readStruct, writeStruct, type TList, type TStruct } from '../../electron/engine/thrift-compact';
import { tmpDir } from './helpers';

/** `n` rows from row `from` on: ids, text with nulls, floats, timestamps in UTC, booleans. */
function rows(from: number, n: number): DataFrame {
  const ids = Array.from({ length: n }, (_, i) => from + i);
  return pl
    .DataFrame({
      id: ids,
      text: ids.map((i) => (i % 7 === 0 ? null : `event-${i % 113}-${'x'.repeat(i % 5)}`)),
      value: ids.map((i) => (i % 11 === 0 ? null : i / 4)),
      at: ids.map((i) => new Date(Date.UTC(2025, 0, 1) + i * 61_000)),
      flag: ids.map((i) => i % 3 === 0),
    })
    .withColumns(pl.col('at').cast(pl.Datetime('us', 'UTC')));
}

/** Writes `frame` as the engine writes a part (small row groups, so parts have several). */
async function part(dir: string, name: string, frame: DataFrame): Promise<string> {
  const file = path.join(dir, name);
  await frame.lazy().sinkParquet(file, { compression: 'snappy', maintainOrder: true, rowGroupSize: 20_000 }).collect();
  return file;
}

function footerOf(file: string): TStruct {
  const bytes = fs.readFileSync(file);
  const length = bytes.readUInt32LE(bytes.length - 8);
  return readStruct(bytes, bytes.length - 8 - length).struct;
}

const list = (s: TStruct, id: number) => (field(s, id) as TList | undefined)?.items ?? [];

describe('Thrift compact protocol', () => {
  test('a Polars footer is written back byte for byte, every field kept', async () => {
    const dir = tmpDir();
    const file = await part(dir, 'a.parquet', rows(0, 50_000));
    const bytes = fs.readFileSync(file);
    const length = bytes.readUInt32LE(bytes.length - 8);
    const footer = bytes.subarray(bytes.length - 8 - length, bytes.length - 8);
    const { struct, end } = readStruct(footer);
    assert.equal(end, footer.length);
    assert.deepEqual(Buffer.from(writeStruct(struct)), Buffer.from(footer));
  });

  test('every type, long lists, field ids far apart and negative numbers survive a round trip', () => {
    const struct: TStruct = {
      fields: [
        { id: 1, type: T.TRUE, value: true },
        { id: 2, type: T.FALSE, value: false },
        { id: 3, type: T.BYTE, value: -5n },
        { id: 4, type: T.I16, value: -32768n },
        { id: 5, type: T.I32, value: 2147483647n },
        { id: 40, type: T.I64, value: -(2n ** 63n) },
        { id: 41, type: T.DOUBLE, value: -1.5e300 },
        { id: 42, type: T.BINARY, value: new Uint8Array([0, 255, 7]) },
        {
          id: 43,
          type: T.LIST,
          value: { elemType: T.I64, items: Array.from({ length: 300 }, (_, i) => BigInt(i * 1e9)) },
        },
        { id: 44, type: T.LIST, value: { elemType: T.TRUE, items: [true, false, true] } },
        { id: 45, type: T.MAP, value: { keyType: T.BINARY, valueType: T.I32, entries: [[new Uint8Array([65]), 1n]] } },
        { id: 46, type: T.MAP, value: { keyType: 0, valueType: 0, entries: [] } },
        { id: 300, type: T.STRUCT, value: { fields: [{ id: 2, type: T.I32, value: 9n }] } },
      ],
    };
    const bytes = writeStruct(struct);
    const back = readStruct(bytes);
    assert.equal(back.end, bytes.length);
    assert.deepEqual(back.struct, struct);
  });
});

describe('joining Parquet files', () => {
  test("every part's rows, in order and with their types, for Polars, DuckDB and parquetjs-lite", async () => {
    const dir = tmpDir();
    // The empty part is typed, as a chunk's empty output is (a query over typed columns).
    const frames = [rows(0, 45_000), rows(45_000, 1).slice(0, 0), rows(45_000, 7), rows(45_007, 61_000)];
    const parts = await Promise.all(frames.map((f, i) => part(dir, `part-${i}.parquet`, f)));
    const joined = path.join(dir, 'joined.parquet');
    const join = await ParquetJoin.create(joined);
    for (const p of parts) await join.append(p);
    // 3 + 1 + 4 row groups of at most 20,000 rows; the empty part has none.
    assert.equal(join.rowGroupCount, 8);
    await join.finish();

    const want = pl.concat(frames);
    const got = pl.readParquet(joined);
    assert.deepEqual(got.schema, want.schema);
    assert.ok(got.frameEqual(want, true), 'Polars reads every row, in order');

    const footer = await readParquetFooter(joined);
    assert.equal(footer.rows, want.height);
    assert.equal(footer.codec, 'SNAPPY');

    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const read = await duck.runAndReadAll(
      `SELECT count(*)::BIGINT, sum(id)::BIGINT, count(text)::BIGINT, sum(value)::DOUBLE, ` +
        `max("at")::VARCHAR, sum(flag::INT)::BIGINT FROM read_parquet('${joined}')`,
    );
    const [count, ids, texts, values, last, flags] = read.getRows()[0];
    assert.equal(Number(count), want.height);
    assert.equal(Number(ids), (want.height * (want.height - 1)) / 2);
    assert.equal(Number(texts), want.getColumn('text').len() - want.getColumn('text').nullCount());
    assert.equal(Number(values), want.getColumn('value').sum());
    assert.match(String(last), /^2025-0\d-\d\d \d\d:\d\d:\d\d\+00$/);
    assert.equal(Number(flags), want.filter(pl.col('flag')).height);
    // DuckDB's rows in file order are the frames' (a moved offset that pointed elsewhere would not be).
    const ordered = await duck.runAndReadAll(`SELECT id FROM read_parquet('${joined}')`);
    assert.deepEqual(
      ordered.getRows().map((r) => Number(r[0])),
      want.getColumn('id').toArray(),
    );
  });

  test('the moved page indexes point at the pages, and row groups are numbered in order', async () => {
    const dir = tmpDir();
    const parts = [await part(dir, 'a.parquet', rows(0, 30_000)), await part(dir, 'b.parquet', rows(30_000, 50_000))];
    const joined = path.join(dir, 'joined.parquet');
    const join = await ParquetJoin.create(joined);
    for (const p of parts) await join.append(p);
    await join.finish();
    const bytes = fs.readFileSync(joined);
    const groups = list(footerOf(joined), 4) as TStruct[];
    assert.deepEqual(
      groups.map((g) => field(g, 7)),
      groups.map((_, i) => BigInt(i)),
    );
    let pages = 0;
    for (const g of groups)
      for (const chunk of list(g, 1) as TStruct[]) {
        const at = Number(field(chunk, 4));
        const index = readStruct(bytes.subarray(at, at + Number(field(chunk, 5)))).struct;
        const meta = field(chunk, 3) as TStruct;
        assert.ok(field(chunk, 6) !== undefined, 'the column index is kept');
        for (const loc of list(index, 1) as TStruct[]) {
          // A page location's offset is where that page's header starts, and its size is the
          // header's plus the compressed page the header states.
          const offset = Number(field(loc, 1));
          const header = readStruct(bytes, offset);
          const pageBytes = Number(field(header.struct, 3));
          assert.equal(header.end - offset + pageBytes, Number(field(loc, 2)));
          pages++;
        }
        const first = Number(field((list(index, 1) as TStruct[])[0], 1));
        assert.ok(first >= Number(field(meta, 11) ?? field(meta, 9)), 'the first page is within its column chunk');
      }
    assert.ok(pages >= groups.length * 5, `${pages} pages checked`);
  });

  test('parts appended without waiting for each other are joined in order, as one after another', async () => {
    // A spilled run goes on to its next query while a part is copied, so appends overlap.
    const dir = tmpDir();
    const frames = [rows(0, 41_000), rows(41_000, 3), rows(41_003, 52_000), rows(93_003, 27_000)];
    const parts = await Promise.all(frames.map((f, i) => part(dir, `part-${i}.parquet`, f)));
    const overlapped = path.join(dir, 'overlapped.parquet');
    const join = await ParquetJoin.create(overlapped);
    const calls = [...parts.map((p) => join.append(p)), join.finish()];
    await Promise.all(calls);
    assert.ok(pl.readParquet(overlapped).frameEqual(pl.concat(frames), true), 'every row, in order');

    const sequential = path.join(dir, 'sequential.parquet');
    const one = await ParquetJoin.create(sequential);
    for (const p of parts) await one.append(p);
    await one.finish();
    assert.deepEqual(fs.readFileSync(overlapped), fs.readFileSync(sequential));
  });

  test('once an append has failed, the calls queued after it fail with its error', async () => {
    const dir = tmpDir();
    const a = await part(dir, 'a.parquet', rows(0, 10));
    const b = await part(dir, 'b.parquet', rows(10, 10).withColumns(pl.col('id').cast(pl.Int64)));
    const c = await part(dir, 'c.parquet', rows(20, 10));
    const joined = path.join(dir, 'joined.parquet');
    const join = await ParquetJoin.create(joined);
    const calls = [join.append(a), join.append(b), join.append(c), join.finish()];
    const [first, ...rest] = await Promise.allSettled(calls);
    assert.equal(first.status, 'fulfilled');
    for (const r of rest) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof ParquetJoinError && r.reason.message.includes(b), String(r.reason));
    }
    await join.close(); // the run removes the unfinished file
    const bytes = fs.readFileSync(joined);
    assert.notEqual(bytes.subarray(-4).toString(), 'PAR1', 'no footer was written');
  });

  test('a part of another schema is refused, naming it', async () => {
    const dir = tmpDir();
    const a = await part(dir, 'a.parquet', rows(0, 10));
    const b = await part(dir, 'b.parquet', rows(10, 10).withColumns(pl.col('id').cast(pl.Int64)));
    const join = await ParquetJoin.create(path.join(dir, 'joined.parquet'));
    await join.append(a);
    await assert.rejects(join.append(b), (e: unknown) => e instanceof ParquetJoinError && e.message.includes(b));
    await join.close();
  });

  test('a file that is not Parquet is refused, naming it', async () => {
    const dir = tmpDir();
    const notParquet = path.join(dir, 'not.parquet');
    fs.writeFileSync(notParquet, 'user_id,country\nu1,US\n');
    const join = await ParquetJoin.create(path.join(dir, 'joined.parquet'));
    await assert.rejects(
      join.append(notParquet),
      (e: unknown) => e instanceof ParquetJoinError && e.message.includes(notParquet),
    );
    await join.close();
  });
});
