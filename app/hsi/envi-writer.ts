/**
 * Writes a cube as ENVI: a float32, band-sequential, little-endian data file and its header
 * (ENVI header spec; https://www.nv5geospatialsoftware.com/docs/enviheaderfiles.html), with
 * wavelengths (+ units, fwhm), bad-band list, band names, data ignore value and map info. The
 * map info is the one read from an ENVI input (with its coordinate system string, verbatim) or,
 * for other inputs, made from the GeoTIFF tags (envi-map-info.ts). Bytes out; the caller names
 * the files (`X.img` + `X.hdr`) and writes them atomically.
 */
import type { Cube } from './cube.js';
import { formatEnviMapInfo, geoReferenceToEnviMap } from './envi-map-info.js';

export interface WriteEnviOptions {
  /** The header's `description` (free text). */
  description?: string;
}

export interface EnviOutput {
  readonly header: Uint8Array;
  readonly data: Uint8Array;
}

export function writeEnvi(cube: Cube, options: WriteEnviOptions = {}): EnviOutput {
  const { rows, cols, bands } = cube;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && Number.isInteger(bands) && rows > 0 && cols > 0 && bands > 0)) {
    throw new RangeError(`writeEnvi: invalid cube size ${rows}×${cols}×${bands}`);
  }
  if (cube.data.length !== rows * cols * bands) throw new RangeError(`writeEnvi: cube data has ${cube.data.length} values, expected ${rows * cols * bands}`);
  const perBand = <T>(name: string, list: readonly T[] | null | undefined): readonly T[] | null => {
    if (!list) return null;
    if (list.length !== bands) throw new RangeError(`writeEnvi: ${name} has ${list.length} entries for ${bands} bands`);
    return list;
  };

  const lines = [
    'ENVI',
    `description = {${(options.description ?? 'NMF Studio export').replace(/\{/g, '(').replace(/\}/g, ')')}}`,
    `samples = ${cols}`,
    `lines = ${rows}`,
    `bands = ${bands}`,
    'header offset = 0',
    'file type = ENVI Standard',
    'data type = 4',
    'interleave = bsq',
    'byte order = 0',
  ];
  const wavelengths = perBand('wavelengths', cube.wavelengths);
  if (wavelengths) {
    if (cube.wavelengthUnits) lines.push(`wavelength units = ${clean(cube.wavelengthUnits)}`);
    lines.push(`wavelength = ${list(wavelengths.map(formatNumber))}`);
  }
  const fwhm = perBand('fwhm', cube.fwhm);
  if (fwhm) lines.push(`fwhm = ${list(fwhm.map(formatNumber))}`);
  const bad = perBand('badBands', cube.badBands);
  if (bad) lines.push(`bbl = ${list(bad.map((b) => (b ? '0' : '1')))}`);
  const names = perBand('bandNames', cube.bandNames);
  if (names) lines.push(`band names = ${list(names.map(clean))}`);
  if (cube.noData !== null) lines.push(`data ignore value = ${formatNumber(cube.noData)}`);
  if (cube.reflectanceScale) lines.push(`reflectance scale factor = ${formatNumber(cube.reflectanceScale)}`);
  const map = cube.enviMap ?? geoReferenceToEnviMap(cube.geo);
  if (map) {
    lines.push(`map info = ${formatEnviMapInfo(map)}`);
    if (map.coordinateSystemString) lines.push(`coordinate system string = {${map.coordinateSystemString}}`);
  }
  const header = new TextEncoder().encode(lines.join('\n') + '\n');

  const data = new Uint8Array(cube.data.length * 4);
  const view = new DataView(data.buffer);
  for (let i = 0; i < cube.data.length; i++) view.setFloat32(4 * i, cube.data[i]!, true);
  return { header, data };
}

/** ENVI lists are comma-separated inside braces, with no escapes: commas and braces in an item become look-alikes. */
function clean(text: string): string {
  return text.replace(/,/g, ';').replace(/\{/g, '(').replace(/\}/g, ')').replace(/[\r\n]+/g, ' ');
}

function list(items: readonly string[]): string {
  const rows: string[] = [];
  for (let i = 0; i < items.length; i += 8) rows.push(` ${items.slice(i, i + 8).join(', ')}`);
  return `{\n${rows.join(',\n')}}`;
}

/** Shortest text that reads back to the same float64; NaN and infinities as GDAL writes them. */
function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}
