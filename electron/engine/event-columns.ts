/**
 * Turns scanned events into columns, applying the per-row rules of stages 0-2 as it goes
 * (docs/rules.md "Inputs" and the stage table): user_id trimming, timestamp validation, the value rule.
 * A row's `reason` is 0 when it passed, else the code of the stage that dropped it.
 */
import { DictionaryColumn, type FinishedColumn, Float64Column, Int32Column, StringColumn } from './column-builders';
import { keyHashColumn } from './key-hash';
import { EventScanner, Field, Kind } from './json-scanner';
import { type Instant, parseTimestamp, parseTimestampBytes } from './timestamp';
import { parseDecimal, parseDecimalString } from './value-rules';
import { REASON_CODE } from './reason-codes';

// Local copies: imported bindings are property reads (getters under tsx) on this hot path.
const F_USER = Field.UserId,
  F_TYPE = Field.EventType,
  F_TS = Field.Timestamp,
  F_VALUE = Field.Value,
  F_DEVICE = Field.Device,
  F_PAGE = Field.Page;
const K_ABSENT = Kind.Absent,
  K_NULL = Kind.Null,
  K_STRING = Kind.String,
  K_NUMBER = Kind.Number;
// (Plain constants as well: see json-scanner.ts.)
const R_OK = REASON_CODE.ok,
  R_MISSING_USER_ID = REASON_CODE.missing_user_id,
  R_INVALID_TIMESTAMP = REASON_CODE.invalid_timestamp;
const parseTsBytes = parseTimestampBytes;
const parseDec = parseDecimal;
/** An unpaired UTF-16 surrogate (with the u flag a pair is one code point, not Cs). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A JSON number as a plain decimal string, exactly as written but without an exponent:
 * `1.50` -> `1.5`, `2.5E-3` -> `0.0025`, `1e21` -> `1000000000000000000000` (docs/rules.md: a numeric
 * user_id becomes "its decimal string"). Absurd exponents fall back to JavaScript's form.
 */
export function plainDecimal(json: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(json);
  const exp = Number(m?.[4] ?? 0);
  if (!m || Math.abs(exp) > 400) return String(Number(json));
  let digits = m[2] + (m[3] ?? '');
  let point = m[2].length + exp;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const fraction = digits.slice(point).replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : whole;
  return text === '0' ? '0' : m[1] + text;
}

const decoder = new TextDecoder();

/** One finished batch of the reader: its columns by name (see EventColumns.finishBatch). */
export type ScannedBatch = Record<
  | 'source_row'
  | 'reason'
  | 'user_id_raw'
  | 'user_id'
  | 'event_type'
  | 'timestamp'
  | 'value'
  | 'device'
  | 'page'
  | 'raw'
  | 'lost_key'
  | 'ts_days'
  | 'ts_micros'
  | 'key_hash',
  FinishedColumn
>;

/** Per-run counters the report's stages and warnings are built from. */
export interface ScanTally {
  rows: number;
  malformed: number;
  missingUserId: number;
  invalidTimestamp: number;
  invalidValue: number;
  /** Events with text that UTF-8 cannot hold (lone surrogate escapes): written with U+FFFD. */
  lossyText: number;
}

/** A tally with nothing counted yet. */
export const emptyTally = (): ScanTally => ({
  rows: 0,
  malformed: 0,
  missingUserId: 0,
  invalidTimestamp: 0,
  invalidValue: 0,
  lossyText: 0,
});

/** One batch of scanned events, column by column. */
export class EventColumns {
  readonly sourceRow: Int32Column;
  readonly reason: Int32Column;
  readonly userIdRaw: StringColumn;
  readonly userId: StringColumn;
  readonly eventType: DictionaryColumn;
  readonly timestamp: StringColumn;
  readonly value: Float64Column;
  readonly device: DictionaryColumn;
  readonly page: DictionaryColumn;
  readonly raw: StringColumn;
  /**
   * Null unless the event's user_id or event_type held a lone surrogate: then both as decoded,
   * in JSON (which keeps them apart), so that the dedup key tells such events apart although
   * Parquet gets U+FFFD for each of them (docs/rules.md "Text that UTF-8 cannot hold").
   */
  readonly lostKey: StringColumn;
  readonly tsDays: Int32Column;
  readonly tsMicros: Float64Column;
  readonly tally: ScanTally = emptyTally();
  // The current event's decoded key text that held a lone surrogate (null: none), and whether
  // any of its fields did.
  private lossyUserId: string | null = null;
  private lossyEventType: string | null = null;
  private lossy = false;
  private readonly instant: Instant = { days: 0, micros: 0 };

  /**
   * Sized for batches of up to `rows` rows (see column-builders.ts for why); the byte figures
   * are generous averages of typical events, and the columns of rare extras start small. Event
   * types, devices and pages repeat a handful of values: they are dictionary-encoded, and arrive
   * in Polars as Categoricals (4 bytes a row instead of a 16-byte string view).
   */
  constructor(rows = 1 << 12) {
    this.sourceRow = new Int32Column(rows);
    this.reason = new Int32Column(rows);
    this.userIdRaw = new StringColumn(rows, 0);
    this.userId = new StringColumn(rows, 12);
    this.eventType = new DictionaryColumn(rows);
    this.timestamp = new StringColumn(rows, 24);
    this.value = new Float64Column(rows);
    this.device = new DictionaryColumn(rows);
    this.page = new DictionaryColumn(rows);
    this.raw = new StringColumn(rows, 0);
    this.lostKey = new StringColumn(rows, 0);
    this.tsDays = new Int32Column(rows);
    this.tsMicros = new Float64Column(rows);
  }

  get length(): number {
    return this.sourceRow.length;
  }

  /** A NDJSON line that is not a JSON object: kept whole in `raw`. */
  addMalformed(sourceRow: number, b: Uint8Array, s: number, e: number): void {
    this.tally.rows++;
    this.tally.malformed++;
    this.sourceRow.push(sourceRow);
    this.reason.push(REASON_CODE.malformed_record);
    for (const c of [this.userIdRaw, this.userId, this.eventType, this.timestamp, this.device, this.page]) c.pushNull();
    this.value.pushNull();
    this.raw.pushBytes(b, s, e);
    this.lostKey.pushNull();
    this.tsDays.push(0);
    this.tsMicros.push(0);
  }

  /** The event the scanner just read (its captures are in `sc`). */
  addEvent(sourceRow: number, sc: EventScanner): void {
    this.tally.rows++;
    this.sourceRow.push(sourceRow);
    const b = sc.b;
    const hasUserId = this.pushUserId(sc, b);
    this.pushCategory(this.eventType, sc, F_TYPE);
    this.pushText(this.timestamp, sc, F_TS);
    this.pushValue(sc, b);
    this.pushCategory(this.device, sc, F_DEVICE);
    this.pushCategory(this.page, sc, F_PAGE);
    this.raw.pushNull();
    if (this.lossy) this.recordLoss();
    else this.lostKey.pushNull();

    let reason: number = R_OK;
    if (!hasUserId) {
      reason = R_MISSING_USER_ID;
      this.tally.missingUserId++;
    } else if (!this.validTimestamp(sc, b)) {
      reason = R_INVALID_TIMESTAMP;
      this.tally.invalidTimestamp++;
    }
    this.reason.push(reason);
    if (reason === R_OK) {
      this.tsDays.push(this.instant.days);
      this.tsMicros.push(this.instant.micros);
    } else {
      this.tsDays.push(0);
      this.tsMicros.push(0);
    }
  }

  /**
   * Pushes the trimmed user_id, and the id as read only where it differs (most ids need no
   * trimming, so this saves a column's worth of bytes). Returns false when it is missing.
   */
  private pushUserId(sc: EventScanner, b: Uint8Array): boolean {
    const kind = sc.kind[F_USER];
    const s = sc.start[F_USER];
    const e = sc.stop[F_USER];
    if (kind === K_ABSENT || kind === K_NULL) {
      this.userIdRaw.pushNull();
      this.userId.pushNull();
      return false;
    }
    if (kind === K_STRING) {
      if (sc.escaped[F_USER] === 0) {
        const first = b[s];
        const last = b[e - 1];
        if (e > s && first !== 32 && last !== 32 && first < 128 && last < 128) {
          this.userIdRaw.pushNull();
          this.userId.pushBytes(b, s, e);
          return true;
        }
        // Empty, padded, or non-ASCII at an edge: let JavaScript decide what white space is.
        return this.pushTrimmed(decoder.decode(b.subarray(s, e)));
      }
      const text = this.decode(sc, s, e);
      if (this.lossy) this.lossyUserId = text.trim();
      return this.pushTrimmed(text);
    }
    if (kind === K_NUMBER) {
      // Integers keep their digits exactly; fractions and exponents are written out in full.
      let integer = true;
      for (let k = s; k < e; k++) if (b[k] === 46 || b[k] === 101 || b[k] === 69) integer = false;
      this.userIdRaw.pushNull();
      // (-0 is the number 0, so it is the id "0" like 0.0 and 0e5.)
      const negZero = e - s === 2 && b[s] === 45 && b[s + 1] === 48;
      if (integer && !negZero) this.userId.pushBytes(b, s, e);
      else this.userId.pushString(plainDecimal(decoder.decode(b.subarray(s, e))));
      return true;
    }
    // Only a string or a number is an id (docs/rules.md "Inputs"): true/false/objects/arrays cannot name
    // a user, so the event counts as missing its user_id; the dropped row keeps the JSON text.
    this.userIdRaw.pushBytes(b, s, e);
    this.userId.pushNull();
    return false;
  }

  private pushTrimmed(text: string): boolean {
    const t = text.trim();
    if (t.length === 0) {
      // Missing: the dropped row shows the id as read ("" or the blanks), not null.
      this.userIdRaw.pushString(text);
      this.userId.pushNull();
      return false;
    }
    if (t === text) this.userIdRaw.pushNull();
    else this.userIdRaw.pushString(text);
    this.userId.pushString(t);
    return true;
  }

  /** A string field as text; other JSON values as their JSON text; null when absent/null. */
  private pushText(col: StringColumn, sc: EventScanner, f: number): void {
    const kind = sc.kind[f];
    if (kind === K_ABSENT || kind === K_NULL) col.pushNull();
    else if (kind === K_STRING && sc.escaped[f] === 1) col.pushString(this.decode(sc, sc.start[f], sc.stop[f]));
    else col.pushBytes(sc.b, sc.start[f], sc.stop[f]);
  }

  /** The same for a dictionary column (kept apart so each call site sees one kind of column). */
  private pushCategory(col: DictionaryColumn, sc: EventScanner, f: number): void {
    const kind = sc.kind[f];
    if (kind === K_ABSENT || kind === K_NULL) col.pushNull();
    else if (kind === K_STRING && sc.escaped[f] === 1) {
      const lossyBefore = this.lossy;
      const text = this.decode(sc, sc.start[f], sc.stop[f]);
      if (f === F_TYPE && this.lossy && !lossyBefore) this.lossyEventType = text;
      col.pushString(text);
    } else col.pushBytes(sc.b, sc.start[f], sc.stop[f], sc.words);
  }

  /**
   * Decodes an escaped string (only escapes can make a lone surrogate: raw UTF-8 cannot hold
   * one), noting whether it holds a lone surrogate.
   */
  private decode(sc: EventScanner, s: number, e: number): string {
    const text = sc.decodeString(s, e);
    if (LONE_SURROGATE.test(text)) this.lossy = true;
    return text;
  }

  /** Counts the event as lossy and keeps its key text apart; resets for the next event. */
  private recordLoss(): void {
    this.tally.lossyText++;
    if (this.lossyUserId !== null || this.lossyEventType !== null)
      this.lostKey.pushString(JSON.stringify([this.lossyUserId, this.lossyEventType]));
    else this.lostKey.pushNull();
    this.lossy = false;
    this.lossyUserId = this.lossyEventType = null;
  }

  private pushValue(sc: EventScanner, b: Uint8Array): void {
    const kind = sc.kind[F_VALUE];
    let v = NaN;
    if (kind === K_ABSENT || kind === K_NULL) {
      this.value.pushNull();
      return;
    }
    if (kind === K_NUMBER) v = parseDec(b, sc.start[F_VALUE], sc.stop[F_VALUE], false);
    else if (kind === K_STRING) {
      v =
        sc.escaped[F_VALUE] === 1
          ? parseDecimalString(this.decode(sc, sc.start[F_VALUE], sc.stop[F_VALUE]))
          : parseDec(b, sc.start[F_VALUE], sc.stop[F_VALUE], true);
    }
    if (v === v) this.value.push(v);
    else {
      this.tally.invalidValue++;
      this.value.pushNull();
    }
  }

  private validTimestamp(sc: EventScanner, b: Uint8Array): boolean {
    if (sc.kind[F_TS] !== K_STRING) return false;
    const s = sc.start[F_TS];
    const e = sc.stop[F_TS];
    if (sc.escaped[F_TS] === 0) return parseTsBytes(b, s, e, this.instant);
    // (Already decoded, and checked for lone surrogates, by pushText.)
    const parsed = parseTimestamp(sc.decodeString(s, e));
    if (!parsed) return false;
    this.instant.days = parsed.days;
    this.instant.micros = parsed.micros;
    return true;
  }

  /**
   * The batch's columns, with each row's key_hash (key-hash.ts); the builders start over
   * empty, so the columns are views valid until the next row is added.
   */
  finishBatch(): ScannedBatch {
    const columns = {
      source_row: this.sourceRow.finish(),
      reason: this.reason.finish(),
      user_id_raw: this.userIdRaw.finish(),
      user_id: this.userId.finish(),
      event_type: this.eventType.finish(),
      timestamp: this.timestamp.finish(),
      value: this.value.finish(),
      device: this.device.finish(),
      page: this.page.finish(),
      raw: this.raw.finish(),
      lost_key: this.lostKey.finish(),
      ts_days: this.tsDays.finish(),
      ts_micros: this.tsMicros.finish(),
    } satisfies Record<string, FinishedColumn>;
    return { ...columns, key_hash: keyHashColumn(columns) };
  }
}
