#!/usr/bin/env python3
"""Reference iterates of scikit-learn's coordinate-descent NMF solver, for test/unit/cd-solver.test.ts.

Runs sklearn's own `_update_coordinate_descent` (sklearn/decomposition/_nmf.py, the helper of
`_fit_coordinate_descent`, shuffle off) for W then H, alternately, from a given W0, H0, exactly as
`_fit_coordinate_descent` does (H is updated through its C-ordered transpose), and stores the inputs
and the iterates after ITERATIONS[...] in test/fixtures/sklearn-cd-frobenius.json.

Penalties come from sklearn's own `NMF._compute_regularization` (sklearn >= 1.2 semantics): for V
m x n, l1W = n*alphaW*l1Ratio, l2W = n*alphaW*(1-l1Ratio), l1H = m*alphaH*l1Ratio,
l2H = m*alphaH*(1-l1Ratio).

V, W0 and H0 are drawn in float32 and widened to float64, so the TypeScript solver (which stores
factors as float32) starts from exactly the same numbers. sklearn then iterates in float64.

Usage (Debian: apt-get install -y python3-sklearn):  /usr/bin/python3 test/make-sklearn-cd-fixture.py
CI does not run this; it only reads the JSON.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition import NMF
from sklearn.decomposition._nmf import _update_coordinate_descent

M, N, RANK = 12, 10, 3
CHECKPOINTS = (1, 30)
CASES = (
    {"name": "plain", "alphaW": 0.0, "alphaH": 0.0, "l1Ratio": 0.0},
    {"name": "penalised", "alphaW": 0.02, "alphaH": 0.05, "l1Ratio": 0.4},
)


def run_case(case, seed):
    rng = np.random.default_rng(seed)
    v = rng.random((M, N)).astype(np.float32).astype(np.float64)
    # sklearn's random init scale: sqrt(mean(V) / rank).
    scale = np.sqrt(v.mean() / RANK)
    w0 = (scale * rng.random((M, RANK))).astype(np.float32).astype(np.float64)
    h0 = (scale * rng.random((RANK, N))).astype(np.float32).astype(np.float64)

    model = NMF(n_components=RANK, solver="cd", alpha_W=case["alphaW"], alpha_H=case["alphaH"], l1_ratio=case["l1Ratio"])
    l1_w, l1_h, l2_w, l2_h = model._compute_regularization(v)

    w = np.array(w0, order="C")
    ht = np.array(h0.T, order="C")  # _fit_coordinate_descent works on H's transpose
    iterates = []
    for iteration in range(1, max(CHECKPOINTS) + 1):
        _update_coordinate_descent(v, w, ht, l1_w, l2_w, False, None)
        _update_coordinate_descent(v.T, ht, w, l1_h, l2_h, False, None)
        if iteration in CHECKPOINTS:
            iterates.append({"iteration": iteration, "W": w.tolist(), "H": ht.T.tolist()})
    return {
        **case,
        "seed": seed,
        "penalties": {"l1W": l1_w, "l2W": l2_w, "l1H": l1_h, "l2H": l2_h},
        "V": v.tolist(),
        "W0": w0.tolist(),
        "H0": h0.tolist(),
        "iterates": iterates,
    }


def main():
    out = {
        "generator": "test/make-sklearn-cd-fixture.py",
        "sklearn": sklearn.__version__,
        "cases": [run_case(case, seed) for seed, case in enumerate(CASES, start=1)],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "sklearn-cd-frobenius.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
