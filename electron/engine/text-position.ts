import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * The 1-based line and column (in bytes) of a byte offset in a file. Only used to word an
 * error, so it simply re-reads the file up to that point.
 */
export async function lineAndColumn(path: string, offset: number): Promise<{ line: number; column: number }> {
  let line = 1;
  let lineStart = 0;
  let pos = 0;
  if (offset > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: offset - 1 }) as AsyncIterable<Buffer>) {
      let i = chunk.indexOf(10);
      while (i >= 0) {
        line++;
        lineStart = pos + i + 1;
        i = chunk.indexOf(10, i + 1);
      }
      pos += chunk.length;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Bytes (of a file) or characters (of a text) of context either side of the position in an excerpt. */
const EXCERPT_SIDE = 60;

/**
 * The part of the line around a byte offset, and under it a caret at the offset: what a user
 * needs to find the problem in their editor. Control characters are shown as '·'.
 */
export async function excerptAt(path: string, offset: number): Promise<string> {
  const start = Math.max(0, offset - EXCERPT_SIDE);
  const buf = Buffer.alloc(offset - start + EXCERPT_SIDE);
  const fh = await open(path, 'r');
  let n: number;
  try {
    ({ bytesRead: n } = await fh.read(buf, 0, buf.length, start));
  } finally {
    await fh.close();
  }
  const at = Math.min(offset - start, n);
  // Within the line only.
  let from = at;
  while (from > 0 && buf[from - 1] !== 10) from--;
  let to = at;
  while (to < n && buf[to] !== 10 && buf[to] !== 13) to++;
  return caretExcerpt(buf.subarray(from, at).toString('utf8'), buf.subarray(at, to).toString('utf8'));
}

/** The one excerpt layout: the line's text, and under it a caret where `before` ends. */
function caretExcerpt(before: string, after: string): string {
  // A BOM is invisible and would shift the caret: left out.
  const show = (s: string) => s.replace(/\uFEFF/g, '').replace(/[\u0000-\u001f\u007f]/g, '·');
  const shown = show(before);
  return `${shown}${show(after)}\n${' '.repeat([...shown].length)}^`;
}

/** Where a place in a text is, as an error names it (EtlErrorInfo). */
export interface TextPosition {
  /** 1-based line; LF, CRLF and a lone CR each end a line (the CSV reader's line ends). */
  line: number;
  /** 1-based column, in bytes of UTF-8, as for the JSON scan's errors. */
  column: number;
  /** 0-based byte offset in the file (a BOM counts, when the text starts with it). */
  offset: number;
  excerpt: string;
}

/**
 * The position of `index` in a decoded text, for an error found in text already in memory (the
 * users file): the same line, column, byte and excerpt a file scan gives.
 */
export function textPosition(text: string, index: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < index; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) {
      line++;
      lineStart = k + 1;
    }
  }
  let lineEnd = index;
  while (lineEnd < text.length && text.charCodeAt(lineEnd) !== 10 && text.charCodeAt(lineEnd) !== 13) lineEnd++;
  const from = Math.max(lineStart, index - EXCERPT_SIDE);
  const to = Math.min(lineEnd, index + EXCERPT_SIDE);
  return {
    line,
    column: Buffer.byteLength(text.slice(lineStart, index)) + 1,
    offset: Buffer.byteLength(text.slice(0, index)),
    excerpt: caretExcerpt(text.slice(from, index), text.slice(index, to)),
  };
}
