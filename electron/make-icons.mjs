// Draws Loupe's icon (a magnifying glass on Paris blue) as a 512×512 PNG with nothing but zlib, so the
// packaging config has an icon without an image toolchain. Run: node electron/make-icons.mjs
// Its PNG writer also makes the test fixtures' images (a scanned page in a PDF).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const BG = [0x1f, 0x3a, 0x93];
const FG = [0xff, 0xff, 0xff];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Coverage of pixel (x, y) by the glass: a ring plus a handle, anti-aliased by 4×4 supersampling. */
function coverage(x, y) {
  const cx = 215,
    cy = 215,
    rOut = 150,
    rIn = 112;
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = x + (sx + 0.5) / 4,
        py = y + (sy + 0.5) / 4;
      const d = Math.hypot(px - cx, py - cy);
      const ring = d <= rOut && d >= rIn;
      // Handle: a thick segment from the ring towards the bottom-right corner.
      const t = (px - cx + (py - cy)) / 2;
      const off = Math.abs(px - cx - (py - cy)) / Math.SQRT2;
      const handle = t * Math.SQRT2 >= rOut - 10 && t * Math.SQRT2 <= 330 && off <= 34;
      if (ring || handle) hits++;
    }
  }
  return hits / 16;
}

/** Rounded-square background mask, so the icon is not a hard square on docks and taskbars. */
function inBackground(x, y) {
  const r = 96,
    m = 8;
  const qx = Math.max(m + r - x, 0, x - (SIZE - m - r)),
    qy = Math.max(m + r - y, 0, y - (SIZE - m - r));
  return Math.hypot(qx, qy) <= r;
}

export function iconPng() {
  const raw = Buffer.alloc(SIZE * (1 + SIZE * 4));
  for (let y = 0; y < SIZE; y++) {
    const row = y * (1 + SIZE * 4);
    raw[row] = 0;
    for (let x = 0; x < SIZE; x++) {
      const i = row + 1 + x * 4;
      if (!inBackground(x, y)) continue;
      const a = coverage(x, y);
      for (let c = 0; c < 3; c++) raw[i + c] = Math.round(BG[c] * (1 - a) + FG[c] * a);
      raw[i + 3] = 255;
    }
  }
  return encodePng(SIZE, SIZE, 6, raw, { level: 9 });
}

/**
 * An 8-bit PNG of `raw`: each row a filter byte (0) then its pixels. Colour type 0 is grey, 6 RGBA.
 * @param {number} width
 * @param {number} height
 * @param {0 | 6} colourType
 * @param {Uint8Array} raw
 * @param {import('node:zlib').ZlibOptions} [deflateOptions]
 */
export function encodePng(width, height, colourType, raw, deflateOptions = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, deflateOptions)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'static', 'icons', 'icon.png');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, iconPng());
  console.log(out);
}
