/**
 * Generates one data set: users.csv first (the events need its ids), then the events file.
 * Both are streamed in large chunks; see `writeEventsFile` for what is injected where.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ChunkedWriter } from './chunked-writer';
import { writeEventsFile, type EventsSummary } from './events-file';
import type { GenerateOptions } from './generate-options';
import { writeUsersCsv, type UsersSummary } from './users-csv';

/** File names inside the output folder. */
export function outputFileNames(format: GenerateOptions['format']): { events: string; users: string } {
  return { events: format === 'ndjson' ? 'raw_events.ndjson' : 'raw_events.json', users: 'users.csv' };
}

/** What was written, with the counts of every messy category. */
export interface GenerateSummary {
  options: GenerateOptions;
  eventsPath: string;
  eventsBytes: number;
  usersPath: string;
  usersBytes: number;
  ms: number;
  events: EventsSummary;
  users: UsersSummary;
}

function writeFile<T>(filePath: string, body: (out: ChunkedWriter) => T): { result: T; bytes: number } {
  const out = new ChunkedWriter(filePath);
  try {
    const result = body(out);
    return { result, bytes: out.close() };
  } catch (err) {
    out.abort();
    throw err;
  }
}

/** Writes `users.csv` and the events file into `options.outDir`. Synchronous; deterministic. */
export function generateDataset(options: GenerateOptions): GenerateSummary {
  const started = performance.now();
  fs.mkdirSync(options.outDir, { recursive: true });
  const names = outputFileNames(options.format);
  const eol = options.crlf ? '\r\n' : '\n';
  const usersPath = path.join(options.outDir, names.users);
  const eventsPath = path.join(options.outDir, names.events);

  const users = writeFile(usersPath, (out) => writeUsersCsv(out, options.users, options.seed, eol));
  const events = writeFile(eventsPath, (out) =>
    writeEventsFile(
      out,
      { events: options.events, format: options.format, seed: options.seed, eol, bom: options.bom },
      users.result.pool,
    ),
  );
  return {
    options,
    eventsPath,
    eventsBytes: events.bytes,
    usersPath,
    usersBytes: users.bytes,
    ms: Math.round(performance.now() - started),
    events: events.result,
    users: users.result.summary,
  };
}
