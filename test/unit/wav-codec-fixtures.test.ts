import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeWav, encodeWav, readWavInfo } from '../../app/audio/wav-codec.js';
import { createRandom } from '../../app/random.js';
import { createSessionHost } from '../../main/host/session-host.js';

// Fixtures and their expected values come from test/make-wav-fixtures.py: sox, Python's wave
// module and numpy write the files, scipy.io.wavfile reads the expected samples.
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'wav');

interface Expected {
  readonly sampleRate: number;
  readonly channels: number;
  readonly frames: number;
  readonly bitDepth: number;
  readonly float: boolean;
  readonly formatTag: number;
  readonly positions: readonly number[];
  readonly perChannel: readonly { readonly sum: number; readonly sumSquares: number; readonly samples: readonly number[] }[];
}

const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, Expected>;

describe('decodeWav on files written by sox, Python wave and numpy', () => {
  it('covers every depth, PCM and float, WAVE_FORMAT_EXTENSIBLE, 1–6 channels, 8–192 kHz', () => {
    const all = Object.values(expected);
    assert.deepEqual([...new Set(all.filter((e) => !e.float).map((e) => e.bitDepth))].sort((a, b) => a - b), [8, 16, 24, 32]);
    assert.deepEqual([...new Set(all.filter((e) => e.float).map((e) => e.bitDepth))].sort((a, b) => a - b), [32, 64]);
    assert.ok(all.some((e) => e.formatTag === 0xfffe && !e.float) && all.some((e) => e.formatTag === 0xfffe && e.float));
    assert.ok(all.some((e) => e.channels === 1) && all.some((e) => e.channels === 2) && all.some((e) => e.channels > 2));
    assert.equal(Math.min(...all.map((e) => e.sampleRate)), 8000);
    assert.equal(Math.max(...all.map((e) => e.sampleRate)), 192000);
  });

  for (const [name, want] of Object.entries(expected)) {
    it(name, () => {
      const bytes = readFileSync(join(fixtures, name));
      const info = readWavInfo(bytes, name);
      assert.deepEqual(info, { sampleRate: want.sampleRate, channels: want.channels, frames: want.frames, bitDepth: want.bitDepth, float: want.float });
      const audio = decodeWav(bytes, name);
      assert.equal(audio.sampleRate, want.sampleRate);
      assert.equal(audio.bitDepth, want.bitDepth);
      assert.equal(audio.float, want.float);
      assert.equal(audio.channels.length, want.channels);
      // float32 holds every 8/16/24-bit value and every float32 exactly; 32-bit integers and
      // float64 round to float32 (relative 2^-24).
      const tolerance = 2 ** -24;
      audio.channels.forEach((channel, c) => {
        const w = want.perChannel[c]!;
        assert.equal(channel.length, want.frames);
        want.positions.forEach((p, i) => {
          assert.ok(Math.abs(channel[p]! - w.samples[i]!) <= tolerance * Math.max(1, Math.abs(w.samples[i]!)), `channel ${c}, sample ${p}: ${channel[p]} vs ${w.samples[i]}`);
        });
        let sum = 0;
        let sumSquares = 0;
        for (const x of channel) {
          sum += x;
          sumSquares += x * x;
        }
        assert.ok(Math.abs(sum - w.sum) <= want.frames * tolerance, `channel ${c}: sum ${sum} vs ${w.sum}`);
        assert.ok(Math.abs(sumSquares - w.sumSquares) <= want.frames * 4 * tolerance, `channel ${c}: sum of squares ${sumSquares} vs ${w.sumSquares}`);
      });
    });
  }
});

/** Each corrupt or foreign fixture and what its error must say (after "<file name>: "). */
const BAD: readonly [string, RegExp][] = [
  ['corrupt-empty.wav', /^empty file \(0 bytes\)$/],
  ['corrupt-truncated-data.wav', /^truncated: the data chunk declares 3528 bytes but only 1000 are present \(2528 bytes missing\)$/],
  ['corrupt-truncated-header.wav', /^truncated: the fmt chunk declares 16 bytes but only 10 are present$/],
  ['corrupt-no-data.wav', /^no data chunk$/],
  ['corrupt-zero-frames.wav', /^empty audio \(the data chunk holds 2 bytes, less than one 4-byte frame\)$/],
  ['corrupt-block-align.wav', /^the fmt chunk's block align is 6 bytes, but 2 channels of 16-bit samples take 4$/],
  ['corrupt-nan-float.wav', /^sample 2 of channel 1 \(at 0\.000 s\) is NaN; audio samples must be finite$/],
  ['corrupt-garbage.wav', /^not a WAV file \(no RIFF header\)$/],
  ['wrong-type-text.wav', /^not a WAV file \(no RIFF header\)$/],
  ['wrong-type-flac.wav', /^not a WAV file \(no RIFF header\)$/],
  ['wrong-type-w64.wav', /^not a WAV file \(no RIFF header\)$/],
  ['unsupported-alaw.wav', /^unsupported WAV format tag 0x0006 \(A-law\); only PCM \(1\) and IEEE float \(3\) are supported$/],
  ['unsupported-ima-adpcm.wav', /^unsupported WAV format tag 0x0011 \(IMA ADPCM\); only PCM \(1\) and IEEE float \(3\) are supported$/],
];

describe('decodeWav on corrupt, truncated, empty and wrong-type files', () => {
  for (const [name, message] of BAD) {
    it(name, () => {
      const bytes = readFileSync(join(fixtures, name));
      const check = (error: unknown): boolean => {
        assert.ok(error instanceof Error, 'an Error, not a crash');
        assert.ok(error.message.startsWith(`${name}: `), `names the file: ${error.message}`);
        assert.match(error.message.slice(name.length + 2), message);
        return true;
      };
      assert.throws(() => decodeWav(bytes, name), check);
      // The header-only reader refuses the same files, except those whose samples are at fault.
      if (name !== 'corrupt-nan-float.wav') assert.throws(() => readWavInfo(bytes, name), check);
    });
  }

  it('the session host refuses them when opening, naming the file', async () => {
    const host = createSessionHost({ exportDir: fixtures });
    try {
      // The host reads only the header when opening (the samples are decoded in the worker), so
      // the file whose samples are at fault (NaN) is refused by the worker's decodeWav instead.
      for (const [name] of BAD.filter(([n]) => n !== 'corrupt-nan-float.wav')) {
        const file = join(fixtures, name);
        await assert.rejects(host.openPath(file), (error: unknown) => {
          assert.ok(error instanceof Error, `${name}: ${String(error)}`);
          assert.ok(error instanceof Error);
          // Files without a RIFF/WAVE header are refused by kind detection, the others by the decoder.
          assert.ok(error.message.startsWith(`${name}: `), error.message);
          assert.match(error.message.slice(name.length + 2), /^(the file is empty$|not a WAV or GeoTIFF file \(unrecognised header\)$|[a-z])/);
          return true;
        });
      }
    } finally {
      await host.dispose();
    }
  });
});

describe('decodeWav on long files', () => {
  it('decodes in blocks without seams: 600 001 stereo 24-bit frames (3.6 MB, four blocks)', () => {
    const frames = 600_001;
    const random = createRandom(3);
    const channels = [0, 1].map(() => new Float32Array(frames).map(() => Math.round((2 * random() - 1) * 8388607) / 8388608));
    channels[0]![frames - 1] = -1;
    const bytes = encodeWav({ sampleRate: 44100, channels }, 'pcm24');
    const decoded = decodeWav(bytes, 'long.wav');
    assert.equal(decoded.channels[0]!.length, frames);
    decoded.channels.forEach((channel, c) => {
      for (let i = 0; i < frames; i++) {
        if (channel[i] !== channels[c]![i]) assert.fail(`channel ${c}, frame ${i}: ${channel[i]} ≠ ${channels[c]![i]}`);
      }
    });
  });
});
