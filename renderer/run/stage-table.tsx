/**
 * One row per stage, filled in as stage events arrive, with its balance check. While the
 * events file is read, the three stages that run inside the scan show their counts so far.
 */
import { STAGE_DROP_REASON, STAGE_LABELS, STAGE_TIME_INSIDE, type StageName } from '../../shared/pipeline';
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

/**
 * The Time cell: a running stage's time so far; for a stage whose work happens inside another's
 * (its own time is 0 ms), where its time went instead of a misleading "0 ms".
 */
export function stageTimeText(s: Pick<StageRow, 'name' | 'status' | 'ms' | 'elapsedMs'>): {
  text: string;
  title?: string;
} {
  const host: StageName | undefined = STAGE_TIME_INSIDE[s.name];
  if (host && (s.status === 'running' || (s.status === 'done' && !s.ms))) {
    const label = STAGE_LABELS[host];
    return {
      text: `in ${label}`,
      title:
        host === 'extract'
          ? `Checked on each record while ${label} reads the file; its time is part of ${label}'s.`
          : `Runs in the same query as ${label}; its time is part of ${label}'s.`,
    };
  }
  if (s.status === 'running' && s.elapsedMs !== null) return { text: `${formatDuration(s.elapsedMs)}…` };
  return { text: formatDuration(s.ms) };
}

export function StageTable({ stages }: { stages: StageRow[] }) {
  return (
    <>
      <div className="table-scroll" role="region" aria-label="Pipeline stages" tabIndex={0}>
        <table className="stage-table">
          <caption className="visually-hidden">
            Pipeline stages: rows in, rows out and dropped rows per stage. Counts marked “so far” grow while the events
            file is read.
          </caption>
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
              const dropped = s.status === 'done' || s.live ? droppedTotal(s.dropped) : null;
              const time = stageTimeText(s);
              return (
                <tr
                  key={s.name}
                  data-stage={s.name}
                  data-live={s.live ? 'true' : undefined}
                  className={`stage-${s.status}`}
                >
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
                      // In the counts' own right-aligned box, so the column lines up while it waits.
                      <span className="num-inline">—</span>
                    ) : (
                      <span className="dropped-cell">
                        <span className="num-inline" data-reason={reason}>
                          {formatCount(dropped)}
                        </span>{' '}
                        <span className={`reason-tag reason-${reason}`}>{REASON_LABELS[reason]}</span>
                        {s.live && <span className="so-far">so far</span>}
                      </span>
                    )}
                  </td>
                  <td className="num" data-field="time" title={time.title}>
                    {time.text}
                  </td>
                  <td>
                    {s.balanced === null ? (
                      <span className="muted">—</span>
                    ) : s.balanced ? (
                      <span className="balance balance-ok" title="rows in = rows out + dropped">
                        ✓<span className="balance-word"> balanced</span>
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
      </div>
      <p className="table-note muted">
        The two clean stages check each record while Extract reads the file, and Filter US is one query with Join users:
        their time is counted in those stages.
      </p>
    </>
  );
}
