/** An RFC 4180 reader for the first records of a CSV text (for the input peek only). */

/**
 * Parses records from `text`. When `complete` is false the text is a cut-off head, so the last
 * (possibly partial) record is dropped. `consumed` is how many characters the kept records span.
 */
export function parseCsvHead(
  text: string,
  complete: boolean,
  maxRecords = 2000,
): { records: string[][]; consumed: number } {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let consumed = 0;
  let i = 0;
  const endRecord = (at: number) => {
    record.push(field);
    records.push(record);
    record = [];
    field = '';
    consumed = at;
  };
  for (; i < text.length && records.length < maxRecords; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n') endRecord(i + 1);
    else if (ch === '\r' && text[i + 1] === '\n') {
      endRecord(i + 2);
      i++;
    } else field += ch;
  }
  if (complete && i >= text.length && (field !== '' || record.length)) endRecord(text.length);
  return { records, consumed };
}
