/**
 * One entry for every cube format: picks the reader from the file's first bytes (detectFormat)
 * and returns the Cube. ENVI arrives as one buffer, header embedded (envi-reader.ts), because
 * hosts and workers pass single files around.
 */
import { detectFormat } from '../detect-kind.js';
import type { Cube } from './cube.js';
import { readEnviEmbedded } from './envi-reader.js';
import { readGeoTiff } from './geotiff-reader.js';
import { readMatCube } from './mat-cube.js';
import { readNpyCube } from './npy-cube.js';

export async function readCube(bytes: Uint8Array, fileName: string): Promise<Cube> {
  if (bytes.length === 0) throw new Error(`${fileName}: the file is empty`);
  switch (detectFormat(bytes)) {
    case 'tiff': {
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      const buffer = whole ? (bytes.buffer as ArrayBuffer) : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      return { ...(await readGeoTiff(buffer, fileName)), format: 'geotiff' };
    }
    case 'envi':
      return readEnviEmbedded(bytes, fileName);
    case 'mat':
      return readMatCube(bytes, fileName).cube;
    case 'npy':
      return readNpyCube(bytes, fileName);
    case 'wav':
      throw new Error(`${fileName}: this is audio (WAV), not a hyperspectral cube`);
    case null:
      throw new Error(`${fileName}: not a GeoTIFF, ENVI, MATLAB (.mat) or NumPy (.npy) cube (unrecognised header; an ENVI data file needs its .hdr header next to it)`);
  }
}
