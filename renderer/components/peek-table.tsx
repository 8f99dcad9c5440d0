/** The first rows of an input file, as the service read them, so the user can see it is the right file. */
import type { InputInfo } from '../../shared/service-contract';

export function PeekTable({ peek, maxRows = 4 }: { peek: InputInfo['peek']; maxRows?: number }) {
  if (!peek.columns.length) return null;
  const rows = peek.rows.slice(0, maxRows);
  return (
    <div className="peek" tabIndex={0} aria-label="First rows of the file">
      <table className="peek-table">
        <thead>
          <tr>
            {peek.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {peek.columns.map((c, i) => {
                const cell = row[i];
                return (
                  <td
                    key={c}
                    className={cell === null || cell === undefined ? 'cell-null' : undefined}
                    title={cell ?? 'null'}
                  >
                    {cell === null || cell === undefined ? '—' : cell}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
