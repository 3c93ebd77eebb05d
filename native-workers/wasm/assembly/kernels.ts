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
// keep at most 8 accumulators live; wider blocks spill and lose. (Measured with V8 on x64: 6×8 and
// 4×12 blocks of WᵀV, 3×4 and 4×4 blocks of VHᵀ, and unrolling either inner loop by two all spill
// and run 10–40% slower than the blocks below; blocking VHᵀ over columns for the caches gains
// nothing.) The streaming loops advance one pointer per stream instead of adding one offset to
// several bases: V8 then emits the loads with no address arithmetic, and binaryen cannot sink a
// loop-invariant base into the loop (which made some variants recompute a row address with a
// multiplication every iteration): VHᵀ 8–20%, W·H 30–40% and the fused KL passes 5–15% faster.
//
// Two modules are built from this file (scripts/build-wasm.mjs): plain 128-bit SIMD, and the same
// with relaxed SIMD (https://github.com/WebAssembly/relaxed-simd), where ASC_FEATURE_RELAXED_SIMD
// is true and every multiply-add below is f32x4.relaxed_madd: one fused multiply-add instruction
// where the CPU has one (FMA3 on x64, every arm64), half the instructions of mul + add. The two
// modules' results differ by that rounding; within one module every output entry is still
// computed by one thread in one order, whatever the split (scalar tails use the same fused
// operation as the vector lanes, see madd1).

// @ts-nocheck — AssemblyScript types (f32, usize, v128) are not TypeScript's; asc checks this file.

const EPSILON: f32 = 1.1920928955078125e-7;

// c + a·b on 4 lanes: fused (rounded once) in the relaxed-SIMD module, else a product then a sum.
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// The same on one float, with the same instruction as the lanes (so a column in a scalar tail gets
// the bits it would get in a vector lane).
@inline function madd1(a: f32, b: f32, c: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  return c + a * b;
}

// ---------------------------------------------------------------------------------------------
// out (p×n) = Aᵀ B, A m×p, B m×n; columns [j0, j1) of out.
// Blocks of 4 rows of out × 8 columns: per row i of B, 2 vector loads and 4 splats feed 8
// multiply-adds; the 8 accumulators stay in registers for the sum over a block of TN_ROWS rows
// of A and B, then go through `out` (stored, and reloaded for the next block of rows: the same
// sums in the same order, so the result does not depend on the blocking). Blocking the rows keeps
// the TN_ROWS × TN_COLS block of B that the p/4 passes over a column stripe read in L2 and in the
// TLB (B's rows are n·4 bytes apart): on Zen 2, 22–25% faster at r = 32, the same at r ≤ 16.
const TN_ROWS: i32 = 128;
const TN_COLS: i32 = 128;

export function matmul_tn(a: usize, b: usize, out: usize, m: i32, p: i32, n: i32, j0: i32, j1: i32): void {
  const strideA = <usize>p << 2;
  const strideB = <usize>n << 2;
  // Columns [j0, jv) in blocks of 8, then [jv, j1) one at a time.
  const jv = j0 + ((j1 - j0) & ~7);
  if (m <= 0) {
    for (let k = 0; k < p; k++) memory.fill(out + ((<usize>k * <usize>n + <usize>j0) << 2), 0, <usize>(jv - j0) << 2);
  }
  for (let js = j0; js < jv; js += TN_COLS) {
    const je = min(js + TN_COLS, jv);
    for (let ib = 0; ib < m; ib += TN_ROWS) {
      const ie = min(ib + TN_ROWS, m);
      const first = ib == 0;
      let k = 0;
      for (; k + 4 <= p; k += 4) {
        for (let j = js; j < je; j += 8) tnBlock4x8(a, b, out, strideA, strideB, n, k, j, ib, ie, first);
      }
      for (; k < p; k++) {
        for (let j = js; j < je; j += 8) tnBlock1x8(a, b, out, strideA, strideB, n, k, j, ib, ie, first);
      }
    }
  }
  // Remaining columns, one at a time.
  for (let j = jv; j < j1; j++) {
    for (let k = 0; k < p; k++) {
      let s: f32 = 0;
      let pa = a + (<usize>k << 2);
      let pb = b + (<usize>j << 2);
      for (let i = 0; i < m; i++) {
        s = madd1(load<f32>(pa), load<f32>(pb), s);
        pa += strideA;
        pb += strideB;
      }
      store<f32>(out + ((<usize>k * <usize>n + <usize>j) << 2), s);
    }
  }
}

// out[k..k+4, j..j+8) (+)= Σ_{i ∈ [i0, i1)} A[i, k..k+4]ᵀ B[i, j..j+8): starts from 0 when first, else
// from what out holds.
@inline function tnBlock4x8(a: usize, b: usize, out: usize, strideA: usize, strideB: usize, n: i32, k: i32, j: i32, i0: i32, i1: i32, first: bool): void {
  const po = out + ((<usize>k * <usize>n + <usize>j) << 2);
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (!first) {
    c00 = v128.load(po);
    c01 = v128.load(po, 16);
    c10 = v128.load(po + strideB);
    c11 = v128.load(po + strideB, 16);
    c20 = v128.load(po + 2 * strideB);
    c21 = v128.load(po + 2 * strideB, 16);
    c30 = v128.load(po + 3 * strideB);
    c31 = v128.load(po + 3 * strideB, 16);
  }
  let pa = a + <usize>i0 * strideA + (<usize>k << 2);
  let pb = b + <usize>i0 * strideB + (<usize>j << 2);
  for (let i = i0; i < i1; i++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa, 4);
    const a2 = v128.load32_splat(pa, 8);
    const a3 = v128.load32_splat(pa, 12);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    pa += strideA;
    pb += strideB;
  }
  v128.store(po, c00);
  v128.store(po, c01, 16);
  v128.store(po + strideB, c10);
  v128.store(po + strideB, c11, 16);
  v128.store(po + 2 * strideB, c20);
  v128.store(po + 2 * strideB, c21, 16);
  v128.store(po + 3 * strideB, c30);
  v128.store(po + 3 * strideB, c31, 16);
}

// The same for one row k of out (the p mod 4 remainder).
@inline function tnBlock1x8(a: usize, b: usize, out: usize, strideA: usize, strideB: usize, n: i32, k: i32, j: i32, i0: i32, i1: i32, first: bool): void {
  const po = out + ((<usize>k * <usize>n + <usize>j) << 2);
  let c0 = f32x4.splat(0), c1 = c0;
  if (!first) {
    c0 = v128.load(po);
    c1 = v128.load(po, 16);
  }
  let pa = a + <usize>i0 * strideA + (<usize>k << 2);
  let pb = b + <usize>i0 * strideB + (<usize>j << 2);
  for (let i = i0; i < i1; i++) {
    const a0 = v128.load32_splat(pa);
    c0 = madd(a0, v128.load(pb), c0);
    c1 = madd(a0, v128.load(pb, 16), c1);
    pa += strideA;
    pb += strideB;
  }
  v128.store(po, c0);
  v128.store(po, c1, 16);
}

// ---------------------------------------------------------------------------------------------
// Dot product of two float32 rows of length n (4 independent lane sums, then the tail).
@inline function dot(x: usize, y: usize, n: i32): f32 {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    c0 = madd(v128.load(x + o), v128.load(y + o), c0);
    c1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), c1);
  }
  let s = hsum(f32x4.add(c0, c1));
  for (; j < n; j++) s = madd1(load<f32>(x + (<usize>j << 2)), load<f32>(y + (<usize>j << 2)), s);
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
      // Running pointers (see the note at the top).
      let p0 = a0, p1 = a1, q0 = b0, q1 = b1, q2 = b2, q3 = b3;
      const end = a0 + (<usize>n4 << 2);
      for (; p0 < end; p0 += 16, p1 += 16, q0 += 16, q1 += 16, q2 += 16, q3 += 16) {
        const x0 = v128.load(p0);
        const x1 = v128.load(p1);
        const y0 = v128.load(q0);
        const y1 = v128.load(q1);
        const y2 = v128.load(q2);
        const y3 = v128.load(q3);
        c00 = madd(x0, y0, c00);
        c01 = madd(x0, y1, c01);
        c02 = madd(x0, y2, c02);
        c03 = madd(x0, y3, c03);
        c10 = madd(x1, y0, c10);
        c11 = madd(x1, y1, c11);
        c12 = madd(x1, y2, c12);
        c13 = madd(x1, y3, c13);
      }
      let s00 = hsum(c00), s01 = hsum(c01), s02 = hsum(c02), s03 = hsum(c03);
      let s10 = hsum(c10), s11 = hsum(c11), s12 = hsum(c12), s13 = hsum(c13);
      for (let j = n4; j < n; j++) {
        const o = <usize>j << 2;
        const x0 = load<f32>(a0 + o);
        const x1 = load<f32>(a1 + o);
        s00 = madd1(x0, load<f32>(b0 + o), s00); s01 = madd1(x0, load<f32>(b1 + o), s01);
        s02 = madd1(x0, load<f32>(b2 + o), s02); s03 = madd1(x0, load<f32>(b3 + o), s03);
        s10 = madd1(x1, load<f32>(b0 + o), s10); s11 = madd1(x1, load<f32>(b1 + o), s11);
        s12 = madd1(x1, load<f32>(b2 + o), s12); s13 = madd1(x1, load<f32>(b3 + o), s13);
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
    if (ASC_FEATURE_RELAXED_SIMD) {
      // A chain of 4 fused multiply-adds onto the row (4 instructions instead of 8).
      let p0 = h0, p1 = h1, p2 = h2, p3 = h3, pr = rowBase;
      const end = rowBase + (<usize>span4 << 2);
      for (; pr < end; pr += 16, p0 += 16, p1 += 16, p2 += 16, p3 += 16) {
        let acc = first ? f32x4.mul(w0, v128.load(p0)) : madd(w0, v128.load(p0), v128.load(pr));
        acc = madd(w1, v128.load(p1), acc);
        acc = madd(w2, v128.load(p2), acc);
        acc = madd(w3, v128.load(p3), acc);
        v128.store(pr, acc);
      }
      for (let j = span4; j < span; j++) {
        const o = <usize>j << 2;
        let s = first ? f32x4.extract_lane(w0, 0) * load<f32>(h0 + o) : madd1(f32x4.extract_lane(w0, 0), load<f32>(h0 + o), load<f32>(rowBase + o));
        s = madd1(f32x4.extract_lane(w1, 0), load<f32>(h1 + o), s);
        s = madd1(f32x4.extract_lane(w2, 0), load<f32>(h2 + o), s);
        s = madd1(f32x4.extract_lane(w3, 0), load<f32>(h3 + o), s);
        store<f32>(rowBase + o, s);
      }
    } else {
      let p0 = h0, p1 = h1, p2 = h2, p3 = h3, pr = rowBase;
      const end = rowBase + (<usize>span4 << 2);
      for (; pr < end; pr += 16, p0 += 16, p1 += 16, p2 += 16, p3 += 16) {
        let acc = f32x4.add(
          f32x4.add(f32x4.mul(w0, v128.load(p0)), f32x4.mul(w1, v128.load(p1))),
          f32x4.add(f32x4.mul(w2, v128.load(p2)), f32x4.mul(w3, v128.load(p3))),
        );
        if (!first) acc = f32x4.add(acc, v128.load(pr));
        v128.store(pr, acc);
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
  }
  for (; k < q; k++) {
    const w0 = v128.load32_splat(c + (<usize>k << 2));
    const h0 = base + <usize>k * stride;
    const first = k == 0;
    for (let j = 0; j < span4; j += 4) {
      const o = <usize>j << 2;
      const acc = first ? f32x4.mul(w0, v128.load(h0 + o)) : madd(w0, v128.load(h0 + o), v128.load(rowBase + o));
      v128.store(rowBase + o, acc);
    }
    for (let j = span4; j < span; j++) {
      const o = <usize>j << 2;
      const w = f32x4.extract_lane(w0, 0);
      const s = first ? w * load<f32>(h0 + o) : madd1(w, load<f32>(h0 + o), load<f32>(rowBase + o));
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
  let px = x, p0 = y0, p1 = y1, p2 = y2, p3 = y3;
  const end = x + (<usize>n4 << 2);
  for (; px < end; px += 16, p0 += 16, p1 += 16, p2 += 16, p3 += 16) {
    const q = v128.load(px);
    c0 = madd(q, v128.load(p0), c0);
    c1 = madd(q, v128.load(p1), c1);
    c2 = madd(q, v128.load(p2), c2);
    c3 = madd(q, v128.load(p3), c3);
  }
  let s0 = hsum(c0), s1 = hsum(c1), s2 = hsum(c2), s3 = hsum(c3);
  for (let j = n4; j < n; j++) {
    const o = <usize>j << 2;
    const q = load<f32>(x + o);
    s0 = madd1(q, load<f32>(y0 + o), s0);
    s1 = madd1(q, load<f32>(y1 + o), s1);
    s2 = madd1(q, load<f32>(y2 + o), s2);
    s3 = madd1(q, load<f32>(y3 + o), s3);
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
        let ps = scratch, p0 = n0, p1 = n1, p2 = n2, p3 = n3;
        const end = scratch + (<usize>span4 << 2);
        for (; ps < end; ps += 16, p0 += 16, p1 += 16, p2 += 16, p3 += 16) {
          const q = v128.load(ps);
          v128.store(p0, madd(w0, q, v128.load(p0)));
          v128.store(p1, madd(w1, q, v128.load(p1)));
          v128.store(p2, madd(w2, q, v128.load(p2)));
          v128.store(p3, madd(w3, q, v128.load(p3)));
        }
        for (let j = span4; j < span; j++) {
          const o = <usize>j << 2;
          const q = load<f32>(scratch + o);
          store<f32>(n0 + o, madd1(f32x4.extract_lane(w0, 0), q, load<f32>(n0 + o)));
          store<f32>(n1 + o, madd1(f32x4.extract_lane(w1, 0), q, load<f32>(n1 + o)));
          store<f32>(n2 + o, madd1(f32x4.extract_lane(w2, 0), q, load<f32>(n2 + o)));
          store<f32>(n3 + o, madd1(f32x4.extract_lane(w3, 0), q, load<f32>(n3 + o)));
        }
      }
      for (; k < r; k++) {
        const wk = load<f32>(wi + (<usize>k << 2));
        const w0 = f32x4.splat(wk);
        const n0 = numH + <usize>k * rowBytes + colOff;
        for (let j = 0; j < span4; j += 4) {
          const o = <usize>j << 2;
          v128.store(n0 + o, madd(w0, v128.load(scratch + o), v128.load(n0 + o)));
        }
        for (let j = span4; j < span; j++) {
          const o = <usize>j << 2;
          store<f32>(n0 + o, madd1(wk, load<f32>(scratch + o), load<f32>(n0 + o)));
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
      c = madd(d, d, c);
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

// ---------------------------------------------------------------------------------------------
// KL coordinate descent: one cyclic sweep over rows [i0, i1) of A (rows × r, in place), B r×cols,
// data rows d (row i at d + i·cols). The method is documented in app/nmf/solvers/cd-kl.ts; this
// follows its TypeScript reference (app/nmf/kernels/cd-kl-sweep-js.ts) step for step, with the row
// of WH in float32 (vector divisions, four at a time) and every sum in float64. Rows are
// independent and each is processed the same way by whichever thread gets it.
// free: i32[nfree] component indices; rescale ≠ 0 on the first iteration.
// scratch: two Newton states (CD_STATE bytes each), r float64 constants, then cols floats of WH.

const CD_S: usize = 0;
const CD_G: usize = 8;
const CD_H: usize = 16;
const CD_PHI: usize = 24;
const CD_SPREV: usize = 32;
const CD_GPREV: usize = 40;
const CD_DF: usize = 48;
const CD_DELTA: usize = 56;
const CD_PHASE: usize = 64;
const CD_STEPS: usize = 72;
const CD_STATE: usize = 128;

const CD_MAX_STEPS: f64 = 2;
const CD_SMALL_STEP: f64 = 0.5;
const PHASE_ACTIVE: f64 = 0;
const PHASE_VERIFY: f64 = 1;
const PHASE_MEASURE: f64 = 2;
const PHASE_DONE: f64 = 3;
const NEED_NOTHING: i32 = 0;
const NEED_DERIVATIVES: i32 = 1;
const NEED_MEASURE: i32 = 2;
// Columns summed in float32 lanes before the sums move to float64 (bounds the rounding).
const CD_CHUNK: i32 = 256;

// The last pass's sums (module globals: each thread has its own instance).
let passPhi: f64 = 0;
let passH: f64 = 0;
let passPhiP: f64 = 0;

@inline function ld(st: usize, field: usize): f64 {
  return load<f64>(st + field);
}
@inline function st64(st: usize, field: usize, x: f64): void {
  store<f64>(st + field, x);
}

export function cd_kl_sweep(d: usize, a: usize, b: usize, free: usize, nfree: i32, cols: i32, r: i32,
  l1: f64, l2: f64, floor: f64, rescale: i32, i0: i32, i1: i32, scratch: usize): void {
  if (nfree == 0) return;
  let cur = scratch;
  let prev = scratch + CD_STATE;
  const consts = scratch + 2 * CD_STATE;
  const wh = consts + ((<usize>r << 3) + 63) & ~(<usize>63);
  const colBytes = <usize>cols << 2;
  // c_t = Σ_j B_tj + l1: the "1" part of f'.
  for (let t = 0; t < r; t++) {
    const bt = b + <usize>t * colBytes;
    let sum: f64 = 0;
    for (let j = 0; j < cols; j++) sum += <f64>load<f32>(bt + (<usize>j << 2));
    store<f64>(consts + (<usize>t << 3), sum + l1);
  }
  const canRescale = rescale != 0 && nfree == r;
  for (let i = i0; i < i1; i++) {
    const vr = d + <usize>i * colBytes;
    const ar = a + ((<usize>i * <usize>r) << 2);
    if (canRescale) cdRescaleRow(vr, cols, ar, r, consts, l2, floor);
    combineRows(ar, b, wh, r, cols, 0, cols);
    // pending: an entry whose last change (pendingDelta) is not yet in wh; verify: that change was
    // downward and its derivative must still be checked.
    let pending = -1;
    let pendingDelta: f64 = 0;
    let verify = false;
    for (let f = 0; f < nfree; f++) {
      const t = load<i32>(free + (<usize>f << 2));
      const bt = b + <usize>t * colBytes;
      const c = load<f64>(consts + (<usize>t << 3));
      if (verify) {
        const p = pending;
        const bp = b + <usize>p * colBytes;
        cdEvaluate(vr, bt, bp, wh, cols, pendingDelta, true);
        st64(prev, CD_G, load<f64>(consts + (<usize>p << 3)) + l2 * ld(prev, CD_S) - passPhiP);
        const delta = cdResolve(prev, vr, cols, bp, wh, l1, l2, floor);
        store<f32>(ar + (<usize>p << 2), <f32>ld(prev, CD_S));
        if (delta != 0) cdEvaluate(vr, bt, bp, wh, cols, delta, false);
      } else {
        const bp = pending >= 0 ? b + <usize>pending * colBytes : bt;
        cdEvaluate(vr, bt, bp, wh, cols, pendingDelta, false);
      }
      pending = -1;
      pendingDelta = 0;
      verify = false;
      const x = cur;
      st64(x, CD_S, <f64>load<f32>(ar + (<usize>t << 2)));
      st64(x, CD_DELTA, 0);
      st64(x, CD_PHASE, PHASE_ACTIVE);
      st64(x, CD_STEPS, 0);
      while (true) {
        st64(x, CD_PHI, passPhi);
        st64(x, CD_G, c + l2 * ld(x, CD_S) - passPhi);
        st64(x, CD_H, l2 + passH);
        let need = cdPlan(x, floor, l2);
        if (need == NEED_MEASURE) {
          st64(x, CD_DF, cdMeasure(x, vr, cols, bt, wh, l1, l2));
          need = cdPlan(x, floor, l2);
        }
        const delta = ld(x, CD_DELTA);
        if (delta == 0) break;
        if (need == NEED_DERIVATIVES && ld(x, CD_STEPS) < CD_MAX_STEPS) {
          // Another step on this entry: apply this one and evaluate at the new point.
          cdEvaluate(vr, bt, bt, wh, cols, delta, false);
          continue;
        }
        // The entry's last change: left to the next pass (checked there if downward).
        pending = t;
        pendingDelta = delta;
        verify = need == NEED_DERIVATIVES;
        break;
      }
      store<f32>(ar + (<usize>t << 2), <f32>ld(x, CD_S));
      if (verify) {
        cur = prev;
        prev = x;
      }
    }
    if (verify) {
      // The row's last entry ended with a downward step: check it (its WH row is then dropped).
      const p = pending;
      const bp = b + <usize>p * colBytes;
      cdPhiPass(vr, bp, wh, cols, pendingDelta);
      st64(prev, CD_G, load<f64>(consts + (<usize>p << 3)) + l2 * ld(prev, CD_S) - passPhiP);
      cdResolve(prev, vr, cols, bp, wh, l1, l2, floor);
      store<f32>(ar + (<usize>p << 2), <f32>ld(prev, CD_S));
    }
  }
}

// Settles an entry whose last step was downward, given g at the new point; returns the change
// still to apply to wh (0 almost always).
function cdResolve(x: usize, vr: usize, cols: i32, bp: usize, wh: usize, l1: f64, l2: f64, floor: f64): f64 {
  if (cdPlan(x, floor, l2) == NEED_MEASURE) {
    st64(x, CD_DF, cdMeasure(x, vr, cols, bp, wh, l1, l2));
    cdPlan(x, floor, l2);
  }
  return ld(x, CD_DELTA);
}

// f(s) − f(sPrev) for the entry's last step (already in wh): the rare overshoot check on f.
function cdMeasure(x: usize, vr: usize, cols: i32, bt: usize, wh: usize, l1: f64, l2: f64): f64 {
  const s = ld(x, CD_S);
  const sPrev = ld(x, CD_SPREV);
  let df = l1 * (s - sPrev) + 0.5 * l2 * (s * s - sPrev * sPrev);
  const eps = <f64>EPSILON;
  for (let j = 0; j < cols; j++) {
    const o = <usize>j << 2;
    const v = <f64>load<f32>(vr + o);
    const now = <f64>load<f32>(wh + o);
    const before = now + (sPrev - s) * <f64>load<f32>(bt + o);
    const y1 = now < eps ? eps : now;
    const y0 = before < eps ? eps : before;
    df += (v > 0 ? v * Math.log(y0 / y1) : 0) + y1 - y0;
  }
  return df;
}

// Multiplies row i of A by the α ≥ 0 minimising the objective along it (see the reference).
function cdRescaleRow(vr: usize, cols: i32, ar: usize, r: i32, consts: usize, l2: f64, floor: f64): void {
  let linear: f64 = 0;
  let squares: f64 = 0;
  let lowest: f64 = 0;
  for (let t = 0; t < r; t++) {
    const x = <f64>load<f32>(ar + (<usize>t << 2));
    linear += x * load<f64>(consts + (<usize>t << 3));
    squares += x * x;
    if (x > 0) lowest = Math.max(lowest, floor / x);
  }
  if (!(linear > 0)) return;
  let total: f64 = 0;
  for (let j = 0; j < cols; j++) total += <f64>load<f32>(vr + (<usize>j << 2));
  const best = (2 * total) / (linear + Math.sqrt(linear * linear + 4 * l2 * squares * total));
  const alpha = Math.max(best, lowest);
  if (best < 1 ? !(alpha < 1 - 1e-3) : !(alpha > 1 + 1e-3 && alpha <= best)) return;
  for (let t = 0; t < r; t++) {
    const o = ar + (<usize>t << 2);
    store<f32>(o, <f32>Math.max(floor, alpha * <f64>load<f32>(o)));
  }
}

// wh += delta·B_p (skipped when delta = 0), then φ = Σ B_t·V/WH and Σ B_t²·V/WH² into passPhi
// and passH, and (withP) φ of entry p into passPhiP, at the new wh.
function cdEvaluate(vr: usize, bt: usize, bp: usize, wh: usize, cols: i32, delta: f64, withP: bool): void {
  const eps = f32x4.splat(EPSILON);
  const dv = f32x4.splat(<f32>delta);
  const df = <f32>delta;
  const cols4 = cols & ~3;
  let g: f64 = 0;
  let h: f64 = 0;
  let gp: f64 = 0;
  for (let j0 = 0; j0 < cols4; j0 += CD_CHUNK) {
    const j1 = min(j0 + CD_CHUNK, cols4);
    let g4 = f32x4.splat(0);
    let h4 = f32x4.splat(0);
    let p4 = f32x4.splat(0);
    if (delta == 0) {
      for (let j = j0; j < j1; j += 4) {
        const o = <usize>j << 2;
        const u = f32x4.div(v128.load(bt + o), f32x4.max(v128.load(wh + o), eps));
        const q = f32x4.mul(u, v128.load(vr + o));
        g4 = f32x4.add(g4, q);
        h4 = madd(u, q, h4);
      }
    } else if (!withP) {
      for (let j = j0; j < j1; j += 4) {
        const o = <usize>j << 2;
        const x = madd(dv, v128.load(bp + o), v128.load(wh + o));
        v128.store(wh + o, x);
        const u = f32x4.div(v128.load(bt + o), f32x4.max(x, eps));
        const q = f32x4.mul(u, v128.load(vr + o));
        g4 = f32x4.add(g4, q);
        h4 = madd(u, q, h4);
      }
    } else {
      for (let j = j0; j < j1; j += 4) {
        const o = <usize>j << 2;
        const bpj = v128.load(bp + o);
        const x = madd(dv, bpj, v128.load(wh + o));
        v128.store(wh + o, x);
        const btj = v128.load(bt + o);
        const inv = f32x4.div(f32x4.splat(1), f32x4.max(x, eps));
        const q = f32x4.mul(v128.load(vr + o), inv);
        g4 = madd(btj, q, g4);
        h4 = madd(f32x4.mul(btj, btj), f32x4.mul(q, inv), h4);
        p4 = madd(bpj, q, p4);
      }
    }
    g += <f64>hsum(g4);
    h += <f64>hsum(h4);
    gp += <f64>hsum(p4);
  }
  for (let j = cols4; j < cols; j++) {
    const o = <usize>j << 2;
    let x = load<f32>(wh + o);
    if (delta != 0) {
      x = madd1(df, load<f32>(bp + o), x);
      store<f32>(wh + o, x);
    }
    const y = x < EPSILON ? EPSILON : x;
    const btj = load<f32>(bt + o);
    const q = load<f32>(vr + o) / y;
    g += <f64>(btj * q);
    h += <f64>(btj * btj * (q / y));
    if (withP) gp += <f64>(load<f32>(bp + o) * q);
  }
  passPhi = g;
  passH = h;
  if (withP) passPhiP = gp;
}

// wh += delta·B_p, and φ of entry p at the new wh into passPhiP.
function cdPhiPass(vr: usize, bp: usize, wh: usize, cols: i32, delta: f64): void {
  const eps = f32x4.splat(EPSILON);
  const dv = f32x4.splat(<f32>delta);
  const cols4 = cols & ~3;
  let gp: f64 = 0;
  for (let j0 = 0; j0 < cols4; j0 += CD_CHUNK) {
    const j1 = min(j0 + CD_CHUNK, cols4);
    let p4 = f32x4.splat(0);
    for (let j = j0; j < j1; j += 4) {
      const o = <usize>j << 2;
      const bpj = v128.load(bp + o);
      const x = madd(dv, bpj, v128.load(wh + o));
      v128.store(wh + o, x);
      p4 = f32x4.add(p4, f32x4.div(f32x4.mul(bpj, v128.load(vr + o)), f32x4.max(x, eps)));
    }
    gp += <f64>hsum(p4);
  }
  for (let j = cols4; j < cols; j++) {
    const o = <usize>j << 2;
    const bpj = load<f32>(bp + o);
    const x = madd1(<f32>delta, bpj, load<f32>(wh + o));
    store<f32>(wh + o, x);
    gp += <f64>((bpj * load<f32>(vr + o)) / (x < EPSILON ? EPSILON : x));
  }
  passPhiP = gp;
}

// Safeguarded Newton iterations on one entry (the reference's plan(): the same rules, the same
// order). Sets the state's delta (already applied to s) and returns what the caller must compute.
function cdPlan(l: usize, lo: f64, l2: f64): i32 {
  const phase = ld(l, CD_PHASE);
  st64(l, CD_DELTA, 0);
  if (phase == PHASE_DONE) return NEED_NOTHING;
  const s = ld(l, CD_S);
  const g = ld(l, CD_G);
  if (phase == PHASE_MEASURE) {
    if (!(ld(l, CD_DF) <= 0)) return cdSecant(l);
  } else if (phase == PHASE_VERIFY && g < 0) {
    if (-g > ld(l, CD_GPREV)) {
      st64(l, CD_PHASE, PHASE_MEASURE);
      return NEED_MEASURE;
    }
  }
  const steps = ld(l, CD_STEPS);
  if (steps >= CD_MAX_STEPS) {
    st64(l, CD_PHASE, PHASE_DONE);
    return NEED_NOTHING;
  }
  const h = ld(l, CD_H);
  const phi = ld(l, CD_PHI);
  const dd = g + phi;
  let target: f64;
  if (phi > 0 && dd > 0) {
    const step = g / (phi * dd) / ((h - l2) / (phi * phi) + l2 / (dd * dd));
    target = s - step;
  } else {
    target = h > 0 ? s - g / h : g > 0 ? lo : s;
  }
  if (!(target >= lo)) target = isNaN(target) ? s : lo;
  target = <f64><f32>target;
  const delta = target - s;
  if (delta == 0 || !isFinite(delta)) {
    st64(l, CD_PHASE, PHASE_DONE);
    return NEED_NOTHING;
  }
  st64(l, CD_DELTA, delta);
  st64(l, CD_S, target);
  const nextSteps = Math.abs(delta) < CD_SMALL_STEP * Math.abs(s) ? CD_MAX_STEPS : steps + 1;
  st64(l, CD_STEPS, nextSteps);
  if (delta < 0) {
    st64(l, CD_SPREV, s);
    st64(l, CD_GPREV, g);
    st64(l, CD_PHASE, PHASE_VERIFY);
    return NEED_DERIVATIVES;
  }
  const last = nextSteps >= CD_MAX_STEPS;
  st64(l, CD_PHASE, last ? PHASE_DONE : PHASE_ACTIVE);
  return last ? NEED_NOTHING : NEED_DERIVATIVES;
}

// After an overshoot that made f worse: the root of the chord of f' between the two points.
function cdSecant(l: usize): i32 {
  const s = ld(l, CD_S);
  const g = ld(l, CD_G);
  const sPrev = ld(l, CD_SPREV);
  let to = <f64><f32>(s + ((sPrev - s) * -g) / (ld(l, CD_GPREV) - g));
  if (!(to <= sPrev)) to = sPrev;
  if (to < s) to = s;
  st64(l, CD_DELTA, to - s);
  st64(l, CD_S, to);
  st64(l, CD_PHASE, PHASE_DONE);
  return NEED_NOTHING;
}

// ---------------------------------------------------------------------------------------------
// Frobenius updates, fused (app/nmf/solvers/mu-frobenius.ts, cd-frobenius.ts): the O((m + n)r²)
// work that follows the products VHᵀ, HHᵀ (W side) or WᵀV, WᵀW (H side), done in one pass per
// side with no denominator or gradient matrix stored.
//
// Both kernels see one factor X as r "components" × a range of "units": for the H side a unit is a
// column j of H (component k at H + k·n·4 + j·4), for the W side a row i of W (component k at
// W + i·r·4 + k·4). The data term NUM (WᵀV or VHᵀ) has X's layout. Units are independent (the H
// update of column j reads column j only; the W update of row i reads row i only), so four units
// go through the SIMD lanes together: their components are gathered into scratch as r vectors
// (X, then NUM), updated there, and the free components scattered back. A block with fewer than
// four units pads its lanes with zeros, which are computed and dropped: every unit's arithmetic is
// the same whichever lane and block it lands in, so results do not depend on the thread split.
// scratch: 3·r vectors (X, NUM, denominators).

// Gathers components [0, r) of units [u, u + count) (count ≤ 4) into r vectors at dst.
@inline function gatherUnits(src: usize, kStride: usize, laneStride: usize, r: i32, u: i32, count: i32, dst: usize): void {
  const base = src + <usize>u * laneStride;
  if (count == 4 && laneStride == 4) {
    for (let k = 0; k < r; k++) v128.store(dst + (<usize>k << 4), v128.load(base + <usize>k * kStride));
    return;
  }
  for (let k = 0; k < r; k++) {
    const p = base + <usize>k * kStride;
    const d = dst + (<usize>k << 4);
    for (let l = 0; l < 4; l++) store<f32>(d + (<usize>l << 2), l < count ? load<f32>(p + <usize>l * laneStride) : 0);
  }
}

// Writes the free components of units [u, u + count) back from the r vectors at src.
@inline function scatterUnits(src: usize, dst: usize, kStride: usize, laneStride: usize, free: usize, nfree: i32, u: i32, count: i32): void {
  const base = dst + <usize>u * laneStride;
  for (let f = 0; f < nfree; f++) {
    const k = load<i32>(free + (<usize>f << 2));
    const s = src + (<usize>k << 4);
    const p = base + <usize>k * kStride;
    if (count == 4 && laneStride == 4) {
      v128.store(p, v128.load(s));
    } else {
      for (let l = 0; l < count; l++) store<f32>(p + <usize>l * laneStride, load<f32>(s + (<usize>l << 2)));
    }
  }
}

// Multiplicative update of the Frobenius loss on units [u0, u1) of X, in place:
//   den_k = Σ_l C[k,l]·X_l (l ascending, from X before this update),
//   X_k ← muStep(X_k, NUM_k, den_k) for the free k (app/nmf/solvers/mu-step.ts):
//   d = den + l1 + l2·x, 0 → EPSILON; y = x·(num/d)^γ (γ = 1, or ½ on Ding et al.'s orthogonal
//   side); y < zeroBelow → 0; y < floor → floor.
// C[k,l] is at coef + k·cRow + l·cCol: the H side passes WᵀW (or Ding's core) as is, the W side
// HHᵀ (or its core) transposed through the strides (den = W·G: den_k = Σ_l G[l,k]·W_l).
// In float32, as the products that feed it; muStep's float64 arithmetic differs by rounding only.
export function mu_fro(x: usize, num: usize, coef: usize, cRow: i32, cCol: i32, kStride: i32, laneStride: i32, r: i32,
  free: usize, nfree: i32, l1: f64, l2: f64, gamma: f64, zeroBelow: f64, floor: f64, u0: i32, u1: i32, scratch: usize): void {
  const xs = scratch;
  const ns = scratch + (<usize>r << 4);
  const ds = ns + (<usize>r << 4);
  const ks = <usize>kStride;
  const ls = <usize>laneStride;
  const l1v = f32x4.splat(<f32>l1);
  const l2v = f32x4.splat(<f32>l2);
  const eps = f32x4.splat(EPSILON);
  const zero = f32x4.splat(0);
  const zb = f32x4.splat(<f32>zeroBelow);
  const fl = f32x4.splat(<f32>floor);
  const root = gamma == 0.5;
  for (let u = u0; u < u1; u += 4) {
    const count = min(4, u1 - u);
    gatherUnits(x, ks, ls, r, u, count, xs);
    gatherUnits(num, ks, ls, r, u, count, ns);
    // Denominators of the free components, all from the X before this update.
    for (let f = 0; f < nfree; f++) {
      const k = load<i32>(free + (<usize>f << 2));
      const ck = coef + <usize>k * <usize>cRow;
      let acc = f32x4.mul(v128.load32_splat(ck), v128.load(xs));
      for (let l = 1; l < r; l++) acc = madd(v128.load32_splat(ck + <usize>l * <usize>cCol), v128.load(xs + (<usize>l << 4)), acc);
      v128.store(ds + (<usize>k << 4), acc);
    }
    for (let f = 0; f < nfree; f++) {
      const o = <usize>load<i32>(free + (<usize>f << 2)) << 4;
      const xv = v128.load(xs + o);
      let d = f32x4.add(f32x4.add(v128.load(ds + o), l1v), f32x4.mul(l2v, xv));
      d = v128.bitselect(eps, d, f32x4.eq(d, zero));
      let ratio = f32x4.div(v128.load(ns + o), d);
      if (root) ratio = f32x4.sqrt(ratio);
      let y = f32x4.mul(xv, ratio);
      y = v128.bitselect(zero, y, f32x4.lt(y, zb));
      y = v128.bitselect(fl, y, f32x4.lt(y, fl));
      v128.store(xs + o, y);
    }
    scatterUnits(xs, x, ks, ls, free, nfree, u, count);
  }
}

// One cyclic coordinate-descent sweep of the Frobenius loss (scikit-learn's _update_cdnmf_fast,
// shuffle off) on units [u0, u1) of X, in place: for each free component t in order, with the
// Gram matrix G (HHᵀ for W, WᵀW for H; symmetric) and hess = G_tt + l2,
//   g = −(NUM_t − l1) + Σ_k (k = t ? hess : G_tk)·X_k   (k ascending, X_k already updated for k < t),
//   X_t ← max(floor, X_t − g/hess), rounded to float32     (skipped when hess = 0).
// Why float64 (f64x2, two vectors per four units): the gradient is a difference of two nearly
// equal sums once the fit is good. Summed in float32 (scikit-learn's float32 path) the plain-SIMD
// build drifted from scikit-learn's float64 iterates by 5.4e-4 after 30 iterations of the
// agreement fixture (test/fixtures/sklearn-cd-frobenius.json; the tolerance is 5e-4). In float64,
// with products then sums (no fused operation) and each updated entry rounded to float32 before
// the next reads it, this is the TypeScript reference's arithmetic exactly
// (app/nmf/kernels/cd-frobenius-sweep-js.ts): both builds give its bits. The sweep is O(r²) per
// unit against the O(r·m) or O(r·n) products, so the halved lane count costs little.
// scratch: 2·r blocks of 4 float64 (X, NUM).
export function cd_fro(x: usize, num: usize, gram: usize, kStride: i32, laneStride: i32, r: i32,
  free: usize, nfree: i32, l1: f64, l2: f64, floor: f64, u0: i32, u1: i32, scratch: usize): void {
  const xs = scratch;
  const ns = scratch + (<usize>r << 5);
  const ks = <usize>kStride;
  const ls = <usize>laneStride;
  const l1v = f64x2.splat(l1);
  const fl = f64x2.splat(floor);
  const rowBytes = <usize>r << 2;
  for (let u = u0; u < u1; u += 4) {
    const count = min(4, u1 - u);
    gatherUnits64(x, ks, ls, r, u, count, xs);
    gatherUnits64(num, ks, ls, r, u, count, ns);
    for (let f = 0; f < nfree; f++) {
      const t = load<i32>(free + (<usize>f << 2));
      const gt = gram + <usize>t * rowBytes;
      const hess = <f64>load<f32>(gt + (<usize>t << 2)) + l2;
      // scikit-learn skips a coordinate with zero curvature (its partner factor's row is zero).
      if (hess == 0) continue;
      const hv = f64x2.splat(hess);
      const nt = ns + (<usize>t << 5);
      let g0 = f64x2.neg(f64x2.sub(v128.load(nt), l1v));
      let g1 = f64x2.neg(f64x2.sub(v128.load(nt, 16), l1v));
      for (let k = 0; k < r; k++) {
        const c = k == t ? hv : f64x2.splat(<f64>load<f32>(gt + (<usize>k << 2)));
        const xk = xs + (<usize>k << 5);
        g0 = f64x2.add(g0, f64x2.mul(c, v128.load(xk)));
        g1 = f64x2.add(g1, f64x2.mul(c, v128.load(xk, 16)));
      }
      const o = xs + (<usize>t << 5);
      const n0 = f64x2.sub(v128.load(o), f64x2.div(g0, hv));
      const n1 = f64x2.sub(v128.load(o, 16), f64x2.div(g1, hv));
      // x > floor ? x : floor (a NaN becomes the floor, as in the reference), stored as float32.
      v128.store(o, roundToF32(v128.bitselect(n0, fl, f64x2.gt(n0, fl))));
      v128.store(o, roundToF32(v128.bitselect(n1, fl, f64x2.gt(n1, fl))), 16);
    }
    scatterUnits64(xs, x, ks, ls, free, nfree, u, count);
  }
}

@inline function roundToF32(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
}

// gatherUnits in float64: component k of units [u, u + count) to the 4 doubles at dst + 32k.
@inline function gatherUnits64(src: usize, kStride: usize, laneStride: usize, r: i32, u: i32, count: i32, dst: usize): void {
  const base = src + <usize>u * laneStride;
  for (let k = 0; k < r; k++) {
    const p = base + <usize>k * kStride;
    const d = dst + (<usize>k << 5);
    if (count == 4 && laneStride == 4) {
      v128.store(d, f64x2.promote_low_f32x4(v128.load64_zero(p)));
      v128.store(d, f64x2.promote_low_f32x4(v128.load64_zero(p + 8)), 16);
    } else {
      for (let l = 0; l < 4; l++) store<f64>(d + (<usize>l << 3), l < count ? <f64>load<f32>(p + <usize>l * laneStride) : 0);
    }
  }
}

// Writes the free components of units [u, u + count) back as float32 (exact: they were rounded).
@inline function scatterUnits64(src: usize, dst: usize, kStride: usize, laneStride: usize, free: usize, nfree: i32, u: i32, count: i32): void {
  const base = dst + <usize>u * laneStride;
  for (let f = 0; f < nfree; f++) {
    const k = load<i32>(free + (<usize>f << 2));
    const s = src + (<usize>k << 5);
    const p = base + <usize>k * kStride;
    for (let l = 0; l < count; l++) store<f32>(p + <usize>l * laneStride, <f32>load<f64>(s + (<usize>l << 3)));
  }
}

// One HALS sweep of the Frobenius loss (app/nmf/solvers/hals.ts) on units [u0, u1) of X, in place:
// for each free component k in order, with the Gram matrix G (HHᵀ or WᵀW) and c = G_kk + l2,
//   X_k ← max(floor, (NUM_k − l1 − Σ_{l≠k} G_kl·X_l) / c)        (c > 0; X_l already updated for l < k)
//   X_k ← floor                                                   (c = 0 and l1 > 0; else kept)
// and the squared change of each unit, Σ_k (ΔX_k)², stored in float64 at changes[unit] (the caller
// adds them in unit order: the total is the same bits whatever the thread split). The numerator is
// summed as the TypeScript reference (app/nmf/kernels/hals-sweep-js.ts) sums it for that side —
// W (hSide = 0): (NUM − l1) + X_k·G_kk − Σ_l X_l·G_kl over every l; H (hSide ≠ 0): NUM − l1 −
// Σ G_kl·X_l over l ≠ k with G_kl ≠ 0 — in float64 with each new entry rounded to float32, so both
// builds give the reference's bits (the same reasons as cd_fro). scratch: 2·r blocks of 4 float64.
export function hals_fro(x: usize, num: usize, gram: usize, kStride: i32, laneStride: i32, r: i32,
  free: usize, nfree: i32, l1: f64, l2: f64, floor: f64, hSide: i32, changes: usize, u0: i32, u1: i32, scratch: usize): void {
  const xs = scratch;
  const ns = scratch + (<usize>r << 5);
  const ks = <usize>kStride;
  const ls = <usize>laneStride;
  const l1v = f64x2.splat(l1);
  const fl = f64x2.splat(floor);
  const flStored = f64x2.splat(<f64><f32>floor);
  const rowBytes = <usize>r << 2;
  for (let u = u0; u < u1; u += 4) {
    const count = min(4, u1 - u);
    gatherUnits64(x, ks, ls, r, u, count, xs);
    gatherUnits64(num, ks, ls, r, u, count, ns);
    let c0 = f64x2.splat(0);
    let c1 = c0;
    for (let f = 0; f < nfree; f++) {
      const k = load<i32>(free + (<usize>f << 2));
      const gk = gram + <usize>k * rowBytes;
      const gkk = <f64>load<f32>(gk + (<usize>k << 2));
      const curvature = gkk + l2;
      const o = xs + (<usize>k << 5);
      const old0 = v128.load(o);
      const old1 = v128.load(o, 16);
      let new0: v128, new1: v128, d0: v128, d1: v128;
      if (curvature > 0) {
        const nk = ns + (<usize>k << 5);
        let a0 = f64x2.sub(v128.load(nk), l1v);
        let a1 = f64x2.sub(v128.load(nk, 16), l1v);
        if (hSide == 0) {
          const gv = f64x2.splat(gkk);
          a0 = f64x2.add(a0, f64x2.mul(old0, gv));
          a1 = f64x2.add(a1, f64x2.mul(old1, gv));
          for (let l = 0; l < r; l++) {
            const c = f64x2.splat(<f64>load<f32>(gk + (<usize>l << 2)));
            const xl = xs + (<usize>l << 5);
            a0 = f64x2.sub(a0, f64x2.mul(v128.load(xl), c));
            a1 = f64x2.sub(a1, f64x2.mul(v128.load(xl, 16), c));
          }
        } else {
          for (let l = 0; l < r; l++) {
            const g = load<f32>(gk + (<usize>l << 2));
            if (l == k || g == 0) continue;
            const c = f64x2.splat(<f64>g);
            const xl = xs + (<usize>l << 5);
            a0 = f64x2.sub(a0, f64x2.mul(c, v128.load(xl)));
            a1 = f64x2.sub(a1, f64x2.mul(c, v128.load(xl, 16)));
          }
        }
        const cv = f64x2.splat(curvature);
        new0 = roundToF32(f64x2.max(fl, f64x2.div(a0, cv)));
        new1 = roundToF32(f64x2.max(fl, f64x2.div(a1, cv)));
        d0 = f64x2.sub(new0, old0);
        d1 = f64x2.sub(new1, old1);
      } else if (l1 > 0) {
        new0 = flStored;
        new1 = flStored;
        // As the reference: W's change from the stored value, H's from the floor itself.
        const target = hSide == 0 ? flStored : fl;
        d0 = f64x2.sub(target, old0);
        d1 = f64x2.sub(target, old1);
      } else {
        continue; // the partner factor's component is zero: this one does not affect the loss
      }
      v128.store(o, new0);
      v128.store(o, new1, 16);
      c0 = f64x2.add(c0, f64x2.mul(d0, d0));
      c1 = f64x2.add(c1, f64x2.mul(d1, d1));
    }
    scatterUnits64(xs, x, ks, ls, free, nfree, u, count);
    const pc = changes + (<usize>u << 3);
    if (count == 4) {
      v128.store(pc, c0);
      v128.store(pc, c1, 16);
    } else {
      store<f64>(pc, f64x2.extract_lane(c0, 0));
      if (count > 1) store<f64>(pc, f64x2.extract_lane(c0, 1), 8);
      if (count > 2) store<f64>(pc, f64x2.extract_lane(c1, 0), 16);
    }
  }
}
