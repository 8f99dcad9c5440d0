/**
 * The DuckDB peer as its own process, for the benchmark:
 *   tsx electron/bench/duckdb-peer-cli.ts --events P --users P --out DIR [--threads N]
 * Prints one JSON line with the row counts and phase timings on stdout; errors go to stderr
 * with exit code 2 (input) or 1.
 */
import { runDuckdbPeer } from './duckdb-peer';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const events = arg('events');
const users = arg('users');
const out = arg('out') ?? 'output-duckdb';
const threads = arg('threads');
if (!events || !users) {
  process.stderr.write('usage: duckdb-peer-cli --events PATH --users PATH --out DIR [--threads N]\n');
  process.exit(2);
}
runDuckdbPeer({
  eventsPath: events,
  usersPath: users,
  outDir: out,
  threads: threads ? Number(threads) : undefined,
  forceArrayFallback: process.argv.includes('--array-fallback'),
  forceTextPath: process.argv.includes('--text-path'),
}).then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
  },
  (e: unknown) => {
    process.stderr.write(`duckdb-peer: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
