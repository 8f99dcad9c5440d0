/** Holds an output folder's lock, as a run from `source` would, until it is killed. Prints "locked". */
import { lockOutputFolder, type RunSource } from '../../electron/engine/output-lock';

const [outDir, source] = process.argv.slice(2);
void lockOutputFolder(outDir, source as RunSource).then(() => {
  process.stdout.write('locked\n');
  setInterval(() => undefined, 1 << 30);
});
