/**
 * Reads a Parquet file's footer (row count, codec of every column chunk) with parquetjs-lite:
 * an independent reader, so the run report states what is really on disk (SPEC "run_report").
 */
// parquetjs-lite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parquet = require('parquetjs-lite') as {
  ParquetReader: { openFile(path: string): Promise<ParquetFooterReader> };
};

interface ParquetFooterReader {
  metadata: {
    num_rows: number | bigint | { toNumber(): number };
    row_groups: { columns: { meta_data: { codec: number; path_in_schema: string[] } }[] }[];
  };
  close(): Promise<void>;
}

/** Parquet's CompressionCodec enum, by value. */
const CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];

export interface ParquetFooter {
  rows: number;
  /** The codec of every column chunk, in file order. */
  chunkCodecs: string[];
  /** `SNAPPY` when every chunk uses it; otherwise the distinct codecs joined with `+`. */
  codec: string;
}

export async function readParquetFooter(path: string): Promise<ParquetFooter> {
  const reader = await parquet.ParquetReader.openFile(path);
  try {
    const md = reader.metadata;
    const chunkCodecs = md.row_groups.flatMap((rg) => rg.columns.map((c) => CODECS[c.meta_data.codec] ?? `CODEC_${c.meta_data.codec}`));
    const distinct = [...new Set(chunkCodecs)];
    const rows = typeof md.num_rows === 'object' ? md.num_rows.toNumber() : Number(md.num_rows);
    // A file with no row groups has no chunks; it was still written with the run's codec.
    return { rows, chunkCodecs, codec: distinct.length ? distinct.join('+') : 'SNAPPY' };
  } finally {
    await reader.close();
  }
}
