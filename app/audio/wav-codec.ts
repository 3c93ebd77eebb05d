/// <reference path="./vendor-types.d.ts" />
import WavDecoder from 'wav-decoder';
import WavEncoder from 'wav-encoder';

/**
 * WAV in and out. Sample decoding and encoding are wav-decoder's and wav-encoder's; this module
 * reads the RIFF chunk structure itself first (Microsoft/IBM "Multimedia Programming Interface and
 * Data Specifications 1.0", 1991, and the WAVE_FORMAT_EXTENSIBLE addendum), because wav-decoder 1.3:
 *  - rejects WAVE_FORMAT_EXTENSIBLE (0xFFFE), which sox, libsndfile and DAWs write for 24-bit and
 *    multichannel files;
 *  - ignores the pad byte after odd-sized chunks, silently truncates a short data chunk, and reads
 *    past the end (RangeError) when there is no data chunk;
 *  - decodes the 24-bit sample 0x800000 (full-scale negative) as +1 (`xx > 0x800000` should be `>=`).
 * So the decoder is handed a canonical 44-byte-header copy (fmt tag 1 or 3, then the data), and
 * every error names the file. Integer samples come out linear, x / 2^(bits−1) ∈ [−1, 1), at every
 * depth (libsndfile's convention), and encodeWav writes with the same scale.
 *
 * wav-decoder also tests `global.Buffer`, a Node global: a browser bundle must define `global`
 * (esbuild `define: { global: 'globalThis' }`), else decoding fails with "global is not defined".
 */
export interface DecodedAudio {
  readonly sampleRate: number;
  /** One Float32Array per channel, all the same length, nominally in [-1, 1]. */
  readonly channels: Float32Array[];
  /** Bits per sample in the file's container: 8, 16, 24, 32 (PCM) or 32, 64 (float). */
  readonly bitDepth: number;
  readonly float: boolean;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Other tags seen in the wild, so the error can say what the file is. */
const KNOWN_UNSUPPORTED: Readonly<Record<number, string>> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MPEG Layer 3',
};

/** The depths wav-decoder has readers for (its pcm8…pcm32, pcm32f, pcm64f). */
const PCM_DEPTHS: readonly number[] = [8, 16, 24, 32];
const FLOAT_DEPTHS: readonly number[] = [32, 64];

interface WavLayout {
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitDepth: number;
  readonly dataOffset: number;
  readonly dataBytes: number;
}

/** What a WAV file holds, read from its header without decoding a sample. */
export interface WavInfo {
  readonly sampleRate: number;
  readonly channels: number;
  /** Sample frames (one sample per channel each) in the data chunk. */
  readonly frames: number;
  readonly bitDepth: number;
  readonly float: boolean;
}

/**
 * Checks a WAV file's structure (everything decodeWav checks before decoding) and returns its
 * format, without decoding: a host that only needs a summary (sample rate, duration) then holds
 * no decoded copy of a long recording (10 minutes of 44.1 kHz stereo is 212 MB as float32).
 */
export function readWavInfo(bytes: Uint8Array, fileName: string): WavInfo {
  const layout = readLayout(bytes, fileName);
  return {
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    frames: framesOf(layout, fileName),
    bitDepth: layout.bitDepth,
    float: layout.formatTag === WAVE_FORMAT_IEEE_FLOAT,
  };
}

/**
 * wav-decoder is handed the data in blocks of about this many bytes, each behind its own canonical
 * header, and the samples land in the output arrays as they come: the decoder never needs a
 * whole-file copy of the data beside the input bytes and the output (a 10-minute stereo 16-bit
 * file is 106 MB of bytes and 212 MB of float32; one block is 1 MiB).
 */
const DECODE_BLOCK_BYTES = 1 << 20;

export function decodeWav(bytes: Uint8Array, fileName: string): DecodedAudio {
  const layout = readLayout(bytes, fileName);
  const frames = framesOf(layout, fileName);
  const blockAlign = layout.channels * (layout.bitDepth / 8);
  const float = layout.formatTag === WAVE_FORMAT_IEEE_FLOAT;
  const channels = Array.from({ length: layout.channels }, () => new Float32Array(frames));
  const blockFrames = Math.max(1, Math.floor(DECODE_BLOCK_BYTES / blockAlign));
  for (let first = 0; first < frames; first += blockFrames) {
    const count = Math.min(blockFrames, frames - first);
    const canonical = canonicalWav(bytes, layout, layout.dataOffset + first * blockAlign, count * blockAlign);
    let decoded: { channelData: Float32Array[] };
    try {
      // symmetric: integers scale linearly by 2^(bits-1), as libsndfile reads them, and as
      // encodeWav writes them. Not for 8-bit, where wav-decoder's "symmetric" maps silence (128)
      // to +1/255 instead of 0 (the asymmetric 8-bit reading is made linear below).
      decoded = WavDecoder.decode.sync(canonical, { symmetric: !float && layout.bitDepth > 8 });
    } catch (error) {
      throw new Error(`${fileName}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const block = decoded.channelData;
    if (block.length !== layout.channels || block.some((c) => c.length !== count)) {
      throw new Error(`${fileName}: decoder returned ${block.length} channels of ${block[0]?.length ?? 0} samples, expected ${layout.channels} of ${count}`);
    }
    block.forEach((samples, c) => channels[c]!.set(samples, first));
  }
  if (!float && layout.bitDepth === 8) {
    // wav-decoder scales 8-bit positives by 1/127 (negatives by 1/128); rescale them to 1/128 so
    // every integer depth maps linearly, x / 2^(bits-1).
    for (const channel of channels) {
      for (let i = 0; i < channel.length; i++) if (channel[i]! > 0) channel[i] = Math.round(channel[i]! * 127) / 128;
    }
  }
  if (!float && layout.bitDepth === 24) {
    // Undo wav-decoder's sign slip: with symmetric scaling the largest positive 24-bit sample is
    // 1 − 2⁻²³, so an exact +1 can only be 0x800000, i.e. −1.
    for (const channel of channels) {
      for (let i = 0; i < channel.length; i++) if (channel[i] === 1) channel[i] = -1;
    }
  }
  if (float) {
    // A float file can hold NaN or ±Inf (a crashed plug-in, a corrupt file); nothing downstream
    // can use them, and the STFT's own error would not say which file they came from. Values
    // beyond ±1 are legitimate in float files and kept. (64-bit values beyond float32's range
    // become ±Inf here and are refused the same way.)
    channels.forEach((channel, c) => {
      for (let i = 0; i < channel.length; i++) {
        if (!Number.isFinite(channel[i]!)) {
          throw new Error(`${fileName}: sample ${i} of channel ${c + 1} (at ${(i / layout.sampleRate).toFixed(3)} s) is ${channel[i]}; audio samples must be finite`);
        }
      }
    });
  }
  return { sampleRate: layout.sampleRate, channels, bitDepth: layout.bitDepth, float };
}

function framesOf(layout: WavLayout, fileName: string): number {
  const blockAlign = layout.channels * (layout.bitDepth / 8);
  const frames = Math.floor(layout.dataBytes / blockAlign);
  if (frames === 0) {
    throw new Error(`${fileName}: empty audio (the data chunk holds ${layout.dataBytes} bytes, less than one ${blockAlign}-byte frame)`);
  }
  return frames;
}

/** Walks the RIFF chunks: finds fmt and data, checks everything the decoder would trip on. */
function readLayout(bytes: Uint8Array, fileName: string): WavLayout {
  const fail = (message: string): never => {
    throw new Error(`${fileName}: ${message}`);
  };
  if (bytes.length === 0) fail('empty file (0 bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fourCC = (at: number): string => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (bytes.length < 12) fail(`not a WAV file (only ${bytes.length} bytes, a RIFF/WAVE header needs 12)`);
  const riff = fourCC(0);
  if (riff === 'RF64' || riff === 'RIFX') fail(`${riff} files are not supported (only little-endian RIFF WAVE)`);
  if (riff !== 'RIFF') fail('not a WAV file (no RIFF header)');
  if (fourCC(8) !== 'WAVE') fail(`not a WAV file (RIFF form type is '${printable(fourCC(8))}', expected 'WAVE')`);

  let fmt: Omit<WavLayout, 'dataOffset' | 'dataBytes'> | null = null;
  let data: { offset: number; bytes: number } | null = null;
  let overrun: string | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length && (fmt === null || data === null)) {
    const id = fourCC(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    const available = bytes.length - body;
    if (id === 'data') {
      if (size > available) {
        fail(`truncated: the data chunk declares ${size} bytes but only ${available} are present (${size - available} bytes missing)`);
      }
      data = { offset: body, bytes: size };
    } else if (id === 'fmt ') {
      if (size > available) fail(`truncated: the fmt chunk declares ${size} bytes but only ${available} are present`);
      fmt = readFmt(view, body, size, fail);
    } else if (size > available) {
      overrun = `the file ends inside a '${printable(id)}' chunk that declares ${size} bytes (${available} present)`;
      break;
    }
    // RIFF chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    offset = body + size + (size & 1);
  }
  const where = overrun ? `; ${overrun}` : '';
  if (fmt === null) return fail(`no fmt chunk${where}`);
  if (data === null) return fail(`no data chunk${where}`);
  return { ...fmt, dataOffset: data.offset, dataBytes: data.bytes };
}

function readFmt(view: DataView, at: number, size: number, fail: (message: string) => never): Omit<WavLayout, 'dataOffset' | 'dataBytes'> {
  if (size < 16) fail(`fmt chunk is ${size} bytes, needs at least 16`);
  let formatTag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bitDepth = view.getUint16(at + 14, true);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    // WAVEFORMATEXTENSIBLE: cbSize (2), wValidBitsPerSample (2), dwChannelMask (4), SubFormat GUID
    // (16) whose first two bytes are the plain format tag (KSDATAFORMAT_SUBTYPE_PCM = 0x0001…,
    // _IEEE_FLOAT = 0x0003…). Samples sit in bitDepth-bit containers, valid bits left-justified, so
    // reading the containers as plain PCM is exact.
    if (size < 40) fail(`WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, needs 40`);
    formatTag = view.getUint16(at + 24, true);
  }
  if (formatTag !== WAVE_FORMAT_PCM && formatTag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = KNOWN_UNSUPPORTED[formatTag];
    fail(`unsupported WAV format tag 0x${formatTag.toString(16).padStart(4, '0')}${name ? ` (${name})` : ''}; only PCM (1) and IEEE float (3) are supported`);
  }
  if (channels === 0) fail('the fmt chunk declares zero channels');
  if (sampleRate === 0) fail('the fmt chunk declares a sample rate of 0 Hz');
  const float = formatTag === WAVE_FORMAT_IEEE_FLOAT;
  const depths = float ? FLOAT_DEPTHS : PCM_DEPTHS;
  if (!depths.includes(bitDepth)) {
    fail(`unsupported ${float ? 'float' : 'PCM'} bit depth ${bitDepth}; supported: ${depths.join(', ')}`);
  }
  // wav-decoder steps through the data by the header's block align; a header whose block align is
  // not channels × bytes per sample would be read as shifted, garbled frames, so it is refused.
  const blockAlign = view.getUint16(at + 12, true);
  const expectedAlign = channels * (bitDepth / 8);
  if (blockAlign !== expectedAlign) {
    fail(`the fmt chunk's block align is ${blockAlign} bytes, but ${channels} channel${channels === 1 ? '' : 's'} of ${bitDepth}-bit samples take ${expectedAlign}`);
  }
  return { formatTag, channels, sampleRate, bitDepth };
}

/**
 * RIFF header + 16-byte fmt (plain tag) + `dataBytes` of data from `from`, as a fresh ArrayBuffer:
 * wav-decoder wants a whole ArrayBuffer, and `bytes` may be a view into a larger one (a Node
 * Buffer from the pool). The block align is recomputed from channels and depth, which is what
 * wav-decoder then reads samples by.
 */
function canonicalWav(bytes: Uint8Array, layout: WavLayout, from: number, dataBytes: number): ArrayBuffer {
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const blockAlign = layout.channels * (layout.bitDepth / 8);
  const ascii = (at: number, text: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, layout.formatTag, true);
  view.setUint16(22, layout.channels, true);
  view.setUint32(24, layout.sampleRate, true);
  view.setUint32(28, (layout.sampleRate * blockAlign) >>> 0, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, layout.bitDepth, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  out.set(bytes.subarray(from, from + dataBytes), 44);
  return out.buffer;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

export type WavFormat = 'pcm16' | 'pcm24' | 'float32';

/** The output format that loses nothing the input had: float stays float, >16-bit PCM → 24-bit. */
export function wavFormatFor(bitDepth: number, float: boolean): WavFormat {
  if (float) return 'float32';
  return bitDepth > 16 ? 'pcm24' : 'pcm16';
}

/**
 * Writes a canonical 44-byte-header WAV. Integer formats quantise linearly, round(x · 2^(bits-1))
 * clipped to the integer range (wav-encoder's "symmetric" mode), the exact inverse of decodeWav's
 * scaling; samples outside [-1, 1] clip there. float32 keeps values as they are.
 */
export function encodeWav(audio: { readonly sampleRate: number; readonly channels: readonly Float32Array[] }, format: WavFormat): Uint8Array {
  const { sampleRate, channels } = audio;
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) {
    throw new RangeError(`sample rate must be a positive integer, got ${sampleRate}`);
  }
  if (channels.length === 0) throw new RangeError('cannot write a WAV file with no channels');
  if (channels.length > 0xffff) throw new RangeError(`too many channels (${channels.length}) for a WAV file`);
  const length = channels[0]!.length;
  channels.forEach((channel, c) => {
    if (channel.length !== length) throw new RangeError(`channel ${c} has ${channel.length} samples, channel 0 has ${length}`);
    for (let i = 0; i < channel.length; i++) {
      if (!Number.isFinite(channel[i]!)) throw new RangeError(`channel ${c}, sample ${i} is ${channel[i]}; WAV samples must be finite`);
    }
  });
  if (format !== 'pcm16' && format !== 'pcm24' && format !== 'float32') {
    throw new RangeError(`unknown WAV format '${String(format)}'; expected pcm16, pcm24 or float32`);
  }
  const bytesPerSample = format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
  if (length * channels.length * bytesPerSample > 0xffffffff - 36) {
    throw new RangeError(`${length} samples × ${channels.length} channels exceed the 4 GiB limit of a WAV file`);
  }
  const options =
    format === 'float32' ? { float: true } : { bitDepth: format === 'pcm16' ? 16 : 24, symmetric: true };
  // wav-encoder insists on a real Array of Float32Array.
  const buffer = WavEncoder.encode.sync({ sampleRate, channelData: [...channels] }, options);
  return new Uint8Array(buffer);
}
