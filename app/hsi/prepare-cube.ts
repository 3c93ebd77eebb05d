/**
 * Preparing a cube for unmixing: the steps ENVI and HySUPP users expect before factorizing.
 *
 * - spatial subset (a window of rows × cols) and band range (first…last);
 * - dropping bad bands: the file's bad-band list (ENVI `bbl`, water-absorption and noisy bands)
 *   and/or bands the user names;
 * - optional division by the reflectance scale factor (ENVI `reflectance scale factor`);
 * - spatial binning (mean of factor × factor blocks) for quick previews;
 * - masking invalid pixels: a pixel with a NaN, infinite or nodata value in any kept band is
 *   marked invalid and its spectrum set to 0 (NMF sets all-zero columns aside);
 * - clipping negative values to 0 (NMF needs V ≥ 0; negatives are sensor noise below the dark
 *   level or atmospheric over-correction), counting them.
 *
 * Pure functions: the input cube is never modified. Georeferencing (GeoTIFF tags and ENVI map
 * info) follows the subset and the binning, and per-band metadata follows the band selection.
 */
import type { Cube } from './cube.js';
import { scaleEnviMap, shiftEnviMap } from './envi-map-info.js';
import { scaleGeoReference, shiftGeoReference } from './geo-transform.js';

/** A window of the pixel grid, 0-based. */
export interface SpatialWindow {
  row: number;
  col: number;
  rows: number;
  cols: number;
}

export interface PrepareCubeOptions {
  /** Keep only this window (0-based). Default: the whole image. */
  window?: SpatialWindow;
  /** Keep only bands first…last (0-based, inclusive). Default: all. */
  bandRange?: { first: number; last: number };
  /** Drop the bands the file marks bad (cube.badBands). Default true. */
  dropFileBadBands?: boolean;
  /** More bands to drop: 0-based indices into the input cube (see parseBandList for user text). */
  dropBands?: readonly number[];
  /** Divide by cube.reflectanceScale when the file gives one. Default false (values as stored). */
  applyReflectanceScale?: boolean;
  /** Average factor × factor blocks of pixels (edge blocks average what they have). Default 1. */
  bin?: number;
  /** Set negative values to 0. Default true. */
  clipNegatives?: boolean;
}

export interface PreparedCube {
  /** The prepared cube: invalid pixels zeroed, negatives clipped, noData null. */
  cube: Cube;
  /** Indices of the input cube's bands that were kept, in order. */
  keptBands: number[];
  /** Indices of the input cube's bands that were left out (range, bad-band list, user list). */
  droppedBands: number[];
  /** Per pixel of the prepared cube: 1 valid, 0 invalid (NaN, ±∞ or nodata in a kept band). */
  validMask: Uint8Array;
  invalidPixels: number;
  /** Values (samples, not pixels) below zero that were set to 0. */
  clippedNegatives: number;
}

export function prepareCube(cube: Cube, options: PrepareCubeOptions = {}): PreparedCube {
  checkCube(cube);
  const window = options.window ?? { row: 0, col: 0, rows: cube.rows, cols: cube.cols };
  checkWindow(cube, window);
  const { kept, dropped } = chooseBands(cube, options);
  let out = gather(cube, window, kept);
  const factor = options.bin ?? 1;
  if (factor !== 1) out = binCube(out, factor);
  // Mask first: the nodata value is in stored units.
  const { validMask, invalidPixels } = maskInPlace(out);
  if (options.applyReflectanceScale && out.reflectanceScale) {
    const scale = out.reflectanceScale;
    for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i]! / scale;
    out = { ...out, reflectanceScale: null };
  }
  const clippedNegatives = options.clipNegatives === false ? 0 : clipInPlace(out);
  return { cube: { ...out, noData: null }, keptBands: kept, droppedBands: dropped, validMask, invalidPixels, clippedNegatives };
}

/** The cube's bands `indices` (0-based, in that order), with their metadata. */
export function selectBands(cube: Cube, indices: readonly number[]): Cube {
  checkCube(cube);
  for (const b of indices) if (!(Number.isInteger(b) && b >= 0 && b < cube.bands)) throw new RangeError(`band index ${b} is outside 0…${cube.bands - 1}`);
  if (indices.length === 0) throw new RangeError('no bands selected');
  return gather(cube, { row: 0, col: 0, rows: cube.rows, cols: cube.cols }, indices);
}

/** The window of the cube (all bands), georeferencing moved to the window's corner. */
export function cropCube(cube: Cube, window: SpatialWindow): Cube {
  checkCube(cube);
  checkWindow(cube, window);
  return gather(cube, window, Array.from({ length: cube.bands }, (_, b) => b));
}

/**
 * Spatial binning: each output pixel is the mean of a factor × factor block (the last row/column
 * of blocks is partial when the size is not a multiple). Pixels with a NaN, infinite or nodata
 * value in any band do not count; a block with no valid pixel gets the nodata value (NaN when the
 * cube has none). Georeferencing: same corner, pixels factor times larger.
 */
export function binCube(cube: Cube, factor: number): Cube {
  checkCube(cube);
  if (!(Number.isInteger(factor) && factor >= 1)) throw new RangeError(`the binning factor must be a whole number ≥ 1, got ${factor}`);
  if (factor === 1) return { ...cube, data: cube.data.slice() };
  const { rows, cols, bands } = cube;
  const outRows = Math.ceil(rows / factor);
  const outCols = Math.ceil(cols / factor);
  const pixels = rows * cols;
  const outPixels = outRows * outCols;
  const valid = validPixels(cube).mask;
  const counts = new Float64Array(outPixels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) if (valid[r * cols + c]) counts[Math.floor(r / factor) * outCols + Math.floor(c / factor)]!++;
  }
  const empty = cube.noData ?? NaN;
  const data = new Float32Array(bands * outPixels);
  const sums = new Float64Array(outPixels);
  for (let b = 0; b < bands; b++) {
    sums.fill(0);
    const band = cube.data.subarray(b * pixels, (b + 1) * pixels);
    for (let r = 0; r < rows; r++) {
      const outRow = Math.floor(r / factor) * outCols;
      for (let c = 0; c < cols; c++) {
        const j = r * cols + c;
        if (valid[j]) sums[outRow + Math.floor(c / factor)]! += band[j]!;
      }
    }
    const target = data.subarray(b * outPixels, (b + 1) * outPixels);
    for (let q = 0; q < outPixels; q++) target[q] = counts[q]! > 0 ? sums[q]! / counts[q]! : empty;
  }
  return {
    ...cube,
    rows: outRows,
    cols: outCols,
    data,
    geo: scaleGeoReference(cube.geo, factor),
    enviMap: scaleEnviMap(cube.enviMap, factor),
  };
}

/**
 * Which pixels are valid: finite in every band (or in `bands`, 0-based, when given) and not the
 * nodata value (compared as float32, the type the samples are held in). Returns the mask (1 valid)
 * and the count of invalid pixels.
 */
export function validPixels(cube: Cube, bands?: readonly number[]): { mask: Uint8Array; invalidPixels: number } {
  const pixels = cube.rows * cube.cols;
  // NaN as "no nodata value": nothing compares equal to it.
  const noData = cube.noData === null ? NaN : Math.fround(cube.noData);
  const mask = new Uint8Array(pixels).fill(1);
  const data = cube.data;
  for (const b of bands ?? Array.from({ length: cube.bands }, (_, k) => k)) {
    const offset = b * pixels;
    for (let j = 0; j < pixels; j++) {
      const x = data[offset + j]!;
      // x − x is 0 for finite x, NaN for NaN and ±∞ (2–3× faster than Number.isFinite here).
      if (x - x !== 0 || x === noData) mask[j] = 0;
    }
  }
  let invalidPixels = 0;
  for (let j = 0; j < pixels; j++) invalidPixels += 1 - mask[j]!;
  return { mask, invalidPixels };
}

/** A copy with every invalid pixel's spectrum set to 0 (see validPixels); noData becomes null. */
export function maskInvalidPixels(cube: Cube): { cube: Cube; validMask: Uint8Array; invalidPixels: number } {
  checkCube(cube);
  const out: Cube = { ...cube, data: cube.data.slice() };
  const { validMask, invalidPixels } = maskInPlace(out);
  return { cube: { ...out, noData: null }, validMask, invalidPixels };
}

/** A copy with negative values set to 0, and how many there were (NaN stays NaN). */
export function clipNegatives(cube: Cube): { cube: Cube; clipped: number } {
  checkCube(cube);
  const out: Cube = { ...cube, data: cube.data.slice() };
  return { cube: out, clipped: clipInPlace(out) };
}

/**
 * Band numbers as people write them, 1-based like ENVI's band list: "1-5, 100, 150-156" →
 * 0-based indices [0…4, 99, 149…155], sorted, without repeats. Errors name the bad item.
 */
export function parseBandList(text: string, bands: number): number[] {
  const out = new Set<number>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const match = /^(\d+)\s*(?:[-–]\s*(\d+))?$/.exec(item);
    if (!match) throw new RangeError(`band list item '${item}' is not a band number or a range such as 10-20`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (first < 1 || last > bands || first > last) {
      throw new RangeError(`band list item '${item}' is outside bands 1…${bands}${first > last ? ' (the range is reversed)' : ''}`);
    }
    for (let b = first; b <= last; b++) out.add(b - 1);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The bands to keep and to leave out (0-based, ascending): outside the band range, in the file's
 * bad-band list (unless dropFileBadBands is false) or in dropBands. Fails when none is kept.
 */
export function chooseBands(cube: Cube, options: Pick<PrepareCubeOptions, 'bandRange' | 'dropFileBadBands' | 'dropBands'>): { kept: number[]; dropped: number[] } {
  const range = options.bandRange ?? { first: 0, last: cube.bands - 1 };
  if (!(Number.isInteger(range.first) && Number.isInteger(range.last) && range.first >= 0 && range.last < cube.bands && range.first <= range.last)) {
    // Counted from 1, as the CLI's --bands and --bad-bands and ENVI's band lists are.
    throw new RangeError(`bands ${range.first + 1}…${range.last + 1} (counted from 1) are not within the cube's bands 1…${cube.bands}`);
  }
  const drop = new Set<number>();
  for (const b of options.dropBands ?? []) {
    if (!(Number.isInteger(b) && b >= 0 && b < cube.bands)) throw new RangeError(`band to drop ${b + 1} (counted from 1) is outside the cube's bands 1…${cube.bands}`);
    drop.add(b);
  }
  if (options.dropFileBadBands !== false && cube.badBands) cube.badBands.forEach((bad, b) => bad && drop.add(b));
  const kept: number[] = [];
  const dropped: number[] = [];
  for (let b = 0; b < cube.bands; b++) (b >= range.first && b <= range.last && !drop.has(b) ? kept : dropped).push(b);
  if (kept.length === 0) {
    throw new RangeError(`every band is left out (${drop.size} of the ${cube.bands} bands bad or dropped${options.bandRange ? `, bands ${range.first + 1}…${range.last + 1}` : ''}): nothing to use`);
  }
  return { kept, dropped };
}

/** A new cube of the window's pixels in the given bands (always a copy). */
function gather(cube: Cube, window: SpatialWindow, bands: readonly number[]): Cube {
  const pixels = cube.rows * cube.cols;
  const outPixels = window.rows * window.cols;
  const data = new Float32Array(bands.length * outPixels);
  const whole = window.rows === cube.rows && window.cols === cube.cols;
  bands.forEach((b, k) => {
    if (whole) {
      data.set(cube.data.subarray(b * pixels, (b + 1) * pixels), k * outPixels);
      return;
    }
    for (let r = 0; r < window.rows; r++) {
      const src = b * pixels + (window.row + r) * cube.cols + window.col;
      data.set(cube.data.subarray(src, src + window.cols), k * outPixels + r * window.cols);
    }
  });
  const pick = <T>(list: readonly T[] | null | undefined): T[] | null => (list ? bands.map((b) => list[b]!) : null);
  const moved = window.row !== 0 || window.col !== 0;
  return {
    ...cube,
    rows: window.rows,
    cols: window.cols,
    bands: bands.length,
    data,
    wavelengths: pick(cube.wavelengths),
    bandNames: pick(cube.bandNames),
    fwhm: pick(cube.fwhm),
    badBands: pick(cube.badBands),
    geo: moved ? shiftGeoReference(cube.geo, window.row, window.col) : cube.geo,
    enviMap: moved ? shiftEnviMap(cube.enviMap, window.row, window.col) : (cube.enviMap ?? null),
  };
}

function maskInPlace(cube: Cube): { validMask: Uint8Array; invalidPixels: number } {
  const { mask, invalidPixels } = validPixels(cube);
  if (invalidPixels > 0) {
    const pixels = cube.rows * cube.cols;
    for (let b = 0; b < cube.bands; b++) {
      const band = cube.data.subarray(b * pixels, (b + 1) * pixels);
      for (let j = 0; j < pixels; j++) if (!mask[j]) band[j] = 0;
    }
  }
  return { validMask: mask, invalidPixels };
}

function clipInPlace(cube: Cube): number {
  let clipped = 0;
  const data = cube.data;
  for (let i = 0; i < data.length; i++) {
    if (data[i]! < 0) {
      data[i] = 0;
      clipped++;
    }
  }
  return clipped;
}

function checkCube(cube: Cube): void {
  const { rows, cols, bands } = cube;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && Number.isInteger(bands) && rows > 0 && cols > 0 && bands > 0)) {
    throw new RangeError(`invalid cube size ${rows}×${cols}×${bands}`);
  }
  if (cube.data.length !== rows * cols * bands) throw new RangeError(`cube data has ${cube.data.length} values, expected ${rows}×${cols}×${bands} = ${rows * cols * bands}`);
}

function checkWindow(cube: Cube, w: SpatialWindow): void {
  const ok = [w.row, w.col, w.rows, w.cols].every(Number.isInteger) && w.row >= 0 && w.col >= 0 && w.rows >= 1 && w.cols >= 1 && w.row + w.rows <= cube.rows && w.col + w.cols <= cube.cols;
  if (!ok) throw new RangeError(`window rows ${w.row}…${w.row + w.rows - 1}, cols ${w.col}…${w.col + w.cols - 1} is not inside the ${cube.rows}×${cube.cols} image`);
}
