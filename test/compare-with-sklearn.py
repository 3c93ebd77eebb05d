"""Runs scikit-learn's NMF from the same start as test/compare-with-sklearn.ts and prints the table."""
import json, sys, time, warnings
import numpy as np
import sklearn
from sklearn.decomposition import NMF
from sklearn.decomposition._nmf import _beta_divergence

warnings.simplefilter("ignore")
d = sys.argv[1]
BETA = {"frobenius": 2.0, "kl": 1.0, "is": 0.0}
NAME = {"frobenius": "frobenius", "kl": "kullback-leibler", "is": "itakura-saito"}
print(f"scikit-learn {sklearn.__version__}; objective after 200 iterations from the same random start (float32)\n")
print("| matrix | loss | ours: solver | ours: objective | ours: s | scikit-learn: solver | scikit-learn: objective | scikit-learn: s |")
print("|---|---|---|---|---|---|---|---|")
for line in open(f"{d}/cases.jsonl"):
    c = json.loads(line)
    V = np.load(f"{d}/{c['matrix']}.V.npy"); W0 = np.load(f"{d}/{c['matrix']}.W0.npy"); H0 = np.load(f"{d}/{c['matrix']}.H0.npy")
    W = np.load(f"{d}/{c['tag']}.W.npy"); H = np.load(f"{d}/{c['tag']}.H.npy")
    beta = BETA[c["loss"]]
    ours = _beta_divergence(V, W, H, beta)
    theirs, secs = "—", "—"
    if c["sklearn"]:
        m = NMF(n_components=c["rank"], init="custom", solver=c["sklearn"], beta_loss=NAME[c["loss"]], max_iter=200, tol=0)
        t = time.perf_counter()
        Ws = m.fit_transform(V, W=W0.copy(), H=H0.copy())
        secs = f"{time.perf_counter() - t:.2f}"
        theirs = f"{_beta_divergence(V, Ws, m.components_, beta):.6g}"
    print(f"| {c['matrix']} {c['shape']}, r={c['rank']} | {c['loss']} | {c['algorithm']} | {ours:.6g} | {c['seconds']:.2f} | {c['sklearn'] or '—'} | {theirs} | {secs} |")
