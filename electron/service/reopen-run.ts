/**
 * Opening a run of the history again: are the outputs in its output folder still that run's?
 * The folder's run_report.json must be the run's own (same start, finish and input hashes), and
 * each output the report lists must be a regular file of the size it gives, last written no
 * later than the run finished. Anything else is said in words: overwritten by a later run, or
 * gone. Only a run whose outputs are all still there may be shown (request-handlers.ts grants
 * just those files for reading).
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OUTPUT_FILES, type RunReport } from '../../shared/pipeline';
import type { ReopenedRun, RunHistoryEntry } from '../../shared/service-contract';

/** The files of a run's output folder that Dropped rows and Preview read. */
export const REOPENED_FILES = [
  OUTPUT_FILES.cleanEvents,
  OUTPUT_FILES.dailySummary,
  OUTPUT_FILES.droppedRows,
  OUTPUT_FILES.runReport,
] as const;

/**
 * Slack on "written no later than the run finished": file systems keep modification times at
 * coarse steps (two seconds on FAT).
 */
const MTIME_SLACK_MS = 2000;

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** Whether `entry`'s output folder still holds its outputs, and what to tell the user. */
export async function reopenState(entry: RunHistoryEntry): Promise<ReopenedRun> {
  const dir = entry.outDir;
  const run = `the run of ${when(entry.report.started_at)}`;
  const missing = (what: string): ReopenedRun => ({
    entry,
    state: 'missing',
    message: `The outputs of ${run} are no longer in ${dir}: ${what}. Run its inputs again to see them.`,
  });
  const text = await readFile(path.join(dir, OUTPUT_FILES.runReport), 'utf8').catch(() => null);
  if (text === null) return missing(`${OUTPUT_FILES.runReport} is not there (was the folder moved or deleted?)`);
  let found: RunReport;
  try {
    found = JSON.parse(text) as RunReport;
  } catch {
    return missing(`its ${OUTPUT_FILES.runReport} cannot be read as JSON any more`);
  }
  if (!sameRun(found, entry.report)) {
    const replacedBy = typeof found.started_at === 'string' ? found.started_at : undefined;
    return {
      entry,
      state: 'overwritten',
      ...(replacedBy ? { replacedBy } : {}),
      message: `The outputs of ${run} in ${dir} were overwritten${replacedBy ? ` by the run of ${when(replacedBy)}` : ''}, so they cannot be shown. Open that run instead, or run these inputs again into another folder.`,
    };
  }
  const finished = Date.parse(entry.report.finished_at);
  for (const output of entry.report.outputs) {
    const name = path.basename(output.path);
    const st = await lstat(path.join(dir, name)).catch(() => null);
    if (!st) return missing(`${name} is not there`);
    if (!st.isFile() || st.size !== output.bytes || st.mtimeMs > finished + MTIME_SLACK_MS)
      return {
        entry,
        state: 'overwritten',
        message: `${name} in ${dir} was changed after ${run} (its size or time differs from the run's report), so that run's outputs cannot be shown. Run its inputs again to see them.`,
      };
  }
  return { entry, state: 'current', message: `The outputs of ${run}, in ${dir}.` };
}

/** The same run: the same start and finish, and inputs with the same hashes. */
function sameRun(a: RunReport, b: RunReport): boolean {
  return (
    a.started_at === b.started_at &&
    a.finished_at === b.finished_at &&
    Array.isArray(a.inputs) &&
    a.inputs.length === b.inputs.length &&
    a.inputs.every((input, i) => input?.sha256 === b.inputs[i].sha256)
  );
}
