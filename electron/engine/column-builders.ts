/**
 * Growable columnar buffers in Arrow's memory layout. The reader appends parsed fields here
 * (string bytes are copied straight from the input, no JS strings), and a full batch becomes a
 * Polars DataFrame through an Arrow IPC stream: one memcpy instead of millions of objects.
 */
import { encodeIpcFile, encodeIpcStream, ipcFileParts, type IpcColumn } from './arrow-ipc';
import { sameBytes } from './byte-words';

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
 * that assumption, threw the optimised scanner away, and had it compiled again (docs/performance.md).
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

/**
 * A nullable UTF-8 column of few distinct values (event types, devices, pages), kept as an index
 * per row into this batch's dictionary of distinct values. Polars reads it as a Categorical, so
 * the values are never copied per row, here or there. Any number of distinct values works; many
 * only make it slower.
 */
export class DictionaryColumn {
  private indices: Int32Array;
  private validity: Validity;
  length = 0;
  // The dictionary: the distinct values' bytes, and an open-addressing table from a value's
  // hash to its index + 1 (0 = free slot).
  private values = new Uint8Array(1 << 14);
  private words = new DataView(this.values.buffer);
  private offsets = new Int32Array(1 << 10);
  private count = 0;
  private used = 0;
  private slots = new Int32Array(1 << 11);

  constructor(rows = 1 << 12) {
    this.indices = new Int32Array(rows);
    this.validity = new Validity(rows);
  }

  /**
   * Appends the value src[start..end), already valid UTF-8. `words` views the same bytes as
   * `src`: values are hashed and compared four bytes at a time.
   */
  pushBytes(
    src: Uint8Array,
    start: number,
    end: number,
    words: DataView = new DataView(src.buffer, src.byteOffset, src.byteLength),
  ): void {
    const i = this.length++;
    if (i >= this.indices.length) this.indices = grow(this.indices, i + 1);
    this.indices[i] = this.indexOf(src, words, start, end);
  }

  pushString(s: string): void {
    const bytes = textEncoder.encode(s); // (only for values written with escapes: rare)
    this.pushBytes(bytes, 0, bytes.length);
  }

  pushNull(): void {
    const i = this.length++;
    if (i >= this.indices.length) this.indices = grow(this.indices, i + 1);
    this.indices[i] = 0;
    this.validity.setNull(i);
  }

  /** The value's index in the dictionary, adding it if it is new. */
  private indexOf(src: Uint8Array, words: DataView, start: number, end: number): number {
    const h = hashBytes(src, words, start, end);
    const slots = this.slots;
    const mask = slots.length - 1;
    const n = end - start;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const entry = slots[s];
      if (entry === 0) break;
      const at = this.offsets[entry - 1];
      if (this.offsets[entry] - at === n && sameBytes(this.words, at, words, start, n)) return entry - 1;
    }
    return this.add(src, start, end, h);
  }

  private add(src: Uint8Array, start: number, end: number, h: number): number {
    const index = this.count++;
    const n = end - start;
    if (this.used + n > this.values.length) {
      this.values = grow(this.values, this.used + n);
      this.words = new DataView(this.values.buffer);
    }
    if (index + 2 > this.offsets.length) this.offsets = grow(this.offsets, index + 2);
    this.values.set(src.subarray(start, end), this.used);
    this.used += n;
    this.offsets[index + 1] = this.used;
    if (2 * this.count > this.slots.length) this.rehash();
    else this.place(h, index);
    return index;
  }

  private place(h: number, index: number): void {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = index + 1;
  }

  /** A table twice the size, for a dictionary that outgrew half of it. */
  private rehash(): void {
    this.slots = new Int32Array(2 * this.slots.length);
    for (let index = 0; index < this.count; index++)
      this.place(hashBytes(this.values, this.words, this.offsets[index], this.offsets[index + 1]), index);
  }

  /** Hands the filled part over (views, see FinishedColumn) and starts empty, dictionary too. */
  finish(): FinishedColumn {
    const n = this.length;
    const out: FinishedColumn = {
      type: 'dictionary',
      length: n,
      nullCount: this.validity.nulls,
      validity: this.validity.take(n),
      values: this.indices.subarray(0, n),
      dictionary: {
        length: this.count,
        offsets: this.offsets.subarray(0, this.count + 1),
        values: this.values.subarray(0, this.used),
      },
    };
    this.length = 0;
    this.validity.reset(n);
    this.count = 0;
    this.used = 0;
    this.slots.fill(0);
    return out;
  }
}

/** A 32-bit hash of b[start..end) (`words` views `b`), four bytes a step (MurmurHash3's mixing). */
function hashBytes(b: Uint8Array, words: DataView, start: number, end: number): number {
  let h = end - start;
  let k = start;
  for (; k + 4 <= end; k += 4) {
    h ^= Math.imul(rotl(Math.imul(words.getUint32(k, true), 0xcc9e2d51), 15), 0x1b873593);
    h = (Math.imul(rotl(h, 13), 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let shift = 0; k < end; k++, shift += 8) tail |= b[k] << shift;
  h ^= Math.imul(rotl(Math.imul(tail, 0xcc9e2d51), 15), 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));

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
    const out: FinishedColumn = {
      type: 'float64',
      length: n,
      nullCount: this.validity.nulls,
      validity: this.validity.take(n),
      values: this.values.subarray(0, n),
    };
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

const named = (columns: Record<string, FinishedColumn>): IpcColumn[] =>
  Object.entries(columns).map(([name, c]) => ({ name, ...c }));

/** Serialises finished columns as one Arrow IPC stream (a single record batch). */
export function toIpcStream(columns: Record<string, FinishedColumn>): Uint8Array {
  return encodeIpcStream(named(columns));
}

/** Serialises finished columns as one Arrow IPC file (a single record batch), which Polars can scan. */
export function toIpcFile(columns: Record<string, FinishedColumn>): Uint8Array {
  return encodeIpcFile(named(columns));
}

/** The same file as pieces to write in order (`ipcFileParts`). */
export function toIpcFileParts(columns: Record<string, FinishedColumn>): Uint8Array[] {
  return ipcFileParts(named(columns));
}
