/**
 * ENVI header files (.hdr), after the ENVI documentation "ENVI Header Files"
 * (https://www.nv5geospatialsoftware.com/docs/enviheaderfiles.html):
 * - the file starts with the text "ENVI";
 * - then `field name = value` lines; field names are case-insensitive; a value in braces
 *   `{a, b, …}` may span lines (lists are comma-separated);
 * - a line whose first character is ';' is a comment.
 * The binary file holds `samples` × `lines` × `bands` values of `data type` after `header offset`
 * bytes, ordered by `interleave` (bsq, bil, bip), in `byte order` (0 little-endian, 1 big-endian).
 *
 * This module reads the text into fields and the fields into a typed header; envi-reader.ts
 * decodes the binary. Every error message starts with the header's file name.
 */
import type { EnviMapInfo } from './cube.js';
import { parseEnviMapInfo } from './envi-map-info.js';

/** ENVI `data type` codes (ENVI header spec, "data type"). 6 and 9 are complex. */
export const ENVI_DATA_TYPES = {
  1: { name: 'uint8', size: 1 },
  2: { name: 'int16', size: 2 },
  3: { name: 'int32', size: 4 },
  4: { name: 'float32', size: 4 },
  5: { name: 'float64', size: 8 },
  12: { name: 'uint16', size: 2 },
  13: { name: 'uint32', size: 4 },
  14: { name: 'int64', size: 8 },
  15: { name: 'uint64', size: 8 },
} as const;
export type EnviDataType = keyof typeof ENVI_DATA_TYPES;

export type EnviInterleave = 'bsq' | 'bil' | 'bip';

export interface EnviHeader {
  /** Columns. */
  samples: number;
  /** Rows. */
  lines: number;
  bands: number;
  /** Bytes to skip at the start of the data file. */
  headerOffset: number;
  dataType: EnviDataType;
  interleave: EnviInterleave;
  littleEndian: boolean;
  wavelengths: number[] | null;
  wavelengthUnits: string | null;
  fwhm: number[] | null;
  /** `bbl`: 1 good, 0 bad, one per band. */
  bbl: number[] | null;
  bandNames: string[] | null;
  dataIgnoreValue: number | null;
  reflectanceScale: number | null;
  mapInfo: EnviMapInfo | null;
  /** Every field as read: lower-case name with single spaces → raw value (braces removed). */
  fields: Map<string, string>;
}

/** Whether bytes start like an ENVI header ("ENVI", after an optional UTF-8 byte-order mark). */
export function isEnviHeader(bytes: Uint8Array): boolean {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.length >= start + 4 && bytes[start] === 0x45 && bytes[start + 1] === 0x4e && bytes[start + 2] === 0x56 && bytes[start + 3] === 0x49;
}

/** Header text from bytes: UTF-8 when it is valid UTF-8, else Latin-1 (older ENVI writes the platform's 8-bit code page). */
export function decodeHeaderText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    let text = '';
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
    return text;
  }
}

/**
 * Splits header text into fields. Tolerant where ENVI and GDAL are: blank lines, lines without
 * '=' and unknown fields are ignored, and a value is taken verbatim up to its closing brace, so a
 * malformed `coordinate system string` (Samson's has a broken number) does not stop the read.
 */
function parseEnviFields(text: string, fileName: string): Map<string, string> {
  const fail = (message: string): never => {
    throw new Error(`${fileName}: ${message}`);
  };
  const lines = text.split(/\r\n|\r|\n/);
  if ((lines[0] ?? '').trim() !== 'ENVI') fail('not an ENVI header (the first line is not "ENVI")');
  const fields = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trimStart().startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase().replace(/\s+/g, ' ');
    let value = line.slice(eq + 1).trim();
    if (value.startsWith('{')) {
      // Braces may nest in free text; the value ends where they balance.
      const startLine = i + 1;
      let depth = 0;
      let collected = '';
      for (;;) {
        for (let k = 0; k < value.length; k++) {
          const ch = value[k];
          if (ch === '{') depth++;
          else if (ch === '}' && --depth === 0) {
            collected += value.slice(0, k + 1);
            value = '';
            break;
          }
        }
        if (depth === 0) break;
        collected += value + '\n';
        i++;
        if (i >= lines.length) fail(`field '${key}' (line ${startLine}) opens a '{' that is never closed`);
        value = lines[i]!;
      }
      value = collected.trim().slice(1, -1).trim();
    }
    fields.set(key, value);
  }
  return fields;
}

/** The items of a `{a, b, c}` list (braces already removed by parseEnviFields). */
function enviList(value: string): string[] {
  if (value.trim() === '') return [];
  return value.split(',').map((item) => item.trim());
}

/**
 * Parses a header. Required: samples, lines, bands, data type (ENVI marks them so); missing
 * `interleave` means bsq, missing `byte order` little-endian and missing `header offset` 0, as
 * GDAL's ENVI driver reads them. Per-band lists must have one entry per band.
 */
export function parseEnviHeader(text: string, fileName: string): EnviHeader {
  const fail = (message: string): never => {
    throw new Error(`${fileName}: ${message}`);
  };
  const fields = parseEnviFields(text, fileName);
  const missing = ['samples', 'lines', 'bands', 'data type'].filter((key) => !fields.has(key));
  if (missing.length > 0) fail(`the ENVI header lacks ${missing.map((m) => `'${m}'`).join(', ')} (required to read the data file)`);

  const integer = (key: string, min: number): number => {
    const text = fields.get(key)!;
    const value = Number(text);
    if (text === '' || !Number.isInteger(value) || value < min) fail(`'${key} = ${text}' is not a whole number ≥ ${min}`);
    return value;
  };
  const samples = integer('samples', 1);
  const lines = integer('lines', 1);
  const bands = integer('bands', 1);
  const headerOffset = fields.has('header offset') ? integer('header offset', 0) : 0;

  const typeText = fields.get('data type')!;
  const typeCode = Number(typeText);
  if (typeCode === 6 || typeCode === 9) {
    fail(`data type ${typeCode} (${typeCode === 6 ? 'complex float32' : 'complex float64'}) is not supported: unmixing needs real values (convert the file to a real type, e.g. its magnitude)`);
  }
  if (!(typeCode in ENVI_DATA_TYPES)) fail(`unknown data type '${typeText}' (ENVI types 1, 2, 3, 4, 5, 12, 13, 14, 15 are read)`);
  const dataType = typeCode as EnviDataType;

  const interleaveText = (fields.get('interleave') ?? 'bsq').toLowerCase();
  if (interleaveText !== 'bsq' && interleaveText !== 'bil' && interleaveText !== 'bip') fail(`unknown interleave '${fields.get('interleave')}' (bsq, bil or bip)`);
  const interleave = interleaveText as EnviInterleave;

  const orderText = fields.get('byte order') ?? '0';
  if (orderText !== '0' && orderText !== '1') fail(`'byte order = ${orderText}' must be 0 (little-endian) or 1 (big-endian)`);

  const numberList = (key: string): number[] | null => {
    const value = fields.get(key);
    if (value === undefined) return null;
    const items = enviList(value);
    if (items.length !== bands) fail(`'${key}' lists ${items.length} values for ${bands} bands`);
    return items.map((item, i) => {
      const x = parseNumber(item);
      if (x === null) fail(`'${key}' value ${i + 1} ('${item}') is not a number`);
      return x!;
    });
  };
  const wavelengths = numberList('wavelength');
  const fwhm = numberList('fwhm');
  const bbl = numberList('bbl');
  let bandNames: string[] | null = null;
  if (fields.has('band names')) {
    bandNames = enviList(fields.get('band names')!);
    if (bandNames.length !== bands) fail(`'band names' lists ${bandNames.length} names for ${bands} bands`);
  }
  const unitsText = fields.get('wavelength units')?.trim();
  const wavelengthUnits = unitsText && unitsText.toLowerCase() !== 'unknown' ? unitsText : null;

  const single = (key: string): number | null => {
    const value = fields.get(key);
    if (value === undefined || value.trim() === '') return null;
    const x = parseNumber(value);
    if (x === null) fail(`'${key} = ${value}' is not a number`);
    return x;
  };
  const dataIgnoreValue = single('data ignore value');
  const reflectanceScale = single('reflectance scale factor');
  if (reflectanceScale !== null && !(reflectanceScale > 0 && Number.isFinite(reflectanceScale))) fail(`'reflectance scale factor = ${reflectanceScale}' must be a positive number`);

  const mapText = fields.get('map info');
  const mapInfo = mapText === undefined ? null : parseEnviMapInfo(mapText, fields.get('coordinate system string') ?? null, fileName);

  return {
    samples,
    lines,
    bands,
    headerOffset,
    dataType,
    interleave,
    littleEndian: orderText === '0',
    wavelengths,
    wavelengthUnits,
    fwhm,
    bbl,
    bandNames,
    dataIgnoreValue,
    reflectanceScale,
    mapInfo,
    fields,
  };
}

/** A number as ENVI and GDAL write them, including "nan", "inf" and "-inf"; null when it is not one. */
function parseNumber(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'nan' || t === '-nan' || t === '+nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === '') return null;
  const x = Number(t);
  return Number.isNaN(x) ? null : x;
}

/** Data-file extensions next to a header, in the order they are tried (then the bare name). */
export const ENVI_DATA_EXTENSIONS = ['.img', '.dat', '.raw', '.bsq', '.bil', '.bip', '.bin'] as const;

/**
 * Names the data file of header `headerName` may have, most likely first: `X.img.hdr` → `X.img`;
 * `X.hdr` → `X.img`, `X.dat`, `X.raw`, `X.bsq`, `X.bil`, `X.bip`, `X.bin` (and upper case), `X`.
 */
export function enviDataFileCandidates(headerName: string): string[] {
  const match = /^(.*)\.hdr$/i.exec(headerName);
  if (!match) return [];
  const stem = match[1]!;
  const candidates: string[] = [];
  // `X.img.hdr` names its data file directly (GDAL's SUFFIX=ADD, ENVI's own choice for some files).
  if (/\.[^./\\]+$/.test(stem)) candidates.push(stem);
  for (const ext of ENVI_DATA_EXTENSIONS) candidates.push(stem + ext, stem + ext.toUpperCase());
  if (!candidates.includes(stem)) candidates.push(stem);
  return candidates;
}

/** Names the header of data file `dataName` may have: `X.img` → `X.img.hdr`, `X.hdr` (and `.HDR`). */
export function enviHeaderCandidates(dataName: string): string[] {
  if (/\.hdr$/i.test(dataName)) return [];
  const candidates = [`${dataName}.hdr`, `${dataName}.HDR`];
  const dot = dataName.lastIndexOf('.');
  const slash = Math.max(dataName.lastIndexOf('/'), dataName.lastIndexOf('\\'));
  if (dot > slash + 1) {
    const stem = dataName.slice(0, dot);
    candidates.push(`${stem}.hdr`, `${stem}.HDR`);
  }
  return candidates;
}
