/** One chosen input: name, size, detected format, a peek, and its error if it cannot be used. */
import type { InputInfo } from '../../shared/service-contract';
import { ErrorBanner } from '../components/error-banner';
import { FOCUS_IDS } from '../components/focus';
import { PeekTable } from '../components/peek-table';
import { formatBytes, formatCount } from '../lib/format';

const FORMAT_LABELS: Record<InputInfo['format'], string> = {
  json: 'JSON array',
  ndjson: 'NDJSON (one object per line)',
  csv: 'CSV',
  unknown: 'Unknown format',
};

export function InputCard({
  slot,
  info,
  onRemove,
  onSwap,
  disabled,
}: {
  slot: 'events' | 'users';
  info: InputInfo | null;
  onRemove: () => void;
  /** Swaps the two slots: offered right here when this file is the other kind. */
  onSwap?: () => void;
  disabled?: boolean;
}) {
  const id = slot === 'events' ? FOCUS_IDS.eventsCard : FOCUS_IDS.usersCard;
  const title = slot === 'events' ? 'Events file' : 'Users file';
  const expected =
    slot === 'events' ? 'raw_events.json (JSON array or NDJSON)' : 'users.csv (user_id, signup_date, country)';
  if (!info) {
    return (
      <section className="input-card input-card-empty" aria-label={title} data-slot={slot} id={id} tabIndex={-1}>
        <h3 className="input-card-title">{title}</h3>
        <p className="muted">Not chosen yet: expecting {expected}.</p>
      </section>
    );
  }
  // The service recognised the content as the other kind: Run waits, and Swap is one click away.
  const mismatch = info.kind !== 'unknown' && info.kind !== slot;
  return (
    <section
      className={`input-card ${info.error || mismatch ? 'input-card-error' : ''}`}
      aria-label={title}
      data-slot={slot}
      id={id}
      tabIndex={-1}
    >
      <div className="input-card-head">
        <h3 className="input-card-title">{title}</h3>
        <button
          type="button"
          className="button button-quiet button-small"
          onClick={onRemove}
          disabled={disabled}
          aria-label={`Remove ${title.toLowerCase()}`}
        >
          Remove
        </button>
      </div>
      <div className="input-file-name" title={info.path}>
        {info.name}
      </div>
      <dl className="input-facts">
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(info.bytes)}</dd>
        </div>
        <div>
          <dt>Format</dt>
          <dd className="input-format" data-format={info.format}>
            {FORMAT_LABELS[info.format]}
          </dd>
        </div>
        {!info.error && (
          <div>
            <dt>Rows</dt>
            <dd>{info.rowEstimate > 0 ? `≈ ${formatCount(info.rowEstimate)}` : '—'}</dd>
          </div>
        )}
      </dl>
      {mismatch && (
        <div className="note note-warning mismatch" role="alert">
          <span>
            This looks like the {info.kind} file, not the {slot} file. Run waits until each file is in its place.
          </span>
          {onSwap && (
            <button type="button" className="button button-small" onClick={onSwap} disabled={disabled}>
              ⇅ Swap files
            </button>
          )}
        </div>
      )}
      {info.notice && !info.error && <p className="note">{info.notice}</p>}
      {info.error ? (
        <ErrorBanner error={info.error} title="This file cannot be used" />
      ) : (
        <PeekTable peek={info.peek} />
      )}
    </section>
  );
}
