#!/usr/bin/python3
"""Reference iterates of scikit-learn's multiplicative-update NMF, for sklearn-agreement.test.ts.

Run with Debian's Python (apt-get install -y python3-sklearn), from the repository root:
    /usr/bin/python3 test/make-sklearn-mu-fixtures.py
It writes test/fixtures/sklearn-mu-*.json; CI only reads those files and never needs Python.

Each case: a small seeded V (m x n, values in [0, 3), about 10% exact zeros except for
Itakura-Saito, which scikit-learn refuses on zeros), positive W0 and H0, then 50 iterations of
scikit-learn's own _multiplicative_update_w / _multiplicative_update_h in the order and with the
zeroing that _fit_multiplicative_update uses, in float64. Inputs are rounded to float32 first, so
that the TypeScript solver (float32 storage) starts from exactly the same point.

sklearn-mu-divergence.json checks betaDivergence against _beta_divergence on inputs that hit its
EPSILON conventions: zeros in V, an entry 0 < V <= EPSILON, and a row of WH that is exactly 0.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition._nmf import (
    _beta_divergence,
    _multiplicative_update_h,
    _multiplicative_update_w,
)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
ITERATIONS = 50
M, N, RANK = 12, 10, 3


def f32(a):
    """Round to float32 and back: the TypeScript side stores float32."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def gamma_of(beta):
    # As _fit_multiplicative_update.
    if beta < 1:
        return 1.0 / (2.0 - beta)
    if beta > 2:
        return 1.0 / (beta - 1.0)
    return 1.0


def regularization(m, n, alpha_w, alpha_h, l1_ratio):
    # As NMF._compute_regularization (scikit-learn >= 1.2), V being m x n.
    return {
        "l1W": n * alpha_w * l1_ratio,
        "l2W": n * alpha_w * (1.0 - l1_ratio),
        "l1H": m * alpha_h * l1_ratio,
        "l2H": m * alpha_h * (1.0 - l1_ratio),
    }


def inputs(seed, zeros):
    rng = np.random.RandomState(seed)
    V = rng.uniform(0.0, 3.0, size=(M, N))
    if zeros:
        V[rng.uniform(size=(M, N)) < 0.1] = 0.0
    scale = np.sqrt(V.mean() / RANK)
    # Like init='random', shifted away from 0 so every entry starts positive.
    W0 = scale * np.abs(rng.standard_normal((M, RANK))) + 0.05
    H0 = scale * np.abs(rng.standard_normal((RANK, N))) + 0.05
    return f32(V), f32(W0), f32(H0)


def run(V, W0, H0, beta, pen):
    W, H = W0.copy(), H0.copy()
    gamma = gamma_of(beta)
    for _ in range(ITERATIONS):
        # The loop body of _fit_multiplicative_update with update_H=True.
        W, _, _, _ = _multiplicative_update_w(
            V, W, H, beta, pen["l1W"], pen["l2W"], gamma, None, None, None, True
        )
        if beta < 1:
            W[W < np.finfo(np.float64).eps] = 0.0
        H = _multiplicative_update_h(V, W, H, beta, pen["l1H"], pen["l2H"], gamma)
        if beta <= 1:
            H[H < np.finfo(np.float64).eps] = 0.0
    return W, H


NO_PENALTY = {"l1W": 0.0, "l2W": 0.0, "l1H": 0.0, "l2H": 0.0}
CASES = [
    # name, beta, seed, zeros in V, penalties
    ("frobenius", 2.0, 1, True, NO_PENALTY),
    ("kullback-leibler", 1.0, 2, True, NO_PENALTY),
    ("itakura-saito", 0.0, 3, False, NO_PENALTY),
    ("beta-1.5", 1.5, 4, True, NO_PENALTY),
    # gamma != 1 on both sides of the family: 1/(2 - beta) and 1/(beta - 1)
    ("beta-0.5", 0.5, 7, False, NO_PENALTY),
    ("beta-3", 3.0, 8, True, NO_PENALTY),
    ("regularised-frobenius", 2.0, 5, True, regularization(M, N, 0.05, 0.03, 0.4)),
    ("regularised-kl", 1.0, 6, True, regularization(M, N, 0.02, 0.05, 0.7)),
]


def rows(a):
    return [[float(x) for x in row] for row in a]


def write(name, payload):
    path = os.path.join(OUT, f"sklearn-mu-{name}.json")
    with open(path, "w") as f:
        json.dump(payload, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(path))


def main():
    source = f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; test/make-sklearn-mu-fixtures.py"
    for name, beta, seed, zeros, pen in CASES:
        V, W0, H0 = inputs(seed, zeros)
        W, H = run(V, W0, H0, beta, pen)
        write(
            name,
            {
                "source": source,
                "beta": beta,
                "penalties": pen,
                "iterations": ITERATIONS,
                "V": rows(V),
                "W0": rows(W0),
                "H0": rows(H0),
                "W": rows(W),
                "H": rows(H),
                "divergence0": float(_beta_divergence(V, W0, H0, beta)),
                "divergence": float(_beta_divergence(V, W, H, beta)),
            },
        )

    # betaDivergence's EPSILON conventions.
    rng = np.random.RandomState(7)
    V = rng.uniform(0.0, 3.0, size=(6, 5))
    V[rng.uniform(size=V.shape) < 0.25] = 0.0
    V[0, 1] = 1e-8  # 0 < V <= EPSILON: left out of the terms that involve V
    W = np.abs(rng.standard_normal((6, 2))) + 0.1
    W[2, :] = 0.0  # a row of WH that is exactly 0
    V[2, 0] = 1.5  # ... where V > 0, so WH = 0 is replaced by EPSILON
    H = np.abs(rng.standard_normal((2, 5))) + 0.1
    V, W, H = f32(V), f32(W), f32(H)
    # (No β < 0 here: WH = 0 makes its Σ WH^β infinite.)
    betas = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]
    write(
        "divergence",
        {
            "source": source,
            "V": rows(V),
            "W": rows(W),
            "H": rows(H),
            "cases": [{"beta": b, "divergence": float(_beta_divergence(V, W, H, b))} for b in betas],
        },
    )


if __name__ == "__main__":
    main()
