#!/usr/bin/python3
"""BSS Eval reference values for test/unit/bss-eval.test.ts, from mir_eval (Debian's python3-mir-eval
0.7, the BSS Eval v3 port: bss_eval_sources with 512-tap distortion filters), and SI-SDR from its
definition (Le Roux et al. 2019) in numpy.

Run from the project root:  /usr/bin/python3 test/make-bss-eval-fixture.py
Writes test/fixtures/bss-eval-mir-eval.json. Signals are stored as base64 little-endian float32, and
mir_eval is given exactly those float32 values (as float64).
"""
import base64
import json

import mir_eval
import numpy as np
from scipy.signal import lfilter

rng = np.random.default_rng(20060701)


def f32(x):
    return np.asarray(x, dtype=np.float32)


def b64(x):
    return base64.b64encode(f32(x).astype('<f4').tobytes()).decode('ascii')


def si_sdr(ref, est):
    ref = ref - ref.mean()
    est = est - est.mean()
    alpha = np.dot(est, ref) / np.dot(ref, ref)
    target = alpha * ref
    return 10 * np.log10(np.sum(target ** 2) / np.sum((target - est) ** 2))


def tone(n, f0, rate, partials):
    t = np.arange(n) / rate
    return sum(np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 2 * np.pi)) / h for h in range(1, partials + 1))


def case(name, refs, ests):
    refs = [f32(r) for r in refs]
    ests = [f32(e) for e in ests]
    sdr, sir, sar, perm = mir_eval.separation.bss_eval_sources(np.array(refs, dtype=np.float64), np.array(ests, dtype=np.float64))
    si = [si_sdr(refs[j].astype(np.float64), ests[perm[j]].astype(np.float64)) for j in range(len(refs))]
    return {
        'name': name,
        'references': [b64(r) for r in refs],
        'estimates': [b64(e) for e in ests],
        'sdr': sdr.tolist(),
        'sir': sir.tolist(),
        'sar': sar.tolist(),
        'permutation': perm.tolist(),
        'siSdr': si,
    }


cases = []

# Two sources: a harmonic tone with a decaying envelope and low-passed noise. Estimates come in
# swapped order; one is a filtered copy of its source plus leakage and noise.
n = 1500
s1 = tone(n, 220, 8000, 6) * np.exp(-np.arange(n) / 1000)
s2 = lfilter([1.0], [1.0, -0.9], rng.standard_normal(n)) * 0.2
e_a = lfilter([0.8, 0.3, -0.1], [1.0], s1) + 0.15 * s2 + 0.02 * rng.standard_normal(n)
e_b = s2 + 0.3 * s1 + 0.05 * rng.standard_normal(n)
cases.append(case('two sources, swapped, filtered target', [s1, s2], [e_b, e_a]))

# Three sources, white-ish and coloured, with a rotated order and varied leakage.
n = 1200
r = [rng.standard_normal(n), lfilter([1.0, 0.5], [1.0, -0.5], rng.standard_normal(n)), tone(n, 330, 8000, 4)]
mix = np.array([[1.0, 0.2, 0.05], [0.1, 0.9, 0.3], [0.02, 0.1, 1.2]])
e = [sum(mix[j][i] * r[i] for i in range(3)) + 0.03 * rng.standard_normal(n) for j in range(3)]
cases.append(case('three sources, rotated', r, [e[2], e[0], e[1]]))

# A delayed (by 40 samples, inside the 512-tap filter) and attenuated target: a high SDR.
n = 1000
a = rng.standard_normal(n)
b = tone(n, 440, 8000, 3)
delayed = np.concatenate([np.zeros(40), a[:-40]]) * 0.5 + 0.001 * rng.standard_normal(n)
cases.append(case('delayed target', [a, b], [delayed, b + 0.1 * a]))

with open('test/fixtures/bss-eval-mir-eval.json', 'w') as f:
    json.dump({'generator': f'mir_eval {mir_eval.__version__} bss_eval_sources, numpy {np.__version__}', 'cases': cases}, f)
    f.write('\n')
print('wrote test/fixtures/bss-eval-mir-eval.json')
