/**
 * Facts from a Parquet file's footer, read with parquetjs-lite (it reads Polars' footers):
 * the compression codec of the column chunks and the row count, without loading any data.
 */
import { stat } from 'node:fs/promises';

// parquetjs-lite ships no types; this is the small part of it used here.
interface FooterColumn { meta_data?: { codec?: number } }
interface Footer { num_rows: unknown; row_groups: { columns: FooterColumn[] }[] }
interface EnvelopeReader { readFooter(): Promise<Footer>; close(): Promise<void> }
const parquet = require('parquetjs-lite') as { ParquetEnvelopeReader: { openFile(p: string): Promise<EnvelopeReader> } };

const CODEC_NAMES = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];

export interface ParquetFooterFacts {
  /** One codec name when every column chunk uses it, else the names joined with `+`. */
  codec: string;
  rows: number;
  bytes: number;
}

export async function readParquetFooter(filePath: string): Promise<ParquetFooterFacts> {
  const { size } = await stat(filePath);
  const reader = await parquet.ParquetEnvelopeReader.openFile(filePath);
  try {
    const footer = await reader.readFooter();
    const codecs = new Set<string>();
    for (const group of footer.row_groups) {
      for (const column of group.columns) codecs.add(CODEC_NAMES[column.meta_data?.codec ?? -1] ?? `codec ${column.meta_data?.codec}`);
    }
    return { codec: [...codecs].sort().join('+') || 'UNCOMPRESSED', rows: int64(footer.num_rows), bytes: size };
  } finally {
    await reader.close();
  }
}

/** Thrift int64 values come as node-int64-like `{ buffer, offset }` (big-endian). */
function int64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const o = v as { buffer?: Buffer; offset?: number } | null;
  if (o?.buffer) return Number(o.buffer.readBigInt64BE(o.offset ?? 0));
  return Number(v);
}
