/**
 * Remembers the last used input files and output folder in a small JSON file (the desktop app
 * keeps it under userData). A missing or damaged file just means "nothing remembered".
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppDefaults } from '../../shared/service-contract';

export type RecentPaths = AppDefaults['recent'];

export class RecentPathsStore {
  constructor(private readonly file: string) {}

  async load(): Promise<RecentPaths> {
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, unknown>;
      const recent: RecentPaths = {};
      for (const key of ['eventsPath', 'usersPath', 'outDir'] as const) {
        if (typeof data[key] === 'string' && data[key]) recent[key] = data[key] as string;
      }
      return recent;
    } catch {
      return {};
    }
  }

  async save(recent: RecentPaths): Promise<void> {
    const merged = { ...(await this.load()), ...recent };
    await mkdir(path.dirname(this.file), { recursive: true });
    // Write then rename, so a crash mid-write never leaves half a JSON file.
    const temp = `${this.file}.tmp`;
    await writeFile(temp, JSON.stringify(merged, null, 2));
    await rename(temp, this.file);
  }
}
