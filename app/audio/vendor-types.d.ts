// Minimal typings for the two WAV libraries, which ship none. They describe only what
// wav-codec.ts uses, as read from node_modules/wav-decoder/index.js and wav-encoder/index.js
// (both 1.3.0). fft.js ships its own (loose) typings, so it is not declared here.

declare module 'wav-decoder' {
  export interface DecodeOptions {
    /** Scale every integer depth by 2^(bits-1) (linear) instead of 2^(bits-1) for negatives and 2^(bits-1)-1 for positives. */
    readonly symmetric?: boolean;
  }
  export interface DecodedWav {
    readonly numberOfChannels: number;
    readonly length: number;
    readonly sampleRate: number;
    readonly channelData: Float32Array[];
  }
  interface Decode {
    (buffer: ArrayBuffer, options?: DecodeOptions): Promise<DecodedWav>;
    /** Throws TypeError on what it cannot read; may throw RangeError (from DataView) on malformed files. */
    sync(buffer: ArrayBuffer, options?: DecodeOptions): DecodedWav;
  }
  const WavDecoder: { readonly decode: Decode };
  export default WavDecoder;
}

declare module 'wav-encoder' {
  export interface EncodeOptions {
    /** Integer depth: 8, 16, 24 or 32 (ignored when float is set, which always writes 32-bit float). */
    readonly bitDepth?: number;
    readonly float?: boolean;
    /** Quantise by round(x · 2^(bits-1)) with clipping instead of the asymmetric default. */
    readonly symmetric?: boolean;
  }
  export interface EncodableAudio {
    readonly sampleRate: number;
    /** Must be a real Array (checked with Array.isArray) of Float32Array, all the first one's length. */
    readonly channelData: Float32Array[];
  }
  interface Encode {
    (audio: EncodableAudio, options?: EncodeOptions): Promise<ArrayBuffer>;
    sync(audio: EncodableAudio, options?: EncodeOptions): ArrayBuffer;
  }
  const WavEncoder: { readonly encode: Encode };
  export default WavEncoder;
}
