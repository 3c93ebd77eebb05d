import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeWav, encodeWav, wavFormatFor, type WavFormat } from '../../app/audio/wav-codec.js';
import { createRandom } from '../../app/random.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Seeded test signal: a sine plus uniform noise, peaking just under full scale. */
function signal(length: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return new Float32Array(length).map((_, i) => 0.6 * Math.sin(i * 0.05 + seed) + 0.35 * (2 * random() - 1));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Expects decodeWav to throw an Error whose message starts with the file name and matches `what`. */
function rejects(bytes: Uint8Array, name: string, what: RegExp): void {
  assert.throws(
    () => decodeWav(bytes, name),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.ok(error.message.startsWith(`${name}: `), `message does not start with the file name: ${error.message}`);
      assert.match(error.message, what);
      return true;
    },
  );
}

/** Builds a RIFF WAVE file from chunks (id, body), adding pad bytes after odd-sized bodies. */
function riff(chunks: readonly [string, Uint8Array][], form = 'WAVE'): Uint8Array {
  const parts: number[] = [];
  const ascii = (s: string): void => {
    for (const ch of s) parts.push(ch.charCodeAt(0));
  };
  const u32 = (x: number): void => {
    parts.push(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff);
  };
  ascii(form);
  for (const [id, body] of chunks) {
    ascii(id);
    u32(body.length);
    parts.push(...body);
    if (body.length & 1) parts.push(0);
  }
  const out = new Uint8Array(8 + parts.length);
  out.set([0x52, 0x49, 0x46, 0x46]);
  new DataView(out.buffer).setUint32(4, parts.length, true);
  out.set(parts, 8);
  return out;
}

function fmtChunk(tag: number, channels: number, rate: number, bits: number): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  return body;
}

/** WAVEFORMATEXTENSIBLE body (40 bytes) with a KSDATAFORMAT_SUBTYPE GUID for `subFormat`. */
function extensibleFmt(subFormat: number, channels: number, rate: number, bits: number): Uint8Array {
  const body = new Uint8Array(40);
  body.set(fmtChunk(0xfffe, channels, rate, bits));
  const v = new DataView(body.buffer);
  v.setUint16(16, 22, true); // cbSize
  v.setUint16(18, bits, true); // wValidBitsPerSample
  v.setUint32(20, channels === 2 ? 0x3 : 0x4, true); // dwChannelMask: FL|FR, or FC
  // {0000000X-0000-0010-8000-00AA00389B71}
  body.set([subFormat & 0xff, subFormat >> 8, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], 24);
  return body;
}

describe('encodeWav / decodeWav round trips', () => {
  const cases: [WavFormat, number, boolean, number][] = [
    // format, bit depth, float, tolerance: half a quantisation step (+ float32 rounding of the input)
    ['pcm16', 16, false, 0.5 / 32768 + 1e-7],
    ['pcm24', 24, false, 0.5 / 8388608 + 1e-7],
    ['float32', 32, true, 0],
  ];
  for (const [format, bitDepth, float, tolerance] of cases) {
    for (const channelCount of [1, 2]) {
      it(`${format}, ${channelCount === 1 ? 'mono' : 'stereo'}`, () => {
        const channels = Array.from({ length: channelCount }, (_, c) => signal(3001, c + 1));
        const bytes = encodeWav({ sampleRate: 22050, channels }, format);
        assert.equal(bytes.length, 44 + 3001 * channelCount * (bitDepth / 8));
        const decoded = decodeWav(bytes, `round-trip.${format}.wav`);
        assert.equal(decoded.sampleRate, 22050);
        assert.equal(decoded.bitDepth, bitDepth);
        assert.equal(decoded.float, float);
        assert.equal(decoded.channels.length, channelCount);
        channels.forEach((channel, c) => {
          const error = maxAbsDiff(channel, decoded.channels[c]!);
          assert.ok(error <= tolerance, `channel ${c}: max error ${error} > ${tolerance}`);
        });
        // Quantisation really happened for PCM (the decoded values sit on the integer grid).
        if (!float) {
          const scale = 2 ** (bitDepth - 1);
          for (const x of decoded.channels[0]!.subarray(0, 100)) assert.equal(Math.round(x * scale), x * scale);
        }
      });
    }
  }

  it('keeps full-scale samples, including 24-bit −1 (0x800000), which wav-decoder alone reads as +1', () => {
    const extremes = new Float32Array([-1, 1, 0, -0.5, 0.5]);
    const pcm24 = decodeWav(encodeWav({ sampleRate: 8000, channels: [extremes] }, 'pcm24'), 'x.wav').channels[0]!;
    assert.deepEqual([...pcm24], [-1, 1 - 2 ** -23, 0, -0.5, 0.5]);
    const pcm16 = decodeWav(encodeWav({ sampleRate: 8000, channels: [extremes] }, 'pcm16'), 'x.wav').channels[0]!;
    assert.deepEqual([...pcm16], [-1, 1 - 2 ** -15, 0, -0.5, 0.5]);
  });

  it('decodes from a view into a larger buffer (a pooled Node Buffer)', () => {
    const bytes = encodeWav({ sampleRate: 8000, channels: [signal(100, 9)] }, 'pcm16');
    const padded = new Uint8Array(bytes.length + 13);
    padded.set(bytes, 7);
    const view = padded.subarray(7, 7 + bytes.length);
    assert.deepEqual(decodeWav(view, 'view.wav').channels[0], decodeWav(bytes, 'copy.wav').channels[0]);
  });

  it('rejects what it cannot write', () => {
    assert.throws(() => encodeWav({ sampleRate: 8000, channels: [] }, 'pcm16'), /no channels/);
    assert.throws(() => encodeWav({ sampleRate: 0, channels: [new Float32Array(4)] }, 'pcm16'), /sample rate/);
    assert.throws(() => encodeWav({ sampleRate: 8000, channels: [new Float32Array(4), new Float32Array(5)] }, 'pcm16'), /channel 1 has 5 samples/);
    assert.throws(() => encodeWav({ sampleRate: 8000, channels: [new Float32Array([0, Number.NaN])] }, 'float32'), /channel 0, sample 1 is NaN/);
    assert.throws(() => encodeWav({ sampleRate: 8000, channels: [new Float32Array(4)] }, 'pcm8' as WavFormat), /unknown WAV format 'pcm8'/);
  });

  it('wavFormatFor matches the input format', () => {
    assert.equal(wavFormatFor(32, true), 'float32');
    assert.equal(wavFormatFor(64, true), 'float32');
    assert.equal(wavFormatFor(24, false), 'pcm24');
    assert.equal(wavFormatFor(32, false), 'pcm24');
    assert.equal(wavFormatFor(16, false), 'pcm16');
    assert.equal(wavFormatFor(8, false), 'pcm16');
  });
});

describe('decodeWav on hand-built files', () => {
  it('reads WAVE_FORMAT_EXTENSIBLE 24-bit stereo, past an odd-sized chunk with its pad byte', () => {
    const ints = [0, 4194304, -8388608, 8388607, -1, 1234567, -7654321, 42]; // interleaved L R L R …
    const data = new Uint8Array(ints.length * 3);
    ints.forEach((x, i) => data.set([x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff], i * 3));
    const bytes = riff([
      ['fmt ', extensibleFmt(1, 2, 48000, 24)],
      ['LIST', new Uint8Array([0x49, 0x4e, 0x46, 0x4f, 0x41])], // 5 bytes: padded to 6
      ['data', data],
    ]);
    const decoded = decodeWav(bytes, 'extensible.wav');
    assert.equal(decoded.sampleRate, 48000);
    assert.equal(decoded.bitDepth, 24);
    assert.equal(decoded.float, false);
    assert.equal(decoded.channels.length, 2);
    assert.deepEqual([...decoded.channels[0]!], [0, -8388608, -1, -7654321].map((x) => Math.fround(x / 8388608)));
    assert.deepEqual([...decoded.channels[1]!], [4194304, 8388607, 1234567, 42].map((x) => Math.fround(x / 8388608)));
  });

  it('reads WAVE_FORMAT_EXTENSIBLE float32 mono and 64-bit float', () => {
    const values = new Float32Array([0.25, -0.75, 1.5]);
    const ext = decodeWav(riff([['fmt ', extensibleFmt(3, 1, 44100, 32)], ['data', new Uint8Array(values.buffer)]]), 'ext-float.wav');
    assert.equal(ext.float, true);
    assert.equal(ext.bitDepth, 32);
    assert.deepEqual([...ext.channels[0]!], [0.25, -0.75, 1.5]);
    const doubles = new Float64Array([0.1, -0.2]);
    const f64 = decodeWav(riff([['fmt ', fmtChunk(3, 1, 44100, 64)], ['data', new Uint8Array(doubles.buffer)]]), 'f64.wav');
    assert.equal(f64.bitDepth, 64);
    assert.deepEqual([...f64.channels[0]!], [Math.fround(0.1), Math.fround(-0.2)]);
  });

  it('reads 8-bit unsigned PCM with 128 as silence, and 32-bit integer PCM', () => {
    const u8 = decodeWav(riff([['fmt ', fmtChunk(1, 1, 8000, 8)], ['data', new Uint8Array([128, 0, 255, 192])]]), 'u8.wav');
    assert.deepEqual([...u8.channels[0]!], [0, -1, 127 / 128, 0.5].map(Math.fround));
    const i32 = new Int32Array([0, -2147483648, 1073741824]);
    const d32 = decodeWav(riff([['fmt ', fmtChunk(1, 1, 8000, 32)], ['data', new Uint8Array(i32.buffer)]]), 'i32.wav');
    assert.deepEqual([...d32.channels[0]!], [0, -1, 0.5]);
  });

  it('names the file and the problem in every error', () => {
    const good = encodeWav({ sampleRate: 8000, channels: [signal(400, 3)] }, 'pcm16');
    rejects(good.subarray(0, good.length - 100), 'cut.wav', /truncated.*declares 800 bytes but only 700 are present \(100 bytes missing\)/);
    rejects(new Uint8Array(0), 'empty.wav', /empty file/);
    const garbage = new Uint8Array(1000);
    const random = createRandom(11);
    garbage.forEach((_, i) => (garbage[i] = Math.floor(random() * 256)));
    rejects(garbage, 'garbage.bin', /not a WAV file/);
    rejects(new Uint8Array([0x52, 0x49, 0x46]), 'tiny.wav', /not a WAV file/);
    rejects(riff([['avih', new Uint8Array(8)]], 'AVI '), 'movie.avi', /form type is 'AVI ', expected 'WAVE'/);
    rejects(riff([['data', new Uint8Array(8)]]), 'nofmt.wav', /no fmt chunk/);
    rejects(riff([['fmt ', fmtChunk(1, 1, 8000, 16)]]), 'nodata.wav', /no data chunk/);
    rejects(riff([['fmt ', fmtChunk(7, 1, 8000, 8)], ['data', new Uint8Array(8)]]), 'mulaw.wav', /unsupported WAV format tag 0x0007 \(µ-law\)/);
    rejects(riff([['fmt ', extensibleFmt(2, 1, 8000, 16)], ['data', new Uint8Array(8)]]), 'adpcm.wav', /unsupported WAV format tag 0x0002/);
    rejects(riff([['fmt ', fmtChunk(1, 0, 8000, 16)], ['data', new Uint8Array(8)]]), 'nochan.wav', /zero channels/);
    rejects(riff([['fmt ', fmtChunk(1, 1, 8000, 16)], ['data', new Uint8Array(0)]]), 'silent.wav', /empty audio/);
    rejects(riff([['fmt ', fmtChunk(1, 1, 8000, 12)], ['data', new Uint8Array(8)]]), 'odd.wav', /unsupported PCM bit depth 12/);
    rejects(riff([['fmt ', fmtChunk(3, 1, 8000, 16)], ['data', new Uint8Array(8)]]), 'half.wav', /unsupported float bit depth 16/);
    rejects(riff([['fmt ', fmtChunk(1, 1, 8000, 16)], ['LIST', new Uint8Array(4)]]).subarray(0, 46), 'cutlist.wav', /no data chunk; the file ends inside a 'LIST' chunk that declares 4 bytes \(2 present\)/);
  });
});

describe('decodeWav on the shared data set', () => {
  it('stereo_clarinet_guitar/mix.wav: 24-bit stereo at 44.1 kHz', (t) => {
    const file = join(repoRoot, '..', 'shared', 'data', 'audio', 'stereo_clarinet_guitar', 'mix.wav');
    if (!existsSync(file)) {
      t.skip(`${file} not present`);
      return;
    }
    const decoded = decodeWav(readFileSync(file), file);
    assert.equal(decoded.channels.length, 2);
    assert.equal(decoded.sampleRate, 44100);
    assert.equal(decoded.bitDepth, 24);
    assert.equal(decoded.float, false);
    assert.equal(decoded.channels[0]!.length, decoded.channels[1]!.length);
    assert.ok(decoded.channels[0]!.length > 44100, 'at least a second of audio');
    let peak = 0;
    for (const channel of decoded.channels) for (const x of channel) peak = Math.max(peak, Math.abs(x));
    assert.ok(peak > 0.01 && peak <= 1, `peak ${peak}`);
  });
});
