/**
 * Dense float32 matrices, row-major: entry (i, j) lives at data[i * cols + j].
 * float32 halves memory and bandwidth against float64 (a 1025×25000 spectrogram is ~100 MB);
 * reductions accumulate in float64 locals where precision matters.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

export function createMatrix(rows: number, cols: number, data?: Float32Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`invalid matrix shape ${rows}×${cols}`);
  }
  const buffer = data ?? new Float32Array(rows * cols);
  if (buffer.length !== rows * cols) {
    throw new RangeError(`matrix data has ${buffer.length} entries, expected ${rows}×${cols} = ${rows * cols}`);
  }
  return { rows, cols, data: buffer };
}

export function matrixFromRows(rows: readonly (readonly number[])[]): Matrix {
  const m = rows.length;
  const n = m === 0 ? 0 : rows[0]!.length;
  const out = createMatrix(m, n);
  rows.forEach((row, i) => {
    if (row.length !== n) throw new RangeError(`row ${i} has ${row.length} entries, expected ${n}`);
    out.data.set(row, i * n);
  });
  return out;
}

export function cloneMatrix(a: Matrix): Matrix {
  return createMatrix(a.rows, a.cols, a.data.slice());
}

/** C = A·B, accumulated in float64 per entry. */
export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  const c = createMatrix(a.rows, b.cols);
  const n = b.cols;
  const row = new Float64Array(n);
  for (let i = 0; i < a.rows; i++) {
    row.fill(0);
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!;
      if (aik === 0) continue;
      const off = k * n;
      for (let j = 0; j < n; j++) row[j]! += aik * b.data[off + j]!;
    }
    c.data.set(row, i * n);
  }
  return c;
}

export function transpose(a: Matrix): Matrix {
  const t = createMatrix(a.cols, a.rows);
  transposeInto(a, t);
  return t;
}

/** out = Aᵀ, into a given matrix (e.g. one in the kernels' memory). */
export function transposeInto(a: Matrix, out: Matrix): void {
  if (out.rows !== a.cols || out.cols !== a.rows) throw new RangeError(`transpose: ${a.rows}×${a.cols} into ${out.rows}×${out.cols}`);
  const m = a.rows;
  const n = a.cols;
  const src = a.data;
  const dst = out.data;
  for (let i = 0; i < m; i++) {
    const off = i * n;
    for (let j = 0; j < n; j++) dst[j * m + i] = src[off + j]!;
  }
}
