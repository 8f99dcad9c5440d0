import type { EtlErrorInfo } from '../../shared/pipeline';

/**
 * The one error type of the engine and the service: a failure the user can act on, classified
 * where it happens. `info` crosses process and IPC boundaries as a plain value; `message` is
 * the one line the CLI prints: what happened, where, and what to do.
 */
export class EtlError extends Error {
  readonly info: EtlErrorInfo;
  constructor(info: EtlErrorInfo) {
    super(info.message);
    this.name = 'EtlError';
    this.info = info;
  }
}

/** Bad input or usage: names the file and, where known, the line or byte offset. */
export function inputError(message: string, where: { file?: string; line?: number; offset?: number } = {}): EtlError {
  return new EtlError({ kind: 'input', message, ...where });
}

/**
 * An input the run had already opened could not be read again (moved, deleted or made
 * unreadable while the run went on): an input error naming that input, never a write error.
 */
export function inputGoneError(what: string, path: string, err: unknown): EtlError {
  const why = (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
  return inputError(
    `Cannot read the ${what} ${path} any more (${why}): was it moved, deleted or changed during the run? Put it back and run again.`,
    { file: path },
  );
}

/** The user cancelled the run. */
export function cancelledError(): EtlError {
  return new EtlError({
    kind: 'cancelled',
    message: 'The run was cancelled; the previous outputs were left as they were.',
  });
}

/**
 * Any thrown value as a user-facing error value. An EtlError keeps its own; anything else was
 * not foreseen where it happened, so it is `internal` and says how to report it.
 */
export function toErrorInfo(err: unknown): EtlErrorInfo {
  if (err instanceof EtlError) return err.info;
  const message = err instanceof Error ? err.message : String(err);
  return {
    kind: 'internal',
    message: `Unexpected error: ${message}. Try again; if it persists, report it with the run's etl.log.`,
  };
}
