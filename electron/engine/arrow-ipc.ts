/**
 * Writes column buffers as one Arrow IPC stream (a schema, a dictionary batch per dictionary
 * column, one record batch, the end marker), which Polars reads in a single copy, or as an
 * Arrow IPC file (the same messages between magic numbers, with a footer that says where each
 * one is), which Polars scans lazily: a spilled run's batches (batch-spill.ts). Only the
 * column types the reader builds are supported: int32, uint64, float64, utf8, and utf8
 * dictionary-encoded with int32 indices (Polars reads that as a Categorical). Written with
 * Arrow's flatbuffer tables rather than the whole apache-arrow library: each scan thread loads
 * this in a fifth of the time, and the buffers are copied once.
 * Format: https://arrow.apache.org/docs/format/Columnar.html#serialization-and-interprocess-communication-ipc
 */
import * as flatbuffers from 'flatbuffers';
import { Buffer as FbBuffer } from 'apache-arrow/fb/buffer';
import { DictionaryBatch } from 'apache-arrow/fb/dictionary-batch';
import { DictionaryEncoding } from 'apache-arrow/fb/dictionary-encoding';
import { Block } from 'apache-arrow/fb/block';
import { Endianness } from 'apache-arrow/fb/endianness';
import { Field } from 'apache-arrow/fb/field';
import { FieldNode } from 'apache-arrow/fb/field-node';
import { Footer } from 'apache-arrow/fb/footer';
import { FloatingPoint } from 'apache-arrow/fb/floating-point';
import { Int } from 'apache-arrow/fb/int';
import { Message } from 'apache-arrow/fb/message';
import { MessageHeader } from 'apache-arrow/fb/message-header';
import { MetadataVersion } from 'apache-arrow/fb/metadata-version';
import { Precision } from 'apache-arrow/fb/precision';
import { RecordBatch } from 'apache-arrow/fb/record-batch';
import { Schema } from 'apache-arrow/fb/schema';
import { Type } from 'apache-arrow/fb/type';
import { Utf8 } from 'apache-arrow/fb/utf8';

export type IpcType = 'int32' | 'uint64' | 'float64' | 'utf8' | 'dictionary';

/** One column's buffers, exactly as long as they are used (views are fine: they are copied). */
export interface IpcColumn {
  name: string;
  type: IpcType;
  length: number;
  nullCount: number;
  /** LSB-first validity bits (1 = present); required when nullCount > 0. */
  validity?: Uint8Array;
  /** utf8 only: length + 1 offsets into `values`. */
  offsets?: Int32Array;
  /**
   * For a dictionary column, the int32 index of each row's value in `dictionary`; for uint64,
   * two words a row, low then high.
   */
  values: Uint8Array | Int32Array | Uint32Array | Float64Array;
  /** dictionary only: the distinct values (none null), as a utf8 column's offsets and bytes. */
  dictionary?: { length: number; offsets: Int32Array; values: Uint8Array };
}

const CONTINUATION = 0xffffffff;
const pad8 = (n: number) => (n + 7) & ~7;

function bytesOf(a: Uint8Array | Int32Array | Uint32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The buffers Arrow expects for a column, in order. */
function buffersOf(c: IpcColumn): Uint8Array[] {
  const validity = c.nullCount > 0 ? c.validity!.subarray(0, (c.length + 7) >> 3) : new Uint8Array(0);
  if (c.type === 'utf8') return [validity, bytesOf(c.offsets!.subarray(0, c.length + 1)), bytesOf(c.values)];
  return [validity, bytesOf(c.values)];
}

function schemaMessage(columns: IpcColumn[]): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  return finishMessage(b, MessageHeader.Schema, schemaTable(b, columns), 0);
}

/** The columns' schema, as a table of builder `b` (a message's header, or a file footer's schema). */
function schemaTable(b: flatbuffers.Builder, columns: IpcColumn[]): flatbuffers.Offset {
  const fields = columns.map((c, i) => {
    const name = b.createString(c.name);
    let typeType: Type;
    let type: flatbuffers.Offset;
    let dictionary: flatbuffers.Offset | null = null;
    if (c.type === 'dictionary') {
      // The field has the values' type; the encoding names the dictionary (by column number).
      const indexType = Int.createInt(b, 32, true);
      DictionaryEncoding.startDictionaryEncoding(b);
      DictionaryEncoding.addId(b, BigInt(i));
      DictionaryEncoding.addIndexType(b, indexType);
      DictionaryEncoding.addIsOrdered(b, false);
      dictionary = DictionaryEncoding.endDictionaryEncoding(b);
    }
    if (c.type === 'int32' || c.type === 'uint64') {
      typeType = Type.Int;
      type = c.type === 'int32' ? Int.createInt(b, 32, true) : Int.createInt(b, 64, false);
    } else if (c.type === 'float64') {
      typeType = Type.FloatingPoint;
      type = FloatingPoint.createFloatingPoint(b, Precision.DOUBLE);
    } else {
      typeType = Type.Utf8;
      type = Utf8.createUtf8(b);
    }
    const children = Field.createChildrenVector(b, []);
    Field.startField(b);
    Field.addName(b, name);
    Field.addNullable(b, true);
    Field.addTypeType(b, typeType);
    Field.addType(b, type);
    if (dictionary !== null) Field.addDictionary(b, dictionary);
    Field.addChildren(b, children);
    return Field.endField(b);
  });
  const fieldsVector = Schema.createFieldsVector(b, fields);
  Schema.startSchema(b);
  Schema.addEndianness(b, Endianness.Little);
  Schema.addFields(b, fieldsVector);
  return Schema.endSchema(b);
}

/** A record batch's message: `nodes` are [length, nullCount] per column, `flat` their buffers in order. */
function recordBatchMessage(
  length: number,
  nodes: [number, number][],
  flat: Uint8Array[],
  bodyLength: number,
): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  return finishMessage(b, MessageHeader.RecordBatch, recordBatchTable(b, length, nodes, flat, bodyLength), bodyLength);
}

/** A dictionary batch's message: the dictionary `id` as a one-column record batch. */
function dictionaryBatchMessage(id: number, length: number, flat: Uint8Array[], bodyLength: number): Uint8Array {
  const b = new flatbuffers.Builder(256);
  const data = recordBatchTable(b, length, [[length, 0]], flat, bodyLength);
  DictionaryBatch.startDictionaryBatch(b);
  DictionaryBatch.addId(b, BigInt(id));
  DictionaryBatch.addData(b, data);
  DictionaryBatch.addIsDelta(b, false);
  return finishMessage(b, MessageHeader.DictionaryBatch, DictionaryBatch.endDictionaryBatch(b), bodyLength);
}

function recordBatchTable(
  b: flatbuffers.Builder,
  length: number,
  nodes: [number, number][],
  flat: Uint8Array[],
  bodyLength: number,
): flatbuffers.Offset {
  // Vectors of structs are written back to front.
  RecordBatch.startBuffersVector(b, flat.length);
  let end = bodyLength;
  for (let i = flat.length - 1; i >= 0; i--) {
    end -= pad8(flat[i].length);
    FbBuffer.createBuffer(b, BigInt(end), BigInt(flat[i].length));
  }
  const buffersVector = b.endVector();
  RecordBatch.startNodesVector(b, nodes.length);
  for (let i = nodes.length - 1; i >= 0; i--) FieldNode.createFieldNode(b, BigInt(nodes[i][0]), BigInt(nodes[i][1]));
  const nodesVector = b.endVector();
  RecordBatch.startRecordBatch(b);
  RecordBatch.addLength(b, BigInt(length));
  RecordBatch.addNodes(b, nodesVector);
  RecordBatch.addBuffers(b, buffersVector);
  return RecordBatch.endRecordBatch(b);
}

/** A message's metadata, framed: continuation marker, padded length, flatbuffer, padding. */
function finishMessage(
  b: flatbuffers.Builder,
  headerType: MessageHeader,
  header: flatbuffers.Offset,
  bodyLength: number,
): Uint8Array {
  Message.startMessage(b);
  Message.addVersion(b, MetadataVersion.V5);
  Message.addHeaderType(b, headerType);
  Message.addHeader(b, header);
  Message.addBodyLength(b, BigInt(bodyLength));
  b.finish(Message.endMessage(b));
  const meta = b.asUint8Array();
  const metaLength = pad8(8 + meta.length) - 8;
  const out = new Uint8Array(8 + metaLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, metaLength, true);
  out.set(meta, 8);
  return out;
}

/** One message, framed (`meta`), and the buffers of its body. */
interface Framed {
  meta: Uint8Array;
  body: Uint8Array[];
}

const bodyOf = (buffers: Uint8Array[]) => buffers.reduce((n, buf) => n + pad8(buf.length), 0);

/** The messages of one record batch of `columns` (all of one length): the schema, the dictionaries, the batch. */
function messagesOf(columns: IpcColumn[]): Framed[] {
  for (const c of columns) {
    if (c.length !== columns[0].length)
      throw new Error(`column ${c.name} has ${c.length} rows, ${columns[0].name} has ${columns[0].length}`);
    if (c.nullCount > 0 && !c.validity) throw new Error(`column ${c.name} has nulls but no validity bits`);
    if (c.type === 'dictionary' && !c.dictionary) throw new Error(`column ${c.name} has no dictionary`);
  }
  const messages: Framed[] = [{ meta: schemaMessage(columns), body: [] }];
  columns.forEach((c, i) => {
    if (c.type !== 'dictionary') return;
    const d = c.dictionary!;
    const body = [new Uint8Array(0), bytesOf(d.offsets.subarray(0, d.length + 1)), d.values];
    messages.push({ meta: dictionaryBatchMessage(i, d.length, body, bodyOf(body)), body });
  });
  const buffers = columns.flatMap(buffersOf);
  const length = columns[0]?.length ?? 0;
  messages.push({
    meta: recordBatchMessage(
      length,
      columns.map((c) => [c.length, c.nullCount]),
      buffers,
      bodyOf(buffers),
    ),
    body: buffers,
  });
  return messages;
}

/** The messages' bytes, in order: each framed metadata, then its body's buffers, each padded to 8 bytes. */
function messageParts(messages: Framed[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const m of messages) {
    parts.push(m.meta);
    for (const buf of m.body) {
      parts.push(buf);
      if (pad8(buf.length) > buf.length) parts.push(ZEROS.subarray(0, pad8(buf.length) - buf.length));
    }
  }
  return parts;
}

/** One buffer holding `parts` in order (its own ArrayBuffer: a stream is transferred to Polars' side whole). */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Padding: IPC buffers start on 8-byte boundaries. */
const ZEROS = new Uint8Array(8);
/** End of stream: a continuation marker and a zero length. */
const END_OF_STREAM = new Uint8Array(8);
new DataView(END_OF_STREAM.buffer).setUint32(0, CONTINUATION, true);

/** The columns (all of one length) as an Arrow IPC stream holding one record batch. */
export function encodeIpcStream(columns: IpcColumn[]): Uint8Array {
  return concat([...messageParts(messagesOf(columns)), END_OF_STREAM]);
}

const MAGIC = new TextEncoder().encode('ARROW1');

/**
 * The columns (all of one length) as an Arrow IPC file holding one record batch: the magic
 * number, the stream's messages, a footer with the schema and where the dictionaries and the
 * batch are, the footer's length, the magic number again. The file is the pieces in order,
 * the columns' own buffers among them: a spill file is written from them with one `writev`,
 * without a copy of the batch (docs/performance.md "2026-12-07, evening").
 */
export function ipcFileParts(columns: IpcColumn[]): Uint8Array[] {
  const messages = messagesOf(columns);
  const b = new flatbuffers.Builder(1024);
  const schema = schemaTable(b, columns);
  // Offsets of the messages once written after the magic number and its padding (8 bytes).
  const blocks: [number, Framed][] = [];
  let at = 8;
  for (const m of messages) {
    blocks.push([at, m]);
    at += m.meta.length + bodyOf(m.body);
  }
  const blockVector = (of: [number, Framed][]) => {
    for (let i = of.length - 1; i >= 0; i--)
      Block.createBlock(b, BigInt(of[i][0]), of[i][1].meta.length, BigInt(bodyOf(of[i][1].body)));
    return b.endVector();
  };
  // The first message is the schema; the last, the record batch; dictionaries between.
  const dictionaries = blocks.slice(1, -1);
  Footer.startDictionariesVector(b, dictionaries.length);
  const dictionaryBlocks = blockVector(dictionaries);
  Footer.startRecordBatchesVector(b, 1);
  const batchBlocks = blockVector(blocks.slice(-1));
  Footer.startFooter(b);
  Footer.addVersion(b, MetadataVersion.V5);
  Footer.addSchema(b, schema);
  Footer.addDictionaries(b, dictionaryBlocks);
  Footer.addRecordBatches(b, batchBlocks);
  b.finish(Footer.endFooter(b));
  const footer = b.asUint8Array();

  // The footer's length, then the magic number again.
  const tail = new Uint8Array(4 + MAGIC.length);
  new DataView(tail.buffer).setInt32(0, footer.length, true);
  tail.set(MAGIC, 4);
  return [MAGIC, ZEROS.subarray(0, 8 - MAGIC.length), ...messageParts(messages), END_OF_STREAM, footer, tail];
}

/** The same file as one buffer. */
export function encodeIpcFile(columns: IpcColumn[]): Uint8Array {
  return concat(ipcFileParts(columns));
}
