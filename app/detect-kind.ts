import type { InputKind } from './host-api.js';
import { isEnviHeader } from './hsi/envi-header.js';
import { isNpy } from './io/npy.js';

/** The file formats NMF Studio opens, as told by their first bytes. */
export type InputFormat = 'wav' | 'tiff' | 'envi' | 'mat' | 'npy';

/**
 * Tells an input's format from its first bytes (magic numbers), not its name: a renamed or
 * mislabelled file still gets the right reader or a clear error.
 *  - WAV: "RIFF" …. "WAVE" (RIFF spec).
 *  - TIFF: "II*\0" / "MM\0*" (TIFF 6.0), BigTIFF "II+\0" / "MM\0+".
 *  - ENVI header: the text "ENVI" (ENVI header spec: "the file must start with ENVI"), also after
 *    a UTF-8 byte-order mark; the host sends an ENVI pair as header + data in one buffer.
 *  - MAT-file: the text header "MATLAB 5.0 MAT-file" (MathWorks MAT-File Format; v7 files say
 *    the same, v7.3 HDF5 files say "MATLAB 7.3 MAT-file" and are recognised only to be refused
 *    clearly by the reader).
 *  - NPY: "\x93NUMPY" (NumPy format spec, NEP 1).
 * Returns null for anything else (a headerless ENVI data file among them).
 */
export function detectFormat(bytes: Uint8Array): InputFormat | null {
  const ascii = (start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (bytes.length >= 4) {
    const b0 = bytes[0], b1 = bytes[1], b2 = bytes[2], b3 = bytes[3];
    if (b0 === 0x49 && b1 === 0x49 && (b2 === 42 || b2 === 43) && b3 === 0) return 'tiff';
    if (b0 === 0x4d && b1 === 0x4d && b2 === 0 && (b3 === 42 || b3 === 43)) return 'tiff';
  }
  if (isEnviHeader(bytes)) return 'envi';
  if (/^MATLAB \d\.\d MAT-file/.test(ascii(0, 20))) return 'mat';
  if (isNpy(bytes)) return 'npy';
  return null;
}

/** The kind of input (audio or hyperspectral cube) from the first bytes; see detectFormat. */
export function detectKind(bytes: Uint8Array, fileName: string): InputKind {
  if (bytes.length === 0) throw new Error(`${fileName}: the file is empty`);
  const format = detectFormat(bytes);
  if (format === 'wav') return 'audio';
  if (format !== null) return 'cube';
  throw new Error(
    `${fileName}: not a WAV or GeoTIFF file, nor an ENVI, MATLAB (.mat) or NumPy (.npy) cube (unrecognised header; an ENVI data file needs its .hdr header next to it)`,
  );
}
