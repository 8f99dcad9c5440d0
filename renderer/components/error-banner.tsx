/** A user-facing error: what happened, where, and what to do next (EtlErrorInfo). */
import type { EtlErrorInfo } from '../../shared/pipeline';

/** What the user can do about each kind of error. */
export function errorAdvice(error: EtlErrorInfo): string {
  switch (error.kind) {
    case 'input':
      return 'Fix the file or choose another one, then run again.';
    case 'cancelled':
      return 'Nothing from this run was kept. Run again when ready.';
    case 'busy':
      return 'A run is already in progress. Wait for it to finish or cancel it.';
    case 'internal':
      return 'Try again. If it keeps happening, report it with the etl.log from the output folder.';
  }
}

export function errorLocation(error: EtlErrorInfo): string | null {
  const parts: string[] = [];
  if (error.file) parts.push(error.file);
  if (error.line !== undefined) parts.push(`line ${error.line}`);
  if (error.column !== undefined) parts.push(`column ${error.column}`);
  if (error.offset !== undefined) parts.push(`byte ${error.offset}`);
  return parts.length ? parts.join(', ') : null;
}

export function ErrorBanner({
  error,
  title,
  onDismiss,
}: {
  error: EtlErrorInfo;
  title?: string;
  onDismiss?: () => void;
}) {
  const tone = error.kind === 'cancelled' ? 'banner-warning' : 'banner-error';
  const location = errorLocation(error);
  return (
    <div className={`banner ${tone}`} role="alert">
      <div className="banner-body">
        <strong className="banner-title">
          {title ?? (error.kind === 'cancelled' ? 'Run cancelled' : 'Something went wrong')}
        </strong>
        <span className="banner-message">{error.message}</span>
        {location && <span className="banner-location">In {location}</span>}
        {error.excerpt && (
          <pre className="banner-excerpt" aria-label="The text at that place, with a caret under it" tabIndex={0}>
            {error.excerpt}
          </pre>
        )}
        <span className="banner-advice">{errorAdvice(error)}</span>
      </div>
      {onDismiss && (
        <button type="button" className="button button-quiet" onClick={onDismiss} aria-label="Dismiss message">
          Dismiss
        </button>
      )}
    </div>
  );
}
