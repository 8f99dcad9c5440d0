/**
 * The Preview's filter: one column, contains / equals / range, applied by the engine service
 * (the grid then pages the matching rows). Values are typed as the grid shows them.
 */
import { useState, type FormEvent } from 'react';
import type { ColumnFilter, ParquetColumnInfo } from '../../shared/service-contract';

type Op = ColumnFilter['op'];

export function FilterBar({
  columns,
  filter,
  onFilter,
  idPrefix,
}: {
  columns: ParquetColumnInfo[];
  filter: ColumnFilter | null;
  onFilter: (filter: ColumnFilter | null) => void;
  idPrefix: string;
}) {
  const [column, setColumn] = useState(filter?.column ?? columns[0]?.name ?? '');
  const [op, setOp] = useState<Op>(filter?.op ?? 'contains');
  const [value, setValue] = useState(filter && filter.op !== 'range' ? filter.value : '');
  const [min, setMin] = useState(filter?.op === 'range' ? (filter.min ?? '') : '');
  const [max, setMax] = useState(filter?.op === 'range' ? (filter.max ?? '') : '');
  const canApply = op === 'range' ? min.trim() !== '' || max.trim() !== '' : value !== '';

  function apply(e: FormEvent) {
    e.preventDefault();
    if (!canApply) return;
    onFilter(
      op === 'range'
        ? { column, op, ...(min.trim() ? { min: min.trim() } : {}), ...(max.trim() ? { max: max.trim() } : {}) }
        : { column, op, value },
    );
  }

  return (
    <form className="filter-bar" role="search" aria-label="Filter rows" onSubmit={apply}>
      <label htmlFor={`${idPrefix}-filter-column`}>Filter</label>
      <select id={`${idPrefix}-filter-column`} value={column} onChange={(e) => setColumn(e.target.value)}>
        {columns.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <select aria-label="How to match" value={op} onChange={(e) => setOp(e.target.value as Op)}>
        <option value="contains">contains</option>
        <option value="equals">equals</option>
        <option value="range">between</option>
      </select>
      {op === 'range' ? (
        <>
          <input
            aria-label="From (inclusive)"
            placeholder="from"
            value={min}
            onChange={(e) => setMin(e.target.value)}
          />
          <input aria-label="To (inclusive)" placeholder="to" value={max} onChange={(e) => setMax(e.target.value)} />
        </>
      ) : (
        <input aria-label="Value" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} />
      )}
      <button type="submit" className="button button-small" disabled={!canApply}>
        Apply
      </button>
      {filter && (
        <button type="button" className="button button-small" onClick={() => onFilter(null)}>
          Clear filter
        </button>
      )}
    </form>
  );
}

/** The filter in words, for the row count's label. */
export function describeFilter(f: ColumnFilter): string {
  if (f.op !== 'range') return `${f.column} ${f.op} "${f.value}"`;
  if (f.min && f.max) return `${f.column} from ${f.min} to ${f.max}`;
  return f.min ? `${f.column} ≥ ${f.min}` : `${f.column} ≤ ${f.max}`;
}
