#!/usr/bin/env python3
"""Makes the WAV decoder's fixtures in test/fixtures/wav/ and their expected values.

Valid files are written by sox (SoX 14.4, which writes WAVE_FORMAT_EXTENSIBLE for more than two
channels or more than 16 bits unless told `-t wavpcm`) and by Python's wave module / numpy; the
expected samples come from scipy.io.wavfile (an independent reader), scaled as libsndfile does:
x / 2^(bits-1) for signed PCM, (x - 128) / 128 for unsigned 8-bit, floats as they are.
expected.json keeps, per file, the format and per channel the sum, the sum of squares and 64
samples at fixed positions, so the committed fixtures stay small and CI needs no Python.

Corrupt files are cut or patched copies of valid ones, or files of other kinds named .wav;
test/unit/wav-codec-fixtures.test.ts lists the error each must give.

Run from the repository root: python3 test/make-wav-fixtures.py (needs sox, numpy, scipy).
"""
import json
import math
import os
import struct
import subprocess
import wave

import numpy as np
import scipy.io.wavfile as wavfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'wav')
os.makedirs(OUT, exist_ok=True)


def path(name):
    return os.path.join(OUT, name)


def sox(*args):
    subprocess.run(['sox', '-D', '-V1', *args], check=True)  # -D: no dither, exact values


# --- valid files ---------------------------------------------------------------------------
# A few tones per channel (sox's synth takes one generator per channel), at 0.9 of full scale.
VALID = {
    # name: sox output options, synth duration (s), generators
    'u8-mono-8k.wav': (['-r', '8000', '-e', 'unsigned-integer', '-b', '8', '-c', '1'], '0.05', ['sine', '440']),
    's16-stereo-44k.wav': (['-r', '44100', '-e', 'signed-integer', '-b', '16', '-c', '2'], '0.02', ['sine', '440', 'square', '660']),
    's24-stereo-192k-extensible.wav': (['-r', '192000', '-e', 'signed-integer', '-b', '24', '-c', '2'], '0.005', ['sine', '1000', 'sawtooth', '3000']),
    's24-mono-48k-plain.wav': (['-t', 'wavpcm', '-r', '48000', '-e', 'signed-integer', '-b', '24', '-c', '1'], '0.01', ['triangle', '500']),
    's32-quad-16k.wav': (['-r', '16000', '-e', 'signed-integer', '-b', '32', '-c', '4'], '0.02', ['sine', '100', 'sine', '200', 'square', '300', 'sine', '400']),
    'f32-6ch-48k.wav': (['-r', '48000', '-e', 'floating-point', '-b', '32', '-c', '6'], '0.004',
                        ['sine', '100', 'sine', '200', 'sine', '300', 'sine', '400', 'sine', '500', 'sine', '600']),
    'f64-mono-96k.wav': (['-r', '96000', '-e', 'floating-point', '-b', '64', '-c', '1'], '0.005', ['sine', '2000']),
}
for name, (options, seconds, generators) in VALID.items():
    sox('-n', *options, path(name), 'synth', seconds, *generators, 'gain', '-1')

# Python's wave module: plain 16-bit PCM at 11025 Hz mono.
with wave.open(path('s16-mono-11k-pywave.wav'), 'wb') as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(11025)
    t = np.arange(400) / 11025
    x = np.round(20000 * np.sin(2 * np.pi * 300 * t) * np.exp(-5 * t)).astype('<i2')
    w.writeframes(x.tobytes())


def chunk(cid, body):
    pad = b'\0' if len(body) % 2 else b''
    return cid + struct.pack('<I', len(body)) + body + pad


def riff(*chunks):
    body = b'WAVE' + b''.join(chunks)
    return b'RIFF' + struct.pack('<I', len(body)) + body


def fmt(tag, channels, rate, bits, block_align=None):
    block = block_align if block_align is not None else channels * bits // 8
    return chunk(b'fmt ', struct.pack('<HHIIHH', tag, channels, rate, rate * channels * bits // 8, block, bits))


# numpy: float32 stereo with values beyond ±1 (legal in float files), a 'LIST' chunk of odd size
# (5 bytes + pad byte) and a 'fact' chunk before the data.
frames = 300
t = np.arange(frames) / 22050
float_stereo = np.stack([1.5 * np.sin(2 * np.pi * 700 * t), -0.25 + 0.5 * np.cos(2 * np.pi * 90 * t)], axis=1).astype('<f4')
with open(path('f32-stereo-22k-odd-chunks.wav'), 'wb') as f:
    f.write(riff(fmt(3, 2, 22050, 32), chunk(b'LIST', b'INFOx'), chunk(b'fact', struct.pack('<I', frames)), chunk(b'data', float_stereo.tobytes())))

# numpy: WAVE_FORMAT_EXTENSIBLE float32, 3 channels (FL FR FC), KSDATAFORMAT_SUBTYPE_IEEE_FLOAT.
frames = 200
t = np.arange(frames) / 44100
three = np.stack([np.sin(2 * np.pi * f * t) * a for f, a in ((250, 0.8), (500, 0.4), (1250, 0.2))], axis=1).astype('<f4')
guid = struct.pack('<H', 3) + bytes([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71])
ext = struct.pack('<HHIIHH', 0xFFFE, 3, 44100, 44100 * 12, 12, 32) + struct.pack('<HHI', 22, 32, 0x7) + guid
with open(path('f32-3ch-44k-extensible.wav'), 'wb') as f:
    f.write(riff(chunk(b'fmt ', ext), chunk(b'data', three.tobytes())))


def expected_of(name):
    rate, data = wavfile.read(path(name))
    raw = open(path(name), 'rb').read()
    tag = struct.unpack('<H', raw[raw.index(b'fmt ') + 8:][:2])[0]
    if data.ndim == 1:
        data = data[:, None]
    kind = data.dtype
    if kind == np.uint8:
        bits, is_float, x = 8, False, (data.astype(np.float64) - 128) / 128
    elif kind == np.int16:
        bits, is_float, x = 16, False, data / 32768.0
    elif kind == np.int32:
        # scipy returns 24-bit samples left-justified in int32, so both scale by 2^31.
        bits = struct.unpack('<H', raw[raw.index(b'fmt ') + 8 + 14:][:2])[0]
        is_float, x = False, data / 2147483648.0
    else:
        bits, is_float = 8 * kind.itemsize, True
        # The decoder returns float32: compare against float32-rounded values.
        x = data.astype(np.float32).astype(np.float64)
    frames, channels = x.shape
    positions = sorted({int(round(i * (frames - 1) / 63)) for i in range(64)})
    return {
        'sampleRate': rate,
        'channels': channels,
        'frames': frames,
        'bitDepth': bits,
        'float': is_float,
        'formatTag': tag,
        'positions': positions,
        'perChannel': [
            {'sum': float(x[:, c].sum()), 'sumSquares': float((x[:, c] ** 2).sum()), 'samples': [float(v) for v in x[positions, c]]}
            for c in range(channels)
        ],
    }


valid_names = sorted(list(VALID) + ['s16-mono-11k-pywave.wav', 'f32-stereo-22k-odd-chunks.wav', 'f32-3ch-44k-extensible.wav'])
expected = {name: expected_of(name) for name in valid_names}

# --- corrupt and wrong-type files -------------------------------------------------------------
good = open(path('s16-stereo-44k.wav'), 'rb').read()
data_at = good.index(b'data')
open(path('corrupt-empty.wav'), 'wb').close()
with open(path('corrupt-truncated-data.wav'), 'wb') as f:
    f.write(good[: data_at + 8 + 1000])  # the data chunk declares 3528 bytes
with open(path('corrupt-truncated-header.wav'), 'wb') as f:
    f.write(good[:30])  # inside the fmt chunk
with open(path('corrupt-no-data.wav'), 'wb') as f:
    f.write(riff(fmt(1, 1, 8000, 16), chunk(b'LIST', b'INFOISFT\x05\0\0\0sox\0\0')))
with open(path('corrupt-zero-frames.wav'), 'wb') as f:
    f.write(riff(fmt(1, 2, 8000, 16), chunk(b'data', b'\0\0')))  # 2 bytes: less than one 4-byte frame
with open(path('corrupt-block-align.wav'), 'wb') as f:
    f.write(riff(fmt(1, 2, 8000, 16, block_align=6), chunk(b'data', bytes(24))))
with open(path('corrupt-nan-float.wav'), 'wb') as f:
    samples = np.array([0.0, 0.5, np.nan, -0.5], dtype='<f4')
    f.write(riff(fmt(3, 1, 8000, 32), chunk(b'data', samples.tobytes())))
with open(path('corrupt-garbage.wav'), 'wb') as f:
    f.write(np.random.default_rng(5).integers(0, 256, 512, dtype=np.uint8).tobytes())
with open(path('wrong-type-text.wav'), 'wb') as f:
    f.write(b'This is not audio, just a text file named .wav\n')
# Other audio formats named .wav: FLAC and Sony Wave64 (sox), A-law and IMA ADPCM in RIFF (sox).
sox('-n', '-r', '8000', '-c', '1', '-b', '16', '-t', 'flac', path('wrong-type-flac.wav'), 'synth', '0.01', 'sine', '440')
sox('-n', '-r', '8000', '-c', '1', '-b', '16', '-t', 'w64', path('wrong-type-w64.wav'), 'synth', '0.01', 'sine', '440')
sox('-n', '-r', '8000', '-c', '1', '-e', 'a-law', path('unsupported-alaw.wav'), 'synth', '0.01', 'sine', '440')
sox('-n', '-r', '8000', '-c', '1', '-e', 'ima-adpcm', path('unsupported-ima-adpcm.wav'), 'synth', '0.02', 'sine', '440')

with open(path('expected.json'), 'w') as f:
    json.dump(expected, f, indent=1)
    f.write('\n')
print(f'wrote {len(os.listdir(OUT))} files to {OUT}')
