/**
 * The service reads only what the user chose, dropped or uploaded, and what the app wrote, and
 * writes only into output folders the user chose: a compromised page cannot ask it for
 * ~/.ssh/id_rsa, nor have a run or a CSV export write into the folder of an input.
 *
 * Two kinds of grant, kept apart:
 *   - read grants are single files (an input picked, dropped, uploaded, the two sample files, or
 *     the outputs of a run reopened from the history);
 *   - output folders allow writing, and reading back, everything beneath them.
 *
 * Every check works on the canonical path (symlinks resolved, no `..`), and hands that path back
 * so the caller passes on to `fs` exactly the path that was checked. A `..` segment is refused
 * outright: `<allowed>/link/../secret` reads as `<allowed>/secret` but the kernel resolves it
 * from wherever `link` points.
 */
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** A granted path in its canonical form, or the message to show when it is not granted. */
export type PathCheck = { ok: true; path: string } | { ok: false; message: string };

export class PathAllowlist {
  private readonly readFiles = new Set<string>();
  private readonly outputDirs = new Set<string>();

  /** Grants reading exactly this file: an input the user picked, dropped or uploaded. */
  allowFile(p: string): void {
    const c = canonical(p);
    if (c) this.readFiles.add(c);
  }

  /** Grants writing (and reading back) everything beneath this folder: an output folder the user chose. */
  allowOutputDir(p: string): void {
    const c = canonical(p);
    if (c) this.outputDirs.add(c);
  }

  /** The canonical path when `p` may be read: a granted file, or anything in an output folder. */
  readable(p: string): string | null {
    const target = canonical(p);
    if (!target) return null;
    return this.readFiles.has(target) || this.inOutputDir(target) ? target : null;
  }

  /**
   * The canonical folder when each of `names` in it may be read: an output folder, or a folder
   * whose files were granted one by one (a run reopened from the history). Null otherwise.
   */
  readableFiles(dir: string, names: readonly string[]): string | null {
    const target = canonical(dir);
    if (!target) return null;
    if (this.inOutputDir(target)) return target;
    return names.every((n) => this.readFiles.has(canonical(path.join(target, n)) ?? '')) ? target : null;
  }

  /** The canonical path when `p` is a granted output folder or lies beneath one. */
  writable(p: string): string | null {
    const target = canonical(p);
    return target && this.inOutputDir(target) ? target : null;
  }

  /** A read check with a message the UI can show. */
  checkRead(p: string, what: string): PathCheck {
    const allowed = this.readable(p);
    if (allowed) return { ok: true, path: allowed };
    return {
      ok: false,
      message: `${what} "${p}" was not chosen in this app. Pick it with Open inputs (or drop it on the window) and try again.`,
    };
  }

  /** A check of an output folder (the run writes there, exports too), with a message the UI can show. */
  checkOutputDir(p: string, what: string): PathCheck {
    const allowed = this.writable(p);
    if (allowed) return { ok: true, path: allowed };
    return {
      ok: false,
      message: `${what} "${p}" was not chosen in this app as an output folder. Choose it with Change… next to the output folder and try again.`,
    };
  }

  private inOutputDir(target: string): boolean {
    for (const dir of this.outputDirs) {
      if (target === dir || target.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep)) return true;
    }
    return false;
  }
}

/**
 * Absolute, normalised, with symlinks resolved for the longest existing prefix, so a link
 * inside an allowed folder cannot point the service elsewhere. Null for a path that is empty,
 * holds a NUL byte or a `..` segment (in either slash direction, for Windows).
 */
export function canonical(p: string): string | null {
  if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) return null;
  if (p.split(/[\\/]/).includes('..')) return null;
  let current = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      const real = realpathSync.native(current);
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch {
      // It exists but cannot be resolved: a dangling or looping symlink, which a write would follow.
      if (lstatOrNull(current)) return null;
      const parent = path.dirname(current);
      if (parent === current) return path.resolve(p);
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}
