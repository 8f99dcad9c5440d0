/**
 * Formatters for numbers, sizes, durations and cells. Locale fixed to en-US so screenshots and
 * tests read the same on every machine.
 */
import type { Cell } from '../../shared/service-contract';

const countFormat = new Intl.NumberFormat('en-US');

/** 1234567 -> "1,234,567"; missing -> "—". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return countFormat.format(n);
}

/** Bytes in binary units with one decimal: 1536 -> "1.5 KB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A Parquet file's codec as its footer states it; a file with no rows has no column chunks and
 * so states none, which the preview says in words rather than inventing one.
 */
export function formatCodec(codec: string | null): string {
  return codec ?? 'none (no rows, so no column chunks)';
}

/** Milliseconds as "850 ms", "2.3 s" or "1 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** A share of a whole as "12.5%"; tiny non-zero shares stay visible as "<0.1%". */
export function formatPercent(part: number, whole: number): string {
  if (!whole || !Number.isFinite(part) || !Number.isFinite(whole)) return '—';
  const pct = (part / whole) * 100;
  if (pct > 0 && pct < 0.1) return '<0.1%';
  return `${pct.toFixed(1)}%`;
}

// The service sends timestamps as ISO strings with microseconds (docs/rules.md: timestamp_dt is us UTC).
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A cell as text. Instants become "2025-01-15 10:23:45.123456 UTC" (readable, still sortable
 * by eye); null is shown as an em dash so it is not confused with an empty string.
 */
export function formatCell(value: Cell | undefined, type?: string): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    // Floats as written (3.5, not 3.50); whole counts grouped for reading.
    if (type && /float|double/i.test(type)) return String(value);
    return Number.isInteger(value) ? countFormat.format(value) : String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (type && /datetime|timestamp/i.test(type)) {
    const m = ISO_INSTANT.exec(value);
    if (m) {
      // Microseconds are always sent; show only the digits that carry information.
      const fraction = (m[3] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
      const zone = m[4] === 'Z' || m[4] === '+00:00' ? 'UTC' : m[4];
      return `${m[1]} ${m[2]}${fraction} ${zone}`;
    }
  }
  return value;
}

/** Shortens a path to its last segment for tight places; the full path goes in a title. */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}
