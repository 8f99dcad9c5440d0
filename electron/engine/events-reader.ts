/**
 * Reads `raw_events.json` in fixed-size blocks (never the whole file at once), in either input
 * format of SPEC "Events", and hands out column batches as Arrow IPC streams.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { EventsFormat } from '../../shared/pipeline';
import { inputError } from './errors';
import { EventColumns, type ScanTally } from './event-columns';
import { EventScanner, INCOMPLETE, INVALID } from './json-scanner';
import { lineAndColumn } from './text-position';
import { Utf8Checker } from './utf8-check';

export interface EventsReadOptions {
  /** Rows per batch handed to `onBatch`. */
  batchRows?: number;
  blockBytes?: number;
  onBatch: (ipc: Uint8Array) => void;
  onBytes?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

export interface EventsReadResult {
  format: EventsFormat;
  bytes: number;
  sha256: string;
  tally: ScanTally;
}

const DEFAULT_BLOCK = 8 << 20;
const DEFAULT_BATCH = 1 << 20;

/** `.ndjson`/`.jsonl` are always line-delimited; other names are sniffed (SPEC "Details"). */
export function formatFromName(path: string): EventsFormat | null {
  const ext = extname(path).toLowerCase();
  return ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : null;
}

/** The format a file's first non-blank character implies: `[` means a JSON array. */
export function sniffFormat(head: Uint8Array): EventsFormat {
  let p = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (p < head.length && (head[p] === 32 || head[p] === 9 || head[p] === 10 || head[p] === 13)) p++;
  return head[p] === 91 ? 'json' : 'ndjson';
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

/** Reads and scans the events file. Rejects with an input error naming the file and place. */
export async function readEvents(path: string, opts: EventsReadOptions): Promise<EventsReadResult> {
  const name = basename(path);
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw inputError(`Cannot open the events file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}. Check the path and that you may read it.`, { file: path });
  }
  try {
    const stat = await fh.stat();
    if (stat.isDirectory()) throw inputError(`The events file ${path} is a folder; choose the raw_events.json file inside it.`, { file: path });
    const total = stat.size;
    const hash = createHash('sha256');
    const cols = new EventColumns();
    const sc = new EventScanner();
    const blockBytes = opts.blockBytes ?? DEFAULT_BLOCK;
    const batchRows = opts.batchRows ?? DEFAULT_BATCH;
    let format: EventsFormat | null = formatFromName(path);

    let carry: Buffer = Buffer.alloc(0);
    let carryOffset = 0; // file offset of carry[0]
    let read = 0;
    let eof = false;

    const state = new ArrayState();
    let line = 0; // NDJSON line number of the last complete line
    let first = true;

    const failAt = async (offset: number, what: string): Promise<never> => {
      const { line: l, column } = await lineAndColumn(path, offset);
      throw inputError(
        `${name} is not valid JSON at line ${l}, column ${column} (byte ${offset}): ${what}. Fix the file, or save it as a JSON array or as newline-delimited JSON.`,
        { file: path, line: l, offset },
      );
    };
    const utf8 = new Utf8Checker();
    const badUtf8 = async (offset: number): Promise<never> => {
      const { line: l, column } = await lineAndColumn(path, offset);
      throw inputError(`${name} is not valid UTF-8 at line ${l}, column ${column} (byte ${offset}). Save the file as UTF-8 and run again.`, {
        file: path,
        line: l,
        offset,
      });
    };

    while (!eof) {
      throwIfAborted(opts.signal);
      const block = Buffer.allocUnsafe(blockBytes);
      const { bytesRead } = await fh.read(block, 0, blockBytes, read);
      if (bytesRead === 0) eof = true;
      const chunk = block.subarray(0, bytesRead);
      hash.update(chunk);
      const bad = utf8.push(chunk, read, bytesRead === 0);
      if (bad >= 0) await badUtf8(bad);
      read += bytesRead;
      opts.onBytes?.(read, total);
      const buf: Buffer = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const base = carry.length ? carryOffset : read - bytesRead;
      let p = 0;
      if (first && buf.length >= 3) {
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3;
        if (!format) format = sniffFormat(buf);
        first = false;
      } else if (first && eof) {
        if (!format) format = sniffFormat(buf);
        first = false;
      } else if (first) {
        carry = buf;
        carryOffset = base;
        continue;
      }

      if (format === 'ndjson') {
        sc.reset(buf, buf.length);
        for (;;) {
          let nl = buf.indexOf(10, p);
          if (nl < 0) {
            if (!eof || p >= buf.length) break;
            nl = buf.length; // last line without a line end
          }
          line++;
          let e = nl;
          if (e > p && buf[e - 1] === 13) e--;
          scanLine(buf, p, e, line);
          p = nl + 1;
          if (cols.length >= batchRows) opts.onBatch(cols.finishBatch());
        }
      } else {
        p = await state.scan(sc, buf, p, eof, base, cols, failAt);
        if (cols.length >= batchRows) opts.onBatch(cols.finishBatch());
      }
      carry = p < buf.length ? Buffer.from(buf.subarray(p)) : Buffer.alloc(0);
      carryOffset = base + p;
    }
    if (format === 'json') await state.finish(failAt, read);
    if (cols.length > 0 || !state.emittedAny) opts.onBatch(cols.finishBatch());
    return { format: format ?? 'ndjson', bytes: total, sha256: hash.digest('hex'), tally: cols.tally };

    /** Scans one NDJSON line into the columns (blank lines are skipped). */
    function scanLine(b: Buffer, s: number, e: number, lineNo: number): void {
      // Blank lines (spaces and tabs only) are skipped and counted nowhere.
      let k = s;
      while (k < e && (b[k] === 32 || b[k] === 9)) k++;
      if (k === e) return;
      if (lineNo === 1 && b[s] === 0xef && b[s + 1] === 0xbb && b[s + 2] === 0xbf) s += 3;
      sc.reset(b, e);
      const q = sc.ws(s);
      let ok = q < e && b[q] === 123;
      if (ok) {
        const r = sc.event(q);
        ok = r >= 0 && sc.ws(r) === e;
      }
      if (ok) cols.addEvent(lineNo, sc);
      else cols.addMalformed(lineNo, b, s, e);
      state.emittedAny = true;
    }
  } finally {
    await fh.close();
  }
}

/** Where the array reader is between blocks. */
class ArrayState {
  opened = false;
  closed = false;
  /** After an element: a ',' or ']' must come next. */
  afterElement = false;
  index = 0;
  emittedAny = false;
  private lastOffset = 0;

  /** Scans as many whole array elements from b[p..] as there are; returns where it stopped. */
  async scan(
    sc: EventScanner,
    b: Buffer,
    p: number,
    eof: boolean,
    base: number,
    cols: EventColumns,
    failAt: (offset: number, what: string) => Promise<never>,
  ): Promise<number> {
    sc.reset(b, b.length);
    const e = b.length;
    for (;;) {
      p = sc.ws(p);
      this.lastOffset = base + p;
      if (p >= e) return p;
      if (!this.opened) {
        if (b[p] !== 91) await failAt(base + p, "a JSON array must start with '['");
        this.opened = true;
        p++;
        p = sc.ws(p);
        if (p >= e) return p;
        if (b[p] === 93) {
          this.closed = true;
          p++;
        }
        continue;
      }
      if (this.closed) await failAt(base + p, 'unexpected text after the closing ]');
      if (this.afterElement) {
        if (b[p] === 93) {
          this.closed = true;
          p++;
          continue;
        }
        if (b[p] !== 44) await failAt(base + p, "',' or ']' expected after an array element");
        // Look past the comma before committing to it, so a block boundary is harmless.
        const q = sc.ws(p + 1);
        if (q >= e) return p;
        p = q;
        if (b[p] === 93) await failAt(base + p, "a value was expected after ',' (trailing comma)");
        this.afterElement = false;
      }
      const r = sc.event(p);
      if (r === INCOMPLETE) {
        if (eof) await failAt(base + e, 'the file ends in the middle of an element');
        return p;
      }
      if (r === INVALID) await failAt(base + sc.errorAt, sc.error);
      this.index++;
      // A non-object element scans with no captured fields: an event with no fields (SPEC).
      cols.addEvent(this.index, sc);
      this.emittedAny = true;
      this.afterElement = true;
      p = r;
    }
  }

  async finish(failAt: (offset: number, what: string) => Promise<never>, size: number): Promise<void> {
    if (!this.closed) await failAt(this.opened ? size : this.lastOffset, this.opened ? "the array is not closed with ']'" : 'the file is empty');
  }
}
