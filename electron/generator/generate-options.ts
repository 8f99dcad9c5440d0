/**
 * The generator's options, their defaults (which reproduce the committed sample in `data/`)
 * and the command-line parser for `npm run generate`.
 */
import type { EventsFormat } from '../../shared/pipeline';

/** Everything that determines the generated files. */
export interface GenerateOptions {
  events: number;
  users: number;
  seed: number;
  format: EventsFormat;
  outDir: string;
  /** CRLF line ends in both files. */
  crlf: boolean;
  /** A UTF-8 byte order mark at the start of the events file. */
  bom: boolean;
}

/** The defaults: `npm run generate` with no flags rewrites the committed `data/` sample. */
export const DEFAULT_OPTIONS: GenerateOptions = {
  events: 8934,
  users: 1000,
  seed: 42,
  format: 'json',
  outDir: 'data',
  crlf: false,
  bom: false,
};

/** Usage text for `--help`. */
export const USAGE = `Usage: npm run generate -- [options]

Writes deterministic mock data: OUT/raw_events.json (or raw_events.ndjson) and OUT/users.csv.
The same options always give the same bytes.

Options:
  --events N        number of events (array elements / non-blank lines)   [default ${DEFAULT_OPTIONS.events}]
  --users M         number of data rows in users.csv                       [default ${DEFAULT_OPTIONS.users}]
  --seed S          integer seed, 0..4294967295                            [default ${DEFAULT_OPTIONS.seed}]
  --format F        json (a JSON array, raw_events.json) or ndjson (raw_events.ndjson)
                                                                           [default ${DEFAULT_OPTIONS.format}]
  --out DIR         output folder (created if missing)                     [default ${DEFAULT_OPTIONS.outDir}]
  --crlf            CRLF line ends in both files
  --bom             a UTF-8 byte order mark at the start of the events file
  -h, --help        print this help

With no options it rewrites the committed sample in data/ (8934 events, 1000 users, seed 42).
`;

/** The outcome of parsing: options to run, a request for help, or a one-line usage error. */
export type ParsedArgs =
  { kind: 'run'; options: GenerateOptions } | { kind: 'help' } | { kind: 'error'; message: string };

function parseCount(flag: string, text: string, min: number, max: number): number | string {
  const clean = text.replace(/_/g, '');
  if (!/^\d+$/.test(clean)) return `${flag} needs a whole number, got "${text}"`;
  const n = Number(clean);
  if (n < min || n > max) return `${flag} must be between ${min} and ${max}, got ${text}`;
  return n;
}

/** Parses `--flag value` and `--flag=value` arguments (argv without node and the script). */
export function parseGenerateArgs(argv: readonly string[]): ParsedArgs {
  const options: GenerateOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--crlf' || arg === '--bom') {
      options[arg === '--crlf' ? 'crlf' : 'bom'] = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    if (!['--events', '--users', '--seed', '--format', '--out'].includes(flag)) {
      return { kind: 'error', message: `unknown option "${arg}" (see --help)` };
    }
    let value: string | undefined;
    if (eq > 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined || value === '') return { kind: 'error', message: `${flag} needs a value (see --help)` };

    let parsed: number | string;
    switch (flag) {
      case '--events':
        parsed = parseCount(flag, value, 0, 1_000_000_000);
        if (typeof parsed === 'string') return { kind: 'error', message: parsed };
        options.events = parsed;
        break;
      case '--users':
        parsed = parseCount(flag, value, 1, 50_000_000);
        if (typeof parsed === 'string') return { kind: 'error', message: parsed };
        options.users = parsed;
        break;
      case '--seed':
        parsed = parseCount(flag, value, 0, 4_294_967_295);
        if (typeof parsed === 'string') return { kind: 'error', message: parsed };
        options.seed = parsed;
        break;
      case '--format':
        if (value !== 'json' && value !== 'ndjson')
          return { kind: 'error', message: `--format must be json or ndjson, got "${value}"` };
        options.format = value;
        break;
      case '--out':
        options.outDir = value;
        break;
    }
  }
  return { kind: 'run', options };
}
