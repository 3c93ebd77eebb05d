// Draws the app icon (the favicon's design, renderer/static/favicon.svg: a blue rounded square
// with a yellow line) at every size the installers need and writes build/icon.png (1024 px),
// build/icons/<n>x<n>.png (Linux), build/icon.ico (Windows, PNG entries) and build/icon.icns
// (macOS). No image library: the shapes are rasterized from their signed distances with one
// pixel of anti-aliasing, PNGs encoded with node:zlib. Run: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');

// The favicon in its 32-unit viewBox.
const BACKGROUND = [0x1f, 0x4e, 0x79];
const LINE = [0xf4, 0xc5, 0x42];
const POLYLINE = [[5, 22], [11, 12], [16, 18], [21, 8], [27, 20]];
const LINE_WIDTH = 3;
const CORNER = 6;

function roundedRectDistance(x, y) {
  // Square [0, 32]² with corner radius CORNER: negative inside.
  const qx = Math.abs(x - 16) - (16 - CORNER);
  const qy = Math.abs(y - 16) - (16 - CORNER);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - CORNER;
}

function polylineDistance(x, y) {
  let best = Infinity;
  for (let i = 0; i + 1 < POLYLINE.length; i++) {
    const [ax, ay] = POLYLINE[i];
    const [bx, by] = POLYLINE[i + 1];
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    best = Math.min(best, Math.hypot(x - ax - t * (bx - ax), y - ay - t * (by - ay)));
  }
  // Round caps and joins: a distance from the centre line.
  return best - LINE_WIDTH / 2;
}

/** RGBA pixels of the icon at size×size. */
function render(size) {
  const scale = 32 / size;
  const pixels = new Uint8Array(size * size * 4);
  const coverage = (distance) => Math.max(0, Math.min(1, 0.5 - distance / scale));
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) * scale;
      const y = (py + 0.5) * scale;
      const shape = coverage(roundedRectDistance(x, y));
      const line = coverage(polylineDistance(x, y));
      const o = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) pixels[o + c] = Math.round(BACKGROUND[c] * (1 - line) + LINE[c] * line);
      pixels[o + 3] = Math.round(255 * shape);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** PNG (RFC 2083): 8-bit RGBA, filter 0 on every row. */
function png(size) {
  const pixels = render(size);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) Buffer.from(pixels.subarray(y * size * 4, (y + 1) * size * 4)).copy(raw, y * (size * 4 + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** ICO with PNG-compressed entries (read by Windows Vista and later). */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    header[e] = size >= 256 ? 0 : size;
    header[e + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(data.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.data)]);
}

/** ICNS with PNG entries, by their OSType. */
function icns(entries) {
  const parts = entries.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

const sizes = [16, 32, 48, 64, 128, 256, 512, 1024];
const images = new Map(sizes.map((size) => [size, png(size)]));
mkdirSync(join(out, 'icons'), { recursive: true });
writeFileSync(join(out, 'icon.png'), images.get(1024));
for (const size of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(join(out, 'icons', `${size}x${size}.png`), images.get(size));
writeFileSync(join(out, 'icon.ico'), ico([16, 32, 48, 64, 128, 256].map((size) => ({ size, data: images.get(size) }))));
writeFileSync(
  join(out, 'icon.icns'),
  icns([
    { type: 'icp4', data: images.get(16) },
    { type: 'icp5', data: images.get(32) },
    { type: 'icp6', data: images.get(64) },
    { type: 'ic07', data: images.get(128) },
    { type: 'ic08', data: images.get(256) },
    { type: 'ic09', data: images.get(512) },
    { type: 'ic10', data: images.get(1024) },
  ]),
);
console.log('wrote build/icon.png, build/icons/, build/icon.ico, build/icon.icns');
