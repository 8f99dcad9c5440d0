/**
 * Growable columnar buffers in Arrow's memory layout. The reader appends parsed fields here
 * (string bytes are copied straight from the input, no JS strings), and a full batch becomes a
 * Polars DataFrame through an Arrow IPC stream: one memcpy instead of millions of objects.
 */
import { encodeIpcStream, type IpcColumn } from './arrow-ipc';

/** A finished column: views of the builder's buffers, valid until the builder is used again. */
export type FinishedColumn = Omit<IpcColumn, 'name'>;

const textEncoder = new TextEncoder();

function grow<T extends Uint8Array | Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = Math.max(a.length * 2, 16);
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/*
 * Why every buffer is allocated for a whole batch up front: V8 compiles the scan loop assuming
 * that a field which was never reassigned stays as it is. The first grow() of each buffer broke
 * that assumption, threw the optimised scanner away, and had it compiled again, some 30 times in
 * a batch; at 1,000,000 events that recompiling cost more CPU than the parse (README "Speed").
 * So the builders are sized from the batch's row count and a per-column byte estimate, and grow
 * only for unusual data.
 */

/** Validity bitmap (1 = present), LSB-first as Arrow wants, for up to `rows` rows before growing. */
class Validity {
  private bits: Uint8Array;
  nulls = 0;
  constructor(rows: number) {
    this.bits = new Uint8Array((rows + 7) >> 3).fill(0xff);
  }
  setNull(i: number): void {
    const byte = i >> 3;
    if (byte >= this.bits.length) this.growTo(byte + 1);
    this.bits[byte] &= ~(1 << (i & 7));
    this.nulls++;
  }
  /** The bitmap of the first `length` rows (a copy), or undefined when none is null. */
  take(length: number): Uint8Array | undefined {
    if (this.nulls === 0) return undefined;
    // (Rows past the last null are present: their bits may lie beyond the bitmap so far.)
    if ((length + 7) >> 3 > this.bits.length) this.growTo((length + 7) >> 3);
    return this.bits.slice(0, (length + 7) >> 3);
  }
  reset(length: number): void {
    if (this.nulls > 0) this.bits.fill(0xff, 0, (length + 7) >> 3);
    this.nulls = 0;
  }
  private growTo(bytes: number): void {
    const bigger = new Uint8Array(Math.max(2 * this.bits.length, bytes)).fill(0xff);
    bigger.set(this.bits);
    this.bits = bigger;
  }
}

/** A nullable UTF-8 column. */
export class StringColumn {
  private data: Uint8Array;
  private offsets: Int32Array;
  private validity: Validity;
  private used = 0;
  length = 0;

  /** Room for `rows` rows of `bytesPerRow` bytes on average before anything grows. */
  constructor(rows = 1 << 12, bytesPerRow = 16) {
    this.data = new Uint8Array(Math.max(rows * bytesPerRow, 1 << 12));
    this.offsets = new Int32Array(rows + 1);
    this.validity = new Validity(rows);
  }

  private next(valid: boolean): void {
    const i = this.length++;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2);
    this.offsets[i + 1] = this.used;
    if (!valid) this.validity.setNull(i);
  }

  /** Appends the bytes src[start..end), already valid UTF-8. */
  pushBytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.used + n > this.data.length) this.data = grow(this.data, this.used + n);
    const d = this.data;
    let u = this.used;
    // Short strings are the norm; a plain loop beats a native call per field for them.
    if (n < 48) for (let k = start; k < end; k++) d[u++] = src[k];
    else {
      d.set(src.subarray(start, end), u);
      u += n;
    }
    this.used = u;
    this.next(true);
  }

  pushString(s: string): void {
    const max = s.length * 3;
    if (this.used + max > this.data.length) this.data = grow(this.data, this.used + max);
    this.used += textEncoder.encodeInto(s, this.data.subarray(this.used)).written;
    this.next(true);
  }

  pushNull(): void {
    this.next(false);
  }

  /** Hands the filled part over (as views, see FinishedColumn) and starts empty. */
  finish(): FinishedColumn {
    const n = this.length;
    const out: FinishedColumn = {
      type: 'utf8',
      length: n,
      nullCount: this.validity.nulls,
      validity: this.validity.take(n),
      offsets: this.offsets.subarray(0, n + 1),
      values: this.data.subarray(0, this.used),
    };
    this.length = 0;
    this.used = 0;
    this.offsets[0] = 0;
    this.validity.reset(n);
    return out;
  }
}

/** A nullable float64 column. */
export class Float64Column {
  private values: Float64Array;
  private validity: Validity;
  length = 0;

  constructor(rows = 1 << 12) {
    this.values = new Float64Array(rows);
    this.validity = new Validity(rows);
  }

  push(v: number): void {
    const i = this.length++;
    if (i >= this.values.length) this.values = grow(this.values, i + 1);
    this.values[i] = v;
  }

  pushNull(): void {
    const i = this.length++;
    if (i >= this.values.length) this.values = grow(this.values, i + 1);
    this.values[i] = 0;
    this.validity.setNull(i);
  }

  finish(): FinishedColumn {
    const n = this.length;
    const out: FinishedColumn = { type: 'float64', length: n, nullCount: this.validity.nulls, validity: this.validity.take(n), values: this.values.subarray(0, n) };
    this.length = 0;
    this.validity.reset(n);
    return out;
  }
}

/** A non-null int32 column. */
export class Int32Column {
  private values: Int32Array;
  length = 0;

  constructor(rows = 1 << 12) {
    this.values = new Int32Array(rows);
  }

  push(v: number): void {
    const i = this.length++;
    if (i >= this.values.length) this.values = grow(this.values, i + 1);
    this.values[i] = v;
  }

  finish(): FinishedColumn {
    const n = this.length;
    const out: FinishedColumn = { type: 'int32', length: n, nullCount: 0, values: this.values.subarray(0, n) };
    this.length = 0;
    return out;
  }
}

/** Serialises finished columns as one Arrow IPC stream (a single record batch). */
export function toIpcStream(columns: Record<string, FinishedColumn>): Uint8Array {
  return encodeIpcStream(Object.entries(columns).map(([name, c]) => ({ name, ...c })));
}
