/**
 * Reads a Parquet file's footer (row count, codec of every column chunk) with parquetjs-lite,
 * without loading any data: an independent reader, so the run report and the preview state
 * what is really on disk (docs/rules.md "run_report.json"). Shared by the engine and the service.
 */
// parquetjs-lite ships no types; this is the small part of it used here.
interface FooterColumn {
  meta_data?: { codec?: number };
}
interface Footer {
  num_rows: unknown;
  row_groups: { columns: FooterColumn[] }[];
}
interface EnvelopeReader {
  readFooter(): Promise<Footer>;
  close(): Promise<void>;
}
type ParquetLite = { ParquetEnvelopeReader: { openFile(p: string): Promise<EnvelopeReader> } };
// Loaded on first use, so a run's scan threads start without waiting for it.
let parquet: ParquetLite | undefined;

const loadParquet = () => (parquet ??= require('parquetjs-lite') as ParquetLite);

/** Parquet's CompressionCodec enum, by value. */
const CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];

export interface ParquetFooter {
  rows: number;
  /** The codec of every column chunk, in file order. */
  chunkCodecs: string[];
  /**
   * `SNAPPY` when every chunk uses it; otherwise the distinct codecs joined with `+`. Null when
   * the file has no column chunks (a file with no rows has no row groups), so it records no codec.
   */
  codec: string | null;
}

/** Why an output's codec is null, for the run report and the log. */
export const NO_CODEC_NOTE = 'no column chunks (the file has no rows), so the file records no codec';

/** Reads `path`'s footer: its row count and the codec of each column chunk, as the file states them. */
export async function readParquetFooter(path: string): Promise<ParquetFooter> {
  const reader = await loadParquet().ParquetEnvelopeReader.openFile(path);
  try {
    const footer = await reader.readFooter();
    const chunkCodecs = footer.row_groups.flatMap((rg) =>
      rg.columns.map((c) => CODECS[c.meta_data?.codec ?? -1] ?? `CODEC_${c.meta_data?.codec}`),
    );
    const distinct = [...new Set(chunkCodecs)].sort();
    // Only what the file says: with no chunks there is no codec to report.
    return { rows: int64(footer.num_rows), chunkCodecs, codec: distinct.length ? distinct.join('+') : null };
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
