/**
 * A validating JSON scanner specialised for events. It walks UTF-8 bytes once, checks the full
 * JSON grammar (so a bad NDJSON line is caught as `malformed_record`), and records where the
 * event's fields are instead of building objects: the reader copies those byte ranges straight
 * into column buffers. This is what makes 10,000,000 events affordable (see docs/performance.md).
 */
import { sameBytes } from './byte-words';

/** How a field was written in the JSON. */
export const Kind = { Absent: 0, Null: 1, String: 2, Number: 3, Bool: 4, Object: 5, Array: 6 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Field slots captured for one event. */
export const Field = { UserId: 0, EventType: 1, Timestamp: 2, Value: 3, Device: 4, Page: 5 } as const;
export type Field = (typeof Field)[keyof typeof Field];
const FIELD_COUNT = 6;
// Plain constants for the hot code: a property read of Kind or Field needs type feedback, and on
// a path first taken after V8 optimised the scanner, its absence throws the optimised code away.
const K_ABSENT = Kind.Absent,
  K_NULL = Kind.Null,
  K_STRING = Kind.String,
  K_NUMBER = Kind.Number;
const K_BOOL = Kind.Bool,
  K_OBJECT = Kind.Object,
  K_ARRAY = Kind.Array;
const F_USER = Field.UserId,
  F_TYPE = Field.EventType,
  F_TS = Field.Timestamp,
  F_VALUE = Field.Value,
  F_DEVICE = Field.Device,
  F_PAGE = Field.Page;
/** Nesting levels scanned recursively; deeper values are skipped iteratively. */
const RECURSION_LIMIT = 32;

/** Returned when the bytes end before the value does (the caller may read more and retry). */
export const INCOMPLETE = -2;
/** Returned on a grammar error; `error` says what was expected. */
export const INVALID = -1;

const textDecoder = new TextDecoder('utf-8');

/** 0 for bytes a string may hold as they are; 1 for the quote, the backslash and controls. */
const STRING_BYTE = new Uint8Array(256);
for (let c = 0; c < 32; c++) STRING_BYTE[c] = 1;
STRING_BYTE[34] = 1;
STRING_BYTE[92] = 1;

/**
 * Scans one JSON value at a time. Positions are indexes into `b`; for strings the captured
 * range excludes the quotes, for other values it is the value's own text.
 */
export class EventScanner {
  b: Uint8Array = new Uint8Array(0);
  end = 0;
  /** `b` read four bytes at a time: for matching keys (see KeyTemplate), and by dictionary columns. */
  words: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** In line mode a line feed ends the input, as if the bytes stopped there (see `reset`). */
  private lineMode = false;
  /** Per-field capture of the last scanned event. */
  readonly kind = new Int8Array(FIELD_COUNT);
  readonly start = new Int32Array(FIELD_COUNT);
  readonly stop = new Int32Array(FIELD_COUNT);
  /** 1 when the string holds escapes and must be decoded rather than copied. */
  readonly escaped = new Uint8Array(FIELD_COUNT);
  /** What went wrong, for INVALID. */
  error = '';
  /** Where it went wrong, for INVALID. */
  errorAt = 0;

  // The last string scanned by `str`: where it started and whether it held escapes.
  private strStart = 0;
  private strEscaped = false;

  /**
   * Scans b[..end) from now on. With `lineMode`, a value that goes on past a line feed reads as
   * INCOMPLETE: an NDJSON reader can scan a record without first finding where its line ends.
   */
  reset(b: Uint8Array, end: number, lineMode = false): void {
    if (b !== this.b) {
      this.b = b;
      this.words = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    this.end = end;
    this.lineMode = lineMode;
  }

  private fail(p: number, what: string): number {
    this.error = what;
    this.errorAt = p;
    return INVALID;
  }

  ws(p: number): number {
    const b = this.b;
    const e = this.end;
    while (p < e) {
      const c = b[p];
      if (c === 32 || c === 13 || c === 9) p++;
      else if (c === 10) {
        if (this.lineMode) return e;
        p++;
      } else break;
    }
    return p;
  }

  /** Scans a string whose opening quote is at p; returns the position after the closing one. */
  private str(p: number): number {
    const b = this.b;
    const e = this.end;
    const cls = STRING_BYTE;
    p++;
    this.strStart = p;
    let escaped = false;
    for (;;) {
      // Plain bytes are the bulk of the input: skip them with one table lookup each.
      while (p < e && cls[b[p]] === 0) p++;
      if (p >= e) return INCOMPLETE;
      const c = b[p];
      if (c === 34) {
        this.strEscaped = escaped;
        return p + 1;
      }
      if (c === 92) {
        escaped = true;
        if (p + 1 >= e) return INCOMPLETE;
        const x = b[p + 1];
        if (x === 117 /* u */) {
          if (p + 5 >= e) return INCOMPLETE;
          for (let k = 2; k < 6; k++) {
            const h = b[p + k];
            const hex = (h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102);
            if (!hex) return this.fail(p + k, 'a \\u escape needs 4 hex digits');
          }
          p += 6;
        } else if (x === 34 || x === 92 || x === 47 || x === 98 || x === 102 || x === 110 || x === 114 || x === 116) {
          p += 2;
        } else {
          return this.fail(p, 'invalid escape in a string');
        }
        continue;
      }
      return this.fail(p, 'control character inside a string (strings cannot span lines)');
    }
  }

  private num(p: number): number {
    const b = this.b;
    const e = this.end;
    if (b[p] === 45) p++;
    if (p >= e) return INCOMPLETE;
    if (b[p] === 48) p++;
    else if (b[p] >= 49 && b[p] <= 57) while (p < e && b[p] >= 48 && b[p] <= 57) p++;
    else return this.fail(p, 'invalid number');
    if (p < e && b[p] === 46) {
      p++;
      const s = p;
      while (p < e && b[p] >= 48 && b[p] <= 57) p++;
      if (p === s) return p >= e ? INCOMPLETE : this.fail(p, 'invalid number: digits expected after "."');
    }
    if (p < e && (b[p] === 101 || b[p] === 69)) {
      p++;
      if (p < e && (b[p] === 43 || b[p] === 45)) p++;
      const s = p;
      while (p < e && b[p] >= 48 && b[p] <= 57) p++;
      if (p === s) return p >= e ? INCOMPLETE : this.fail(p, 'invalid number: digits expected in the exponent');
    }
    // A number touching the end may go on in the next block.
    return p >= e ? INCOMPLETE : p;
  }

  private literal(p: number, word: string): number {
    const b = this.b;
    for (let k = 0; k < word.length; k++) {
      if (p + k >= this.end) return INCOMPLETE;
      if (b[p + k] !== word.charCodeAt(k)) return this.fail(p, 'unexpected character');
    }
    return p + word.length;
  }

  /** Skips any JSON value at p (after white space), validating it. */
  value(p: number, depth: number): number {
    const b = this.b;
    if (p >= this.end) return INCOMPLETE;
    const c = b[p];
    if (c === 34) return this.str(p);
    // Deep nesting is valid JSON too: past a few levels, skip it without recursion.
    if ((c === 123 || c === 91) && depth >= RECURSION_LIMIT) return this.skipNested(p);
    if (c === 123) return this.object(p, depth + 1, -1);
    if (c === 91) return this.array(p, depth + 1);
    if (c === 116) return this.literal(p, 'true');
    if (c === 102) return this.literal(p, 'false');
    if (c === 110) return this.literal(p, 'null');
    if (c === 45 || (c >= 48 && c <= 57)) return this.num(p);
    return this.fail(p, 'a JSON value was expected');
  }

  /** Validates and skips an object or array at p with an explicit stack, however deep. */
  private skipNested(p: number): number {
    const b = this.b;
    const e = this.end;
    const stack: number[] = []; // the closing byte each open container expects
    let expectKey = false;
    for (;;) {
      // A value (or, right after '{' or ',' in an object, a key and ':' then a value).
      p = this.ws(p);
      if (p >= e) return INCOMPLETE;
      if (expectKey) {
        if (b[p] !== 34) return this.fail(p, 'a quoted key was expected');
        p = this.str(p);
        if (p < 0) return p;
        p = this.ws(p);
        if (p >= e) return INCOMPLETE;
        if (b[p] !== 58) return this.fail(p, "':' expected after a key");
        p = this.ws(p + 1);
        if (p >= e) return INCOMPLETE;
        expectKey = false;
      }
      const c = b[p];
      if (c === 123 || c === 91) {
        const close = c === 123 ? 125 : 93;
        p = this.ws(p + 1);
        if (p >= e) return INCOMPLETE;
        if (b[p] !== close) {
          stack.push(close);
          expectKey = c === 123;
          continue;
        }
        p++; // an empty container is a whole value
      } else {
        p = this.value(p, 0);
        if (p < 0) return p;
      }
      // After a value: close containers or move to the next element.
      for (;;) {
        if (stack.length === 0) return p;
        p = this.ws(p);
        if (p >= e) return INCOMPLETE;
        const top = stack[stack.length - 1];
        if (b[p] === top) {
          stack.pop();
          p++;
          continue;
        }
        if (b[p] !== 44)
          return this.fail(p, top === 125 ? "',' or '}' expected in an object" : "',' or ']' expected in an array");
        p++;
        expectKey = top === 125;
        break;
      }
    }
  }

  private array(p: number, depth: number): number {
    p = this.ws(p + 1);
    if (p >= this.end) return INCOMPLETE;
    if (this.b[p] === 93) return p + 1;
    for (;;) {
      p = this.value(p, depth);
      if (p < 0) return p;
      p = this.ws(p);
      if (p >= this.end) return INCOMPLETE;
      const c = this.b[p];
      if (c === 93) return p + 1;
      if (c !== 44) return this.fail(p, "',' or ']' expected in an array");
      p = this.ws(p + 1);
    }
  }

  /**
   * Scans an object at p. `capture` is -1 for a plain object, 0 for the event itself (capture
   * its fields), 1 for the event's metadata (capture device and page).
   */
  private object(p: number, depth: number, capture: number): number {
    const b = this.b;
    // (White space is rare in events: the byte is looked at before ws() is called.)
    p++;
    if (b[p] <= 32) p = this.ws(p);
    if (p >= this.end) return INCOMPLETE;
    if (b[p] === 125) return p + 1;
    // Events nearly always list their keys in one order: try the next key of that order as
    // raw bytes (quotes and colon included) before scanning the key as a string.
    const template = capture === 0 ? EVENT_KEYS : capture === 1 ? METADATA_KEYS : null;
    let next = 0;
    for (;;) {
      if (b[p] !== 34) return this.fail(p, 'a quoted key was expected');
      let field: number;
      const t = template !== null && next < template.length ? template[next] : null;
      if (t !== null && matches(this.words, p, this.end, t)) {
        field = t.field;
        next++;
        p += t.length;
      } else {
        const keyEnd = this.str(p);
        if (keyEnd < 0) return keyEnd;
        field = capture < 0 ? -1 : this.keyField(p + 1, keyEnd - 1, capture);
        if (template !== null) next = template.findIndex((k) => k.field === field) + 1 || next;
        p = this.ws(keyEnd);
        if (p >= this.end) return INCOMPLETE;
        if (b[p] !== 58) return this.fail(p, "':' expected after a key");
        p++;
      }
      if (b[p] <= 32) p = this.ws(p);
      if (p >= this.end) return INCOMPLETE;
      const vStart = p;
      if (field === 100) {
        // metadata: a later duplicate key replaces an earlier one, as in JSON.parse.
        this.kind[F_DEVICE] = K_ABSENT;
        this.kind[F_PAGE] = K_ABSENT;
        p = b[p] === 123 ? this.object(p, depth + 1, 1) : this.value(p, depth);
      } else {
        p = this.value(p, depth);
      }
      if (p < 0) return p;
      if (field >= 0 && field < FIELD_COUNT) this.capture(field, vStart, p);
      if (b[p] <= 32) p = this.ws(p);
      if (p >= this.end) return INCOMPLETE;
      const c = b[p];
      if (c === 125) return p + 1;
      if (c !== 44) return this.fail(p, "',' or '}' expected in an object");
      p++;
      if (b[p] <= 32) p = this.ws(p);
      if (p >= this.end) return INCOMPLETE;
    }
  }

  private capture(field: number, vStart: number, vEnd: number): void {
    const c = this.b[vStart];
    let kind: number;
    if (c === 34) {
      kind = K_STRING;
      this.start[field] = vStart + 1;
      this.stop[field] = vEnd - 1;
      this.escaped[field] = this.strEscaped ? 1 : 0;
    } else {
      kind =
        c === 110 ? K_NULL : c === 116 || c === 102 ? K_BOOL : c === 123 ? K_OBJECT : c === 91 ? K_ARRAY : K_NUMBER;
      this.start[field] = vStart;
      this.stop[field] = vEnd;
      this.escaped[field] = 0;
    }
    this.kind[field] = kind;
  }

  /** Maps a key to a field slot (100 = metadata), or -1 for keys the rules ignore. */
  private keyField(s: number, e: number, capture: number): number {
    if (this.strEscaped) return this.keyFieldSlow(s, e, capture);
    const b = this.b;
    const n = e - s;
    if (capture === 0) {
      if (n === 7 && b[s] === 117 && eq(b, s, KEY_USER_ID)) return F_USER;
      if (n === 10 && b[s] === 101 && eq(b, s, KEY_EVENT_TYPE)) return F_TYPE;
      if (n === 9 && b[s] === 116 && eq(b, s, KEY_TIMESTAMP)) return F_TS;
      if (n === 5 && b[s] === 118 && eq(b, s, KEY_VALUE)) return F_VALUE;
      if (n === 8 && b[s] === 109 && eq(b, s, KEY_METADATA)) return 100;
      return -1;
    }
    if (n === 6 && b[s] === 100 && eq(b, s, KEY_DEVICE)) return F_DEVICE;
    if (n === 4 && b[s] === 112 && eq(b, s, KEY_PAGE)) return F_PAGE;
    return -1;
  }

  private keyFieldSlow(s: number, e: number, capture: number): number {
    const key = this.decodeString(s, e);
    const top: Record<string, number> = { user_id: 0, event_type: 1, timestamp: 2, value: 3, metadata: 100 };
    const meta: Record<string, number> = { device: 4, page: 5 };
    return (capture === 0 ? top : meta)[key] ?? -1;
  }

  /** Decodes the string body b[s..e) (escapes included) to a JS string. */
  decodeString(s: number, e: number): string {
    return JSON.parse('"' + textDecoder.decode(this.b.subarray(s, e)) + '"') as string;
  }

  /**
   * Scans one event value at p: an object has its fields captured; any other value is an
   * event with no fields. Returns the position after it, INVALID or INCOMPLETE.
   */
  event(p: number): number {
    const k = this.kind;
    k[0] = k[1] = k[2] = k[3] = k[4] = k[5] = K_ABSENT;
    if (p >= this.end) return INCOMPLETE;
    if (this.b[p] === 123) return this.object(p, 1, 0);
    return this.value(p, 0);
  }
}

const keyBytes = (k: string) => new TextEncoder().encode(k);
const KEY_USER_ID = keyBytes('user_id');
const KEY_EVENT_TYPE = keyBytes('event_type');
const KEY_TIMESTAMP = keyBytes('timestamp');
const KEY_VALUE = keyBytes('value');
const KEY_METADATA = keyBytes('metadata');
const KEY_DEVICE = keyBytes('device');
const KEY_PAGE = keyBytes('page');

/** A key as written in compact JSON, `"name":`, and the slot it fills. */
interface KeyTemplate {
  field: number;
  length: number;
  /** The text, read four bytes at a time (see sameBytes). */
  words: DataView;
}
const keyTemplate = (key: Uint8Array, field: number): KeyTemplate => {
  const bytes = new Uint8Array([34, ...key, 34, 58]);
  return { field, length: bytes.length, words: new DataView(bytes.buffer) };
};
/** The usual key order of an event and of its metadata. */
const EVENT_KEYS = [
  keyTemplate(KEY_USER_ID, Field.UserId),
  keyTemplate(KEY_EVENT_TYPE, Field.EventType),
  keyTemplate(KEY_TIMESTAMP, Field.Timestamp),
  keyTemplate(KEY_VALUE, Field.Value),
  keyTemplate(KEY_METADATA, 100),
];
const METADATA_KEYS = [keyTemplate(KEY_DEVICE, Field.Device), keyTemplate(KEY_PAGE, Field.Page)];

/** The bytes at p are the template's key (and they lie before `end`). */
function matches(words: DataView<ArrayBufferLike>, p: number, end: number, t: KeyTemplate): boolean {
  return p + t.length <= end && sameBytes(words, p, t.words, 0, t.length);
}

/** b[s..] starts with the key's bytes (its length and first byte were already checked). */
function eq(b: Uint8Array, s: number, w: Uint8Array): boolean {
  for (let k = 1; k < w.length; k++) if (b[s + k] !== w[k]) return false;
  return true;
}
