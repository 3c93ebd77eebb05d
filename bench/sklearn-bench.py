"""scikit-learn's side of `npm run bench`: one job per process (so ru_maxrss is the job's own),
started by bench/run-bench.ts with one JSON argument, printing one JSON line. Modes as in
bench/run-case.ts: idle, case, kernel, plus info (versions and BLAS threads).

The matrices are the .npy files run-bench.ts wrote (never regenerated here). A case times
scikit-learn's own iteration loop: the body of `_fit_multiplicative_update` / `_fit_coordinate_descent`
(sklearn 1.2.1, tol=0, no penalties, shuffle=False) calling its private update functions, so that
the objective can be evaluated between iterations without being timed. From W0/H0 these iterates are
those of NMF(init='custom', solver=…, beta_loss=…, tol=0, max_iter=N).fit_transform(V, W=W0, H=H0).
"""
import json
import resource
import sys
import time

import numpy as np

EPSILON = np.finfo(np.float32).eps  # sklearn's and app/nmf/objective.ts's


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def objective(V, W, H, beta):
    """The β-divergence with sklearn's conventions (½‖·‖² for β=2; KL over V > ε with WH=0 read as ε),
    accumulated in float64 like app/nmf/beta-divergence.ts, in row blocks to bound memory."""
    H64 = H.astype(np.float64)
    block = max(1, (1 << 20) // V.shape[1])
    total = 0.0
    for s in range(0, V.shape[0], block):
        wh = W[s:s + block].astype(np.float64) @ H64
        v = V[s:s + block].astype(np.float64)
        if beta == 2:
            d = (v - wh).ravel()
            total += 0.5 * float(d @ d)
        else:
            mask = v > EPSILON
            x = v[mask]
            y = wh[mask]
            y[y == 0] = EPSILON
            total += float(np.sum(x * np.log(x / y)) - x.sum() + wh.sum())
    return total


def make_step(V, W, H, loss, solver):
    """Returns (step, factors): step() runs one iteration in place, factors() gives (W, H)."""
    from sklearn.decomposition import _nmf

    beta = 2.0 if loss == "frobenius" else 1.0
    if solver == "cd":
        Ht = np.ascontiguousarray(H.T)  # _fit_coordinate_descent: check_array(H.T, order="C")
        rng = np.random.RandomState(0)  # unused: shuffle=False

        def step():
            _nmf._update_coordinate_descent(V, W, Ht, 0.0, 0.0, False, rng)
            _nmf._update_coordinate_descent(V.T, Ht, W, 0.0, 0.0, False, rng)

        return step, lambda: (W, Ht.T)

    state = {"W": W, "H": H}

    def step():
        Wn, *_ = _nmf._multiplicative_update_w(V, state["W"], state["H"], beta, 0.0, 0.0, 1.0)
        Hn = _nmf._multiplicative_update_h(V, Wn, state["H"], beta, 0.0, 0.0, 1.0)
        if beta <= 1:
            Hn[Hn < np.finfo(np.float64).eps] = 0.0
        state["W"], state["H"] = Wn, Hn

    return step, lambda: (state["W"], state["H"])


def run_case(job):
    d, name = job["dir"], job["workload"]
    V = np.load(f"{d}/{name}.V.npy")
    W = np.load(f"{d}/{name}.W0.npy")
    H = np.load(f"{d}/{name}.H0.npy")
    beta = 2.0 if job["loss"] == "frobenius" else 1.0
    step, factors = make_step(V, W, H, job["loss"], job["solver"])
    L, c = job["iterations"], job["checkEvery"]
    lo, hi = job["warmup"] + 1, min(L, job["warmup"] + job["timed"])
    history = {"iteration": [0], "seconds": [0.0], "objective": [objective(V, W, H, beta)]}
    elapsed, window, eval_time, evals = 0.0, [], 0.0, 0
    for k in range(1, L + 1):
        t = time.perf_counter()
        step()
        dt = time.perf_counter() - t
        elapsed += dt
        if lo <= k <= hi:
            window.append(dt)
        if k % c == 0 or k == L:
            t = time.perf_counter()
            history["iteration"].append(k)
            history["seconds"].append(elapsed)
            history["objective"].append(objective(V, *factors(), beta))
            eval_time += time.perf_counter() - t
            evals += 1
    return {
        "workload": name,
        "loss": job["loss"],
        "solver": job["solver"],
        "backend": "sklearn",
        "msPerIter": 1000 * float(np.mean(window)) if window else None,  # mean, as run-case.ts
        "objectiveMsPerEval": 1000 * eval_time / max(1, evals),
        "history": history,
        "finalObjective": history["objective"][-1],
        "iterations": L,
        "peakRssMB": peak_rss_mb(),
    }


def run_kernel(job):
    """W.T @ V and V @ H.T (numpy, float32), each the median of repeats adding up to ≥ 0.3 s after
    one warm-up; the same products as run-case.ts's kernel mode."""
    V = np.load(f"{job['dir']}/{job['workload']}.V.npy")
    out = []
    for r in job["ranks"]:
        W = np.random.RandomState(r).rand(V.shape[0], r).astype(np.float32)
        H = np.random.RandomState(r + 1000).rand(r, V.shape[1]).astype(np.float32)
        for product, f in (("WtV", lambda: W.T @ V), ("VHt", lambda: V @ H.T)):
            f()
            times = []
            while sum(times) < 0.3 or len(times) < 3:
                t = time.perf_counter()
                f()
                times.append(time.perf_counter() - t)
            ms = 1000 * sorted(times)[len(times) // 2]
            out.append({"backend": "numpy", "product": product, "rank": r, "ms": ms, "gflops": 2 * V.shape[0] * V.shape[1] * r / (ms * 1e6)})
    return out


def info():
    import sklearn
    import threadpoolctl

    blas = [f"{p.get('internal_api')} {p.get('version')}, {p.get('num_threads')} threads" for p in threadpoolctl.threadpool_info()]
    return {"sklearn": sklearn.__version__, "numpy": np.__version__, "blas": "; ".join(blas)}


if __name__ == "__main__":
    job = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"mode": "idle"}
    mode = job["mode"]
    if mode == "idle":
        import sklearn.decomposition  # noqa: F401  (the baseline includes what a case imports)

        result = {"peakRssMB": peak_rss_mb()}
    else:
        result = {"case": run_case, "kernel": run_kernel, "info": lambda _: info()}[mode](job)
    print(json.dumps(result))
