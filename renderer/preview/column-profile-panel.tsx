/**
 * A column's profile beside the Preview grid: nulls, distinct values, min/max, and a histogram
 * (numbers, dates, instants) or the most frequent values (text), computed by the service over
 * the rows the grid shows (same file, drop reason and filter).
 */
import { useEffect, useState } from 'react';
import type { EtlErrorInfo } from '../../shared/pipeline';
import type { ColumnProfile, ProfileRequest } from '../../shared/service-contract';
import { useClient } from '../components/client-context';
import { ErrorBanner } from '../components/error-banner';
import { formatCell, formatCount, formatPercent } from '../lib/format';

export function ColumnProfilePanel({ request, onClose }: { request: ProfileRequest; onClose: () => void }) {
  const client = useClient();
  const [profile, setProfile] = useState<ColumnProfile | null>(null);
  const [error, setError] = useState<EtlErrorInfo | null>(null);
  const key = JSON.stringify(request);
  useEffect(() => {
    let live = true;
    setError(null);
    client.profileColumn(JSON.parse(key) as ProfileRequest).then(
      (r) => {
        if (!live) return;
        if (r.ok) setProfile(r.value);
        else setError(r.error);
      },
      (err: unknown) => live && setError({ kind: 'internal', message: String(err) }),
    );
    return () => {
      live = false;
    };
  }, [client, key]);

  const current = profile?.column === request.column ? profile : null;
  return (
    <section className="profile-panel" aria-labelledby="profile-heading" aria-busy={!current && !error}>
      <div className="profile-head">
        <h2 id="profile-heading">
          Profile: <code>{request.column}</code>
        </h2>
        <button type="button" className="button button-small" onClick={onClose}>
          Close profile
        </button>
      </div>
      {error && <ErrorBanner error={error} title={`Could not profile ${request.column}`} />}
      {!current && !error && <p className="muted">Computing…</p>}
      {current && <ProfileBody profile={current} />}
    </section>
  );
}

function ProfileBody({ profile: p }: { profile: ColumnProfile }) {
  const cell = (v: ColumnProfile['min']) => formatCell(v, p.type);
  // Bin edges of a float column fall between values: four significant digits read better.
  const edge = (v: ColumnProfile['min']) =>
    typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(4))) : cell(v);
  const peak = Math.max(1, ...(p.histogram ?? []).map((b) => b.count), ...(p.topValues ?? []).map((t) => t.count));
  return (
    <>
      <dl className="profile-facts" data-testid="profile-facts">
        <div>
          <dt>Type</dt>
          <dd>{p.type}</dd>
        </div>
        <div>
          <dt>Rows</dt>
          <dd>{formatCount(p.rows)}</dd>
        </div>
        <div>
          <dt>Nulls</dt>
          <dd data-testid="profile-nulls">
            {formatCount(p.nulls)} <span className="muted">({formatPercent(p.nulls, p.rows)})</span>
          </dd>
        </div>
        <div>
          <dt>Distinct</dt>
          <dd data-testid="profile-distinct">{formatCount(p.distinct)}</dd>
        </div>
        <div>
          <dt>Min</dt>
          <dd data-testid="profile-min">{cell(p.min)}</dd>
        </div>
        <div>
          <dt>Max</dt>
          <dd data-testid="profile-max">{cell(p.max)}</dd>
        </div>
      </dl>
      {p.histogram && p.histogram.length > 0 && (
        <table className="profile-bars" aria-label={`Histogram of ${p.column}`}>
          <thead>
            <tr>
              <th scope="col">Range</th>
              <th scope="col">Rows</th>
            </tr>
          </thead>
          <tbody>
            {p.histogram.map((b, i) => (
              <tr key={i}>
                <td className="profile-label">{b.from === b.to ? edge(b.from) : `${edge(b.from)} – ${edge(b.to)}`}</td>
                <td>
                  <Bar count={b.count} peak={peak} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.topValues && (
        <table className="profile-bars" aria-label={`Most frequent values of ${p.column}`}>
          <thead>
            <tr>
              <th scope="col">Value</th>
              <th scope="col">Rows</th>
            </tr>
          </thead>
          <tbody>
            {p.topValues.map((t, i) => (
              <tr key={i}>
                <td className="profile-label">{cell(t.value)}</td>
                <td>
                  <Bar count={t.count} peak={peak} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Bar({ count, peak }: { count: number; peak: number }) {
  return (
    <span className="profile-bar">
      <svg viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
        <rect x="0" y="0" height="8" width={Math.max(count > 0 ? 1 : 0, (count / peak) * 100)} />
      </svg>
      <span className="profile-count">{formatCount(count)}</span>
    </span>
  );
}
