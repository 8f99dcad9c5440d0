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
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/**
 * Validity bitmap (1 = present), LSB-first as Arrow wants. Nulls are rare in most columns, so
 * only their positions are recorded while rows stream in; the bitmap is built once per batch.
 */
class Validity {
  private nullAt = new Int32Array(256);
  nulls = 0;
  setNull(i: number): void {
    if (this.nulls >= this.nullAt.length) this.nullAt = grow(this.nullAt, this.nulls + 1);
    this.nullAt[this.nulls++] = i;
  }
  take(length: number): Uint8Array | undefined {
    if (this.nulls === 0) return undefined;
    const bits = new Uint8Array((length + 7) >> 3).fill(0xff);
    for (let k = 0; k < this.nulls; k++) {
      const i = this.nullAt[k];
      bits[i >> 3] &= ~(1 << (i & 7));
    }
    return bits;
  }
  reset(): void {
    this.nulls = 0;
  }
}

/** A nullable UTF-8 column. */
export class StringColumn {
  private data = new Uint8Array(1 << 16);
  private offsets = new Int32Array(1 << 12);
  private validity = new Validity();
  private used = 0;
  length = 0;

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
    this.validity.reset();
    return out;
  }
}

/** A nullable float64 column. */
export class Float64Column {
  private values = new Float64Array(1 << 12);
  private validity = new Validity();
  length = 0;

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
    this.validity.reset();
    return out;
  }
}

/** A non-null int32 column. */
export class Int32Column {
  private values = new Int32Array(1 << 12);
  length = 0;

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
