#!/usr/bin/env python3
"""Makes test/fixtures/sklearn-nndsvd-*.json, the reference NNDSVD / NNDSVDa / NNDSVDar
initialisations of test/unit/nmf-init.test.ts, with scikit-learn's own `_initialize_nmf`.

Run: python3 test/make-sklearn-init-fixtures.py   (Debian: apt-get install -y python3-sklearn;
made with scikit-learn 1.2.1, NumPy 1.24, Python 3.11). CI needs only the committed JSON.

Each matrix is a random nonnegative low-rank product plus a little noise, so that the leading
singular values are well separated from the rest: scikit-learn's randomized SVD then agrees with
an exact SVD to ~1e-12, and so must ours. The script checks that (an NNDSVD computed here from
numpy.linalg.svd, by the same formulas, must match scikit-learn's to 1e-9), so a fixture cannot
silently depend on the randomized SVD's approximation. Entries of V are multiples of 1/256, exact
in float32, so the float32 input of the TypeScript code is the very matrix given to scikit-learn.

'nndsvdar' fills zeros from NumPy's generator, which the TypeScript code does not reproduce: the
test compares its nonzero pattern and non-filled entries only.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition._nmf import _initialize_nmf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")


def make_matrix(rng, m, n, true_rank, noise):
    w = rng.uniform(0, 1, size=(m, true_rank))
    h = rng.uniform(0, 1, size=(true_rank, n))
    x = w @ h + noise * rng.uniform(0, 1, size=(m, n))
    return np.round(x * 256) / 256  # exact in float32


def nndsvd_exact(x, k):
    """NNDSVD by the formulas of _initialize_nmf, from an exact SVD (check only)."""
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    w = np.zeros((x.shape[0], k))
    h = np.zeros((k, x.shape[1]))
    w[:, 0] = np.sqrt(s[0]) * np.abs(u[:, 0])
    h[0, :] = np.sqrt(s[0]) * np.abs(vt[0, :])
    for j in range(1, k):
        a, b = u[:, j], vt[j, :]
        ap, bp = np.maximum(a, 0), np.maximum(b, 0)
        an, bn = np.abs(np.minimum(a, 0)), np.abs(np.minimum(b, 0))
        mp = np.linalg.norm(ap) * np.linalg.norm(bp)
        mn = np.linalg.norm(an) * np.linalg.norm(bn)
        if mp > mn:
            uu, vv, sig = ap / np.linalg.norm(ap), bp / np.linalg.norm(bp), mp
        else:
            uu, vv, sig = an / np.linalg.norm(an), bn / np.linalg.norm(bn), mn
        lbd = np.sqrt(s[j] * sig)
        w[:, j] = lbd * uu
        h[j, :] = lbd * vv
    w[w < 1e-6] = 0
    h[h < 1e-6] = 0
    return w, h, s


def main():
    cases = [
        # name, rows, cols, rank asked, true rank, noise, seed
        ("tall", 30, 20, 4, 4, 0.02, 1),
        ("wide", 12, 40, 3, 3, 0.02, 2),  # scikit-learn transposes internally (rows < cols)
        ("full-rank", 8, 6, 6, 6, 0.0, 3),  # rank = min(m, n): the sketch spans everything
        ("tiny-rows", 20, 15, 3, 3, 0.02, 4),  # rows 0, 7 and column 4 scaled by 2^-24 (below)
    ]
    for name, m, n, k, true_rank, noise, seed in cases:
        rng = np.random.default_rng(seed)
        x = make_matrix(rng, m, n, true_rank, noise)
        if name == "tiny-rows":
            # Factor entries of these rows/columns fall below eps = 1e-6 and must be zeroed
            # (nndsvd) or filled (nndsvda/ar). Scaling by a power of two keeps x exact in float32.
            x[[0, 7], :] *= 2.0**-24
            x[:, 4] *= 2.0**-24
        assert np.array_equal(x, x.astype(np.float32).astype(np.float64))
        w_exact, h_exact, s = nndsvd_exact(x, k)
        out = {
            "description": f"scikit-learn {sklearn.__version__} _initialize_nmf on a {m}x{n} matrix, "
            f"n_components={k}, random_state=0; made by test/make-sklearn-init-fixtures.py",
            "rows": m,
            "cols": n,
            "rank": k,
            "V": x.tolist(),
            "singularValues": s[:k].tolist(),
        }
        for variant in ("nndsvd", "nndsvda", "nndsvdar"):
            w, h = _initialize_nmf(x, k, init=variant, random_state=0)
            if variant == "nndsvd":
                scale_w = np.abs(w_exact).max()
                scale_h = np.abs(h_exact).max()
                assert np.abs(w - w_exact).max() <= 1e-9 * scale_w, (name, np.abs(w - w_exact).max())
                assert np.abs(h - h_exact).max() <= 1e-9 * scale_h, (name, np.abs(h - h_exact).max())
            out[variant] = {"W": w.tolist(), "H": h.tolist()}
        path = os.path.join(OUT, f"sklearn-nndsvd-{name}.json")
        with open(path, "w") as f:
            json.dump(out, f, separators=(",", ":"))
            f.write("\n")
        zeros = int((np.array(out["nndsvd"]["W"]) == 0).sum() + (np.array(out["nndsvd"]["H"]) == 0).sum())
        print(f"{path}: sigma={np.round(s[:k + 1], 4).tolist()} zeros in nndsvd={zeros}")


if __name__ == "__main__":
    main()
