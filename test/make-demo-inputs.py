#!/usr/bin/env python3
"""Writes the two demo inputs bundled with the renderer (renderer/static/demo/), so that a first-time
user sees a result in one click, with tools independent of ours: numpy + scipy.io.wavfile for the
audio, numpy for an ENVI cube that GDAL's gdal_translate (Debian gdal-bin) turns into a GeoTIFF.
Seeded: running it again gives the same files. Made with NumPy 2.4.6, SciPy 1.17.1, GDAL 3.6.2.

- demo-mixture.wav: 4 s, 16 kHz, mono, 16-bit PCM. Two sources in different registers, what plain
  NMF separates well: a bass line (harmonic tones at 55–98 Hz fundamentals, plucked envelopes) and a
  bell-like melody (two-partial tones at 660–1320 Hz), each note on its own beat.
- demo-cube.tif: 64 × 64 pixels × 40 bands, 400–985 nm (VNIR, 15 nm steps), float32 reflectance,
  DEFLATE-compressed, per-band wavelengths in GDAL's metadata, georeferenced (UTM 32N). Three
  endmembers with textbook shapes: green vegetation (chlorophyll absorption, red edge near 700 nm,
  NIR plateau), bare soil (slowly rising) and water (falling to near zero in the NIR); abundances are
  smooth random fields pushed through a softmax (so they sum to one), plus 0.5 % noise.

Run from the repository root: python3 test/make-demo-inputs.py
"""
import os
import subprocess
import tempfile

import numpy as np
from scipy.io import wavfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "renderer", "static", "demo")
RATE = 16000


def tone(freqs_amps, seconds, decay):
    t = np.arange(int(seconds * RATE)) / RATE
    env = np.exp(-t / decay) * np.minimum(1, t / 0.005)
    return env * sum(a * np.sin(2 * np.pi * f * t) for f, a in freqs_amps)


def demo_audio():
    seconds = 4.0
    n = int(seconds * RATE)
    bass = np.zeros(n)
    bells = np.zeros(n)
    # Bass: one note per half second, fundamentals A1–G2, five harmonics falling off as 1/h.
    for i, f0 in enumerate([55.0, 55.0, 73.42, 65.41, 82.41, 73.42, 98.0, 55.0]):
        start = int(i * 0.5 * RATE)
        note = tone([(f0 * h, 1.0 / h) for h in range(1, 6)], 0.5, 0.25)
        bass[start : start + len(note)] += note[: n - start]
    # Bells: offbeat notes, a fundamental and an inharmonic partial at 2.76× (a bar's first overtone).
    for i, f0 in enumerate([660.0, 880.0, 990.0, 1320.0, 880.0, 660.0, 1188.0]):
        start = int((0.25 + i * 0.5) * RATE)
        note = tone([(f0, 1.0), (2.76 * f0, 0.3)], 0.45, 0.15)
        bells[start : start + len(note)] += note[: n - start]
    bass *= 0.45 / np.abs(bass).max()
    bells *= 0.35 / np.abs(bells).max()
    mix = bass + bells
    wavfile.write(os.path.join(OUT, "demo-mixture.wav"), RATE, np.round(mix * 32767).astype("<i2"))


def smooth_field(rng, size, scale):
    """A Gaussian random field: white noise low-passed in the Fourier domain."""
    noise = rng.standard_normal((size, size))
    k = np.fft.fftfreq(size)
    kk = np.sqrt(k[:, None] ** 2 + k[None, :] ** 2)
    field = np.real(np.fft.ifft2(np.fft.fft2(noise) * np.exp(-((kk * scale) ** 2))))
    return (field - field.mean()) / field.std()


def demo_cube():
    rng = np.random.default_rng(7)
    size, bands = 64, 40
    wl = 400.0 + 15.0 * np.arange(bands)
    # Vegetation: low visible reflectance with a green bump, chlorophyll dip at 680 nm, red edge, NIR plateau.
    veg = 0.05 + 0.06 * np.exp(-(((wl - 550) / 35) ** 2)) - 0.03 * np.exp(-(((wl - 680) / 20) ** 2)) + 0.42 / (1 + np.exp(-(wl - 715) / 12))
    soil = 0.12 + 0.25 * (wl - 400) / 585 + 0.02 * np.sin((wl - 400) / 90)
    water = 0.08 * np.exp(-(wl - 400) / 160) + 0.005
    endmembers = np.stack([veg, soil, water])  # 3 × bands
    logits = np.stack([smooth_field(rng, size, 9.0) * 2.2 for _ in range(3)])
    logits[2] -= 0.6  # Less water than land.
    weights = np.exp(logits)
    abundances = weights / weights.sum(axis=0)  # 3 × rows × cols, sums to one per pixel
    cube = np.einsum("prc,pb->brc", abundances, endmembers)
    cube = cube * (1 + 0.005 * rng.standard_normal(cube.shape))
    cube = cube.astype("<f4")
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "demo.img")
        cube.tofile(raw)  # BSQ: band, row, col
        with open(os.path.join(tmp, "demo.hdr"), "w") as f:
            f.write(
                "ENVI\n"
                f"samples = {size}\nlines = {size}\nbands = {bands}\nheader offset = 0\nfile type = ENVI Standard\n"
                "data type = 4\ninterleave = bsq\nbyte order = 0\n"
                "map info = {UTM, 1, 1, 500000, 5200000, 30, 30, 32, North, WGS-84, units=Meters}\n"
                "wavelength units = Nanometers\n"
                "wavelength = {" + ", ".join(f"{w:.1f}" for w in wl) + "}\n"
            )
        target = os.path.join(OUT, "demo-cube.tif")
        if os.path.exists(target):
            os.remove(target)
        subprocess.run(["gdal_translate", "-q", "-of", "GTiff", "-co", "COMPRESS=DEFLATE", "-co", "INTERLEAVE=BAND", raw, target], check=True)
        aux = target + ".aux.xml"
        if os.path.exists(aux):
            os.remove(aux)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    demo_audio()
    demo_cube()
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")
