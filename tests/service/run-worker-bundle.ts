/**
 * The tests host runs from the bundled run worker, as the packaged app and browser mode do,
 * built once per test process into dist/electron.
 */
import { buildRunWorker } from '../../electron/cli/build';

let built: Promise<string> | null = null;

export function bundledRunWorker(): Promise<string> {
  built ??= buildRunWorker();
  return built;
}
