/**
 * A small, strict flag parser for the command-line tools: `--name value` or `--name=value`,
 * boolean flags, and a clear error for anything unknown.
 */
export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags taking a value, with their defaults (undefined = no default). */
  values: Record<string, string | undefined>;
  booleans?: string[];
}

export function parseFlags(
  argv: string[],
  spec: FlagSpec,
): { values: Record<string, string | undefined>; flags: Set<string> } {
  const values: Record<string, string | undefined> = { ...spec.values };
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument '${arg}'. Flags start with --; see --help.`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.booleans?.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value.`);
      flags.add(name);
      continue;
    }
    if (!(name in spec.values)) throw new UsageError(`Unknown option --${name}. See --help.`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value.`);
    values[name] = value;
  }
  return { values, flags };
}
