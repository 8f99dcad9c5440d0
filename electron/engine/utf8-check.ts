/**
 * Streaming UTF-8 validation, one native `isUtf8` call per block: the rules' inputs are UTF-8,
 * and a file that is not gets a clear error rather than silently mangled text.
 */
import { isUtf8 } from 'node:buffer';

export class Utf8Checker {
  private pending: Uint8Array = new Uint8Array(0);
  private pendingOffset = 0;

  /** Checks the next block (at file offset `offset`); returns the offset of a bad byte, or -1. */
  push(chunk: Uint8Array, offset: number, last: boolean): number {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const dataOffset = this.pending.length ? this.pendingOffset : offset;
    let cut = data.length;
    if (!last) {
      // Hold back a character that may go on in the next block (at most 3 bytes of it).
      let k = 0;
      while (cut > 0 && k < 3 && (data[cut - 1] & 0xc0) === 0x80) {
        cut--;
        k++;
      }
      if (cut > 0 && data[cut - 1] >= 0xc0) cut--;
      else cut = data.length; // ends with whole characters (or stray bytes isUtf8 will reject)
    }
    // A copy: the caller reuses its buffer for the next block.
    this.pending = Uint8Array.prototype.slice.call(data, cut);
    this.pendingOffset = dataOffset + cut;
    const head = data.subarray(0, cut);
    if (isUtf8(head)) return -1;
    return dataOffset + firstInvalid(head);
  }
}

/** Index of the first byte where `b` stops being valid UTF-8 (error path only). */
export function firstInvalid(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}
