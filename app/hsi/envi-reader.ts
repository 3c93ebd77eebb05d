/**
 * Reads an ENVI raster (header + binary data file; format in envi-header.ts) into a Cube.
 *
 * Two entry points:
 * - readEnvi: the header and the data file as separate byte arrays (what a caller with a file
 *   system or two dropped files has);
 * - readEnviEmbedded: one byte array holding the header text, a NUL, NUL padding to a multiple of
 *   64 bytes, then the data file as it is on disk (its own `header offset` counting from there).
 *   The host builds it (embedEnviHeader) so that an ENVI pair travels as one buffer, like every
 *   other input, to a compute worker. A bare header (no NUL, no data) gets a clear error.
 */
import type { Cube } from './cube.js';
import { decodeHeaderText, ENVI_DATA_TYPES, isEnviHeader, parseEnviHeader, type EnviHeader } from './envi-header.js';
import { enviMapToGeoReference } from './envi-map-info.js';

export interface EnviFiles {
  readonly header: Uint8Array;
  readonly headerName: string;
  readonly data: Uint8Array;
  readonly dataName: string;
}

export function readEnvi(files: EnviFiles): Cube {
  const header = parseEnviHeader(decodeHeaderText(files.header), files.headerName);
  return cubeOf(header, decodeEnviData(header, files.data, files.dataName));
}

/** The alignment of the embedded header block: enough for any element size (8) and cache-friendly. */
const EMBED_ALIGN = 64;

/** Where the data file starts in an embedded buffer whose header text ends (NUL) at `nul`. */
const embeddedDataStart = (nul: number): number => Math.ceil((nul + 1) / EMBED_ALIGN) * EMBED_ALIGN;

/**
 * The bytes to put in front of the data file so that readEnviEmbedded reads the pair as one
 * buffer: the header as it is, a NUL, and NUL padding to a multiple of 64 bytes (keeps typed-array
 * views on the data aligned). The data keep their own offsets, so every size in an error message is
 * the data file's. The header is validated first, so a broken header fails here, naming it.
 */
export function embedEnviHeader(headerBytes: Uint8Array, headerName: string): Uint8Array {
  parseEnviHeader(decodeHeaderText(headerBytes), headerName);
  if (headerBytes.includes(0)) throw new Error(`${headerName}: the ENVI header holds a NUL byte: it is not a text file`);
  const prefix = new Uint8Array(embeddedDataStart(headerBytes.length)); // zero-filled: the NUL and the padding
  prefix.set(headerBytes, 0);
  return prefix;
}

export function readEnviEmbedded(bytes: Uint8Array, fileName: string): Cube {
  if (!isEnviHeader(bytes)) throw new Error(`${fileName}: not an ENVI header (it does not start with "ENVI")`);
  const end = bytes.indexOf(0);
  if (end < 0) {
    throw new Error(
      `${fileName}: this is an ENVI header alone, which holds no pixels: open it from disk so that its data file (same name without .hdr, or with .img, .dat, .raw, .bsq, .bil, .bip) is found next to it, or open the data file itself`,
    );
  }
  const header = parseEnviHeader(decodeHeaderText(bytes.subarray(0, end)), fileName);
  return cubeOf(header, decodeEnviData(header, bytes.subarray(Math.min(embeddedDataStart(end), bytes.length)), fileName));
}

function cubeOf(header: EnviHeader, data: Float32Array): Cube {
  return {
    rows: header.lines,
    cols: header.samples,
    bands: header.bands,
    data,
    wavelengths: header.wavelengths,
    wavelengthUnits: header.wavelengthUnits,
    bandNames: header.bandNames,
    noData: header.dataIgnoreValue,
    geo: header.mapInfo ? enviMapToGeoReference(header.mapInfo) : null,
    fwhm: header.fwhm,
    badBands: header.bbl ? header.bbl.map((v) => v === 0) : null,
    reflectanceScale: header.reflectanceScale,
    enviMap: header.mapInfo,
    format: 'envi',
  };
}

type NumberArray = Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The data file's values as float32, band-sequential (the Cube layout). Integers beyond 2^24
 * and float64 values round to the nearest float32; 64-bit integers go through float64 first.
 */
function decodeEnviData(header: EnviHeader, data: Uint8Array, dataName: string): Float32Array {
  const { samples, lines, bands, headerOffset, interleave } = header;
  const type = ENVI_DATA_TYPES[header.dataType];
  const count = samples * lines * bands;
  const needed = headerOffset + count * type.size;
  if (!Number.isSafeInteger(needed)) throw new Error(`${dataName}: ${samples} samples × ${lines} lines × ${bands} bands is too large`);
  if (data.length < needed) {
    throw new Error(
      `${dataName}: the data file is too short for its header: ${samples} samples × ${lines} lines × ${bands} bands of ${type.name} (${count * type.size} bytes)` +
        `${headerOffset > 0 ? ` after a ${headerOffset}-byte header offset` : ''} need ${needed} bytes, the file has ${data.length} (${needed - data.length} missing; truncated file or wrong header?)`,
    );
  }
  const values = fileValues(data, headerOffset, count, header);
  const pixels = samples * lines;
  const out = new Float32Array(count);
  if (interleave === 'bsq') {
    out.set(values);
  } else if (interleave === 'bil') {
    // [line][band][sample]: each (line, band) run of samples is one row of that band.
    for (let line = 0; line < lines; line++) {
      for (let b = 0; b < bands; b++) {
        const start = (line * bands + b) * samples;
        out.set(values.subarray(start, start + samples), b * pixels + line * samples);
      }
    }
  } else {
    // bip: [line][sample][band], i.e. pixel by pixel.
    for (let p = 0; p < pixels; p++) {
      const base = p * bands;
      for (let b = 0; b < bands; b++) out[b * pixels + p] = values[base + b]!;
    }
  }
  return out;
}

/** The count values after offset, in file order, as a typed array of the file's type (byte-swapped when needed). */
function fileValues(data: Uint8Array, offset: number, count: number, header: EnviHeader): NumberArray {
  const size = ENVI_DATA_TYPES[header.dataType].size;
  const start = data.byteOffset + offset;
  let buffer: ArrayBufferLike;
  let byteOffset: number;
  if (size === 1 || (header.littleEndian === HOST_LITTLE_ENDIAN && start % size === 0)) {
    buffer = data.buffer;
    byteOffset = start;
  } else {
    // A copy is aligned (fresh buffer) and may be swapped in place.
    const copy = data.slice(offset, offset + count * size);
    if (header.littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(copy, size);
    buffer = copy.buffer;
    byteOffset = 0;
  }
  switch (header.dataType) {
    case 1:
      return new Uint8Array(buffer, byteOffset, count);
    case 2:
      return new Int16Array(buffer, byteOffset, count);
    case 3:
      return new Int32Array(buffer, byteOffset, count);
    case 4:
      return new Float32Array(buffer, byteOffset, count);
    case 5:
      return new Float64Array(buffer, byteOffset, count);
    case 12:
      return new Uint16Array(buffer, byteOffset, count);
    case 13:
      return new Uint32Array(buffer, byteOffset, count);
    case 14:
      return Float64Array.from(new BigInt64Array(buffer, byteOffset, count), Number);
    case 15:
      return Float64Array.from(new BigUint64Array(buffer, byteOffset, count), Number);
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}
