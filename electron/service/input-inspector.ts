/**
 * A first look at an input file before any run: what it is (events or users, by extension and
 * content), its format, a peek at the first rows and a row estimate. Problems come back as an
 * `error` value naming the file, so the UI can flag a bad pick at once.
 */
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EtlErrorInfo } from '../../shared/pipeline';
import type { InputInfo } from '../../shared/service-contract';
import { parseCsv, type CsvRecords } from '../engine/csv-reader';
import { EtlError } from '../engine/errors';
import { formatFromName, readEvents, sniffFormat } from '../engine/events-reader';
import { checkUsersUtf8, usersColumns } from '../engine/users-reader';
import { specialFileKind } from '../engine/input-file';

const HEAD_BYTES = 256 * 1024;
/** Files up to this size are read whole: exact row count and full JSON validation. */
const EXACT_LIMIT = 4 * 1024 * 1024;
const PEEK_ROWS = 10;
const EVENT_COLUMNS = ['user_id', 'event_type', 'timestamp', 'value', 'device', 'page'];

export async function inspectInput(filePath: string): Promise<InputInfo> {
  const name = path.basename(filePath);
  const base: InputInfo = {
    path: filePath,
    name,
    bytes: 0,
    kind: 'unknown',
    format: 'unknown',
    rowEstimate: 0,
    peek: { columns: [], rows: [] },
  };
  let bytes: number;
  let text: string;
  let whole: boolean;
  /** The whole file, when it is small enough to be read whole. */
  let buf: Buffer | null = null;
  try {
    const st = await stat(filePath);
    const special = specialFileKind(st);
    if (special)
      return {
        ...base,
        error: inputErr(
          `${name} is ${special}, not a regular file: it cannot be read safely. Save its contents to a file and choose that file.`,
          filePath,
        ),
      };
    if (!st.isFile())
      return {
        ...base,
        error: inputErr(
          `${name} is a folder, not a file. Choose the events (.json) or users (.csv) file inside it.`,
          filePath,
        ),
      };
    bytes = st.size;
    whole = bytes <= EXACT_LIMIT;
    if (whole) buf = await readFile(filePath);
    text = buf ? buf.toString('utf8') : await readHead(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    return {
      ...base,
      error: inputErr(`Cannot read ${filePath}: ${why}. Check the path or choose another file.`, filePath),
    };
  }
  // The CSV reader skips a BOM itself, and counts its bytes in the positions it reports.
  const withBom = text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const info: InputInfo = { ...base, bytes };
  const ext = path.extname(name).toLowerCase();
  const first = text.match(/\S/)?.[0] ?? '';
  // An empty or blank file is what the run says it is: no events (a run writes empty outputs,
  // with a warning), or a users file without its header (the run refuses it).
  if (first === '') {
    if (ext === '.csv' || ext === '.tsv' || ext === '.txt')
      return {
        ...info,
        kind: 'users',
        format: 'csv',
        error: inputErr(
          `The users file ${filePath} is empty: it needs a header row with user_id, signup_date and country.`,
          filePath,
        ),
      };
    return {
      ...info,
      kind: 'events',
      format: 'ndjson', // as the run reads it: no '[' means line-delimited
      notice: `${name} holds no events: a run writes empty outputs (with a warning).`,
    };
  }
  // Events files are told apart as the run tells them (docs/rules.md "Details"): by name, else
  // by the first non-blank character, so a .json that is not an array is newline-delimited.
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') {
    const lead = withBom.search(/[^ \t\r\n\uFEFF]/);
    const format = formatFromName(filePath) ?? sniffFormat(Buffer.from(withBom.slice(0, lead + 1)));
    return format === 'json' ? inspectJsonArray(info, text, whole) : inspectNdjson(info, text, whole);
  }
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') {
    if (buf) {
      try {
        await checkUsersUtf8(buf, filePath);
      } catch (err) {
        if (err instanceof EtlError) return { ...info, kind: 'users', format: 'csv', error: err.info };
        throw err;
      }
    }
    return inspectCsv(info, withBom, whole);
  }
  // Unknown extension: sniff.
  if (first === '[') return inspectJsonArray(info, text, whole);
  if (first === '{') return inspectNdjson(info, text, whole);
  if (text.split(/\r\n?|\n/, 1)[0].includes(',')) return inspectCsv(info, withBom, whole);
  return {
    ...info,
    error: inputErr(`${name} is neither JSON events nor a users CSV. Choose raw_events.json or users.csv.`, filePath),
  };
}

async function readHead(filePath: string): Promise<string> {
  const fh = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    // Drop a multi-byte character cut in half at the end.
    return buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
  } finally {
    await fh.close();
  }
}

async function inspectJsonArray(info: InputInfo, text: string, whole: boolean): Promise<InputInfo> {
  const withKind: InputInfo = { ...info, kind: 'events', format: 'json' };
  if (whole) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The engine's own scan words the error, so the peek says exactly what a run would: line,
      // column, byte and the text there.
      const error = await engineJsonError(info.path);
      return error ? { ...withKind, error } : withKind;
    }
    const items = Array.isArray(parsed) ? parsed : [];
    return { ...withKind, rowEstimate: items.length, peek: eventPeek(items.slice(0, PEEK_ROWS)) };
  }
  // Every whole element of the head: the more of the file the estimate sees, the closer it is
  // (a hundred elements were 1.5% off on a generated 1,000,000-event file).
  const { elements, endIndex } = firstArrayElements(text, Infinity);
  const items: unknown[] = [];
  for (const el of elements) {
    try {
      items.push(JSON.parse(el));
    } catch {
      return {
        ...withKind,
        error: inputErr(`${info.name} is not valid JSON near its start. Fix or re-export the file.`, info.path),
      };
    }
  }
  const sampleBytes = Buffer.byteLength(text.slice(0, endIndex));
  const rowEstimate = items.length && sampleBytes ? Math.round((info.bytes / sampleBytes) * items.length) : 0;
  return { ...withKind, rowEstimate, peek: eventPeek(items.slice(0, PEEK_ROWS)) };
}

function inspectNdjson(info: InputInfo, text: string, whole: boolean): InputInfo {
  const withKind: InputInfo = { ...info, kind: 'events', format: 'ndjson' };
  const lines = text.split('\n');
  if (!whole) lines.pop(); // the last line may be cut
  const nonBlank = lines.filter((l) => /[^ \t\r]/.test(l));
  const items: unknown[] = [];
  for (const line of nonBlank) {
    if (items.length >= PEEK_ROWS) break;
    try {
      const v = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) items.push(v);
    } catch {
      // Malformed lines are the engine's business (dropped as malformed_record).
    }
  }
  const sampleBytes = Buffer.byteLength(lines.join('\n'));
  const rowEstimate = whole ? nonBlank.length : Math.round((info.bytes / Math.max(1, sampleBytes)) * nonBlank.length);
  // A run reads such a file and drops each of its lines as malformed_record (docs/rules.md
  // "Choices where the contract is open"): the peek says so before the run, and lets it go.
  const notice =
    nonBlank.length > 0 && items.length === 0
      ? `${whole ? 'None of the' : 'None of the first'} ${nonBlank.length.toLocaleString('en-US')} line${nonBlank.length === 1 ? '' : 's'} of ${info.name} is a JSON object: a run reads it as newline-delimited JSON and drops every such line as malformed_record. Check that this is the events file.`
      : undefined;
  return { ...withKind, rowEstimate, peek: eventPeek(items), ...(notice ? { notice } : {}) };
}

/** The users file as the engine reads it: the same CSV reader and header check, on the head of a large file. */
function inspectCsv(info: InputInfo, text: string, whole: boolean): InputInfo {
  const withKind: InputInfo = { ...info, kind: 'users', format: 'csv' };
  let records: string[][];
  let consumed: number;
  let parsed: CsvRecords;
  try {
    parsed = parseCsv(text, info.path, { complete: whole });
    ({ records, consumed } = parsed);
  } catch (err) {
    if (err instanceof EtlError) return { ...withKind, error: err.info };
    throw err;
  }
  const peek = {
    columns: records[0] ?? [],
    rows: records.slice(1, PEEK_ROWS + 1).map((r) => r.map((c) => c as string | null)),
  };
  try {
    usersColumns(records[0] ?? [], info.path, { text, parsed });
  } catch (err) {
    if (err instanceof EtlError) return { ...withKind, peek, error: err.info };
    throw err;
  }
  const dataRows = records.length - 1;
  const rowEstimate = whole
    ? dataRows
    : Math.round((info.bytes / Math.max(1, Buffer.byteLength(text.slice(0, consumed)))) * dataRows);
  return { ...withKind, rowEstimate, peek };
}

/** Top-level elements of a JSON array, as text, from the start of a (possibly cut) document. */
export function firstArrayElements(text: string, max: number): { elements: string[]; endIndex: number } {
  const elements: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  let endIndex = 0;
  for (let i = text.indexOf('[') + 1; i > 0 && i < text.length && elements.length < max; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 0 && (ch === ',' || ch === ']')) {
      if (start >= 0) elements.push(text.slice(start, i).trim());
      start = -1;
      endIndex = i + 1;
      if (ch === ']') break;
      continue;
    }
    if (start < 0 && !/\s/.test(ch)) start = i;
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return { elements, endIndex };
}

function eventPeek(items: unknown[]): InputInfo['peek'] {
  const rows = items.map((item) => {
    const o = item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
    const meta = o.metadata && typeof o.metadata === 'object' ? (o.metadata as Record<string, unknown>) : {};
    return [o.user_id, o.event_type, o.timestamp, o.value, meta.device, meta.page].map(cell);
  });
  return { columns: EVENT_COLUMNS, rows };
}

function cell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function inputErr(message: string, file: string, offset?: number, line?: number): EtlErrorInfo {
  const info: EtlErrorInfo = { kind: 'input', message, file };
  if (offset !== undefined) info.offset = offset;
  if (line !== undefined) info.line = line;
  return info;
}

/** The error a run would give for this events file (a JSON.parse failure says too little). */
async function engineJsonError(filePath: string): Promise<EtlErrorInfo | null> {
  try {
    await readEvents(filePath, { onBatch: () => undefined, workers: 1 });
  } catch (err) {
    if (err instanceof EtlError) return err.info;
    throw err;
  }
  // The scan accepted what JSON.parse refused: so will a run.
  return null;
}
