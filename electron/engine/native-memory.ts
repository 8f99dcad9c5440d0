/**
 * Polars frames live in native memory that V8 cannot see: a JavaScript wrapper is a few bytes
 * to the garbage collector, however many megabytes it holds. Frames the engine has finished
 * with are therefore freed only when a collection happens to run, and at 10,000,000 events
 * hundreds of megabytes of dead batches would wait for one. `releaseDeadFrames()` runs a
 * collection at the points where the engine has just dropped whole frames.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    // The documented way to reach V8's collector without starting node with --expose-gc.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = null; // Unavailable here: memory is still freed, only later.
  }
  return collect;
}

/** Runs a full garbage collection, so the native memory of unreachable frames is freed now. */
export function releaseDeadFrames(): void {
  collector()?.();
}
