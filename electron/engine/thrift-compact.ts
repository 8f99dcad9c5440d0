/**
 * Thrift's compact protocol, read into a generic tree and written back, so that a Parquet
 * footer can be edited (parquet-join.ts) without knowing every field a writer puts in it:
 * fields this code never names are carried over as read, byte for byte.
 * Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 */

/** Compact protocol type ids (in a field header or a list header). */
export const T = {
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

/** A struct: its fields in the order they were read (ids may repeat only if the writer did). */
export interface TStruct {
  fields: TField[];
}
export interface TField {
  id: number;
  type: number;
  value: TValue;
}
export interface TList {
  elemType: number;
  items: TValue[];
}
export interface TMap {
  keyType: number;
  valueType: number;
  entries: [TValue, TValue][];
}
/** Integers are bigint (i64 needs it; i8-i32 use it too, so there is one integer kind). */
export type TValue = boolean | bigint | number | Uint8Array | TList | TMap | TStruct;

export class ThriftError extends Error {}

/** Reads one struct starting at `offset`; returns it and the offset just past it. */
export function readStruct(bytes: Uint8Array, offset = 0): { struct: TStruct; end: number } {
  const r = new Reader(bytes, offset);
  const struct = r.struct();
  return { struct, end: r.pos };
}

/** The compact encoding of `struct`. */
export function writeStruct(struct: TStruct): Uint8Array {
  const w = new Writer();
  w.struct(struct);
  return w.bytes();
}

class Reader {
  constructor(
    private readonly b: Uint8Array,
    public pos: number,
  ) {}

  private byte(): number {
    if (this.pos >= this.b.length) throw new ThriftError('Thrift data ends early');
    return this.b[this.pos++];
  }

  private varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ThriftError('Thrift varint too long');
    }
  }

  private zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  struct(): TStruct {
    const fields: TField[] = [];
    let last = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return { fields };
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      fields.push({ id, type, value: type === T.TRUE || type === T.FALSE ? type === T.TRUE : this.value(type) });
    }
  }

  private value(type: number): TValue {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        // A boolean inside a list or map is a byte of its own.
        return this.byte() === T.TRUE;
      case T.BYTE: {
        const v = this.byte();
        return BigInt(v > 127 ? v - 256 : v);
      }
      case T.I16:
      case T.I32:
      case T.I64:
        return this.zigzag();
      case T.DOUBLE: {
        if (this.pos + 8 > this.b.length) throw new ThriftError('Thrift data ends early');
        const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case T.BINARY: {
        const n = Number(this.varint());
        if (this.pos + n > this.b.length) throw new ThriftError('Thrift data ends early');
        const v = this.b.slice(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case T.LIST:
      case T.SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? Number(this.varint()) : header >> 4;
        const elemType = header & 0x0f;
        const items: TValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.value(elemType));
        return { elemType, items };
      }
      case T.MAP: {
        const size = Number(this.varint());
        if (size === 0) return { keyType: 0, valueType: 0, entries: [] };
        const kinds = this.byte();
        const keyType = kinds >> 4;
        const valueType = kinds & 0x0f;
        const entries: [TValue, TValue][] = [];
        for (let i = 0; i < size; i++) entries.push([this.value(keyType), this.value(valueType)]);
        return { keyType, valueType, entries };
      }
      case T.STRUCT:
        return this.struct();
      default:
        throw new ThriftError(`Unknown Thrift type ${type}`);
    }
  }
}

class Writer {
  private buf = new Uint8Array(1024);
  private len = 0;

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b & 0xff;
  }

  private varint(n: bigint): void {
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private zigzag(n: bigint): void {
    this.varint(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
  }

  struct(s: TStruct): void {
    let last = 0;
    for (const f of s.fields) {
      const type = f.type === T.TRUE || f.type === T.FALSE ? (f.value ? T.TRUE : T.FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(BigInt(f.id));
      }
      last = f.id;
      if (type !== T.TRUE && type !== T.FALSE) this.value(type, f.value);
    }
    this.byte(0);
  }

  private value(type: number, v: TValue): void {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        this.byte(v ? T.TRUE : T.FALSE);
        return;
      case T.BYTE:
        this.byte(Number(v as bigint));
        return;
      case T.I16:
      case T.I32:
      case T.I64:
        this.zigzag(v as bigint);
        return;
      case T.DOUBLE: {
        this.room(8);
        new DataView(this.buf.buffer, this.len, 8).setFloat64(0, v as number, true);
        this.len += 8;
        return;
      }
      case T.BINARY: {
        const b = v as Uint8Array;
        this.varint(BigInt(b.length));
        this.room(b.length);
        this.buf.set(b, this.len);
        this.len += b.length;
        return;
      }
      case T.LIST:
      case T.SET: {
        const l = v as TList;
        if (l.items.length < 15) this.byte((l.items.length << 4) | l.elemType);
        else {
          this.byte(0xf0 | l.elemType);
          this.varint(BigInt(l.items.length));
        }
        for (const item of l.items) this.value(l.elemType, item);
        return;
      }
      case T.MAP: {
        const m = v as TMap;
        this.varint(BigInt(m.entries.length));
        if (m.entries.length === 0) return;
        this.byte((m.keyType << 4) | m.valueType);
        for (const [k, val] of m.entries) {
          this.value(m.keyType, k);
          this.value(m.valueType, val);
        }
        return;
      }
      case T.STRUCT:
        this.struct(v as TStruct);
        return;
      default:
        throw new ThriftError(`Unknown Thrift type ${type}`);
    }
  }
}

/** The value of field `id` of `s`, or undefined. */
export function field(s: TStruct, id: number): TValue | undefined {
  return s.fields.find((f) => f.id === id)?.value;
}

/** Sets field `id` of `s` (an integer field of `type`), keeping the fields in id order. */
export function setField(s: TStruct, id: number, type: number, value: TValue): void {
  const existing = s.fields.find((f) => f.id === id);
  if (existing) {
    existing.value = value;
    return;
  }
  s.fields.push({ id, type, value });
  s.fields.sort((a, b) => a.id - b.id);
}
