// NMF kernels in AssemblyScript, compiled to WebAssembly with 128-bit SIMD (f32x4).
//
// Conventions (see app/nmf/kernels/nmf-kernels.ts for the contract):
// - every matrix is float32, row-major, addressed by a byte pointer into the one (shared) memory;
// - every kernel takes a range [lo, hi) of the dimension the worker pool splits (rows or columns of
//   the output), so that each output entry is computed by one thread in one order: results do not
//   depend on the number of threads;
// - the split range and the thread's scratch pointer are always the last three parameters (the pool
//   appends them to a call's arguments);
// - no allocation: the module has no heap (runtime "stub", never called). Scratch space is passed in.
//
// Register blocking: the JIT has 16 vector registers on x64 (and 32 on arm64), so the inner loops
// keep at most 8 accumulators live; wider blocks spill and lose.

// @ts-nocheck — AssemblyScript types (f32, usize, v128) are not TypeScript's; asc checks this file.

const EPSILON: f32 = 1.1920928955078125e-7;

// ---------------------------------------------------------------------------------------------
// out (p×n) = Aᵀ B, A m×p, B m×n; columns [j0, j1) of out.
// Blocks of 4 rows of out × 8 columns: per row i of B, 2 vector loads and 4 splats feed 8
// multiply-adds; the 8 accumulators stay in registers for the whole sum over i.
export function matmul_tn(a: usize, b: usize, out: usize, m: i32, p: i32, n: i32, j0: i32, j1: i32): void {
  const strideA = <usize>p << 2;
  const strideB = <usize>n << 2;
  let j = j0;
  for (; j + 8 <= j1; j += 8) {
    let k = 0;
    for (; k + 4 <= p; k += 4) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let pa = a + (<usize>k << 2);
      let pb = b + (<usize>j << 2);
      for (let i = 0; i < m; i++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = v128.load32_splat(pa);
        const a1 = v128.load32_splat(pa, 4);
        const a2 = v128.load32_splat(pa, 8);
        const a3 = v128.load32_splat(pa, 12);
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        pa += strideA;
        pb += strideB;
      }
      const po = out + ((<usize>k * <usize>n + <usize>j) << 2);
      v128.store(po, c00);
      v128.store(po, c01, 16);
      v128.store(po + strideB, c10);
      v128.store(po + strideB, c11, 16);
      v128.store(po + 2 * strideB, c20);
      v128.store(po + 2 * strideB, c21, 16);
      v128.store(po + 3 * strideB, c30);
      v128.store(po + 3 * strideB, c31, 16);
    }
    for (; k < p; k++) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let pa = a + (<usize>k << 2);
      let pb = b + (<usize>j << 2);
      for (let i = 0; i < m; i++) {
        const a0 = v128.load32_splat(pa);
        c0 = f32x4.add(c0, f32x4.mul(a0, v128.load(pb)));
        c1 = f32x4.add(c1, f32x4.mul(a0, v128.load(pb, 16)));
        pa += strideA;
        pb += strideB;
      }
      const po = out + ((<usize>k * <usize>n + <usize>j) << 2);
      v128.store(po, c0);
      v128.store(po, c1, 16);
    }
  }
  // Remaining columns, one at a time.
  for (; j < j1; j++) {
    for (let k = 0; k < p; k++) {
      let s: f32 = 0;
      let pa = a + (<usize>k << 2);
      let pb = b + (<usize>j << 2);
      for (let i = 0; i < m; i++) {
        s += load<f32>(pa) * load<f32>(pb);
        pa += strideA;
        pb += strideB;
      }
      store<f32>(out + ((<usize>k * <usize>n + <usize>j) << 2), s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Dot product of two float32 rows of length n (4 independent lane sums, then the tail).
@inline function dot(x: usize, y: usize, n: i32): f32 {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    c0 = f32x4.add(c0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    c1 = f32x4.add(c1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  let s = hsum(f32x4.add(c0, c1));
  for (; j < n; j++) s += load<f32>(x + (<usize>j << 2)) * load<f32>(y + (<usize>j << 2));
  return s;
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// out (m×p) = A Bᵀ, A m×n, B p×n; rows [i0, i1) of out.
// Blocks of 2 rows of A × 4 rows of B: per 4 columns, 6 loads feed 8 multiply-adds.
export function matmul_nt(a: usize, b: usize, out: usize, m: i32, n: i32, p: i32, i0: i32, i1: i32): void {
  const stride = <usize>n << 2;
  const n4 = n & ~3;
  let i = i0;
  for (; i + 2 <= i1; i += 2) {
    const a0 = a + <usize>i * stride;
    const a1 = a0 + stride;
    let k = 0;
    for (; k + 4 <= p; k += 4) {
      const b0 = b + <usize>k * stride;
      const b1 = b0 + stride;
      const b2 = b1 + stride;
      const b3 = b2 + stride;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
      for (let j = 0; j < n4; j += 4) {
        const o = <usize>j << 2;
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        const y0 = v128.load(b0 + o);
        const y1 = v128.load(b1 + o);
        const y2 = v128.load(b2 + o);
        const y3 = v128.load(b3 + o);
        c00 = f32x4.add(c00, f32x4.mul(x0, y0));
        c01 = f32x4.add(c01, f32x4.mul(x0, y1));
        c02 = f32x4.add(c02, f32x4.mul(x0, y2));
        c03 = f32x4.add(c03, f32x4.mul(x0, y3));
        c10 = f32x4.add(c10, f32x4.mul(x1, y0));
        c11 = f32x4.add(c11, f32x4.mul(x1, y1));
        c12 = f32x4.add(c12, f32x4.mul(x1, y2));
        c13 = f32x4.add(c13, f32x4.mul(x1, y3));
      }
      let s00 = hsum(c00), s01 = hsum(c01), s02 = hsum(c02), s03 = hsum(c03);
      let s10 = hsum(c10), s11 = hsum(c11), s12 = hsum(c12), s13 = hsum(c13);
      for (let j = n4; j < n; j++) {
        const o = <usize>j << 2;
        const x0 = load<f32>(a0 + o);
        const x1 = load<f32>(a1 + o);
        s00 += x0 * load<f32>(b0 + o); s01 += x0 * load<f32>(b1 + o);
        s02 += x0 * load<f32>(b2 + o); s03 += x0 * load<f32>(b3 + o);
        s10 += x1 * load<f32>(b0 + o); s11 += x1 * load<f32>(b1 + o);
        s12 += x1 * load<f32>(b2 + o); s13 += x1 * load<f32>(b3 + o);
      }
      const po = out + ((<usize>i * <usize>p + <usize>k) << 2);
      const pstride = <usize>p << 2;
      store<f32>(po, s00); store<f32>(po, s01, 4); store<f32>(po, s02, 8); store<f32>(po, s03, 12);
      store<f32>(po + pstride, s10); store<f32>(po + pstride, s11, 4);
      store<f32>(po + pstride, s12, 8); store<f32>(po + pstride, s13, 12);
    }
    for (; k < p; k++) {
      const bk = b + <usize>k * stride;
      store<f32>(out + ((<usize>i * <usize>p + <usize>k) << 2), dot(a0, bk, n));
      store<f32>(out + ((<usize>(i + 1) * <usize>p + <usize>k) << 2), dot(a1, bk, n));
    }
  }
  for (; i < i1; i++) {
    for (let k = 0; k < p; k++) {
      store<f32>(out + ((<usize>i * <usize>p + <usize>k) << 2), dot(a + <usize>i * stride, b + <usize>k * stride, n));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// out (p×n) = A B, A p×q, B q×n; rows [i0, i1) of out. Each output row is Σ_k A[i,k]·B[k,:],
// 4 terms at a time (4 splats, 4 row loads, one load-store of the output per 4 columns).
export function matmul_nn(a: usize, b: usize, out: usize, p: i32, q: i32, n: i32, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i++) {
    combineRows(a + ((<usize>i * <usize>q) << 2), b, out + ((<usize>i * <usize>n) << 2), q, n, 0, n);
  }
}

// row[j0..j1) = Σ_k c[k]·B[k, j0..j1), B with n columns: a row of W·H (c a row of W, B = H).
@inline function combineRows(c: usize, b: usize, row: usize, q: i32, n: i32, j0: i32, j1: i32): void {
  const stride = <usize>n << 2;
  const span = j1 - j0;
  const span4 = span & ~3;
  const base = b + (<usize>j0 << 2);
  const rowBase = row + (<usize>j0 << 2);
  // First term initialises, so the row need not be zeroed.
  let k = 0;
  for (; k + 4 <= q; k += 4) {
    const w0 = v128.load32_splat(c + (<usize>k << 2));
    const w1 = v128.load32_splat(c + (<usize>k << 2), 4);
    const w2 = v128.load32_splat(c + (<usize>k << 2), 8);
    const w3 = v128.load32_splat(c + (<usize>k << 2), 12);
    const h0 = base + <usize>k * stride;
    const h1 = h0 + stride;
    const h2 = h1 + stride;
    const h3 = h2 + stride;
    const first = k == 0;
    for (let j = 0; j < span4; j += 4) {
      const o = <usize>j << 2;
      let acc = f32x4.add(
        f32x4.add(f32x4.mul(w0, v128.load(h0 + o)), f32x4.mul(w1, v128.load(h1 + o))),
        f32x4.add(f32x4.mul(w2, v128.load(h2 + o)), f32x4.mul(w3, v128.load(h3 + o))),
      );
      if (!first) acc = f32x4.add(acc, v128.load(rowBase + o));
      v128.store(rowBase + o, acc);
    }
    for (let j = span4; j < span; j++) {
      const o = <usize>j << 2;
      // Same association as the vector lanes, so a column's value does not depend on whether a
      // thread's range put it in the vector part or the tail.
      let s = (f32x4.extract_lane(w0, 0) * load<f32>(h0 + o) + f32x4.extract_lane(w1, 0) * load<f32>(h1 + o))
        + (f32x4.extract_lane(w2, 0) * load<f32>(h2 + o) + f32x4.extract_lane(w3, 0) * load<f32>(h3 + o));
      if (!first) s += load<f32>(rowBase + o);
      store<f32>(rowBase + o, s);
    }
  }
  for (; k < q; k++) {
    const w0 = v128.load32_splat(c + (<usize>k << 2));
    const h0 = base + <usize>k * stride;
    const first = k == 0;
    for (let j = 0; j < span4; j += 4) {
      const o = <usize>j << 2;
      let acc = f32x4.mul(w0, v128.load(h0 + o));
      if (!first) acc = f32x4.add(acc, v128.load(rowBase + o));
      v128.store(rowBase + o, acc);
    }
    for (let j = span4; j < span; j++) {
      const o = <usize>j << 2;
      let s = f32x4.extract_lane(w0, 0) * load<f32>(h0 + o);
      if (!first) s += load<f32>(rowBase + o);
      store<f32>(rowBase + o, s);
    }
  }
  if (q == 0) memory.fill(rowBase, 0, <usize>span << 2);
}

// ---------------------------------------------------------------------------------------------
// Natural logarithm of 4 positive normal floats (Cephes logf: frexp, then a degree-8 polynomial
// on [√½ − 1, √2 − 1]; about 1 ulp). WebAssembly has no vector log.
@inline function logf4(x: v128): v128 {
  const bits = x;
  // exponent e and mantissa in [0.5, 1): x = mant·2^e
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  let mant = v128.or(v128.and(bits, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  // if mant < √½: e -= 1, x = 2·mant − 1, else x = mant − 1
  const small = f32x4.lt(mant, f32x4.splat(0.707106781186547524));
  e = i32x4.add(e, small); // small lanes are all-ones = −1
  const one = f32x4.splat(1);
  const xm = f32x4.sub(f32x4.add(mant, v128.and(mant, small)), one);
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(xm, xm);
  let y = f32x4.splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, xm), f32x4.splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, xm), f32x4.splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, xm), f32x4.splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, xm), f32x4.splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, xm), f32x4.splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, xm), f32x4.splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, xm), f32x4.splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, xm), f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, xm), z);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  return f32x4.add(f32x4.add(xm, y), f32x4.mul(fe, f32x4.splat(0.693359375)));
}

// Ratio row: q[j] = V[j] / max'(wh[j]) in place of wh, where a WH of 0 reads as EPSILON (as
// scikit-learn). Returns Σ V log(V/WH) − V + WH over the row (only V > ε in the logarithm) when
// withDivergence, accumulated per lane in float32 and returned in float64.
@inline function ratioRow(v: usize, wh: usize, n: i32, withDivergence: bool): f64 {
  const n4 = n & ~3;
  const eps = f32x4.splat(EPSILON);
  const zero = f32x4.splat(0);
  let d = f32x4.splat(0);
  for (let j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    const x = v128.load(v + o);
    let y = v128.load(wh + o);
    y = v128.bitselect(eps, y, f32x4.eq(y, zero));
    const q = f32x4.div(x, y);
    v128.store(wh + o, q);
    if (withDivergence) {
      const big = f32x4.gt(x, eps);
      // V > ε: V·log(q) − V + WH; otherwise WH (the V log V limit is 0, and V ≤ ε is taken as 0).
      const safeQ = v128.bitselect(q, f32x4.splat(1), big);
      const term = f32x4.add(f32x4.sub(f32x4.mul(x, logf4(safeQ)), v128.and(x, big)), y);
      d = f32x4.add(d, term);
    }
  }
  let total: f64 = withDivergence ? <f64>hsum(d) : 0;
  for (let j = n4; j < n; j++) {
    const o = <usize>j << 2;
    const x = load<f32>(v + o);
    let y = load<f32>(wh + o);
    if (y == 0) y = EPSILON;
    const q = x / y;
    store<f32>(wh + o, q);
    if (withDivergence) total += x > EPSILON ? <f64>x * Math.log(<f64>q) - <f64>x + <f64>y : <f64>y;
  }
  return total;
}

// The W half of a KL multiplicative update over rows [i0, i1): for each row, WH's row (scratch,
// n floats), the ratio V/WH in place, then numW[i,k] = Σ_j ratio[j]·H[k,j] for rows below `rows`
// (rows at or above it are frozen: only their divergence is wanted). Returns the divergence of
// rows [i0, i1) when withDivergence.
export function kl_num_w(v: usize, w: usize, h: usize, numW: usize, m: i32, n: i32, r: i32, rows: i32,
  withDivergence: bool, rowSums: usize, i0: i32, i1: i32, scratch: usize): f64 {
  let total: f64 = 0;
  const rowBytes = <usize>n << 2;
  for (let i = i0; i < i1; i++) {
    if (i >= rows && !withDivergence) break;
    const vi = v + <usize>i * rowBytes;
    combineRows(w + ((<usize>i * <usize>r) << 2), h, scratch, r, n, 0, n);
    const d = ratioRow(vi, scratch, n, withDivergence);
    if (withDivergence) store<f64>(rowSums + (<usize>i << 3), d);
    total += d;
    if (i >= rows) continue;
    const po = numW + ((<usize>i * <usize>r) << 2);
    let k = 0;
    for (; k + 4 <= r; k += 4) {
      const h0 = h + <usize>k * rowBytes;
      dot4(scratch, h0, rowBytes, n, po + (<usize>k << 2));
    }
    for (; k < r; k++) store<f32>(po + (<usize>k << 2), dot(scratch, h + <usize>k * rowBytes, n));
  }
  return total;
}

// out[0..4) = dot(x, y_t) for the 4 rows y_t = y0 + t·stride.
@inline function dot4(x: usize, y0: usize, stride: usize, n: i32, out: usize): void {
  const y1 = y0 + stride;
  const y2 = y1 + stride;
  const y3 = y2 + stride;
  const n4 = n & ~3;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    const q = v128.load(x + o);
    c0 = f32x4.add(c0, f32x4.mul(q, v128.load(y0 + o)));
    c1 = f32x4.add(c1, f32x4.mul(q, v128.load(y1 + o)));
    c2 = f32x4.add(c2, f32x4.mul(q, v128.load(y2 + o)));
    c3 = f32x4.add(c3, f32x4.mul(q, v128.load(y3 + o)));
  }
  let s0 = hsum(c0), s1 = hsum(c1), s2 = hsum(c2), s3 = hsum(c3);
  for (let j = n4; j < n; j++) {
    const o = <usize>j << 2;
    const q = load<f32>(x + o);
    s0 += q * load<f32>(y0 + o);
    s1 += q * load<f32>(y1 + o);
    s2 += q * load<f32>(y2 + o);
    s3 += q * load<f32>(y3 + o);
  }
  store<f32>(out, s0);
  store<f32>(out, s1, 4);
  store<f32>(out, s2, 8);
  store<f32>(out, s3, 12);
}

// The H half over columns [j0, j1): numH[:, j0..j1) = Wᵀ (V ⊘ WH)[:, j0..j1), column block by
// column block so that the block's rows of H, numH and the scratch ratio stay in L1 while every
// row of V streams through once. scratch holds BLOCK floats.
const BLOCK: i32 = 512;
export function kl_num_h(v: usize, w: usize, h: usize, numH: usize, m: i32, n: i32, r: i32,
  j0: i32, j1: i32, scratch: usize): void {
  const rowBytes = <usize>n << 2;
  for (let jb = j0; jb < j1; jb += BLOCK) {
    const je = min(jb + BLOCK, j1);
    const span = je - jb;
    const span4 = span & ~3;
    const colOff = <usize>jb << 2;
    for (let k = 0; k < r; k++) memory.fill(numH + <usize>k * rowBytes + colOff, 0, <usize>span << 2);
    for (let i = 0; i < m; i++) {
      const wi = w + ((<usize>i * <usize>r) << 2);
      // scratch[0..span) = WH[i, jb..je), then the ratio.
      combineRows(wi, h, scratch - colOff, r, n, jb, je);
      ratioRow(v + <usize>i * rowBytes + colOff, scratch, span, false);
      // numH[k, block] += W[i,k]·ratio, 4 components at a time.
      let k = 0;
      for (; k + 4 <= r; k += 4) {
        const w0 = v128.load32_splat(wi + (<usize>k << 2));
        const w1 = v128.load32_splat(wi + (<usize>k << 2), 4);
        const w2 = v128.load32_splat(wi + (<usize>k << 2), 8);
        const w3 = v128.load32_splat(wi + (<usize>k << 2), 12);
        const n0 = numH + <usize>k * rowBytes + colOff;
        const n1 = n0 + rowBytes;
        const n2 = n1 + rowBytes;
        const n3 = n2 + rowBytes;
        for (let j = 0; j < span4; j += 4) {
          const o = <usize>j << 2;
          const q = v128.load(scratch + o);
          v128.store(n0 + o, f32x4.add(v128.load(n0 + o), f32x4.mul(w0, q)));
          v128.store(n1 + o, f32x4.add(v128.load(n1 + o), f32x4.mul(w1, q)));
          v128.store(n2 + o, f32x4.add(v128.load(n2 + o), f32x4.mul(w2, q)));
          v128.store(n3 + o, f32x4.add(v128.load(n3 + o), f32x4.mul(w3, q)));
        }
        for (let j = span4; j < span; j++) {
          const o = <usize>j << 2;
          const q = load<f32>(scratch + o);
          store<f32>(n0 + o, load<f32>(n0 + o) + f32x4.extract_lane(w0, 0) * q);
          store<f32>(n1 + o, load<f32>(n1 + o) + f32x4.extract_lane(w1, 0) * q);
          store<f32>(n2 + o, load<f32>(n2 + o) + f32x4.extract_lane(w2, 0) * q);
          store<f32>(n3 + o, load<f32>(n3 + o) + f32x4.extract_lane(w3, 0) * q);
        }
      }
      for (; k < r; k++) {
        const wk = load<f32>(wi + (<usize>k << 2));
        const w0 = f32x4.splat(wk);
        const n0 = numH + <usize>k * rowBytes + colOff;
        for (let j = 0; j < span4; j += 4) {
          const o = <usize>j << 2;
          v128.store(n0 + o, f32x4.add(v128.load(n0 + o), f32x4.mul(w0, v128.load(scratch + o))));
        }
        for (let j = span4; j < span; j++) {
          const o = <usize>j << 2;
          store<f32>(n0 + o, load<f32>(n0 + o) + wk * load<f32>(scratch + o));
        }
      }
    }
  }
}

// ½‖V − WH‖² over rows [i0, i1), one row of WH at a time in scratch (n floats); per-row sums in
// float32 lanes, each row's stored in float64 at rowSums[i] (the caller adds them in row order, so
// the total does not depend on how rows were split across threads).
export function frobenius_loss(v: usize, w: usize, h: usize, m: i32, n: i32, r: i32, rowSums: usize, i0: i32, i1: i32, scratch: usize): f64 {
  let total: f64 = 0;
  const rowBytes = <usize>n << 2;
  const n4 = n & ~3;
  for (let i = i0; i < i1; i++) {
    combineRows(w + ((<usize>i * <usize>r) << 2), h, scratch, r, n, 0, n);
    const vi = v + <usize>i * rowBytes;
    let c = f32x4.splat(0);
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      const d = f32x4.sub(v128.load(vi + o), v128.load(scratch + o));
      c = f32x4.add(c, f32x4.mul(d, d));
    }
    let s = <f64>hsum(c);
    for (let j = n4; j < n; j++) {
      const o = <usize>j << 2;
      const d = <f64>load<f32>(vi + o) - <f64>load<f32>(scratch + o);
      s += d * d;
    }
    store<f64>(rowSums + (<usize>i << 3), s);
    total += s;
  }
  return 0.5 * total;
}
