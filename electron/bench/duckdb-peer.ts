/**
 * The benchmark's peer: the whole pipeline written as DuckDB SQL (`@duckdb/node-api`).
 *
 * It is an independent implementation of docs/rules.md, used for two things: a speed/memory
 * reference for our nodejs-polars engine (issue 5) and a cross-check of its outputs. It is
 * not shipped; it lives next to the bench CLI and is run as its own process
 * (`tsx electron/bench/duckdb-peer-cli.ts --events P --users P --out DIR`).
 *
 * Design, in short (SQL runs on all cores; preserve_insertion_order stays on so that a table's
 * rowid is the file position):
 *  - Extract, JSON arrays: fast path `read_json(format='array', records=true)` with explicit
 *    columns: user_id and value as JSON (their type is read from the first character of the
 *    JSON text, strings are unquoted without the parser unless they hold a backslash),
 *    event_type and timestamp as VARCHAR (any JSON value as text), metadata as
 *    STRUCT(device, page). A bare null element is a row of nulls (missing_user_id). When DuckDB
 *    refuses the file that way (an element that is a number/string/array, an object with a
 *    duplicate key, a non-object metadata), it falls back to `read_json_objects` + one
 *    json_transform per element (non-objects give a row of nulls).
 *  - Extract, NDJSON: the lines are read with `read_csv` as a single VARCHAR column (no quote,
 *    no escape, a control-character delimiter, new_line '\n'), which keeps blank lines as NULL
 *    rows, so rowid + 1 is the line number. DuckDB's CSV state machine always treats '\r' as a
 *    line end, so files holding a '\r' byte (CRLF, or a stray CR), or the delimiter byte, take
 *    an exact but slower path: `read_text` + `string_split(content, '\n')` with
 *    generate_subscripts for the line number, and the trailing '\r' removed. A line is an event
 *    when it starts with '{' and json_valid() accepts it; yyjson (DuckDB's JSON library) is more
 *    lenient than JSON.parse: lines hitting a cheap trailing-comma RE2 pre-filter are checked
 *    again with their string literals blanked out, and a NaN/Infinity literal as user_id or
 *    value makes the line malformed. Fields come from one json_transform per line into the same
 *    typed struct as the array fast path.
 *  - Typing: user_id string trimmed with exactly JavaScript's trim set (fast path when both ends
 *    are visible ASCII), or number as its decimal string; value = JSON number, or a string
 *    matching the decimal-string rule, else null (counted). Timestamps: one RE2
 *    regexp_extract into a struct of parts, then calendar/range checks and
 *    epoch microseconds by integer arithmetic (fraction truncated to 6 digits, offset
 *    subtracted). Every cast that could fail sits behind a CASE (the only lazy construct).
 *  - Dedup: min(source_row) OVER (PARTITION BY user_id, event_type, timestamp, value) over the
 *    rows that passed stages 0-2 (partitions treat NULLs as equal; DOUBLE equality makes
 *    3 = 3.0); DuckDB plans it as a hash aggregate joined back. Users: read_csv with explicit
 *    VARCHAR columns (the width from the header record, ragged rows padded), header matched
 *    trimmed and case-insensitively, first row per trimmed user_id wins (row_number()).
 *  - Outputs: COPY ... (FORMAT parquet, COMPRESSION snappy), each ORDER BY source_row (clean,
 *    dropped) or user_id, event_date (summary; DuckDB's default collation is binary, i.e.
 *    UTF-8 byte order). timestamp_dt is TIMESTAMPTZ (micros, adjusted to UTC), dates DATE.
 *    Outputs are written to a temporary folder inside the output folder and renamed into
 *    place at the end.
 *  - Memory limit (the bench's budget row): `memoryLimit` and `tempDir` become DuckDB's
 *    `memory_limit` and `temp_directory`, where it spills beyond the limit; the readers' line
 *    and buffer sizes then follow the limit (readerCaps). The read_text NDJSON path holds the
 *    whole file as one string whatever the limit (generated data never takes it).
 *
 * Known differences from a JSON.parse-based reader (none occurs in generated data): yyjson
 * keeps the first of duplicate keys (JSON.parse the last), rejects lone surrogate escapes
 * ("\ud800"), accepts NaN/Infinity anywhere but in user_id/value (there they make an NDJSON
 * line malformed and a JSON array file invalid, as with JSON.parse), and re-serialises
 * non-string event_type/device/page (1.50 -> "1.5") instead of keeping their JSON text as
 * written. A boolean/object user_id counts as missing here.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** Exactly the characters JavaScript's String.prototype.trim removes (WhiteSpace + LineTerminator). */
export const JS_TRIM_CHARS =
  ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** docs/rules.md "Valid timestamps" as one RE2 pattern; the groups are checked for ranges in SQL. */
export const TIMESTAMP_RE =
  '^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?(Z|z|[+-]\\d{2}(?::?\\d{2})?)?)?$';

/** docs/rules.md "Details": optional sign, digits, optional fraction; no exponent, no white space. */
export const DECIMAL_RE = '^[+-]?(\\d+\\.?\\d*|\\.\\d+)$';

/** The column delimiter used to read NDJSON lines as one CSV column (must not occur in the file). */
const LINE_DELIM = '\x1f';

const US_NAMES = ['us', 'usa', 'u.s.', 'u.s.a.', 'united states', 'united states of america'];

export type PeerFormat = 'json' | 'ndjson';

export interface PeerOptions {
  eventsPath: string;
  usersPath: string;
  outDir: string;
  /** DuckDB worker threads (default: all cores). */
  threads?: number;
  /** Force the exact (read_text) NDJSON path even when read_csv would do. For tests. */
  forceTextPath?: boolean;
  /** Force read_json_objects for JSON arrays even when read_json(records) would do. For tests. */
  forceArrayFallback?: boolean;
  /** DuckDB's `memory_limit` in bytes (default: DuckDB's, 80% of the machine's memory). */
  memoryLimit?: number;
  /** Where DuckDB spills when it reaches its memory limit (`temp_directory`). */
  tempDir?: string;
}

export interface PeerResult {
  format: PeerFormat;
  reader: 'read_json' | 'read_json_objects' | 'read_csv' | 'read_text';
  rowsIn: number;
  clean: number;
  summary: number;
  dropped: Record<string, number>;
  warnings: Record<string, number>;
  ms: { total: number; extract: number; transform: number; write: number };
  /** The settings DuckDB ran with, as it reports them (`current_setting`). */
  settings: { memoryLimit: string; tempDirectory: string; threads: number };
}

const sqlStr = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** docs/rules.md "Inputs": `.ndjson`/`.jsonl` are newline-delimited; others are sniffed by the first non-blank byte. */
export async function sniffFormat(path: string): Promise<PeerFormat> {
  const ext = extname(path).toLowerCase();
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    let pos = 0;
    let first = true;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return 'ndjson';
      let i = 0;
      if (first && bytesRead >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
      first = false;
      for (; i < bytesRead; i++) {
        const b = buf[i];
        if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
        return b === 0x5b ? 'json' : 'ndjson';
      }
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** True when the file holds a byte that read_csv would mis-split on ('\r' or the delimiter). */
async function needsTextPath(path: string): Promise<boolean> {
  return new Promise((res, rej) => {
    const s = createReadStream(path, { highWaterMark: 4 * 1024 * 1024 });
    let found = false;
    s.on('data', (chunk) => {
      const b = chunk as Buffer;
      if (b.indexOf(0x0d) >= 0 || b.indexOf(0x1f) >= 0) {
        found = true;
        s.destroy();
        res(true);
      }
    });
    s.on('error', rej);
    s.on('close', () => {
      if (!found) res(false);
    });
  });
}

/** Macros shared by the events and users SQL. */
export function macroSql(): string[] {
  const ws = sqlStr(JS_TRIM_CHARS);
  return [
    `CREATE OR REPLACE TEMP MACRO js_trim(s) AS trim(s, ${ws})`,
    // Parts of a timestamp string; y = '' when the grammar does not match.
    `CREATE OR REPLACE TEMP MACRO ts_parts(s) AS regexp_extract(s, ${sqlStr(TIMESTAMP_RE)}, ['y','mo','d','h','mi','s','f','z'])`,
    `CREATE OR REPLACE TEMP MACRO ts_dim(y, m) AS CASE
       WHEN m = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END
       WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END`,
    // Range and calendar checks on the parts (the regexp guarantees digits). Only CASE is lazy in
    // DuckDB, so every cast that could fail sits behind a CASE.
    `CREATE OR REPLACE TEMP MACRO ts_valid(p) AS CASE
       WHEN coalesce(p.y, '') = '' THEN false
       ELSE p.mo::INTEGER BETWEEN 1 AND 12
         AND p.d::INTEGER BETWEEN 1 AND ts_dim(p.y::INTEGER, p.mo::INTEGER)
         AND CASE WHEN p.h = '' THEN true ELSE p.h::INTEGER <= 23 AND p.mi::INTEGER <= 59 END
         AND CASE WHEN p.s = '' THEN true ELSE p.s::INTEGER <= 59 END
         AND CASE WHEN p.z IN ('', 'Z', 'z') THEN true
                  WHEN length(p.z) = 3 THEN p.z[2:3]::INTEGER <= 23
                  ELSE p.z[2:3]::INTEGER <= 23 AND right(p.z, 2)::INTEGER <= 59 END
       END`,
    // Epoch microseconds of a valid timestamp's parts (UTC instant, fraction truncated to micros).
    `CREATE OR REPLACE TEMP MACRO ts_epoch_us(p) AS
       (make_date(p.y::INTEGER, p.mo::INTEGER, p.d::INTEGER) - DATE '1970-01-01') * 86400000000
       + CASE WHEN p.h = '' THEN 0 ELSE p.h::BIGINT * 3600000000 + p.mi::BIGINT * 60000000 END
       + CASE WHEN p.s = '' THEN 0 ELSE p.s::BIGINT * 1000000 END
       + CASE WHEN p.f = '' THEN 0 ELSE rpad(left(p.f, 6), 6, '0')::BIGINT END
       - CASE WHEN p.z IN ('', 'Z', 'z') THEN 0 ELSE
           (CASE WHEN p.z[1] = '-' THEN -1 ELSE 1 END)
           * (p.z[2:3]::BIGINT * 3600000000 + CASE WHEN length(p.z) = 3 THEN 0 ELSE right(p.z, 2)::BIGINT * 60000000 END)
         END`,
    // The UTC instant of a timestamp string in epoch microseconds, or NULL when it is not a valid
    // timestamp. (A fixed-position fast path for the canonical form measured 5x slower than
    // this: DuckDB evaluates ts_parts once here, common subexpressions being shared.)
    `CREATE OR REPLACE TEMP MACRO ts_us(t) AS CASE WHEN ts_valid(ts_parts(t)) THEN ts_epoch_us(ts_parts(t)) END`,
    // The text of a JSON value as JSON (from a JSON column): strings unescaped, null as NULL,
    // everything else as its JSON text. Plain strings skip the JSON parser.
    `CREATE OR REPLACE TEMP MACRO jtext(j) AS CASE
       WHEN j IS NULL OR j = 'null' THEN NULL
       WHEN j[1] = '"' AND NOT contains(j, '\\') THEN j[2:-2]
       ELSE j::JSON ->> '$' END`,
    // Its JSON type, as json_type() names them, from the first character (the text is valid JSON).
    `CREATE OR REPLACE TEMP MACRO jtype(j) AS CASE
       WHEN j IS NULL THEN NULL WHEN j[1] = '"' THEN 'VARCHAR' WHEN j = 'null' THEN 'NULL'
       WHEN j[1] IN ('t', 'f') THEN 'BOOLEAN' WHEN j[1] = '{' THEN 'OBJECT' WHEN j[1] = '[' THEN 'ARRAY'
       ELSE 'DOUBLE' END`,
    // A JSON number as a decimal string: an integer literal keeps its digits (so ids beyond 2^53
    // survive); a fraction or exponent goes through float64 and prints like JavaScript's
    // String(n) for the usual cases (12.0 -> '12', 1e2 -> '100', 12.50 -> '12.5').
    `CREATE OR REPLACE TEMP MACRO js_num_str(s) AS CASE
       WHEN s = '-0' THEN '0'
       WHEN NOT contains(s, '.') AND NOT contains(lower(s), 'e') THEN s
       WHEN TRY_CAST(s AS DOUBLE) = trunc(TRY_CAST(s AS DOUBLE)) AND abs(TRY_CAST(s AS DOUBLE)) < 1e21 THEN TRY_CAST(s AS DOUBLE)::HUGEINT::VARCHAR
       ELSE TRY_CAST(s AS DOUBLE)::VARCHAR END`,
    // JavaScript trim, with a fast path for strings whose ends are visible ASCII.
    `CREATE OR REPLACE TEMP MACRO js_trim_fast(s) AS CASE
       WHEN ord(s[1]) BETWEEN 33 AND 126 AND ord(s[-1]) BETWEEN 33 AND 126 THEN s ELSE js_trim(s) END`,
    `CREATE OR REPLACE TEMP MACRO is_us(c) AS lower(js_trim(c)) IN (${US_NAMES.map(sqlStr).join(', ')})`,
  ];
}

const NUMERIC_TYPES = `('BIGINT', 'UBIGINT', 'DOUBLE')`;

/**
 * The `ev` table, in file order: kind (0 blank line, 1 event, 2 malformed line), raw
 * (the malformed line's text), the six fields as text (json_extract_string: strings unescaped,
 * numbers/objects as their JSON text, null as NULL), and the JSON types of user_id and value.
 */

/** Unpacks one JSON text per row (`line`, with `kind` already decided) into the `ev` columns. */
function fromJsonText(rowsSql: string, extraCols = ''): string {
  // One parse per event: json_transform into the same typed struct read_json uses (user_id and
  // value as JSON, their type read from the first character; the text fields as VARCHAR;
  // metadata as a struct, NULL fields when it is not an object). yyjson accepts NaN/Infinity
  // literals, JSON.parse does not: such a user_id or value makes the line malformed.
  const T = `'{"user_id":"JSON","event_type":"VARCHAR","timestamp":"VARCHAR","value":"JSON","metadata":{"device":"VARCHAR","page":"VARCHAR"}}'`;
  const naninf = (c: string) => `coalesce(regexp_matches(${c}, '^[+-]?(?:[Nn][Aa]|[Ii])'), false)`;
  return `SELECT kind, raw, jtext(u) AS uid, jtype(u) AS uid_t, t.event_type AS event_type, t.timestamp AS timestamp,
      jtext(v) AS v, jtype(v) AS v_t, t.metadata.device AS device, t.metadata.page AS page${extraCols}
    FROM (
      SELECT CASE WHEN bad THEN 2 ELSE kind END::UTINYINT AS kind,
             CASE WHEN kind = 2 OR bad THEN line::VARCHAR END AS raw,
             CASE WHEN NOT bad THEN t END AS t, CASE WHEN NOT bad THEN u END AS u, CASE WHEN NOT bad THEN v END AS v${extraCols}
      FROM (
        SELECT *, kind = 1 AND (${naninf('u')} OR ${naninf('v')}) AS bad
        FROM (SELECT kind, line, t, t.user_id::VARCHAR AS u, t.value::VARCHAR AS v${extraCols}
              FROM (SELECT kind, line, CASE WHEN kind = 1 THEN json_transform(line, ${T}) END AS t${extraCols}
                    FROM (${rowsSql})))))`;
}

/** The longest line (NDJSON) or element (JSON array) the readers take, and read_csv's buffer. */
interface ReaderCaps {
  maxLine: number;
  bufferSize?: number;
}

/**
 * Without a memory limit, lines and elements up to 1 GiB. DuckDB allocates its read buffers
 * from that figure (read_csv 16 × max_line_size, read_json 2 × maximum_object_size, per
 * thread), which no limit below 16 GiB allows; under a limit they are capped at 1/64 of it
 * (at least 1 MiB; generated lines are about 150 bytes), with a 32 MiB read_csv buffer.
 */
export function readerCaps(memoryLimit?: number): ReaderCaps {
  if (memoryLimit === undefined) return { maxLine: 1 << 30 };
  const maxLine = Math.max(1 << 20, Math.min(1 << 30, Math.floor(memoryLimit / 64)));
  return { maxLine, bufferSize: Math.max(maxLine, 32 << 20) };
}

/** Statement(s) creating `ev`; rowid + 1 = source_row except on the read_text path (column `src`). */
function extractSql(
  path: string,
  format: PeerFormat,
  textPath: boolean,
  arrayFallback: boolean,
  caps: ReaderCaps,
): string {
  const p = sqlStr(path);
  if (format === 'json') {
    if (!arrayFallback) {
      // Fast path: DuckDB's own JSON reader, one object per element, the mixed-type fields as
      // JSON (types kept) or VARCHAR (anything as text). A bare null element gives a row of nulls.
      return `CREATE TEMP TABLE ev AS
        SELECT 1::UTINYINT AS kind, NULL::VARCHAR AS raw, jtext(user_id::VARCHAR) AS uid, jtype(user_id::VARCHAR) AS uid_t,
          event_type, timestamp, jtext(value::VARCHAR) AS v, jtype(value::VARCHAR) AS v_t,
          metadata.device AS device, metadata.page AS page
        FROM read_json(${p}, format = 'array', records = true, maximum_object_size = ${caps.maxLine},
          columns = {user_id: 'JSON', event_type: 'VARCHAR', timestamp: 'VARCHAR', value: 'JSON',
                     metadata: 'STRUCT(device VARCHAR, page VARCHAR)'})`;
    }
    // Arrays holding non-object elements (numbers, strings, arrays): each element as JSON.
    return `CREATE TEMP TABLE ev AS ${fromJsonText(
      `SELECT 1::UTINYINT AS kind, json AS line FROM read_json_objects(${p}, format = 'array', maximum_object_size = ${caps.maxLine})`,
    )}`;
  }
  // JSON.parse rejects trailing commas, which yyjson accepts: a cheap RE2 pre-filter, then the
  // exact check on the line with its string literals blanked out.
  const strict = `CASE WHEN NOT regexp_matches(line, ',\\s*[\\]}]') THEN true
      ELSE NOT regexp_matches(regexp_replace(line, '"(?:[^"\\\\]|\\\\.)*"', '""', 'g'), ',\\s*[\\]}]') END`;
  const classify = `CASE
      WHEN line IS NULL OR regexp_full_match(line, '[ \\t]*') THEN 0
      WHEN CASE WHEN starts_with(line, '{') THEN true ELSE ltrim(line, ' \t\n\r')[1] = '{' END
       AND json_valid(line) THEN CASE WHEN ${strict} THEN 1 ELSE 2 END
      ELSE 2 END`;
  if (!textPath) {
    const src = `SELECT line FROM read_csv(${p}, columns = {'line': 'VARCHAR'}, header = false,
        delim = '${LINE_DELIM}', quote = '', escape = '', new_line = '\\n', auto_detect = false,
        strict_mode = false, max_line_size = ${caps.maxLine}${caps.bufferSize ? `, buffer_size = ${caps.bufferSize}` : ''})`;
    return `CREATE TEMP TABLE ev AS ${fromJsonText(`SELECT ${classify}::UTINYINT AS kind, line FROM (${src})`)}`;
  }
  const src = `SELECT CASE WHEN suffix(l, '\r') THEN l[1:-2] ELSE l END AS line, src FROM (
        SELECT unnest(parts) AS l, generate_subscripts(parts, 1) AS src
        FROM (SELECT string_split(CASE WHEN starts_with(content, '\ufeff') THEN content[2:] ELSE content END, '\n') AS parts
              FROM read_text(${p})))`;
  return `CREATE TEMP TABLE ev AS ${fromJsonText(`SELECT ${classify}::UTINYINT AS kind, line, src FROM (${src})`, ', src')}`;
}

/** Statements creating `st`: one row per event (blank lines excluded) with its fields and drop reason. */
function transformSql(textPath: boolean): string[] {
  const srcExpr = textPath ? 'src::BIGINT' : '(rowid + 1)::BIGINT';
  const dec = sqlStr(DECIMAL_RE);
  return [
    // Materialised: st reads it twice (DuckDB turns the window into an aggregate joined back).
    `CREATE TEMP TABLE parsed AS
     SELECT src, kind, raw, user_id_read, user_id, event_type, timestamp, value, value_bad, device, page, us,
       CASE WHEN kind = 2 THEN 'malformed_record'
            WHEN user_id IS NULL THEN 'missing_user_id'
            WHEN us IS NULL THEN 'invalid_timestamp' END AS early_reason
     FROM (
       SELECT *, ts_us(timestamp) AS us
       FROM (
         SELECT ${srcExpr} AS src, kind, raw, event_type, timestamp, device, page,
           CASE WHEN uid_t IN ${NUMERIC_TYPES} THEN js_num_str(uid) ELSE uid END AS user_id_read,
           CASE WHEN uid_t = 'VARCHAR' THEN nullif(js_trim_fast(uid), '') WHEN uid_t IN ${NUMERIC_TYPES} THEN js_num_str(uid) END AS user_id,
           CASE WHEN v_t IN ${NUMERIC_TYPES} THEN TRY_CAST(v AS DOUBLE)
                WHEN v_t = 'VARCHAR' THEN CASE WHEN regexp_full_match(v, ${dec}) THEN TRY_CAST(v AS DOUBLE) END END AS value,
           CASE WHEN v_t IS NULL OR v_t = 'NULL' OR v_t IN ${NUMERIC_TYPES} THEN false
                WHEN v_t = 'VARCHAR' THEN NOT regexp_full_match(v, ${dec}) ELSE true END AS value_bad
         FROM ev WHERE kind <> 0))`,
    `DROP TABLE ev`,
    `CREATE TEMP TABLE st AS
     SELECT e.src, e.raw, e.user_id_read, e.user_id, e.event_type, e.timestamp, e.value, e.device, e.page, e.us,
       e.value_bad, u.signup_date,
       CASE WHEN e.early_reason IS NOT NULL THEN e.early_reason
            WHEN e.first_src <> e.src THEN 'duplicate'
            WHEN u.user_id IS NULL THEN 'unknown_user'
            WHEN u.country IS DISTINCT FROM 'US' THEN 'non_us_user' END AS drop_reason,
       CASE WHEN e.early_reason IS NULL AND e.first_src <> e.src THEN e.first_src END AS duplicate_of
     FROM (
       SELECT *, CASE WHEN early_reason IS NULL
                      THEN min(src) OVER (PARTITION BY early_reason IS NULL, user_id, event_type, timestamp, value) END AS first_src
       FROM parsed) e
     LEFT JOIN users u ON u.user_id = e.user_id`,
    `DROP TABLE parsed`,
  ];
}

/** Number of fields in the first CSV record of the file (RFC 4180 quotes; a BOM is skipped). */
async function headerWidth(path: string): Promise<number> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\ufeff/, '');
    let fields = 1;
    let quoted = false;
    for (const ch of text) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === ',') fields++;
      else if (!quoted && (ch === '\n' || ch === '\r')) break;
    }
    return fields;
  } finally {
    await fh.close();
  }
}

/** Statements loading users.csv into `users(user_id, signup_date, country)`; returns the warnings' counts too. */
async function loadUsers(con: DuckDBConnection, usersPath: string): Promise<Record<string, number>> {
  const p = sqlStr(usersPath);
  // Ragged rows defeat DuckDB's dialect sniffer, so the column count comes from the header
  // record, read here, and the file is read with explicit columns (short rows padded with NULL,
  // extra fields ignored).
  const width = await headerWidth(usersPath);
  const cols = Array.from({ length: width }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  await con.run(`CREATE TEMP TABLE uraw AS SELECT * FROM read_csv(${p}, header = false, auto_detect = false,
      columns = {${cols}}, delim = ',', quote = '"', escape = '"', null_padding = true, strict_mode = false)`);
  const head = await con.runAndReadAll(`SELECT * FROM uraw WHERE rowid = 0`);
  const names = head.columnNames();
  const values = head.getRows()[0] ?? [];
  const find = (want: string) => {
    const i = values.findIndex((v) => typeof v === 'string' && v.trim().toLowerCase() === want);
    return i < 0 ? null : `"${names[i].replace(/"/g, '""')}"`;
  };
  const cu = find('user_id');
  const cs = find('signup_date');
  const cc = find('country');
  const missing = [cu ? null : 'user_id', cs ? null : 'signup_date', cc ? null : 'country'].filter(Boolean);
  if (missing.length) throw new Error(`${usersPath}: missing required column(s): ${missing.join(', ')}`);
  await con.run(`CREATE TEMP TABLE users_all AS
    SELECT rowid AS rn, nullif(js_trim(${cu}), '') AS user_id,
      CASE WHEN ts_valid(ts_parts(${cs})) THEN make_date(left(${cs}, 4)::INTEGER, ${cs}[6:7]::INTEGER, ${cs}[9:10]::INTEGER) END AS signup_date,
      (${cs} IS NOT NULL AND NOT coalesce(ts_valid(ts_parts(${cs})), false)) AS signup_bad,
      CASE WHEN is_us(${cc}) THEN 'US' ELSE js_trim(${cc}) END AS country
    FROM uraw WHERE rowid > 0`);
  await con.run(`CREATE TEMP TABLE users AS
    SELECT user_id, signup_date, country FROM users_all WHERE user_id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY rn) = 1`);
  const w = await con.runAndReadAll(`SELECT
      (SELECT count(*) FROM users_all WHERE user_id IS NOT NULL) - (SELECT count(*) FROM users) AS dup,
      (SELECT count(*) FROM users_all WHERE signup_bad) AS bad_signup`);
  const [dup, bad] = w.getRows()[0] as bigint[];
  return { duplicate_user_ids: Number(dup), invalid_signup_date: Number(bad) };
}

/** Runs the pipeline in DuckDB and writes the three Parquet outputs into `outDir`. */
export async function runDuckdbPeer(opts: PeerOptions): Promise<PeerResult> {
  const t0 = performance.now();
  const eventsPath = resolve(opts.eventsPath);
  const usersPath = resolve(opts.usersPath);
  const outDir = resolve(opts.outDir);
  await fsp.mkdir(outDir, { recursive: true });
  const format = await sniffFormat(eventsPath);
  const textPath = format === 'ndjson' && (opts.forceTextPath || (await needsTextPath(eventsPath)));

  const config: Record<string, string> = { preserve_insertion_order: 'true' };
  if (opts.threads) config.threads = String(opts.threads);
  if (opts.memoryLimit !== undefined) config.memory_limit = `${Math.round(opts.memoryLimit)} bytes`;
  if (opts.tempDir !== undefined) config.temp_directory = resolve(opts.tempDir);
  const instance = await DuckDBInstance.create(':memory:', config);
  const caps = readerCaps(opts.memoryLimit);
  let arrayFallback = false;
  const con = await instance.connect();
  try {
    for (const m of macroSql()) await con.run(m);
    const warnings = await loadUsers(con, usersPath);
    try {
      if (opts.forceArrayFallback) throw new Error('forced');
      const ex = extractSql(eventsPath, format, textPath, false, caps);
      if (process.env.PEER_PROFILE === 'explain') {
        const r = await con.runAndReadAll(`EXPLAIN ANALYZE ${ex.replace(/^CREATE TEMP TABLE \w+ AS/, '')}`);
        process.stderr.write(String(r.getRows()[0][1]) + '\n');
      }
      await con.run(ex);
    } catch (e) {
      // read_json(records=true) refuses an element that is neither an object nor null, and an
      // object with a duplicate key; read_json_objects takes any JSON value (and fails the same
      // way as JSON.parse on an invalid file).
      if (format !== 'json') throw e;
      arrayFallback = true;
      await con.run(`DROP TABLE IF EXISTS ev`);
      await con.run(extractSql(eventsPath, format, textPath, true, caps));
    }
    if (format === 'json') {
      // yyjson accepts NaN/Infinity literals; for JSON.parse the file is invalid JSON (fatal).
      const bad = await con.runAndReadAll(`SELECT count(*) FROM ev WHERE
        (uid_t = 'DOUBLE' AND regexp_matches(uid, '^[+-]?(?:[Nn][Aa]|[Ii])')) OR (v_t = 'DOUBLE' AND regexp_matches(v, '^[+-]?(?:[Nn][Aa]|[Ii])'))`);
      if (Number(bad.getRows()[0][0]) > 0)
        throw new Error(`${eventsPath} is not valid JSON: NaN/Infinity is not a JSON value`);
    }
    // File order is now captured in rowid (or src); nothing after this depends on insertion
    // order (every output has an ORDER BY), so let DuckDB drop the ordering bookkeeping.
    await con.run(`SET preserve_insertion_order = false`);
    const t1 = performance.now();
    for (const s of transformSql(textPath)) {
      const ts = performance.now();
      await con.run(s);
      if (process.env.PEER_PROFILE === 'explain' && s.startsWith('CREATE TEMP TABLE')) {
        const sel = s.replace(/^CREATE TEMP TABLE \w+ AS/, '');
        const r = await con.runAndReadAll(`EXPLAIN ANALYZE ${sel}`);
        process.stderr.write(String(r.getRows()[0][1]) + '\n');
      }
      if (process.env.PEER_PROFILE)
        process.stderr.write(`${Math.round(performance.now() - ts)} ms: ${s.slice(0, 60).replace(/\s+/g, ' ')}\n`);
    }
    const t2 = performance.now();

    const tmp = join(outDir, `.peer-tmp-${process.pid}-${Date.now()}`);
    await fsp.mkdir(tmp, { recursive: true });
    const opt = `(FORMAT parquet, COMPRESSION snappy)`;
    await con.run(`COPY (SELECT user_id, event_type, timestamp, make_timestamp(us)::TIMESTAMPTZ AS timestamp_dt,
        make_timestamp(us)::DATE AS event_date, value, device, page, signup_date, 'US' AS country
        FROM st WHERE drop_reason IS NULL ORDER BY src) TO ${sqlStr(join(tmp, 'clean_events.parquet'))} ${opt}`);
    const summaryCopy =
      await con.run(`COPY (SELECT user_id, make_timestamp(us)::DATE AS event_date, count(*)::BIGINT AS event_count
        FROM st WHERE drop_reason IS NULL GROUP BY ALL ORDER BY user_id, event_date)
        TO ${sqlStr(join(tmp, 'daily_summary.parquet'))} ${opt}`);
    await con.run(`COPY (SELECT src AS source_row, drop_reason, duplicate_of::BIGINT AS duplicate_of,
        user_id_read AS user_id, event_type, timestamp, value, device, page, raw::VARCHAR AS raw
        FROM st WHERE drop_reason IS NOT NULL ORDER BY src) TO ${sqlStr(join(tmp, 'dropped_rows.parquet'))} ${opt}`);
    for (const f of ['clean_events.parquet', 'daily_summary.parquet', 'dropped_rows.parquet']) {
      await fsp.rename(join(tmp, f), join(outDir, f));
    }
    await fsp.rm(tmp, { recursive: true, force: true });
    const t3 = performance.now();

    const counts = await con.runAndReadAll(`SELECT coalesce(drop_reason, '') AS r, count(*) AS n FROM st GROUP BY ALL`);
    const dropped: Record<string, number> = {};
    let clean = 0;
    let rowsIn = 0;
    for (const [r, n] of counts.getRows() as [string, bigint][]) {
      rowsIn += Number(n);
      if (r === '') clean = Number(n);
      else dropped[r] = Number(n);
    }
    const vb = await con.runAndReadAll(`SELECT count(*) FROM st WHERE value_bad`);
    warnings.invalid_value = Number(vb.getRows()[0][0]);
    const set = await con.runAndReadAll(`SELECT current_setting('memory_limit'), current_setting('temp_directory'),
        current_setting('threads')`);
    const [memoryLimit, tempDirectory, threads] = set.getRows()[0] as [string, string, bigint | number];
    return {
      format,
      reader:
        format === 'ndjson' ? (textPath ? 'read_text' : 'read_csv') : arrayFallback ? 'read_json_objects' : 'read_json',
      rowsIn,
      clean,
      summary: Number(summaryCopy.rowsChanged),
      dropped,
      warnings,
      ms: {
        total: Math.round(t3 - t0),
        extract: Math.round(t1 - t0),
        transform: Math.round(t2 - t1),
        write: Math.round(t3 - t2),
      },
      settings: { memoryLimit, tempDirectory, threads: Number(threads) },
    };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
