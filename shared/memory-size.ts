/**
 * Memory sizes as people write them: `1.5GB`, `400MB`, `512MiB`, `2g`. KB/MB/GB/TB are powers
 * of 1000 and KiB/MiB/GiB/TiB powers of 1024 (as DuckDB's `memory_limit` reads them); a bare
 * number is bytes. Shared by the command line, the request validators and the UI.
 */

const UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** The smallest memory limit a run accepts: the engine itself needs about this much. */
export const MIN_MEMORY_LIMIT = 100e6;

/** Bytes in `text`, or null when it is not a size. */
export function parseMemorySize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[(m[2] || 'b').toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** `bytes` for people: `1.5 GB`, `400 MB` (powers of 1000, as parseMemorySize reads them). */
export function formatMemorySize(bytes: number): string {
  if (bytes >= 1e9) return `${+(bytes / 1e9).toFixed(2)} GB`;
  return `${+(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
}
