import { createReadStream } from 'node:fs';

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
