/**
 * `npm run etl`: runs the pipeline headless. Log lines go to standard error (and etl.log).
 * Exit codes: 0 success, 2 bad input or usage, 1 anything unexpected, 130 cancelled by SIGINT
 * (Ctrl-C), 143 cancelled by SIGTERM.
 */
import { abandonStagingSync, switchesSettled } from '../engine/atomic-output';
import { releaseLocksSync } from '../engine/output-lock';
import { runPipeline } from '../engine/pipeline';
import { EtlError } from '../engine/errors';
import { formatLogLine } from '../engine/log-format';
import { parseFlags, UsageError } from './cli-args';
import { ETL_FLAGS, LAUNCHER_BYTES_ENV } from './launch-plan';
import { recordFinishedRun } from '../service/engine-service';
import { historyDir, RunHistory } from '../service/run-history';
import { formatMemorySize, MIN_MEMORY_LIMIT, parseMemorySize } from '../../shared/memory-size';
import type { EtlErrorInfo } from '../../shared/pipeline';

const HELP = `Usage: npm run etl -- [--events PATH] [--users PATH] [--out DIR] [--memory-limit SIZE]

Cleans benefits engagement events and writes Snappy Parquet outputs.

  --events PATH   events file: a JSON array or newline-delimited JSON (default data/raw_events.json)
  --users PATH    users CSV with user_id, signup_date, country (default data/users.csv)
  --out DIR       output folder (default output)
  --memory-limit SIZE
                  memory budget of the run, e.g. 1.5GB or 400MB (default: half of this
                  machine's memory); a larger run spills to a folder in the output folder
  --quiet         print only warnings and errors
  --help          show this help

Writes clean_events.parquet, daily_summary.parquet, dropped_rows.parquet, run_report.json and
etl.log into the output folder, all at once: a failed run leaves earlier outputs untouched.
Then writes run_report.html (a self-contained report to share) there, and records the run in
the history the app lists (set ETL_HISTORY_DIR to use another history folder).
Exit codes: 0 success, 2 bad input or usage, 1 unexpected error, 130 cancelled (Ctrl-C),
143 cancelled (SIGTERM). A cancelled run writes nothing.`;

/** The exit code of a run cancelled by a signal: 128 + its number, as a shell reports it. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
/**
 * How long a cancelled run may take to stop by itself. The engine checks for a cancel between
 * its steps, but one Polars query on a large input can take longer; the process then exits
 * without it (nothing is committed: see exitNow).
 */
const STOP_GRACE_MS = 1000;
/** How often the run checks that the process that started it is still there. */
const PARENT_CHECK_MS = 250;

export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | undefined>;
  let flags: Set<string>;
  try {
    ({ values, flags } = parseFlags(argv, ETL_FLAGS));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`etl: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  let memoryLimit: number | undefined;
  if (values['memory-limit'] !== undefined) {
    const bytes = parseMemorySize(values['memory-limit']);
    if (bytes === null || bytes < MIN_MEMORY_LIMIT) {
      process.stderr.write(
        `etl: --memory-limit '${values['memory-limit']}' is not a size of at least ${formatMemorySize(MIN_MEMORY_LIMIT)}; write it like 1.5GB or 400MB.\n`,
      );
      return 2;
    }
    memoryLimit = bytes;
  }
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  // A run that does not stop in time (or a second signal from the user) ends the process:
  // the staging folder goes, and so does the lock. Past the commit's point of no return there
  // is no staging folder left to abandon, and the switch (a few renames) completes first.
  const exitNow = async () => {
    await switchesSettled();
    abandonStagingSync();
    releaseLocksSync();
    process.stderr.write(`etl: error: The run was cancelled (${stoppedBy}); nothing was written.\n`);
    process.exit(SIGNAL_EXIT[stoppedBy ?? 'SIGINT']);
  };
  // The terminal's and a launcher's copy of one signal cancel the same run once.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy === null) {
      stoppedBy = signal;
      controller.abort();
      setTimeout(() => void exitNow(), STOP_GRACE_MS).unref();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A run whose parent is gone cancels as for SIGTERM: `kill <npm pid>` ends npm and its shell
  // (which passes nothing on), and a closed terminal ends the shell.
  const parent = process.ppid;
  const parentWatch = setInterval(() => process.ppid !== parent && onSignal('SIGTERM'), PARENT_CHECK_MS);
  parentWatch.unref();
  try {
    const report = await runPipeline(
      { eventsPath: values.events!, usersPath: values.users!, outDir: values.out!, memoryLimit },
      {
        signal: controller.signal,
        source: 'cli',
        // A launcher waiting for this process (run-bundled.cjs) holds memory of the run's budget too.
        memoryElsewhere: Number(process.env[LAUNCHER_BYTES_ENV]) || 0,
        onEvent: (e) => {
          if (e.type === 'log' && (!flags.has('quiet') || e.level !== 'INFO'))
            process.stderr.write(formatLogLine(new Date(e.at), e.level, e.message) + '\n');
        },
      },
    );
    // run_report.html next to the outputs, and the run in the history the app lists.
    await recordFinishedRun(values.out!, report, { store: new RunHistory(historyDir()), source: 'cli' });
    return 0;
  } catch (err) {
    if (err instanceof EtlError) {
      process.stderr.write(`etl: error: ${err.message}\n${excerptLines(err.info)}`);
      if (err.info.kind === 'cancelled' && stoppedBy) return SIGNAL_EXIT[stoppedBy];
      return err.info.kind === 'internal' ? 1 : 2;
    }
    process.stderr.write(`etl: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  } finally {
    clearInterval(parentWatch);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The error's excerpt (the line at the position, a caret under it), indented under the message. */
function excerptLines(info: EtlErrorInfo): string {
  return info.excerpt
    ? info.excerpt
        .split('\n')
        .map((l) => `    ${l}\n`)
        .join('')
    : '';
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`etl: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
