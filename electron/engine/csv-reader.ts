/**
 * The one CSV reader (RFC 4180, with the lenient forms docs/rules.md "Users" allows): the engine
 * reads users.csv with it, and the input peek reads the head of a file with it, so the app never
 * judges a file differently from a run. Line ends may be LF, CRLF or a lone CR; a leading BOM is
 * skipped; blank lines are not records.
 */
import { basename } from 'node:path';
import { EtlError } from './errors';
import { textPosition } from './text-position';

/** Records of fields, the 1-based line each record starts on, and how far the records reach. */
export interface CsvRecords {
  records: string[][];
  lines: number[];
  /** Characters of `text` the returned records (and the line ends after them) span. */
  consumed: number;
  /** Where each field of the first record (the header) starts in `text`, to point errors at it. */
  headerStarts: number[];
}

/**
 * Splits CSV text into records. `complete: false` means the text is the head of a longer file,
 * cut anywhere: the last record, which may be cut short, is left out, and a quote still open at
 * the cut is not an error. In a complete text an unclosed quote is an input error naming the
 * line, column and byte it opened at, with an excerpt.
 */
export function parseCsv(text: string, file: string, { complete = true }: { complete?: boolean } = {}): CsvRecords {
  const records: string[][] = [];
  const lines: number[] = [];
  const headerStarts: number[] = [];
  let record: string[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let consumed = i;
  let line = 1;
  let recordLine = 1;
  const n = text.length;
  // A field is taken as one slice of the text (quoted ones in pieces around doubled quotes),
  // never built a character at a time.
  for (;;) {
    let field: string;
    if (records.length === 0) headerStarts.push(i);
    if (text.charCodeAt(i) === 34) {
      // Quoted field: "" is a quote; the field ends at a lone quote. Text after the closing
      // quote, up to the delimiter, is kept as it is.
      const quoteAt = i;
      field = '';
      let from = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0 || (q === n - 1 && !complete)) {
          // A closing quote at the very end of a cut text may be the first of a doubled pair.
          if (!complete) return { records, lines, consumed, headerStarts: records.length ? headerStarts : [] };
          const at = textPosition(text, quoteAt);
          throw new EtlError({
            kind: 'input',
            message: `${basename(file)}: a quoted field opened at line ${at.line}, column ${at.column} (byte ${at.offset}) is never closed. Close the quote (write "" for a quote inside a field).`,
            file,
            ...at,
          });
        }
        line += countLineEnds(text, i, q);
        if (text.charCodeAt(q + 1) === 34) {
          field += text.slice(from, q + 1);
          i = from = q + 2;
          continue;
        }
        field += text.slice(from, q);
        i = q + 1;
        break;
      }
      const rest = i;
      while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      field += text.slice(rest, i);
    } else {
      const from = i;
      while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      field = text.slice(from, i);
    }
    record.push(field);
    const c = i < n ? text.charCodeAt(i) : -1;
    if (c === 44) {
      i++;
      continue;
    }
    // The end of a cut text may fall inside this record: leave it out.
    if (c === -1 && !complete) break;
    // End of a record: a line end or the end of the text. A line holding nothing is skipped.
    if (!(record.length === 1 && record[0] === '' && text.charCodeAt(i - 1) !== 34)) {
      records.push(record);
      lines.push(recordLine);
    } else if (records.length === 0) headerStarts.length = 0;
    record = [];
    if (c === -1) {
      consumed = n;
      break;
    }
    // A CR that ends a cut text may be the first half of a CRLF; the record before it is whole.
    i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    consumed = i;
    line++;
    recordLine = line;
    if (i >= n) break;
  }
  // A header cut short by the end of a cut text is not a record: its starts say nothing.
  return { records, lines, consumed, headerStarts: records.length ? headerStarts : [] };
}

const isDelimiter = (c: number) => c === 44 || c === 10 || c === 13;

/**
 * Line ends (LF, CRLF or a lone CR) in text[from, to). A loop over the range only: `indexOf`
 * searched on past `to`, to the end of the text when it held no CR, for every quoted field
 * (docs/performance.md "Memory budget").
 */
function countLineEnds(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) count++;
  }
  return count;
}
