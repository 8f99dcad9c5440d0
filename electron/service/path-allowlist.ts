/**
 * The service reads only what the user chose, dropped or uploaded, and what the app wrote:
 * a compromised page cannot ask it for ~/.ssh/id_rsa. Folders (the sample data, output
 * folders) allow everything beneath them; files allow exactly themselves.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

export class PathAllowlist {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();

  allowFile(p: string): void {
    this.files.add(canonical(p));
  }

  allowDir(p: string): void {
    this.dirs.add(canonical(p));
  }

  isAllowed(p: string): boolean {
    if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) return false;
    const target = canonical(p);
    if (this.files.has(target)) return true;
    for (const dir of this.dirs) {
      if (target === dir || target.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep)) return true;
    }
    return false;
  }

  /** A Result-style check with a message the UI can show. */
  check(p: string, what: string): string | null {
    if (this.isAllowed(p)) return null;
    return `${what} "${p}" was not chosen in this app. Pick it with Open inputs (or drop it on the window) and try again.`;
  }
}

/**
 * Absolute, normalised, with symlinks resolved for the longest existing prefix, so a link
 * inside an allowed folder cannot point the service elsewhere.
 */
export function canonical(p: string): string {
  let current = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      const real = realpathSync.native(current);
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.resolve(p);
      rest.push(path.basename(current));
      current = parent;
    }
  }
}
