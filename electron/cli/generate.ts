/**
 * `npm run generate -- [--events N] [--users M] [--seed S] [--format json|ndjson] [--out DIR]`
 * Writes deterministic mock data; with no flags it rewrites the committed sample in data/.
 * Exit codes: 0 done, 2 bad usage, 1 anything else.
 */
import { generateDataset } from '../generator/generate-dataset';
import { parseGenerateArgs, USAGE } from '../generator/generate-options';
import { describeSummary } from '../generator/summary-text';

function main(argv: readonly string[]): number {
  const parsed = parseGenerateArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`generate: ${parsed.message}\n`);
    return 2;
  }
  try {
    const summary = generateDataset(parsed.options);
    process.stdout.write(describeSummary(summary));
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`generate: ${message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
