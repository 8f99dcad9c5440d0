/**
 * Finds the position of a source_row in dropped_rows.parquet. The file is in input order
 * (docs/rules.md "Outputs": dropped rows are in input order), so source_row only grows and a binary
 * search over offsets needs about log2(n) one-row reads instead of a scan.
 */
import type { ParquetPage, Result } from '../../shared/service-contract';

export type RowLoader = (offset: number, limit: number) => Promise<Result<ParquetPage>>;

/** The 0-based offset of the row whose source_row equals `target`, or null if none has it. */
export async function findSourceRow(
  load: RowLoader,
  target: number,
  totalRows: number,
): Promise<Result<number | null>> {
  let lo = 0;
  let hi = totalRows - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const page = await load(mid, 1);
    if (!page.ok) return page;
    const col = page.value.columns.findIndex((c) => c.name === 'source_row');
    const value = Number(page.value.rows[0]?.[col]);
    if (col < 0 || !Number.isFinite(value)) return { ok: true, value: null };
    if (value === target) return { ok: true, value: mid };
    if (value < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return { ok: true, value: null };
}
