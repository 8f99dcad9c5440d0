/**
 * The DuckDB peer as its own process, for the benchmark:
 *   tsx electron/bench/duckdb-peer-cli.ts --events P --users P --out DIR [--threads N]
 *     [--memory-limit SIZE] [--temp-dir DIR]
 * SIZE is read as `npm run etl -- --memory-limit` reads it (shared/memory-size.ts) and becomes
 * DuckDB's `memory_limit`; DIR its `temp_directory`, where it spills beyond that limit.
 * Prints one JSON line with the row counts and phase timings on stdout; errors go to stderr
 * with exit code 2 (input) or 1.
 */
import { parseMemorySize } from '../../shared/memory-size';
import { runDuckdbPeer } from './duckdb-peer';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const events = arg('events');
const users = arg('users');
const out = arg('out') ?? 'output-duckdb';
const threads = arg('threads');
const memoryLimitText = arg('memory-limit');
const tempDir = arg('temp-dir');
const USAGE =
  'usage: duckdb-peer-cli --events PATH --users PATH --out DIR [--threads N] [--memory-limit SIZE] [--temp-dir DIR]\n';
if (!events || !users) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const memoryLimit = memoryLimitText === undefined ? undefined : parseMemorySize(memoryLimitText);
if (memoryLimit === null || memoryLimit === 0) {
  process.stderr.write(
    `duckdb-peer: --memory-limit '${memoryLimitText}' is not a size; write it like 1.5GB or 400MB.\n`,
  );
  process.exit(2);
}
runDuckdbPeer({
  eventsPath: events,
  usersPath: users,
  outDir: out,
  threads: threads ? Number(threads) : undefined,
  forceArrayFallback: process.argv.includes('--array-fallback'),
  forceTextPath: process.argv.includes('--text-path'),
  memoryLimit,
  tempDir,
}).then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
  },
  (e: unknown) => {
    process.stderr.write(`duckdb-peer: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
