#!/usr/bin/env python3
"""Writes the guided-separation fixtures of the GUI's end-to-end test (test/e2e/workspace-guided.test.ts)
into test/fixtures/guided/, with numpy + scipy.io.wavfile (independent of our WAV codec). Seeded
and deterministic: running it again gives the same files. Made with NumPy 2.4.6, SciPy 1.17.1.

- mixture.wav: 4 s, 16 kHz, mono, 16-bit. A bass line (harmonic tones, 55–98 Hz fundamentals)
  plays throughout; a bell melody (a fundamental at 660–1320 Hz and an inharmonic partial at
  2.76x) joins at 1.0 s. So 0–1 s holds the bass alone: a solo range for guided mode.
- bells-clip.wav: 2 s, 16 kHz: other bell notes alone, an example clip of the bells.
- bells-clip-8k.wav: the same clip at 8 kHz, which a 16 kHz mixture must refuse.

Run from the repository root: python3 test/make-guided-fixtures.py
"""
import os

import numpy as np
from scipy.io import wavfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "guided")


def tone(rate, freqs_amps, seconds, decay):
    t = np.arange(int(seconds * rate)) / rate
    env = np.exp(-t / decay) * np.minimum(1, t / 0.005)
    return env * sum(a * np.sin(2 * np.pi * f * t) for f, a in freqs_amps)


def place(track, note, start):
    end = min(len(track), start + len(note))
    track[start:end] += note[: end - start]


def bells(rate, seconds, notes, offset):
    out = np.zeros(int(seconds * rate))
    for i, f0 in enumerate(notes):
        place(out, tone(rate, [(f0, 1.0), (2.76 * f0, 0.3)], 0.45, 0.15), int((offset + i * 0.5) * rate))
    return out


def write(name, rate, signal):
    wavfile.write(os.path.join(OUT, name), rate, np.round(signal * 32767).astype("<i2"))


def main():
    os.makedirs(OUT, exist_ok=True)
    rate = 16000
    n = 4 * rate
    bass = np.zeros(n)
    for i, f0 in enumerate([55.0, 73.42, 65.41, 82.41, 73.42, 98.0, 55.0, 65.41]):
        place(bass, tone(rate, [(f0 * h, 1.0 / h) for h in range(1, 6)], 0.5, 0.25), int(i * 0.5 * rate))
    melody = bells(rate, 4.0, [660.0, 880.0, 990.0, 1320.0, 880.0, 1188.0], 1.0)
    bass *= 0.45 / np.abs(bass).max()
    melody *= 0.35 / np.abs(melody).max()
    write("mixture.wav", rate, bass + melody)
    for clip_rate, name in [(16000, "bells-clip.wav"), (8000, "bells-clip-8k.wav")]:
        clip = bells(clip_rate, 2.0, [740.0, 990.0, 1108.0, 880.0], 0.0)
        write(name, clip_rate, clip * 0.35 / np.abs(clip).max())


if __name__ == "__main__":
    main()
