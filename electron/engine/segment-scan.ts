/**
 * Scans one byte range of the events file in fixed-size blocks (never the whole file at once)
 * into column batches. A range is either the whole file, or one of the pieces the parallel
 * reader hands to a worker thread; positions in errors are always file offsets.
 */
import type { EventsFormat } from '../../shared/pipeline';
import { EventColumns, type ScanTally, type ScannedBatch } from './event-columns';
import { EventScanner, INCOMPLETE, INVALID } from './json-scanner';
import { Utf8Checker } from './utf8-check';
import { inputGoneError } from './errors';
import { openSequential, type SequentialReader } from './sequential-read';

export interface SegmentSpec {
  path: string;
  /** First byte of the range (0, or right after a line end / array separator). */
  start: number;
  /** One past the last byte. */
  end: number;
  format: EventsFormat;
  /** The first range holds the BOM and, for arrays, the opening '['. */
  first: boolean;
  /** The last range ends the file (a last line without line end, the closing ']'). */
  last: boolean;
}

export interface SegmentOptions {
  batchRows?: number;
  blockBytes?: number;
  /** Read the file around the page cache (sequential-read.ts): a spilled run's events file. */
  uncached?: boolean;
  /** Each finished batch; its columns are views, valid only during the call (copy or write them). */
  onBatch: (batch: ScannedBatch) => void;
  /**
   * Bytes of this range consumed so far, and the range's counts so far (live, not a copy: read
   * it at once). Called after each block is read, and again once it is scanned.
   */
  onBytes?: (bytes: number, tally: ScanTally) => void;
  isCancelled?: () => boolean;
}

/** A grammar or encoding problem, at a file offset; the caller words it for the user. */
export interface ScanProblem {
  kind: 'json' | 'utf8' | 'cancelled';
  offset: number;
  what: string;
}

export interface SegmentResult {
  tally: ScanTally;
  /** Lines (NDJSON, blank ones included) or array elements this range holds. */
  records: number;
  /** Arrays only, for a range that is not the last: did it end exactly between elements? */
  cleanBoundary: boolean;
  problem: ScanProblem | null;
}

const DEFAULT_BLOCK = 8 << 20;
const DEFAULT_BATCH = 1 << 18;
/**
 * Batches in the range's last blocks are this small. The engine thread takes each batch in as
 * it comes, and the last one is the only one it cannot take in while the scan goes on: small,
 * it keeps that wait short (docs/performance.md "Speed").
 */
const TAIL_BATCH = 1 << 15;

export async function scanSegment(spec: SegmentSpec, opts: SegmentOptions): Promise<SegmentResult> {
  const blockBytes = opts.blockBytes ?? DEFAULT_BLOCK;
  // The reader opened the file moments ago; failing now means it went away during the run.
  const reader = await openSequential(spec.path, { uncached: opts.uncached, blockBytes }).catch((err: unknown) => {
    throw inputGoneError('events file', spec.path, err);
  });
  try {
    return await scanOpen(reader, spec, opts, blockBytes);
  } finally {
    await reader.close();
  }
}

async function scanOpen(
  reader: SequentialReader,
  spec: SegmentSpec,
  opts: SegmentOptions,
  blockBytes: number,
): Promise<SegmentResult> {
  const sc = new EventScanner();
  const batchRows = opts.batchRows ?? DEFAULT_BATCH;
  // A batch's worth of rows, or fewer for a small range (an event takes at least a few bytes).
  const cols = new EventColumns(Math.max(1, Math.min(batchRows, Math.ceil((spec.end - spec.start) / 64) + 1024)));
  const utf8 = new Utf8Checker();
  const arr = new ArrayState(!spec.first);
  // One buffer for the whole range: a record cut by the end of a block is moved to its front and
  // the next block is read in after it (no allocation or concatenation per block).
  let work = Buffer.allocUnsafe(2 * blockBytes);
  let carryLen = 0;
  let carryOffset = spec.start;
  let pos = spec.start;
  let line = 0;
  let bomChecked = !spec.first;
  const result = (problem: ScanProblem | null, cleanBoundary = true): SegmentResult => ({
    tally: cols.tally,
    records: spec.format === 'ndjson' ? line : arr.index,
    cleanBoundary,
    problem,
  });

  for (;;) {
    if (opts.isCancelled?.()) return result({ kind: 'cancelled', offset: pos, what: 'cancelled' });
    const want = Math.max(Math.min(blockBytes, spec.end - pos), 0);
    if (carryLen + want > work.length) {
      // A single record longer than a block: make room for it.
      const bigger = Buffer.allocUnsafe(Math.max(2 * work.length, carryLen + want));
      work.copy(bigger, 0, 0, carryLen);
      work = bigger;
    }
    const bytesRead = want > 0 ? await reader.read(work, carryLen, want, pos) : 0;
    const atEnd = bytesRead === 0;
    const chunk = work.subarray(carryLen, carryLen + bytesRead);
    const bad = utf8.push(chunk, pos, atEnd);
    if (bad >= 0) return result({ kind: 'utf8', offset: bad, what: 'not valid UTF-8' });
    pos += bytesRead;
    opts.onBytes?.(pos - spec.start, cols.tally);
    const buf = work.subarray(0, carryLen + bytesRead);
    const base = carryLen ? carryOffset : pos - bytesRead;
    let p = 0;
    if (!bomChecked) {
      if (buf.length < 3 && !atEnd) {
        carryLen = buf.length;
        carryOffset = base;
        continue;
      }
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3;
      bomChecked = true;
    }
    const fileEnd = atEnd && spec.last;
    // Once less than a block is left to read, whatever has piled up goes at once, then small
    // batches (see TAIL_BATCH).
    const limit = spec.end - pos < blockBytes ? Math.min(batchRows, TAIL_BATCH) : batchRows;

    if (spec.format === 'ndjson') {
      for (;;) {
        // The usual line, an object directly followed by its line end, needs no search for
        // the line end first: scan the object and look at the byte after it.
        if (buf[p] === 123) {
          sc.reset(buf, buf.length, true);
          const r = sc.event(p);
          if (r >= 0) {
            const eol = buf[r] === 10 ? 1 : buf[r] === 13 && buf[r + 1] === 10 ? 2 : 0;
            if (eol > 0) {
              line++;
              cols.addEvent(line, sc);
              p = r + eol;
              if (cols.length >= limit) opts.onBatch(cols.finishBatch());
              continue;
            }
          }
        }
        // Anything else (blank, malformed, padded, or cut by the block's end): find the line.
        let nl = buf.indexOf(10, p);
        if (nl < 0) {
          if (!atEnd || p >= buf.length) break;
          nl = buf.length; // last line without a line end
        }
        line++;
        let e = nl;
        if (e > p && buf[e - 1] === 13) e--;
        scanLine(sc, cols, buf, p, e, line);
        p = nl + 1;
        if (cols.length >= limit) opts.onBatch(cols.finishBatch());
      }
    } else {
      const r = arr.scan(sc, buf, p, fileEnd, base, cols, limit, opts.onBatch);
      if (typeof r !== 'number') return result(r);
      p = r;
    }
    carryLen = Math.max(buf.length - p, 0);
    if (carryLen > 0 && p > 0) work.copyWithin(0, p, buf.length);
    carryOffset = base + p;
    // The block's rows are counted now: a live view sees them without waiting for the next read.
    opts.onBytes?.(pos - spec.start, cols.tally);
    if (atEnd) break;
  }
  // The first range always sends a batch, so even an empty input has a typed frame.
  if (cols.length > 0 || spec.first) opts.onBatch(cols.finishBatch());
  if (spec.format === 'json') {
    if (spec.last) {
      const problem = arr.closedProblem(carryOffset + carryLen);
      if (problem) return result(problem);
    } else {
      return result(null, arr.endsBetweenElements(work.subarray(0, carryLen)));
    }
  }
  return result(null);
}

/** Scans one NDJSON line into the columns; blank lines (spaces and tabs) are skipped. */
function scanLine(sc: EventScanner, cols: EventColumns, b: Buffer, s: number, e: number, lineNo: number): void {
  let k = s;
  while (k < e && (b[k] === 32 || b[k] === 9)) k++;
  if (k === e) return;
  sc.reset(b, e);
  const q = sc.ws(s);
  let ok = q < e && b[q] === 123;
  if (ok) {
    const r = sc.event(q);
    ok = r >= 0 && sc.ws(r) === e;
  }
  if (ok) cols.addEvent(lineNo, sc);
  else cols.addMalformed(lineNo, b, s, e);
}

/** Where the array reader is between blocks. */
class ArrayState {
  closed = false;
  /** After an element: a ',' or ']' must come next. */
  afterElement = false;
  index = 0;

  /** A range that starts inside the array is already past '['. */
  constructor(public opened: boolean) {}

  /** Scans the whole elements in b[p..]; returns where it stopped, or a problem. */
  scan(
    sc: EventScanner,
    b: Buffer,
    p: number,
    fileEnd: boolean,
    base: number,
    cols: EventColumns,
    batchRows: number,
    onBatch: (batch: ScannedBatch) => void,
  ): number | ScanProblem {
    sc.reset(b, b.length);
    const e = b.length;
    const bad = (at: number, what: string): ScanProblem => ({ kind: 'json', offset: base + at, what });
    for (;;) {
      p = sc.ws(p);
      if (p >= e) return p;
      if (!this.opened) {
        if (b[p] !== 91) return bad(p, "a JSON array must start with '['");
        this.opened = true;
        p = sc.ws(p + 1);
        if (p >= e) return p;
        if (b[p] === 93) {
          this.closed = true;
          p++;
        }
        continue;
      }
      if (this.closed) return bad(p, 'unexpected text after the closing ]');
      if (this.afterElement) {
        if (b[p] === 93) {
          this.closed = true;
          p++;
          continue;
        }
        if (b[p] !== 44) return bad(p, "',' or ']' expected after an array element");
        // Look past the comma before committing to it, so a block boundary is harmless.
        const q = sc.ws(p + 1);
        if (q >= e) return p;
        if (b[q] === 93) return bad(q, "a value was expected after ',' (trailing comma)");
        p = q;
        this.afterElement = false;
      }
      const r = sc.event(p);
      if (r === INCOMPLETE) return fileEnd ? bad(e, 'the file ends in the middle of an element') : p;
      if (r === INVALID) return bad(sc.errorAt, sc.error);
      this.index++;
      // A non-object element scans with no captured fields: an event with no fields (docs/rules.md).
      cols.addEvent(this.index, sc);
      if (cols.length >= batchRows) onBatch(cols.finishBatch());
      this.afterElement = true;
      p = r;
    }
  }

  /** At the end of the file the array must have been opened and closed. */
  closedProblem(offset: number): ScanProblem | null {
    if (this.closed) return null;
    return {
      kind: 'json',
      offset,
      what: this.opened ? "the array is not closed with ']'" : 'the file holds no JSON array',
    };
  }

  /** For a range handed to a worker: true when it ended exactly after an element and its ','. */
  endsBetweenElements(rest: Buffer): boolean {
    const text = rest.toString('latin1');
    return this.opened && !this.closed && (this.afterElement ? /^\s*,\s*$/.test(text) : /^\s*$/.test(text));
  }
}

export type { ScanTally };
