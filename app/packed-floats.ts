/**
 * A JSON header plus float32 arrays in one binary message, for host replies too large to send as
 * JSON numbers (a model's W and H): parsing millions of JSON numbers would stall the page, a
 * Float32Array view over the bytes costs nothing. Layout, all little-endian:
 *   u32 header byte length | UTF-8 JSON header, space-padded to a multiple of 4 | arrays, back to back
 * The header carries `arrayLengths`, the number of floats in each array.
 */

export interface PackedFloats<H> {
  readonly header: H;
  readonly arrays: Float32Array[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `length` float32 values stored little-endian at byte `offset` (a multiple of 4) of `buffer`: a
 * view on little-endian hosts (every host this app runs on), a converted copy elsewhere.
 */
export function littleEndianFloat32(buffer: ArrayBuffer, offset = 0, length = (buffer.byteLength - offset) / 4): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(buffer, offset, length);
  const view = new DataView(buffer);
  return Float32Array.from({ length }, (_, i) => view.getFloat32(offset + 4 * i, true));
}

export function packFloats(header: object, arrays: readonly Float32Array[]): Uint8Array {
  const json = JSON.stringify({ ...header, arrayLengths: arrays.map((a) => a.length) });
  const unpadded = new TextEncoder().encode(json);
  // Spaces are one byte each in UTF-8 (and legal after JSON), so the padding is exact.
  const text = new TextEncoder().encode(json + ' '.repeat((4 - (unpadded.byteLength % 4)) % 4));
  const floats = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Uint8Array(4 + text.byteLength + 4 * floats);
  const view = new DataView(out.buffer);
  view.setUint32(0, text.byteLength, true);
  out.set(text, 4);
  let offset = 4 + text.byteLength;
  for (const array of arrays) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    else array.forEach((x, i) => view.setFloat32(offset + 4 * i, x, true));
    offset += array.byteLength;
  }
  return out;
}

export function unpackFloats<H>(buffer: ArrayBuffer, what: string): PackedFloats<H> {
  const fail = (why: string): Error => new Error(`${what}: malformed reply (${why})`);
  if (buffer.byteLength < 4) throw fail('too short');
  const view = new DataView(buffer);
  const headerBytes = view.getUint32(0, true);
  if (headerBytes % 4 !== 0 || 4 + headerBytes > buffer.byteLength) throw fail('bad header length');
  let header: H & { arrayLengths?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerBytes))) as H & { arrayLengths?: unknown };
  } catch {
    throw fail('header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('header is not an object');
  const lengths = header.arrayLengths;
  if (!Array.isArray(lengths) || !lengths.every((n) => Number.isInteger(n) && n >= 0)) throw fail('no array lengths');
  let offset = 4 + headerBytes;
  const arrays: Float32Array[] = [];
  for (const length of lengths as number[]) {
    if (offset + 4 * length > buffer.byteLength) throw fail('arrays run past the end');
    // The header is padded to 4 bytes, so every array starts aligned and is viewed, not copied.
    arrays.push(littleEndianFloat32(buffer, offset, length));
    offset += 4 * length;
  }
  if (offset !== buffer.byteLength) throw fail('trailing bytes');
  return { header, arrays };
}
