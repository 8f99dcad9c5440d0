/**
 * Which run a view shows: the run_report.json in the output folder (when it started, its inputs
 * with their hashes), and the shareable HTML report of that run, saved on demand.
 */
import { useEffect, useState } from 'react';
import type { EtlErrorInfo, RunReport } from '../../shared/pipeline';
import { useClient } from '../components/client-context';
import { ErrorBanner } from '../components/error-banner';
import { baseName } from '../lib/format';

/** `2026-12-04T15:31:46.123Z` → `2026-12-04 15:31 UTC`. */
export function formatWhen(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function RunBadge({
  outDir,
  version,
  canSave = true,
}: {
  outDir: string;
  version: number;
  /** Offer "Save HTML report", which writes run_report.html into the folder. */
  canSave?: boolean;
}) {
  const client = useClient();
  const [report, setReport] = useState<RunReport | null | undefined>(undefined);
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<EtlErrorInfo | null>(null);
  useEffect(() => {
    let live = true;
    client.outputReport({ outDir }).then(
      (r) => live && setReport(r.ok ? r.value : null),
      () => live && setReport(null),
    );
    return () => {
      live = false;
    };
  }, [client, outDir, version]);

  async function saveHtml() {
    const r = await client.htmlReport({ outDir });
    if (!r.ok) return setError(r.error);
    setError(null);
    // A download of the text the service wrote: works the same in the app and in a browser.
    const url = URL.createObjectURL(new Blob([r.value.html], { type: 'text/html' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'run_report.html';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setSaved(`Saved; also written to ${r.value.path}`);
  }

  if (report === undefined) return null;
  if (report === null)
    return (
      <p className="run-badge muted" data-testid="run-badge">
        No run_report.json in <code>{outDir}</code>: these files' run is unknown.
      </p>
    );
  return (
    <div className="run-badge" data-testid="run-badge">
      <span>
        Showing the run of <strong>{formatWhen(report.started_at)}</strong>
        {report.inputs.map((i) => (
          <span key={i.path} className="run-badge-input" title={`${i.path}\nSHA-256 ${i.sha256}`}>
            {' · '}
            {baseName(i.path)} <code>{i.sha256.slice(0, 8)}</code>
          </span>
        ))}
      </span>
      {canSave && (
        <button type="button" className="button button-small" onClick={() => void saveHtml()}>
          Save HTML report
        </button>
      )}
      {saved && (
        <span className="muted" role="status">
          {saved}
        </span>
      )}
      {error && <ErrorBanner error={error} title="Could not make the HTML report" onDismiss={() => setError(null)} />}
    </div>
  );
}
