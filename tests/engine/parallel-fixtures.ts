/**
 * Inputs large enough (over 16 MiB) for the reader to split them between two scan threads,
 * shared by the JSON array and the NDJSON tests.
 */
import pl from 'nodejs-polars';

export const SIZE = 18 * 1024 * 1024;
export const PAD = 'x'.repeat(100);
export const A = '{"user_id":"u1","event_type":"a","timestamp":"2025-01-15T10:00:00Z","value":1}';
export const B =
  '{"user_id":"u2","event_type":"b","timestamp":"2025-01-16T10:00:00Z","metadata":{"device":"d","page":"p"}}';
export const C = '{"user_id":"u1","event_type":"c","timestamp":"2025-01-17T10:00:00Z"}';

/** ~18 MiB of `filler` records, one per line; `special` puts given texts at given 1-based positions. */
export function elements(filler: (i: number) => string, special: Map<number, string>): string[] {
  const out: string[] = [];
  const per = filler(0).length + 2;
  const n = Math.ceil(SIZE / per);
  for (let i = 1; i <= n; i++) out.push(special.get(i) ?? filler(i));
  return out;
}

/** The given columns of a Parquet file as plain records (int64 as numbers). */
export function rows(file: string, cols: string[]) {
  return pl
    .readParquet(file)
    .select(...cols)
    .toRecords()
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}
