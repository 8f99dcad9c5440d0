/**
 * Environment for a process that runs the engine. glibc's malloc (which Polars' native code
 * uses on Linux) gives busy threads their own arenas, up to eight per core, and memory freed in
 * one arena is not reused by the others: at 10,000,000 events that left the peak about 350 MB
 * higher. Two arenas keep the peak down at no measurable cost in speed (README "Speed").
 * malloc reads this only when a process starts, so it is set for the processes the app and
 * the command line start to run the engine. Other systems ignore the variable.
 * (The values live in allocator-env.json so the plain-JS CLI launcher reads the same ones.)
 */
import values from './allocator-env.json';

/** `base` with the engine's allocator settings added; a value the user set wins. */
export function withAllocatorEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...(values as Record<string, string>), ...base };
}
