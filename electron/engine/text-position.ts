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

/** Bytes of context either side of the position in an excerpt. */
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
  const show = (b: Buffer) => b.toString('utf8').replace(/[\u0000-\u001f\u007f]/g, '·');
  const before = show(buf.subarray(from, at));
  const text = before + show(buf.subarray(at, to));
  return `${text}\n${' '.repeat([...before].length)}^`;
}
