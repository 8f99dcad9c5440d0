/**
 * A process that commits (or recovers) an output folder and is killed with SIGKILL by its own
 * step hook at step `killAt` (0: never). Used by commit-kill.test.ts.
 *   commit <outDir> <killAt> <srcDir> <names>   stages copies of srcDir's files (comma-separated names, in order) and commits them
 *   recover <outDir> <killAt>                            recovers the folder
 *   run <outDir> <killAt> <events> <users>               a whole real run (runPipeline)
 * Prints each step as a JSON line on stdout before it is taken.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createStaging, recoverOutputFolder, setCommitStepHook } from '../../electron/engine/atomic-output';

const [mode, outDir, killAtArg, ...rest] = process.argv.slice(2);
const killAt = Number(killAtArg);
let n = 0;
setCommitStepHook((step) => {
  n++;
  fs.writeSync(1, JSON.stringify({ n, ...step }) + '\n');
  if (n === killAt) process.kill(process.pid, 'SIGKILL');
});

async function main(): Promise<void> {
  if (mode === 'commit') {
    const names = rest[1].split(',');
    const staging = await createStaging(outDir);
    for (const name of names) fs.copyFileSync(path.join(rest[0], name), staging.path(name));
    await staging.commit(names);
  } else if (mode === 'recover') {
    await recoverOutputFolder(outDir);
  } else if (mode === 'run') {
    // Loaded only here: the other modes start in a fraction of the time without Polars.
    const { runPipeline } =
      require('../../electron/engine/pipeline') as typeof import('../../electron/engine/pipeline');
    await runPipeline({ eventsPath: rest[0], usersPath: rest[1], outDir }, { source: 'cli' });
  } else throw new Error(`unknown mode ${mode}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(String(err instanceof Error ? err.stack : err) + '\n');
    process.exit(1);
  },
);
