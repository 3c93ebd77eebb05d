import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readMatCube, readMatGroundTruth } from '../../app/hsi/mat-cube.js';
import { readMat5, scanMat5 } from '../../app/io/mat5-reader.js';

const dir = new URL('../fixtures/hsi/mat/', import.meta.url);
const samsonGt = new URL('../../../shared/data/hsi/samson/samson_gt.mat', import.meta.url);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));

interface Expected {
  rows: number;
  cols: number;
  bands: number;
  values: Record<string, number[]>;
  matClasses: Record<string, { dims: number[]; className: string; data: number[] }>;
  matBench: { Y: number[]; M: number[]; A: number[] };
  matSquare: { Y: number[] };
}
const expected = JSON.parse(readFileSync(new URL('../fixtures/hsi/expected.json', import.meta.url), 'utf8')) as Expected;

describe('readMat5 on files written by scipy.io.savemat', () => {
  for (const file of ['classes.mat', 'classes-z.mat', 'classes-be.mat']) {
    it(`${file}: every numeric class, 2-D and 3-D, column-major`, () => {
      const contents = scanMat5(bytesOf(file), file);
      assert.match(contents.description, /^MATLAB 5\.0 MAT-file/);
      assert.equal(contents.littleEndian, file !== 'classes-be.mat');
      assert.deepEqual(contents.skipped, []);
      const names = Object.keys(expected.matClasses);
      assert.deepEqual(contents.variables.map((v) => v.name).sort(), [...names].sort());
      for (const v of contents.variables) {
        const want = expected.matClasses[v.name]!;
        assert.deepEqual(v.dims, want.dims, `${v.name} dims`);
        assert.equal(v.className, want.className, `${v.name} class`);
        assert.deepEqual(Array.from(v.data), want.data, `${v.name} values`);
      }
    });
  }

  it('asked-for variables come back in order; missing and unreadable ones fail with the reason', () => {
    const [a, b] = readMat5(bytesOf('classes.mat'), 'classes.mat', ['v_uint16', 'v_double']);
    assert.deepEqual([a?.name, b?.name], ['v_uint16', 'v_double']);
    assert.throws(() => readMat5(bytesOf('classes.mat'), 'classes.mat', ['Y']), /^Error: classes\.mat: no variable 'Y' \(the file has v_double, /);
    const skipped = bytesOf('skipped.mat');
    assert.throws(() => readMat5(skipped, 'skipped.mat', ['s']), /^Error: skipped\.mat: variable 's' cannot be read: it is a struct/);
    assert.throws(() => readMat5(skipped, 'skipped.mat', ['z']), /variable 'z' cannot be read: it has complex values/);
  });

  it('struct, cell, complex, sparse and char variables are skipped with their reason', () => {
    const contents = scanMat5(bytesOf('skipped.mat'), 'skipped.mat');
    assert.deepEqual(contents.variables.map((v) => v.name), ['Y']);
    const reasons = Object.fromEntries(contents.skipped.map((s) => [s.name, `${s.className}: ${s.reason}`]));
    assert.match(reasons.s!, /^struct: it is a struct/);
    assert.match(reasons.c!, /^cell: it is a cell array/);
    assert.match(reasons.z!, /^double: it has complex values/);
    assert.match(reasons.sp!, /^sparse: it is a sparse matrix/);
    assert.match(reasons.txt!, /^char: it is text/);
  });

  it('truncated, corrupt and foreign files fail naming the file', () => {
    const plain = bytesOf('classes.mat');
    const zipped = bytesOf('classes-z.mat');
    assert.throws(() => scanMat5(plain.subarray(0, plain.length - 8), 'cut.mat'), /^Error: cut\.mat: (truncated|variable)/);
    assert.throws(() => scanMat5(zipped.subarray(0, zipped.length - 20), 'cutz.mat'), /^Error: cutz\.mat: truncated: data element \d+ at byte \d+ announces \d+ bytes/);
    const corrupt = zipped.slice();
    corrupt.fill(0x55, 200, 260);
    assert.throws(() => scanMat5(corrupt, 'corrupt.mat'), /^Error: corrupt\.mat: /);
    assert.throws(() => scanMat5(new Uint8Array(0), 'empty.mat'), /empty\.mat: the file is empty/);
    assert.throws(() => scanMat5(new TextEncoder().encode('hello'), 'text.mat'), /text\.mat: not a MAT-file/);
    const v73 = plain.slice(0, 128);
    v73.set(new TextEncoder().encode('MATLAB 7.3 MAT-file'), 0);
    v73[124] = 0;
    v73[125] = 2;
    assert.throws(() => scanMat5(v73, 'big.mat'), /big\.mat: this is a MATLAB v7\.3 MAT-file \(HDF5 inside\)/);
  });
});

describe('readMatCube', () => {
  for (const file of ['bench.mat', 'bench-z.mat']) {
    it(`${file}: Y bands × pixels with nRow/nCol, column-major pixels → the cube; M and A → ground truth`, () => {
      const { cube, groundTruth } = readMatCube(bytesOf(file), file);
      assert.deepEqual([cube.rows, cube.cols, cube.bands], [expected.rows, expected.cols, expected.bands]);
      // Y was made from the float32 test cube (type 4), so the cube must be that cube exactly.
      assert.deepEqual(cube.data, Float32Array.from(expected.values['4']!));
      assert.equal(cube.format, 'mat');
      const p = 2;
      const pixels = cube.rows * cube.cols;
      assert.deepEqual([groundTruth?.endmembers.rows, groundTruth?.endmembers.cols], [cube.bands, p]);
      for (let b = 0; b < cube.bands; b++) {
        for (let k = 0; k < p; k++) assert.equal(groundTruth!.endmembers.data[b * p + k], Math.fround(expected.matBench.M[b + cube.bands * k]!));
      }
      // A's pixels are reordered to the cube's row-major order.
      const a = groundTruth!.abundances!;
      assert.deepEqual([a.rows, a.cols], [p, pixels]);
      for (let k = 0; k < p; k++) {
        for (let r = 0; r < cube.rows; r++) {
          for (let c = 0; c < cube.cols; c++) assert.equal(a.data[k * pixels + r * cube.cols + c], Math.fround(expected.matBench.A[k + p * (r + c * cube.rows)]!));
        }
      }
      assert.deepEqual(readMatGroundTruth(bytesOf(file), file, cube), groundTruth);
    });
  }

  it('transposed storage (Y pixels × bands, M P × bands, A pixels × P) gives the same cube and ground truth', () => {
    const plain = readMatCube(bytesOf('bench.mat'), 'bench.mat');
    const transposed = readMatCube(bytesOf('transposed.mat'), 'transposed.mat');
    assert.deepEqual(transposed, plain);
  });

  it('single-precision Y without nRow/nCol is a square image', () => {
    const { cube, groundTruth } = readMatCube(bytesOf('square-single.mat'), 'square-single.mat');
    assert.deepEqual([cube.rows, cube.cols, cube.bands], [4, 4, 3]);
    assert.equal(groundTruth, undefined);
    const y = expected.matSquare.Y; // column-major 3 × 16
    for (let b = 0; b < 3; b++) {
      for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) assert.equal(cube.data[b * 16 + r * 4 + c], y[b + 3 * (r + 4 * c)]);
    }
  });

  it('without Y, the largest 3-D array is rows × cols × bands', () => {
    const { cube } = readMatCube(bytesOf('cube3d.mat'), 'cube3d.mat');
    assert.deepEqual([cube.rows, cube.cols, cube.bands], [expected.rows, expected.cols, expected.bands]);
    assert.deepEqual(cube.data, Float32Array.from(expected.values['2']!));
  });

  it('files without an image fail clearly', () => {
    assert.throws(() => readMatCube(bytesOf('gt-only.mat'), 'gt-only.mat'), /^Error: gt-only\.mat: no hyperspectral image found: expected 'Y' \(bands × pixels\) or a rows × cols × bands array; the file has M \(3×2 double\), A \(2×20 double\)/);
    const gt = readMatGroundTruth(bytesOf('gt-only.mat'), 'gt-only.mat', { rows: 4, cols: 5, bands: 3 });
    assert.deepEqual(gt, readMatCube(bytesOf('bench.mat'), 'bench.mat').groundTruth);
    // skipped.mat has Y = 2 × 3: neither side is a square number of pixels and there is no nRow/nCol.
    assert.throws(() => readMatCube(bytesOf('skipped.mat'), 'skipped.mat'), /skipped\.mat: 'Y' \(2×3\): the image size is unknown/);
    assert.throws(() => readMatGroundTruth(bytesOf('square-single.mat'), 'square-single.mat', { rows: 4, cols: 4, bands: 3 }), /no ground-truth endmembers 'M'/);
    assert.throws(() => readMatGroundTruth(bytesOf('bench.mat'), 'bench.mat', { rows: 4, cols: 5, bands: 7 }), /ground truth 'M' is 3×2, but the image has 7 bands/);
  });

  it('Samson (MATLAB-written, compressed): 95 × 95 × 156, abundances sum to one', (t) => {
    if (!existsSync(samsonGt)) {
      t.skip('shared Samson data not present');
      return;
    }
    const { cube, groundTruth } = readMatCube(new Uint8Array(readFileSync(samsonGt)), 'samson_gt.mat');
    assert.deepEqual([cube.rows, cube.cols, cube.bands], [95, 95, 156]);
    const a = groundTruth!.abundances!;
    let worst = 0;
    for (let j = 0; j < a.cols; j++) worst = Math.max(worst, Math.abs(a.data[j]! + a.data[a.cols + j]! + a.data[2 * a.cols + j]! - 1));
    assert.ok(worst < 1e-5, `sum-to-one off by ${worst}`);
    const m1 = scanMat5(new Uint8Array(readFileSync(samsonGt)), 'samson_gt.mat').variables.find((v) => v.name === 'M1');
    assert.deepEqual(m1?.dims, [156, 3]);
  });
});
