/**
 * A good output folder from a first successful run, and the checks that a later failed run
 * left it as it was: shared by the error and the cancellation tests.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EtlError } from '../../electron/engine/errors';
import { runPipeline } from '../../electron/engine/pipeline';
import type { ProgressEvent } from '../../shared/pipeline';
import { DEFAULT_USERS, ev, hashTree, tmpDir, writeFile } from './helpers';

export interface Setup {
  dir: string;
  outDir: string;
  events: string;
  users: string;
  before: Record<string, string>;
}

/** A folder with good inputs and a good output set from a first successful run. */
export async function setup(): Promise<Setup> {
  const dir = tmpDir();
  const events = writeFile(dir, 'raw_events.json', JSON.stringify([ev('u1', 1), ev('u2', 2), ev('ca', 3)]));
  const users = writeFile(dir, 'users.csv', DEFAULT_USERS);
  const outDir = path.join(dir, 'out');
  await runPipeline({ eventsPath: events, usersPath: users, outDir });
  const before = hashTree(outDir);
  assert.deepEqual(Object.keys(before).sort(), [
    'clean_events.parquet',
    'daily_summary.parquet',
    'dropped_rows.parquet',
    'etl.log',
    'run_report.json',
  ]);
  return { dir, outDir, events, users, before };
}

export function assertUntouched(s: Setup): void {
  assert.deepEqual(hashTree(s.outDir), s.before, 'the earlier outputs are byte-identical');
  const leftovers = fs.readdirSync(s.outDir).filter((n) => n.startsWith('.etl-staging-'));
  assert.deepEqual(leftovers, [], 'no staging folder is left behind');
}

/** Runs and expects a rejection with an EtlError; returns it. */
export async function fails(
  req: { eventsPath: string; usersPath: string; outDir: string },
  signal?: AbortSignal,
  onEvent?: (e: ProgressEvent) => void,
): Promise<EtlError> {
  let caught: unknown;
  const seen: ProgressEvent[] = [];
  try {
    await runPipeline(req, {
      signal,
      onEvent: (e) => {
        seen.push(e);
        onEvent?.(e);
      },
    });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, 'the run should fail');
  assert.ok(caught instanceof EtlError, `an EtlError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  // The failure is also the last progress event, with the same information.
  const last = seen[seen.length - 1];
  assert.equal(last?.type, 'run-failed');
  assert.deepEqual(last.type === 'run-failed' ? last.error : null, caught.info);
  assert.ok(!seen.some((e) => e.type === 'run-finished'));
  return caught;
}
