/**
 * What the `npm run etl` launcher (run-bundled.cjs) needs to know before it starts the engine
 * process: whether the run will spill under its memory budget (memory-plan.ts), because a
 * spilled run is started with other malloc settings than a run held in memory
 * (docs/performance.md "Memory budget"). Bundled on its own, small (no Polars), so the waiting
 * launcher, whose memory counts in the run's budget, stays small.
 */
import { runWillSpill as willSpill } from '../engine/memory-plan';
import { parseMemorySize } from '../../shared/memory-size';
import { parseFlags } from './cli-args';

/** The flags of `etl` and their defaults (etl.ts parses them; the launcher reads them first). */
export const ETL_FLAGS = {
  values: { events: 'data/raw_events.json', users: 'data/users.csv', out: 'output', 'memory-limit': undefined },
  booleans: ['help', 'quiet'],
};

/** The environment variable that tells the engine process how much memory its launcher holds. */
export const LAUNCHER_BYTES_ENV = 'BENEFITS_ETL_LAUNCHER_BYTES';

/**
 * True when `etl` with these arguments will spill. False when it will not, and when the
 * arguments are bad or the events file is unreadable (the tool itself reports those).
 */
export function runWillSpill(args: string[], launcherBytes: number): boolean {
  try {
    const { values } = parseFlags(args, ETL_FLAGS);
    const text = values['memory-limit'];
    const limit = text === undefined ? undefined : parseMemorySize(text);
    return limit !== null && willSpill(values.events!, limit, launcherBytes);
  } catch {
    return false;
  }
}
