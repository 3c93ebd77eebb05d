import type { InputKind } from './host-api.js';

/**
 * Tells an input's kind from its first bytes (magic numbers), not its name: a renamed or
 * mislabelled file still gets the right reader or a clear error.
 *  - WAV: "RIFF" …. "WAVE" (RIFF spec), also RF64/BW64 headers are recognised to give a clear error.
 *  - TIFF: "II*\0" / "MM\0*" (TIFF 6.0), BigTIFF "II+\0" / "MM\0+".
 */
export function detectKind(bytes: Uint8Array, fileName: string): InputKind {
  const ascii = (start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes.length === 0) throw new Error(`${fileName}: the file is empty`);
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio';
  if (bytes.length >= 4) {
    const b0 = bytes[0], b1 = bytes[1], b2 = bytes[2], b3 = bytes[3];
    if (b0 === 0x49 && b1 === 0x49 && (b2 === 42 || b2 === 43) && b3 === 0) return 'cube';
    if (b0 === 0x4d && b1 === 0x4d && b2 === 0 && (b3 === 42 || b3 === 43)) return 'cube';
  }
  throw new Error(`${fileName}: not a WAV or GeoTIFF file (unrecognised header)`);
}
