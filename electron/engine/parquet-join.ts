/**
 * Joins Parquet files of one schema into one file, in order, by copying their row groups'
 * bytes and writing one footer over all of them. A spilled run writes each chunk's rows once,
 * as Parquet, and joins the chunks' files (spilled-run.ts), instead of spilling the rows and
 * encoding them all again at the end (docs/performance.md "Memory budget").
 *
 * The joined file is laid out as a writer lays out one: magic, the row groups, every column
 * index, every offset index, the footer. Offsets in the footer and in the offset indexes are
 * moved to where their bytes land, row groups are numbered again, and the row count is the
 * sum; every other field is carried over as the writer wrote it (thrift-compact.ts).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { T, field, readStruct, setField, writeStruct, type TList, type TStruct, type TValue } from './thrift-compact';

const MAGIC = Buffer.from('PAR1');
const MAX_ORDINAL = 0x7fff;
/** Bytes copied at a time from a part into the joined file. */
const COPY_BYTES = 8 << 20;

// Field ids of parquet.thrift (https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift).
const FILE = { schema: 2, numRows: 3, rowGroups: 4, keyValues: 5, encryption: 8 } as const;
const ROW_GROUP = { columns: 1, fileOffset: 5, ordinal: 7 } as const;
const CHUNK = {
  filePath: 1,
  fileOffset: 2,
  meta: 3,
  offsetIndexOffset: 4,
  offsetIndexLength: 5,
  columnIndexOffset: 6,
  columnIndexLength: 7,
  crypto: 8,
} as const;
const META = {
  compressedSize: 7,
  dataPageOffset: 9,
  indexPageOffset: 10,
  dictionaryPageOffset: 11,
  bloomFilterOffset: 14,
} as const;
const OFFSET_INDEX = { pageLocations: 1 } as const;
const PAGE_LOCATION = { offset: 1 } as const;

/** A part cannot be joined: not a Parquet file this code can move, or of another schema than the first. */
export class ParquetJoinError extends Error {}

/** A column chunk of the joined file, with the page index bytes to write after all row groups. */
interface JoinedChunk {
  chunk: TStruct;
  columnIndex: Uint8Array | null;
  offsetIndex: TStruct | null;
  /** How far the part's bytes moved: offsets in its offset index are shifted by this. */
  shift: bigint;
}

/**
 * One joined Parquet file being written; `append` the parts in order, then `finish`. Calls are
 * queued, each run once the one before is done, so a caller may go on with other work while a
 * part's bytes are copied; once a call has failed, every later one fails with its error.
 */
export class ParquetJoin {
  private pos = MAGIC.length;
  private rows = 0n;
  private rowGroups: TStruct[] = [];
  private chunks: JoinedChunk[] = [];
  /** The first part's footer: its schema, metadata and writer go into the joined file's. */
  private first: TStruct | null = null;
  private firstSchema = '';
  private readonly copyBuffer = Buffer.allocUnsafe(COPY_BYTES);
  /** The last call queued. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private out: FileHandle | null,
  ) {}

  /** Creates (or empties) `path` for the joined file. */
  static async create(path: string): Promise<ParquetJoin> {
    const out = await open(path, 'w');
    try {
      await out.write(MAGIC, 0, MAGIC.length, 0);
    } catch (err) {
      await out.close();
      throw err;
    }
    return new ParquetJoin(path, out);
  }

  /** Row groups joined so far. */
  get rowGroupCount(): number {
    return this.rowGroups.length;
  }

  /** Copies the row groups of the Parquet file at `partPath` after those of the parts before. */
  append(partPath: string): Promise<void> {
    return this.next(() => this.appendNow(partPath));
  }

  /** Writes the page indexes and the footer once every part is in, and closes the file. */
  finish(): Promise<void> {
    return this.next(() => this.finishNow());
  }

  /**
   * Closes the file without finishing it (a failed or cancelled run); the caller removes it.
   * A call still running is let finish first.
   */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    const out = this.out;
    this.out = null;
    await out?.close();
  }

  private next(call: () => Promise<void>): Promise<void> {
    const queued = this.queue.then(call);
    this.queue = queued;
    return queued;
  }

  private async appendNow(partPath: string): Promise<void> {
    const out = this.handle();
    const part = await open(partPath, 'r');
    try {
      const { footer, footerStart } = await readFooter(part, partPath);
      this.checkSchema(footer, partPath);
      const groups = listOf(footer, FILE.rowGroups, partPath);
      if (groups.length === 0) return;
      const chunks = groups.flatMap((g) => listOf(g as TStruct, ROW_GROUP.columns, partPath) as TStruct[]);
      const dataEnd = dataEndOf(chunks, footerStart, partPath);
      const shift = BigInt(this.pos - MAGIC.length);
      for (const chunk of chunks) this.chunks.push(await this.moveChunk(part, chunk, shift, partPath));
      for (const g of groups as TStruct[]) {
        shiftField(g, ROW_GROUP.fileOffset, shift);
        // Ordinals are 16-bit: past that many row groups, the optional field is left out.
        g.fields = g.fields.filter((f) => f.id !== ROW_GROUP.ordinal);
        if (this.rowGroups.length <= MAX_ORDINAL) setField(g, ROW_GROUP.ordinal, T.I16, BigInt(this.rowGroups.length));
        this.rowGroups.push(g);
      }
      this.rows += BigInt(integer(field(footer, FILE.numRows), partPath));
      await this.copy(part, MAGIC.length, dataEnd, out);
    } finally {
      await part.close();
    }
  }

  private async finishNow(): Promise<void> {
    const out = this.handle();
    if (!this.first) throw new ParquetJoinError(`No part was joined into ${this.path}`);
    for (const c of this.chunks) {
      if (!c.columnIndex) continue;
      setField(c.chunk, CHUNK.columnIndexOffset, T.I64, BigInt(this.pos));
      setField(c.chunk, CHUNK.columnIndexLength, T.I32, BigInt(c.columnIndex.length));
      await this.write(out, c.columnIndex);
    }
    for (const c of this.chunks) {
      if (!c.offsetIndex) continue;
      for (const loc of listOf(c.offsetIndex, OFFSET_INDEX.pageLocations, this.path) as TStruct[])
        shiftField(loc, PAGE_LOCATION.offset, c.shift);
      const bytes = writeStruct(c.offsetIndex);
      setField(c.chunk, CHUNK.offsetIndexOffset, T.I64, BigInt(this.pos));
      setField(c.chunk, CHUNK.offsetIndexLength, T.I32, BigInt(bytes.length));
      await this.write(out, bytes);
    }
    const footer: TStruct = {
      fields: this.first.fields.map((f) => {
        if (f.id === FILE.numRows) return { ...f, value: this.rows };
        if (f.id === FILE.rowGroups) return { ...f, value: { elemType: T.STRUCT, items: this.rowGroups } };
        return f;
      }),
    };
    const bytes = writeStruct(footer);
    const tail = Buffer.alloc(8);
    tail.writeUInt32LE(bytes.length, 0);
    MAGIC.copy(tail, 4);
    await this.write(out, bytes);
    await this.write(out, tail);
    this.out = null;
    await out.close();
  }

  private handle(): FileHandle {
    if (!this.out) throw new ParquetJoinError(`${this.path} is already closed`);
    return this.out;
  }

  private checkSchema(footer: TStruct, partPath: string): void {
    if (field(footer, FILE.encryption) !== undefined)
      throw new ParquetJoinError(`${partPath}: encrypted Parquet files cannot be joined`);
    // The schema and the key-value metadata (Arrow's schema, as Polars writes it) must match.
    const schema = [FILE.schema, FILE.keyValues]
      .map((id) => Buffer.from(writeStruct({ fields: footer.fields.filter((f) => f.id === id) })).toString('hex'))
      .join('/');
    if (!this.first) {
      this.first = footer;
      this.firstSchema = schema;
    } else if (schema !== this.firstSchema)
      throw new ParquetJoinError(`${partPath} has another schema than the first part of ${this.path}`);
  }

  /** A part's column chunk with its offsets moved by `shift`, and its page indexes read. */
  private async moveChunk(part: FileHandle, chunk: TStruct, shift: bigint, partPath: string): Promise<JoinedChunk> {
    const meta = field(chunk, CHUNK.meta) as TStruct | undefined;
    if (!meta || field(chunk, CHUNK.filePath) !== undefined || field(chunk, CHUNK.crypto) !== undefined)
      throw new ParquetJoinError(`${partPath}: a column chunk is in another file or encrypted`);
    if (field(meta, META.bloomFilterOffset) !== undefined)
      throw new ParquetJoinError(`${partPath}: bloom filters are not moved by the join`);
    shiftField(chunk, CHUNK.fileOffset, shift);
    for (const id of [META.dataPageOffset, META.indexPageOffset, META.dictionaryPageOffset])
      shiftField(meta, id, shift);
    const indexBytes = async (offsetId: number, lengthId: number) => {
      const offset = field(chunk, offsetId);
      const length = field(chunk, lengthId);
      if (offset === undefined || length === undefined) return null;
      return readAt(part, integer(offset, partPath), integer(length, partPath), partPath);
    };
    const columnIndex = await indexBytes(CHUNK.columnIndexOffset, CHUNK.columnIndexLength);
    const offsetIndexBytes = await indexBytes(CHUNK.offsetIndexOffset, CHUNK.offsetIndexLength);
    // Set again by finish, where the indexes land.
    chunk.fields = chunk.fields.filter((f) => f.id < CHUNK.offsetIndexOffset || f.id > CHUNK.columnIndexLength);
    return {
      chunk,
      columnIndex,
      offsetIndex: offsetIndexBytes ? readStruct(offsetIndexBytes).struct : null,
      shift,
    };
  }

  private async copy(part: FileHandle, from: number, to: number, out: FileHandle): Promise<void> {
    for (let at = from; at < to;) {
      const n = Math.min(COPY_BYTES, to - at);
      const { bytesRead } = await part.read(this.copyBuffer, 0, n, at);
      if (bytesRead !== n) throw new ParquetJoinError(`A part of ${this.path} ended early`);
      await this.write(out, this.copyBuffer.subarray(0, n));
      at += n;
    }
  }

  private async write(out: FileHandle, bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await out.write(bytes, done, bytes.length - done, this.pos);
      done += bytesWritten;
      this.pos += bytesWritten;
    }
  }
}

/** The footer of the Parquet file open as `file`, and where it starts. */
async function readFooter(file: FileHandle, path: string): Promise<{ footer: TStruct; footerStart: number }> {
  const { size } = await file.stat();
  if (size < 12) throw new ParquetJoinError(`${path} is too short for a Parquet file`);
  const tail = await readAt(file, size - 8, 8, path);
  const length = Buffer.from(tail).readUInt32LE(0);
  if (Buffer.compare(Buffer.from(tail.subarray(4)), MAGIC) !== 0 || length > size - 12)
    throw new ParquetJoinError(`${path} does not end as a Parquet file`);
  const footerStart = size - 8 - length;
  const { struct, end } = readStruct(await readAt(file, footerStart, length, path));
  if (end !== length) throw new ParquetJoinError(`${path}: the footer's length does not match its contents`);
  return { footer: struct, footerStart };
}

/**
 * Where a part's row group bytes end: every column chunk must lie between the magic and that
 * point, after which only page indexes (copied one by one) and the footer may follow.
 */
function dataEndOf(chunks: TStruct[], footerStart: number, path: string): number {
  let end = footerStart;
  for (const c of chunks)
    for (const id of [CHUNK.columnIndexOffset, CHUNK.offsetIndexOffset]) {
      const at = field(c, id);
      if (at !== undefined) end = Math.min(end, integer(at, path));
    }
  for (const c of chunks) {
    const meta = field(c, CHUNK.meta) as TStruct;
    const dictionary = field(meta, META.dictionaryPageOffset);
    const start = integer(dictionary ?? field(meta, META.dataPageOffset), path);
    const stop = start + integer(field(meta, META.compressedSize), path);
    if (start < MAGIC.length || stop > end)
      throw new ParquetJoinError(`${path}: a column chunk lies outside the row group bytes`);
  }
  return end;
}

async function readAt(file: FileHandle, offset: number, length: number, path: string): Promise<Uint8Array> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await file.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new ParquetJoinError(`${path} ended early`);
  return buf;
}

function listOf(s: TStruct, id: number, path: string): TValue[] {
  const v = field(s, id) as TList | undefined;
  if (v === undefined) return [];
  if (!Array.isArray(v.items)) throw new ParquetJoinError(`${path}: field ${id} of the footer is not a list`);
  return v.items;
}

function integer(v: TValue | undefined, path: string): number {
  if (typeof v !== 'bigint') throw new ParquetJoinError(`${path}: the footer lacks an expected number`);
  return Number(v);
}

/** Adds `shift` to integer field `id` of `s`, if it has one. */
function shiftField(s: TStruct, id: number, shift: bigint): void {
  const f = s.fields.find((x) => x.id === id);
  if (f && typeof f.value === 'bigint') f.value += shift;
}
