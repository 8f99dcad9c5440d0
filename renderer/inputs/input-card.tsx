/** One chosen input: name, size, detected format, a peek, and its error if it cannot be used. */
import type { InputInfo } from '../../shared/service-contract';
import { ErrorBanner } from '../components/error-banner';
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
  disabled,
}: {
  slot: 'events' | 'users';
  info: InputInfo | null;
  onRemove: () => void;
  disabled?: boolean;
}) {
  const title = slot === 'events' ? 'Events file' : 'Users file';
  const expected =
    slot === 'events' ? 'raw_events.json (JSON array or NDJSON)' : 'users.csv (user_id, signup_date, country)';
  if (!info) {
    return (
      <section className="input-card input-card-empty" aria-label={title} data-slot={slot}>
        <h3 className="input-card-title">{title}</h3>
        <p className="muted">Not chosen yet: expecting {expected}.</p>
      </section>
    );
  }
  // The service recognised the content as the other kind: say so, the Swap button fixes it.
  const mismatch = info.kind !== 'unknown' && info.kind !== slot;
  return (
    <section className={`input-card ${info.error ? 'input-card-error' : ''}`} aria-label={title} data-slot={slot}>
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
        <p className="note note-warning">
          This looks like the {info.kind} file. Use Swap if the two are the wrong way round.
        </p>
      )}
      {info.error ? (
        <ErrorBanner error={info.error} title="This file cannot be used" />
      ) : (
        <PeekTable peek={info.peek} />
      )}
    </section>
  );
}
