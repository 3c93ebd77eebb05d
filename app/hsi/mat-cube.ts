/**
 * A hyperspectral cube (and its ground truth, when present) from a MATLAB .mat file, in the forms
 * the unmixing benchmarks use (Zhu 2017, "Hyperspectral Unmixing: Ground Truth Labeling,
 * Datasets, Benchmark Performances and Survey"; the Samson, Jasper Ridge and Urban files):
 *
 * - the image: `Y`, bands × pixels, with the pixels in MATLAB's column-major image order
 *   p = row + col·nRow (0-based), and the image size in the scalars `nRow`, `nCol` (when absent,
 *   the image is taken to be square). Without `Y`, the largest numeric 2-D or 3-D variable that is
 *   not ground truth is the image; a 3-D variable is rows × cols × bands (MATLAB's image order,
 *   e.g. Indian Pines' `indian_pines_corrected`). A 2-D image that is pixels × bands (transposed)
 *   is recognised by which side equals nRow·nCol (or, without them, which side is a square).
 * - ground truth: `M`, bands × P endmembers, and `A`, P × pixels abundances (either may be stored
 *   transposed; the band and pixel counts tell which).
 *
 * Returned in this project's layouts: the cube band-sequential with row-major pixels (see Cube),
 * endmembers as a bands × P matrix, abundances as P × pixels with the pixels reordered to the
 * cube's row-major order (j = row·cols + col), so they compare directly with unmixing output.
 */
import { createMatrix, type Matrix } from '../matrix.js';
import { scanMat5, type Mat5Variable } from '../io/mat5-reader.js';
import type { Cube } from './cube.js';

export interface MatGroundTruth {
  /** bands × P: column k is endmember k. */
  endmembers: Matrix;
  /** P × pixels, pixels in the cube's row-major order; absent when the file has no `A`. */
  abundances?: Matrix;
}

export interface MatCube {
  cube: Cube;
  groundTruth?: MatGroundTruth;
}

/** Names that hold ground truth or its companions, never the image. */
const NOT_THE_IMAGE = new Set(['M', 'A', 'M1', 'nRow', 'nCol', 'nBand', 'nEnd', 'cood', 'nrow', 'ncol']);

export function readMatCube(bytes: Uint8Array, fileName: string): MatCube {
  const fail = (message: string): never => {
    throw new Error(`${fileName}: ${message}`);
  };
  const contents = scanMat5(bytes, fileName);
  const byName = new Map(contents.variables.map((v) => [v.name, v]));
  const imageLike = (v: Mat5Variable): boolean => (v.dims.length === 2 || v.dims.length === 3) && v.dims.every((d) => d > 1) && !NOT_THE_IMAGE.has(v.name);
  let image = byName.get('Y');
  if (image && !imageLike(image)) fail(`variable 'Y' (${image.dims.join('×')}) is not a bands × pixels matrix or a rows × cols × bands array`);
  if (!image) {
    const candidates = contents.variables.filter(imageLike).sort((a, b) => b.data.length - a.data.length);
    image = candidates[0];
  }
  if (!image) {
    const skippedY = contents.skipped.find((v) => v.name === 'Y');
    if (skippedY) fail(`variable 'Y' cannot be read: ${skippedY.reason}`);
    const names = [...contents.variables, ...contents.skipped].map((v) => `${v.name} (${v.dims.join('×')} ${v.className})`);
    fail(`no hyperspectral image found: expected 'Y' (bands × pixels) or a rows × cols × bands array; the file has ${names.length > 0 ? names.join(', ') : 'no variables'}`);
  }
  const chosen = image!;

  const scalar = (...names: string[]): number | null => {
    for (const name of names) {
      const v = byName.get(name);
      if (v && v.data.length === 1) {
        const x = v.data[0]!;
        if (!(Number.isInteger(x) && x > 0)) fail(`'${name}' = ${x} is not a positive whole number`);
        return x;
      }
    }
    return null;
  };
  const nRow = scalar('nRow', 'nrow', 'nRows');
  const nCol = scalar('nCol', 'ncol', 'nCols');
  const label = `'${chosen.name}' (${chosen.dims.join('×')})`;

  let rows: number;
  let cols: number;
  let bands: number;
  const data = new Float32Array(chosen.data.length);
  if (chosen.dims.length === 3) {
    [rows, cols, bands] = chosen.dims as [number, number, number];
    if ((nRow !== null && nRow !== rows) || (nCol !== null && nCol !== cols)) fail(`${label} does not match nRow = ${nRow}, nCol = ${nCol}`);
    // Column-major (r, c, b) at r + rows·(c + cols·b) → BSQ b·P + r·cols + c.
    const pixels = rows * cols;
    for (let b = 0; b < bands; b++) {
      for (let c = 0; c < cols; c++) {
        const src = rows * (c + cols * b);
        for (let r = 0; r < rows; r++) data[b * pixels + r * cols + c] = chosen.data[src + r]!;
      }
    }
  } else {
    const [d0, d1] = chosen.dims as [number, number];
    let pixels: number;
    let transposed: boolean;
    if (nRow !== null || nCol !== null) {
      if (nRow === null || nCol === null) fail(`the file gives ${nRow === null ? 'nCol' : 'nRow'} but not ${nRow === null ? 'nRow' : 'nCol'}`);
      pixels = nRow! * nCol!;
      if (d1 === pixels) transposed = false;
      else if (d0 === pixels) transposed = true;
      else fail(`${label} has no side of nRow × nCol = ${nRow} × ${nCol} = ${pixels} pixels`);
      rows = nRow!;
      cols = nCol!;
    } else {
      // No image size: the benchmark files without nRow/nCol (Samson) are square.
      const side1 = Math.round(Math.sqrt(d1));
      const side0 = Math.round(Math.sqrt(d0));
      if (side1 * side1 === d1) transposed = false;
      else if (side0 * side0 === d0) transposed = true;
      else fail(`${label}: the image size is unknown (no nRow/nCol variables) and neither side is a square number of pixels`);
      const side = transposed! ? side0 : side1;
      rows = side;
      cols = side;
      pixels = side * side;
    }
    bands = transposed! ? d1 : d0;
    // Y(b, p) at b + bands·p (bands × pixels) or p + pixels·b (pixels × bands); p = r + c·rows.
    // Loops run in the source's order: reading it sequentially is ~4× faster on a 280 MB cube.
    const src = chosen.data;
    const n = pixels!;
    if (!transposed!) {
      for (let c = 0, p = 0; c < cols; c++) {
        for (let r = 0; r < rows; r++, p++) {
          const j = r * cols + c;
          const base = p * bands;
          for (let b = 0; b < bands; b++) data[b * n + j] = src[base + b]!;
        }
      }
    } else {
      for (let b = 0; b < bands; b++) {
        for (let c = 0, p = 0; c < cols; c++) {
          for (let r = 0; r < rows; r++, p++) data[b * n + r * cols + c] = src[b * n + p]!;
        }
      }
    }
  }

  const cube: Cube = {
    rows,
    cols,
    bands,
    data,
    wavelengths: null,
    wavelengthUnits: null,
    bandNames: null,
    noData: null,
    geo: null,
    format: 'mat',
  };
  const groundTruth = groundTruthOf(byName, cube, fileName);
  return groundTruth ? { cube, groundTruth } : { cube };
}

/**
 * Ground truth from a file that holds only `M` (and `A`), as the benchmarks' separate GT files
 * do (e.g. Jasper Ridge's end4.mat): the band count and image size come from the cube it will be
 * compared with. Without rows and cols, `A` is left out (its pixels cannot be put in row-major
 * order without the image size).
 */
export function readMatGroundTruth(bytes: Uint8Array, fileName: string, cube: Pick<Cube, 'bands'> & Partial<Pick<Cube, 'rows' | 'cols'>>): MatGroundTruth {
  const contents = scanMat5(bytes, fileName);
  const byName = new Map(contents.variables.map((v) => [v.name, v]));
  if (!byName.has('M')) {
    const skipped = contents.skipped.find((v) => v.name === 'M');
    throw new Error(`${fileName}: ${skipped ? `ground truth 'M' cannot be read: ${skipped.reason}` : "no ground-truth endmembers 'M' (bands × endmembers) in the file"}`);
  }
  return groundTruthOf(byName, cube, fileName)!;
}

function groundTruthOf(byName: Map<string, Mat5Variable>, cube: Pick<Cube, 'bands'> & Partial<Pick<Cube, 'rows' | 'cols'>>, fileName: string): MatGroundTruth | undefined {
  const m = byName.get('M');
  if (!m) return undefined;
  const fail = (message: string): never => {
    throw new Error(`${fileName}: ${message}`);
  };
  if (m.dims.length !== 2) fail(`ground truth 'M' is ${m.dims.join('×')}, expected bands × endmembers`);
  const { bands } = cube;
  const [m0, m1] = m.dims as [number, number];
  // M is bands × P; accept P × bands too.
  const mTransposed = m0 !== bands && m1 === bands;
  if (!mTransposed && m0 !== bands) fail(`ground truth 'M' is ${m0}×${m1}, but the image has ${bands} bands`);
  const p = mTransposed ? m0 : m1;
  const endmembers = createMatrix(bands, p);
  for (let b = 0; b < bands; b++) {
    for (let k = 0; k < p; k++) endmembers.data[b * p + k] = m.data[mTransposed ? k + p * b : b + bands * k]!;
  }
  const a = byName.get('A');
  if (!a || cube.rows === undefined || cube.cols === undefined) return { endmembers };
  const { rows, cols } = cube;
  const pixels = rows * cols;
  if (a.dims.length !== 2) fail(`ground truth 'A' is ${a.dims.join('×')}, expected endmembers × pixels`);
  const [a0, a1] = a.dims as [number, number];
  const aTransposed = !(a0 === p && a1 === pixels) && a0 === pixels && a1 === p;
  if (!aTransposed && !(a0 === p && a1 === pixels)) fail(`ground truth 'A' is ${a0}×${a1}, expected ${p} endmembers × ${pixels} pixels`);
  const abundances = createMatrix(p, pixels);
  for (let k = 0; k < p; k++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const q = r + c * rows; // MATLAB's pixel index
        abundances.data[k * pixels + r * cols + c] = a.data[aTransposed ? q + pixels * k : k + p * q]!;
      }
    }
  }
  return { endmembers, abundances };
}
