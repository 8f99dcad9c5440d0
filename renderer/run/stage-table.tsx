/** One row per stage, filled in as stage events arrive, with its balance check. */
import { STAGE_DROP_REASON } from '../../shared/pipeline';
import { REASON_LABELS } from '../dropped/offending-field';
import { formatCount, formatDuration } from '../lib/format';
import { droppedTotal, type StageRow } from './run-state';

const STATUS_LABELS: Record<StageRow['status'], string> = {
  pending: 'Waiting',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function StageTable({ stages }: { stages: StageRow[] }) {
  return (
    <table className="stage-table" aria-label="Pipeline stages">
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">
            Rows in
          </th>
          <th scope="col" className="num">
            Rows out
          </th>
          <th scope="col">Dropped</th>
          <th scope="col" className="num">
            Time
          </th>
          <th scope="col">Balance</th>
        </tr>
      </thead>
      <tbody>
        {stages.map((s) => {
          const reason = STAGE_DROP_REASON[s.name];
          const dropped = s.status === 'done' ? droppedTotal(s.dropped) : null;
          return (
            <tr key={s.name} data-stage={s.name} className={`stage-${s.status}`}>
              <th scope="row">{s.label}</th>
              <td>
                <span className={`status status-${s.status}`}>{STATUS_LABELS[s.status]}</span>
              </td>
              <td className="num" data-field="rows-in">
                {formatCount(s.rowsIn)}
              </td>
              <td className="num" data-field="rows-out">
                {formatCount(s.rowsOut)}
              </td>
              <td data-field="dropped">
                {dropped === null ? (
                  '—'
                ) : (
                  <span className="dropped-cell">
                    <span className="num-inline" data-reason={reason}>
                      {formatCount(dropped)}
                    </span>{' '}
                    <span className={`reason-tag reason-${reason}`}>{REASON_LABELS[reason]}</span>
                  </span>
                )}
              </td>
              <td className="num">
                {s.status === 'running' && s.elapsedMs !== null
                  ? `${formatDuration(s.elapsedMs)}…`
                  : formatDuration(s.ms)}
              </td>
              <td>
                {s.balanced === null ? (
                  <span className="muted">—</span>
                ) : s.balanced ? (
                  <span className="balance balance-ok" title="rows in = rows out + dropped">
                    ✓ balanced
                  </span>
                ) : (
                  <span className="balance balance-bad" title="rows in ≠ rows out + dropped">
                    ✗ {formatCount(s.rowsIn)} ≠ {formatCount(s.rowsOut)} + {formatCount(dropped)}
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
