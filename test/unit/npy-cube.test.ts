import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { npyAxisOrderFromName, readNpyCube } from '../../app/hsi/npy-cube.js';
import { readNpy, readNpyArray } from '../../app/io/npy.js';

const dir = new URL('../fixtures/hsi/npy/', import.meta.url);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));

interface Expected {
  rows: number;
  cols: number;
  bands: number;
  values: Record<string, number[]>;
  npy: Record<string, number>;
}
const expected = JSON.parse(readFileSync(new URL('../fixtures/hsi/expected.json', import.meta.url), 'utf8')) as Expected;

describe('readNpyCube on files written by numpy.save', () => {
  for (const [file, type] of Object.entries(expected.npy)) {
    it(`${file}: the test cube (values of ENVI type ${type})`, () => {
      const cube = readNpyCube(bytesOf(file), file);
      assert.deepEqual([cube.rows, cube.cols, cube.bands], [expected.rows, expected.cols, expected.bands]);
      assert.deepEqual(cube.data, Float32Array.from(expected.values[String(type)]!));
      assert.equal(cube.format, 'npy');
    });
  }

  it('the axis order comes from the name (.bsq/.bil/.bip.npy), default bands last, or from the caller', () => {
    assert.equal(npyAxisOrderFromName('x.npy'), null);
    assert.equal(npyAxisOrderFromName('scene.BSQ.npy'), 'bsq');
    assert.equal(npyAxisOrderFromName('a.bil.npy'), 'bil');
    // The (4, 5, 3) file read as bands-first: 4 bands of 5 × 3 pixels, band b = the file's first-axis slice b.
    const cube = readNpyCube(bytesOf('cube.npy'), 'cube.npy', { axes: 'bsq' });
    assert.deepEqual([cube.rows, cube.cols, cube.bands], [5, 3, 4]);
    const raw = readNpyArray(bytesOf('cube.npy'), 'cube.npy');
    assert.deepEqual(raw.shape, [4, 5, 3]);
    assert.deepEqual(cube.data, raw.data, 'C-order (b, r, c) is already band-sequential');
  });

  it('2-D arrays are matrices, not cubes; readNpy still refuses 3-D', () => {
    assert.throws(() => readNpyCube(bytesOf('matrix.npy'), 'matrix.npy'), /^Error: matrix\.npy: a cube needs a 3-D array \(rows, cols, bands\), this one has shape \(2, 3\) \(a 2-D array is a matrix/);
    assert.throws(() => readNpy(bytesOf('cube.npy'), 'cube.npy'), /cube\.npy: the array has 3 dimensions/);
    const cut = bytesOf('cube.npy');
    assert.throws(() => readNpyCube(cut.subarray(0, cut.length - 4), 'cut.npy'), /^Error: cut\.npy: truncated data: shape \(4, 5, 3\) of <f4 needs 240 bytes, the file has 236/);
  });
});
