/** A failure inside the service the user can act on; becomes `{ ok: false, error }` at the boundary. */
import type { EtlErrorInfo } from '../../shared/pipeline';

export class EtlServiceError extends Error {
  readonly info: EtlErrorInfo;
  constructor(kind: EtlErrorInfo['kind'], message: string, file?: string) {
    super(message);
    this.name = 'EtlServiceError';
    this.info = file ? { kind, message, file } : { kind, message };
  }
}

/** Any thrown value as an error value; unexpected ones say so and what to do. */
export function serviceErrorInfo(err: unknown): EtlErrorInfo {
  if (err instanceof EtlServiceError) return err.info;
  const info = (err as { info?: EtlErrorInfo })?.info;
  if (info && typeof info.message === 'string' && typeof info.kind === 'string') return info;
  const message = err instanceof Error ? err.message : String(err);
  return {
    kind: 'internal',
    message: `Unexpected error in the ETL service: ${message}. Try again; if it persists, report it with the run's etl.log.`,
  };
}
