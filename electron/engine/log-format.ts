/**
 * The log's line format, the seed's (Python logging's default):
 * `YYYY-MM-DD HH:MM:SS,mmm - LEVEL - message`, in local time.
 */
import type { LogLevel } from '../../shared/pipeline';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatLogTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

export function formatLogLine(at: Date, level: LogLevel, message: string): string {
  return `${formatLogTime(at)} - ${level} - ${message}`;
}
