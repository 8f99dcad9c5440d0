/**
 * Writes assets/icon.png (512x512 RGBA) with no dependencies: a rounded blue tile with three
 * rising bars (events becoming a summary). Run: npx tsx assets/generate-icon.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const SIZE = 512;

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** The colour of pixel (x, y), as [r, g, b, a]. */
function pixel(x: number, y: number): [number, number, number, number] {
  const r = 96; // corner radius
  const m = 16; // margin
  const inside = (() => {
    if (x < m || y < m || x >= SIZE - m || y >= SIZE - m) return false;
    const cx = Math.min(Math.max(x, m + r), SIZE - m - r);
    const cy = Math.min(Math.max(y, m + r), SIZE - m - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  })();
  if (!inside) return [0, 0, 0, 0];
  const bars = [
    { x0: 120, x1: 200, top: 300 },
    { x0: 216, x1: 296, top: 220 },
    { x0: 312, x1: 392, top: 140 },
  ];
  for (const b of bars) if (x >= b.x0 && x < b.x1 && y >= b.top && y < 400) return [255, 255, 255, 255];
  const t = y / SIZE; // vertical gradient
  return [Math.round(30 + 20 * t), Math.round(90 + 40 * t), Math.round(200 - 30 * t), 255];
}

export function iconPng(): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0, then RGBA
    for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(row, 1 + x * 4);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (require.main === module) {
  const out = path.join(__dirname, 'icon.png');
  writeFileSync(out, iconPng());
  console.log(`Wrote ${out}`);
}
