/**
 * The dedup key's 64-bit hash (`key_hash`), taken by the reader from a finished batch's
 * columns, as the batch leaves the scan (event-columns.ts). Stage 3 only uses it to find the
 * rows that may be duplicates: every match is then checked against the key itself (stages.ts
 * markDuplicates, firstOccurrences), so the one thing it must do is give equal keys equal
 * hashes. Taken here rather than by Polars, a spilled run's scan threads write their batches
 * without loading them into Polars at all (batch-spill.ts; docs/performance.md "Memory budget").
 *
 * The key (stages.ts COMPARED_KEY) is user_id, event_type, timestamp, value and lost_key, as
 * the columns hold them: text as its UTF-8 bytes (escapes already decoded), value as its
 * float64 bits with -0 taken as 0 (they are equal as numbers, and a NaN is never stored).
 * Each field goes in as its length (-1 for null) and then its bytes, so that no two keys
 * differ only in where one field ends. Two MurmurHash3 lanes of different seeds make the
 * hash's two halves.
 */
import type { FinishedColumn } from './column-builders';

/** The columns the key is read from (finished columns of one batch). */
export interface KeyColumns {
  user_id: FinishedColumn;
  event_type: FinishedColumn;
  timestamp: FinishedColumn;
  value: FinishedColumn;
  lost_key: FinishedColumn;
}

const SEED_LOW = 0x5eed;
const SEED_HIGH = 0x9e3779b9 | 0;
const NULL_LENGTH = -1;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const mixWord = (h: number, k: number) => {
  h ^= Math.imul(rotl(Math.imul(k, C1), 15), C2);
  return (Math.imul(rotl(h, 13), 5) + 0xe6546b64) | 0;
};
const finalMix = (h: number) => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** Both lanes of the row being hashed. */
let low = 0;
let high = 0;

function mix(word: number): void {
  low = mixWord(low, word);
  high = mixWord(high, word);
}

/** Mixes the length and bytes of text `bytes[start..end)`; `view` views `bytes`. */
function mixText(bytes: Uint8Array, view: DataView, start: number, end: number): void {
  mix(end - start);
  let k = start;
  for (; k + 4 <= end; k += 4) mix(view.getUint32(k, true));
  if (k < end) {
    let tail = 0;
    for (let shift = 0; k < end; k++, shift += 8) tail |= bytes[k] << shift;
    mix(tail);
  }
}

const isNull = (validity: Uint8Array | undefined, i: number) =>
  validity !== undefined && (validity[i >> 3] & (1 << (i & 7))) === 0;

const viewOf = (a: Uint8Array) => new DataView(a.buffer, a.byteOffset, a.byteLength);

/** A text column's parts, read once per batch. */
function textOf(c: FinishedColumn) {
  const bytes = c.values as Uint8Array;
  return { bytes, view: viewOf(bytes), offsets: c.offsets!, validity: c.validity };
}

const valueWords = new Uint32Array(2);
const valueSlot = new Float64Array(valueWords.buffer);

/** key_hash of each of the batch's rows, as a uint64 column (two words a row, low first). */
export function keyHashColumn(c: KeyColumns): FinishedColumn {
  const n = c.user_id.length;
  const out = new Uint32Array(2 * n);
  const user = textOf(c.user_id);
  const ts = textOf(c.timestamp);
  const lost = textOf(c.lost_key);
  const values = c.value.values as Float64Array;
  const valueValidity = c.value.validity;
  // An event type is one of a few dictionary values: each is hashed once, to a word per lane.
  const types = c.event_type.values as Int32Array;
  const typeValidity = c.event_type.validity;
  const dict = c.event_type.dictionary!;
  const typeLow = new Int32Array(dict.length);
  const typeHigh = new Int32Array(dict.length);
  const dictView = viewOf(dict.values);
  for (let d = 0; d < dict.length; d++) {
    low = SEED_LOW;
    high = SEED_HIGH;
    mixText(dict.values, dictView, dict.offsets[d], dict.offsets[d + 1]);
    typeLow[d] = low;
    typeHigh[d] = high;
  }

  for (let i = 0; i < n; i++) {
    low = SEED_LOW;
    high = SEED_HIGH;
    if (isNull(user.validity, i)) mix(NULL_LENGTH);
    else mixText(user.bytes, user.view, user.offsets[i], user.offsets[i + 1]);
    if (isNull(typeValidity, i)) mix(NULL_LENGTH);
    else {
      low = mixWord(low, typeLow[types[i]]);
      high = mixWord(high, typeHigh[types[i]]);
    }
    if (isNull(ts.validity, i)) mix(NULL_LENGTH);
    else mixText(ts.bytes, ts.view, ts.offsets[i], ts.offsets[i + 1]);
    if (isNull(valueValidity, i)) mix(NULL_LENGTH);
    else {
      valueSlot[0] = values[i] === 0 ? 0 : values[i];
      mix(8);
      mix(valueWords[0]);
      mix(valueWords[1]);
    }
    if (isNull(lost.validity, i)) mix(NULL_LENGTH);
    else mixText(lost.bytes, lost.view, lost.offsets[i], lost.offsets[i + 1]);
    out[2 * i] = finalMix(low);
    out[2 * i + 1] = finalMix(high);
  }
  return { type: 'uint64', length: n, nullCount: 0, values: out };
}
