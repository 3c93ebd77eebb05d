#!/usr/bin/env python3
"""Reference cophenetic distances and correlations for test/unit/nmf-selection.test.ts.

Run from the repository root with Debian's python3-scipy / python3-numpy:
    python3 test/make-cophenetic-fixture.py
Writes test/fixtures/cophenetic.json. For each case: the consensus matrix C (n×n, symmetric,
unit diagonal), the condensed cophenetic distances of scipy's average linkage (UPGMA) of the
distances 1 − C, and scipy's cophenetic correlation. Cases avoid tied distances, where the UPGMA
tree depends on tie-breaking.
"""
import json
import os

import numpy as np
import scipy
from scipy.cluster.hierarchy import cophenet, linkage
from scipy.spatial.distance import squareform


def case(name, c):
    c = np.asarray(c, dtype=np.float64)
    d = squareform(1.0 - c, checks=False)
    z = linkage(d, method="average")
    corr, coph = cophenet(z, d)
    return {
        "name": name,
        "n": int(c.shape[0]),
        "consensus": c.ravel().tolist(),
        "cophenetic": coph.tolist(),
        "correlation": float(corr),
    }


def random_consensus(rng, n):
    # Symmetric, continuous entries (no ties with probability 1), unit diagonal.
    a = rng.uniform(0.0, 1.0, size=(n, n))
    c = np.triu(a, 1)
    c = c + c.T
    np.fill_diagonal(c, 1.0)
    return c


def clustered_consensus(rng, sizes, within, between, jitter):
    # Block structure with noise, like a consensus matrix of a fairly stable rank.
    labels = np.repeat(np.arange(len(sizes)), sizes)
    c = np.where(labels[:, None] == labels[None, :], within, between)
    c = c + rng.uniform(-jitter, jitter, size=c.shape)
    c = np.clip(np.triu(c, 1), 0.0, 1.0)
    c = c + c.T
    np.fill_diagonal(c, 1.0)
    return c


rng = np.random.default_rng(20040323)
hand = [
    [1.0, 0.9, 0.2, 0.1],
    [0.9, 1.0, 0.3, 0.2],
    [0.2, 0.3, 1.0, 0.8],
    [0.1, 0.2, 0.8, 1.0],
]
cases = [
    case("hand-4", hand),
    case("random-9", random_consensus(rng, 9)),
    case("clustered-17", clustered_consensus(rng, [5, 7, 5], 0.85, 0.15, 0.12)),
]
out = {
    "generator": "test/make-cophenetic-fixture.py",
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "cases": cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "cophenetic.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(path, [(c["name"], c["correlation"]) for c in cases])
