import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cube, EnviMapInfo } from '../../app/hsi/cube.js';
import { enviMapGeoTransform, enviMapToGeoReference } from '../../app/hsi/envi-map-info.js';
import { geoTransformOf } from '../../app/hsi/geo-transform.js';
import { binCube, clipNegatives, cropCube, maskInvalidPixels, parseBandList, prepareCube, selectBands, validPixels } from '../../app/hsi/prepare-cube.js';

const ROWS = 5;
const COLS = 7;
const BANDS = 4;
const NODATA = -9999;
const value = (b: number, r: number, c: number): number => 100 * b + 10 * r + c - 25;

const mapInfo: EnviMapInfo = {
  projection: 'UTM',
  referencePixel: [1.5, 2.5],
  referenceMap: [500000, 4100000],
  pixelSize: [30, 20],
  zone: 33,
  hemisphere: 'North',
  datum: 'WGS-84',
  units: 'Meters',
  rotation: 0,
  coordinateSystemString: null,
};

/** A cube with negatives, a nodata pixel (1, 2), a NaN pixel (3, 5), a bad band and full metadata. */
function makeCube(): Cube {
  const data = new Float32Array(BANDS * ROWS * COLS);
  for (let b = 0; b < BANDS; b++) for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) data[b * ROWS * COLS + r * COLS + c] = value(b, r, c);
  data[2 * ROWS * COLS + 1 * COLS + 2] = NODATA;
  data[3 * ROWS * COLS + 3 * COLS + 5] = NaN;
  return {
    rows: ROWS,
    cols: COLS,
    bands: BANDS,
    data,
    wavelengths: [400, 500, 600, 700],
    wavelengthUnits: 'Nanometers',
    bandNames: ['a', 'b', 'c', 'd'],
    noData: NODATA,
    geo: enviMapToGeoReference(mapInfo),
    fwhm: [10, 11, 12, 13],
    badBands: [false, true, false, false],
    reflectanceScale: 10,
    enviMap: mapInfo,
  };
}

const at = (cube: Cube, b: number, r: number, c: number): number => cube.data[b * cube.rows * cube.cols + r * cube.cols + c]!;
const invalid = (r: number, c: number): boolean => (r === 1 && c === 2) || (r === 3 && c === 5);

describe('prepareCube', () => {
  it('defaults: drops the bad band, zeroes invalid pixels, clips negatives, leaves the input alone', () => {
    const cube = makeCube();
    const before = cube.data.slice();
    const out = prepareCube(cube);
    assert.deepEqual(cube.data, before, 'input unchanged');
    assert.deepEqual(out.keptBands, [0, 2, 3]);
    assert.deepEqual(out.droppedBands, [1]);
    assert.deepEqual(out.cube.wavelengths, [400, 600, 700]);
    assert.deepEqual(out.cube.fwhm, [10, 12, 13]);
    assert.deepEqual(out.cube.bandNames, ['a', 'c', 'd']);
    assert.deepEqual(out.cube.badBands, [false, false, false]);
    assert.equal(out.cube.noData, null);
    assert.equal(out.invalidPixels, 2);
    let negatives = 0;
    for (const [k, b] of [0, 2, 3].entries()) {
      for (let r = 0; r < ROWS; r++) {
        for (let c = 0; c < COLS; c++) {
          const want = invalid(r, c) ? 0 : Math.max(0, value(b, r, c));
          if (!invalid(r, c) && value(b, r, c) < 0) negatives++;
          assert.equal(at(out.cube, k, r, c), want, `band ${b} (${r}, ${c})`);
          assert.equal(out.validMask[r * COLS + c], invalid(r, c) ? 0 : 1);
        }
      }
    }
    assert.ok(negatives > 0);
    assert.equal(out.clippedNegatives, negatives);
    assert.deepEqual(out.cube.geo, cube.geo);
  });

  it('window, band range and dropped bands; georeferencing follows the window', () => {
    const cube = makeCube();
    const window = { row: 1, col: 2, rows: 3, cols: 4 };
    const out = prepareCube(cube, { window, bandRange: { first: 1, last: 3 }, dropFileBadBands: false, dropBands: [2], clipNegatives: false });
    assert.deepEqual(out.keptBands, [1, 3]);
    assert.deepEqual(out.droppedBands, [0, 2]);
    assert.deepEqual([out.cube.rows, out.cube.cols, out.cube.bands], [3, 4, 2]);
    // The nodata sample lies in dropped band 2: only the NaN pixel (3, 5) is invalid now.
    assert.equal(out.invalidPixels, 1);
    for (const [k, b] of [1, 3].entries()) {
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 4; c++) {
          const [R, C] = [r + 1, c + 2];
          assert.equal(at(out.cube, k, r, c), R === 3 && C === 5 ? 0 : value(b, R, C));
        }
      }
    }
    assert.equal(out.clippedNegatives, 0);
    const gt = geoTransformOf(cube.geo)!;
    const moved = geoTransformOf(out.cube.geo)!;
    assert.deepEqual(moved, [gt[0] + 2 * gt[1], gt[1], gt[2], gt[3] + 1 * gt[5], gt[4], gt[5]]);
    assert.deepEqual(enviMapGeoTransform(out.cube.enviMap!), moved, 'map info and GeoTIFF tags agree');
  });

  it('reflectance scale factor on request', () => {
    const out = prepareCube(makeCube(), { applyReflectanceScale: true, dropFileBadBands: false, clipNegatives: false });
    assert.equal(at(out.cube, 3, 4, 6), Math.fround(Math.fround(value(3, 4, 6)) / 10));
    assert.equal(at(out.cube, 2, 1, 2), 0, 'the nodata pixel was masked in stored units, before scaling');
    assert.equal(out.cube.reflectanceScale, null);
  });

  it('refuses impossible requests', () => {
    const cube = makeCube();
    assert.throws(() => prepareCube(cube, { window: { row: 3, col: 0, rows: 3, cols: 1 } }), /window rows 3…5, cols 0…0 is not inside the 5×7 image/);
    assert.throws(() => prepareCube(cube, { bandRange: { first: 2, last: 9 } }), /bands 3…10 \(counted from 1\) are not within the cube's bands 1…4/);
    assert.throws(() => prepareCube(cube, { dropBands: [0, 2, 3] }), /every band is left out/);
    assert.throws(() => prepareCube(cube, { dropBands: [4] }), /band to drop 5 \(counted from 1\) is outside the cube's bands 1…4/);
    assert.throws(() => prepareCube(cube, { bin: 0 }), /binning factor must be a whole number ≥ 1, got 0/);
    assert.throws(() => prepareCube({ ...cube, data: new Float32Array(3) }), /cube data has 3 values/);
  });
});

describe('binCube', () => {
  it('block means over valid pixels, partial edge blocks, larger pixels at the same corner', () => {
    const cube = makeCube();
    const binned = binCube(cube, 2);
    assert.deepEqual([binned.rows, binned.cols, binned.bands], [3, 4, 4]);
    for (let b = 0; b < BANDS; b++) {
      for (let R = 0; R < 3; R++) {
        for (let C = 0; C < 4; C++) {
          let sum = 0;
          let n = 0;
          for (let r = 2 * R; r < Math.min(ROWS, 2 * R + 2); r++) {
            for (let c = 2 * C; c < Math.min(COLS, 2 * C + 2); c++) {
              if (invalid(r, c)) continue;
              sum += Math.fround(value(b, r, c));
              n++;
            }
          }
          assert.equal(at(binned, b, R, C), Math.fround(sum / n), `band ${b} block (${R}, ${C})`);
        }
      }
    }
    const gt = geoTransformOf(cube.geo)!;
    assert.deepEqual(geoTransformOf(binned.geo), [gt[0], 2 * gt[1], 0, gt[3], 0, 2 * gt[5]]);
    assert.deepEqual(enviMapGeoTransform(binned.enviMap!), geoTransformOf(binned.geo));
    // A block with no valid pixel gets the nodata value (NaN without one).
    const one = { ...cube, rows: 1, cols: 2, bands: 1, data: Float32Array.of(NaN, NaN), noData: null, wavelengths: null, fwhm: null, badBands: null, bandNames: null };
    assert.ok(Number.isNaN(binCube(one, 2).data[0]));
    assert.equal(binCube({ ...one, noData: -1, data: Float32Array.of(-1, NaN) }, 2).data[0], -1);
  });
});

describe('the single steps', () => {
  it('selectBands, cropCube, validPixels, maskInvalidPixels, clipNegatives', () => {
    const cube = makeCube();
    const picked = selectBands(cube, [3, 0]);
    assert.deepEqual(picked.wavelengths, [700, 400]);
    assert.equal(at(picked, 1, 4, 6), value(0, 4, 6));
    assert.throws(() => selectBands(cube, [4]), /band index 4 is outside 0…3/);
    const crop = cropCube(cube, { row: 4, col: 6, rows: 1, cols: 1 });
    assert.deepEqual(Array.from(crop.data), [0, 1, 2, 3].map((b) => value(b, 4, 6)));
    assert.equal(validPixels(cube).invalidPixels, 2);
    const masked = maskInvalidPixels(cube);
    assert.equal(masked.invalidPixels, 2);
    assert.equal(at(masked.cube, 0, 3, 5), 0);
    assert.equal(at(cube, 0, 3, 5), value(0, 3, 5), 'input untouched');
    const clipped = clipNegatives({ ...cube, data: Float32Array.of(-1, 2, -0.5, NaN), rows: 1, cols: 4, bands: 1 });
    assert.equal(clipped.clipped, 2);
    assert.deepEqual(Array.from(clipped.cube.data), [0, 2, 0, NaN]);
  });

  it('parseBandList: 1-based numbers and ranges → sorted 0-based indices', () => {
    assert.deepEqual(parseBandList('1-3, 7,5 ,3', 10), [0, 1, 2, 4, 6]);
    assert.deepEqual(parseBandList('', 10), []);
    assert.deepEqual(parseBandList('9–10', 10), [8, 9]);
    assert.throws(() => parseBandList('0', 10), /band list item '0' is outside bands 1…10/);
    assert.throws(() => parseBandList('5-11', 10), /'5-11' is outside bands 1…10/);
    assert.throws(() => parseBandList('6-2', 10), /range is reversed/);
    assert.throws(() => parseBandList('x', 10), /'x' is not a band number or a range/);
  });
});
