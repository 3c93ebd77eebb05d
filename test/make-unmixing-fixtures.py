#!/usr/bin/env python3
"""Fixtures for the hyperspectral unmixing tests (test/unit/hysime.test.ts, evaluate-unmixing.test.ts).

Written by independent tools (numpy, scipy) so that the TypeScript is checked against them:

- hysime.json: a small noisy linear-mixture cube (bands x pixels) and what HySime says about it,
  computed by a line-by-line port of the authors' MATLAB code (estNoise.m 'additive' and
  hysime.m, Bioucas-Dias & Nascimento 2008), in float64 with numpy.linalg.
- small_gt.mat: a 6x5-pixel, 12-band cube in the benchmark form (Y bands x pixels in MATLAB's
  column-major pixel order, nRow, nCol, M bands x 3, A 3 x pixels), written by scipy.io.savemat;
  small_gt.json holds the same M and A (A with pixels in row-major order) and the SAD / RMSE of a
  perturbed estimate computed here, for the evaluate command's test.

Run from the repository root: python3 test/make-unmixing-fixtures.py
"""
import base64
import json
import os

import numpy as np
import scipy.io

OUT = os.path.join(os.path.dirname(__file__), 'fixtures', 'unmixing')
os.makedirs(OUT, exist_ok=True)


def est_noise(y):
    """estNoise.m, noise_type 'additive' (multiple regression)."""
    small = 1e-6
    L, N = y.shape
    w = np.zeros((L, N))
    RR = y @ y.T
    RRi = np.linalg.inv(RR + small * np.eye(L))
    for i in range(L):
        XX = RRi - np.outer(RRi[:, i], RRi[i, :]) / RRi[i, i]
        RRa = RR[:, i].copy()
        RRa[i] = 0
        beta = XX @ RRa
        beta[i] = 0
        w[i, :] = y[i, :] - beta @ y
    Rw = np.diag(np.diag(w @ w.T / N))
    return w, Rw


def hysime(y, n, Rn):
    """hysime.m: the signal subspace dimension kf."""
    L, N = y.shape
    x = y - n
    Ry = y @ y.T / N
    Rx = x @ x.T / N
    E, dx, _ = np.linalg.svd(Rx)
    Rn = Rn + np.sum(np.diag(Rx)) / L / 1e5 * np.eye(L)
    Py = np.diag(E.T @ Ry @ E)
    Pn = np.diag(E.T @ Rn @ E)
    cost = -Py + 2 * Pn
    return int(np.sum(cost < 0))


def hysime_case():
    rng = np.random.default_rng(6)
    L, N, P = 20, 400, 4
    # Smooth nonnegative spectra (sums of Gaussian bumps), Dirichlet abundances, white noise.
    x = np.linspace(0, 1, L)
    M = np.stack([0.1 + np.exp(-((x - c) / 0.15) ** 2) + 0.5 * np.exp(-((x - (1 - c)) / 0.3) ** 2) for c in (0.1, 0.35, 0.6, 0.9)], axis=1)
    A = rng.dirichlet(np.ones(P), N).T
    X = M @ A
    sigma = np.sqrt(np.mean(X ** 2) / 10 ** (35 / 10))
    Y = (X + sigma * rng.standard_normal(X.shape)).astype(np.float32).astype(np.float64)
    w, Rw = est_noise(Y)
    k = hysime(Y, w, Rw)
    return {
        'bands': L,
        'pixels': N,
        'endmembers': P,
        # bands x pixels, row-major, float32 little-endian, base64 (a third of the size of text).
        'dataFloat32Base64': base64.b64encode(Y.astype('<f4').tobytes()).decode('ascii'),
        'noiseVariance': np.diag(Rw).tolist(),
        'hysime': k,
        'noiseSigma': float(sigma),
    }


def small_gt():
    rng = np.random.default_rng(7)
    rows, cols, L, P = 6, 5, 12, 3
    x = np.linspace(0, 1, L)
    M = np.stack([0.05 + np.exp(-((x - c) / 0.2) ** 2) for c in (0.2, 0.5, 0.8)], axis=1)
    n = rows * cols
    A_rowmajor = rng.dirichlet(np.ones(P), n).T  # pixel j = r*cols + c
    # MATLAB order: pixel q = r + c*rows.
    A_matlab = np.zeros_like(A_rowmajor)
    for r in range(rows):
        for c in range(cols):
            A_matlab[:, r + c * rows] = A_rowmajor[:, r * cols + c]
    Y = M @ A_matlab
    scipy.io.savemat(os.path.join(OUT, 'small_gt.mat'), {'Y': Y, 'M': M, 'A': A_matlab, 'nRow': float(rows), 'nCol': float(cols)})
    # An estimate: the endmembers in the order (2, 0, 1), scaled and tilted; abundances perturbed.
    order = [2, 0, 1]
    E = M[:, order] * np.array([2.0, 0.5, 3.0]) + 0.02 * np.linspace(0, 1, L)[:, None]
    Ahat = A_rowmajor[order] + 0.05 * rng.standard_normal((P, n))
    # Expected scores: SAD of reference k to estimate position order.index(k), RMSE the same.
    inv = [order.index(k) for k in range(P)]
    sad = []
    for k in range(P):
        a, b = M[:, k], E[:, inv[k]]
        sad.append(float(np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1)))))
    err = Ahat[inv] - A_rowmajor
    json.dump({
        'rows': rows,
        'cols': cols,
        'bands': L,
        'M': M.ravel().tolist(),
        'A': A_rowmajor.ravel().tolist(),
        'estimateEndmembers': E.ravel().tolist(),
        'estimateAbundances': Ahat.ravel().tolist(),
        'permutation': inv,
        'sadDegrees': sad,
        'meanSadDegrees': float(np.mean(sad)),
        'rmse': float(np.sqrt(np.mean(err ** 2))),
        'rmsePerEndmember': np.sqrt(np.mean(err ** 2, axis=1)).tolist(),
    }, open(os.path.join(OUT, 'small_gt.json'), 'w'), indent=1)


with open(os.path.join(OUT, 'hysime.json'), 'w') as f:
    json.dump(hysime_case(), f)
small_gt()
print('wrote', OUT)
