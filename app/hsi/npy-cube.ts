/**
 * A hyperspectral cube from a NumPy .npy file (format in app/io/npy.ts): a 3-D array whose axes
 * are (rows, cols, bands) by default, the convention of numpy and Spectral Python (spectral's
 * `open_image(...).load()` and `envi.save_image` use rows × cols × bands).
 *
 * The rule for other axis orders, since the shape alone cannot tell (95 × 95 × 156 and
 * 156 × 95 × 95 are both plausible cubes): the axis order is given by the caller, or by the file
 * name, with ENVI's interleave names for the C-order memory layouts they denote:
 *   `name.bip.npy` (or no hint)  → (rows, cols, bands)   band-interleaved by pixel
 *   `name.bil.npy`               → (rows, bands, cols)   band-interleaved by line
 *   `name.bsq.npy`               → (bands, rows, cols)   band-sequential ("bands first", as
 *                                                          rasterio and PyTorch write images)
 * Fortran-order files are read with the same axis meaning (numpy's shape is what counts).
 */
import { readNpyArray } from '../io/npy.js';
import type { Cube } from './cube.js';

/** Axis order of a .npy cube, named after the ENVI interleave with the same C-order layout. */
export type NpyAxisOrder = 'bip' | 'bil' | 'bsq';

export interface ReadNpyCubeOptions {
  /** Default: from the file name (see the module comment), else 'bip'. */
  axes?: NpyAxisOrder;
}

/** The axis order a file name asks for: `.bsq.npy`, `.bil.npy`, `.bip.npy`; null when it says nothing. */
export function npyAxisOrderFromName(fileName: string): NpyAxisOrder | null {
  const match = /\.(bsq|bil|bip)\.npy$/i.exec(fileName);
  return match ? (match[1]!.toLowerCase() as NpyAxisOrder) : null;
}

export function readNpyCube(bytes: Uint8Array, fileName: string, options: ReadNpyCubeOptions = {}): Cube {
  const array = readNpyArray(bytes, fileName);
  const shape = array.shape;
  if (shape.length !== 3) {
    throw new Error(
      `${fileName}: a cube needs a 3-D array (rows, cols, bands), this one has shape (${shape.join(', ')})${shape.length === 2 ? ' (a 2-D array is a matrix: use factorize)' : ''}`,
    );
  }
  const axes = options.axes ?? npyAxisOrderFromName(fileName) ?? 'bip';
  // Which array axis holds rows, cols and bands.
  const [rowAxis, colAxis, bandAxis] = axes === 'bip' ? [0, 1, 2] : axes === 'bil' ? [0, 2, 1] : [1, 2, 0];
  const rows = shape[rowAxis]!;
  const cols = shape[colAxis]!;
  const bands = shape[bandAxis]!;
  if (rows < 1 || cols < 1 || bands < 1) throw new Error(`${fileName}: the cube is empty, shape (${shape.join(', ')})`);
  // Element strides of the stored order: C (last axis fastest) or Fortran (first axis fastest).
  const strides = array.fortranOrder ? [1, shape[0]!, shape[0]! * shape[1]!] : [shape[1]! * shape[2]!, shape[2]!, 1];
  const pixels = rows * cols;
  const src = array.data;
  let data: Float32Array;
  if (strides[bandAxis] === pixels && strides[rowAxis] === cols && strides[colAxis] === 1) {
    data = src; // already band-sequential with row-major pixels
  } else {
    // Walk the source in storage order (sequential reads are what makes a 280 MB cube fast) and
    // scatter into the Cube layout: destination stride of each array axis.
    const dst = [0, 0, 0];
    dst[rowAxis] = cols;
    dst[colAxis] = 1;
    dst[bandAxis] = pixels;
    // Axes from slowest to fastest in storage.
    const [slow, mid, fast] = array.fortranOrder ? [2, 1, 0] : [0, 1, 2];
    const [n0, n1, n2] = [shape[slow]!, shape[mid]!, shape[fast]!];
    const [d0, d1, d2] = [dst[slow]!, dst[mid]!, dst[fast]!];
    data = new Float32Array(src.length);
    let i = 0;
    for (let a = 0; a < n0; a++) {
      for (let b = 0; b < n1; b++) {
        const base = a * d0 + b * d1;
        for (let c = 0; c < n2; c++) data[base + c * d2] = src[i++]!;
      }
    }
  }
  return { rows, cols, bands, data, wavelengths: null, wavelengthUnits: null, bandNames: null, noData: null, geo: null, format: 'npy' };
}
