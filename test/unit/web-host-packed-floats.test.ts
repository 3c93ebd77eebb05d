import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { littleEndianFloat32, packFloats, unpackFloats } from '../../app/packed-floats.js';

// The web host's binary replies (app/packed-floats.ts): what the server packs the page unpacks,
// and a reply that is cut short or corrupted is refused with the method's name and the reason.

function exact(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A reply by hand: u32 header length, the header text as given, then the float bytes. */
function reply(headerText: string, floats: number[] = [], headerBytes?: number): ArrayBuffer {
  const text = new TextEncoder().encode(headerText);
  const out = new Uint8Array(4 + text.byteLength + 4 * floats.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes ?? text.byteLength, true);
  out.set(text, 4);
  floats.forEach((x, i) => view.setFloat32(4 + text.byteLength + 4 * i, x, true));
  return out.buffer;
}

describe('packed floats', () => {
  it('round-trips a header and arrays, whatever the header length and the arrays’ offsets', () => {
    const backing = new Float32Array([9, 1.5, -2, 3.25, 9]);
    // Header lengths of every residue mod 4 (multibyte names included), and an array that is a
    // view at an odd offset into a larger buffer.
    for (const name of ['a', 'ab', 'abc', 'abcd', 'é', 'sourcé ü', '音']) {
      const packed = packFloats({ name, bins: 3 }, [backing.subarray(1, 4), new Float32Array(0), new Float32Array([7])]);
      assert.equal(new DataView(packed.buffer).getUint32(0, true) % 4, 0, 'the header is padded to 4 bytes');
      const { header, arrays } = unpackFloats<{ name: string; bins: number }>(exact(packed), 'getSeparationModel');
      assert.equal(header.name, name);
      assert.equal(header.bins, 3);
      assert.deepEqual(arrays.map((a) => [...a]), [[1.5, -2, 3.25], [], [7]]);
    }
  });

  it('reads little-endian floats at an offset', () => {
    const buffer = reply('    ', [0.5, -4]);
    assert.deepEqual([...littleEndianFloat32(buffer, 8, 2)], [0.5, -4]);
    assert.deepEqual([...littleEndianFloat32(buffer, 12)], [-4]);
  });

  it('refuses malformed replies, naming the method and the problem', () => {
    const refused = (buffer: ArrayBuffer, why: RegExp): void =>
      assert.throws(
        () => unpackFloats(buffer, 'getSeparationModel'),
        (error: Error) => error.message.startsWith('getSeparationModel: malformed reply') && why.test(error.message),
      );
    refused(new ArrayBuffer(3), /too short/);
    refused(reply('{"arrayLengths":[]}  ', [], 6), /bad header length/);
    refused(reply('{"arrayLengths":[]}', [], 400), /bad header length/);
    refused(reply('{"arrayLen'.padEnd(12)), /header is not JSON/);
    refused(reply('null'), /header is not an object/);
    refused(reply('[1] '), /header is not an object/);
    refused(reply('{"a":1}'.padEnd(8)), /no array lengths/);
    refused(reply('{"arrayLengths":[-1]}'.padEnd(24)), /no array lengths/);
    refused(reply('{"arrayLengths":[1.5]}'.padEnd(24)), /no array lengths/);
    refused(reply('{"arrayLengths":[3]}'.padEnd(20), [1, 2]), /arrays run past the end/);
    refused(reply('{"arrayLengths":[1]}'.padEnd(20), [1, 2]), /trailing bytes/);
    // The same bytes with the right lengths are accepted.
    assert.deepEqual([...unpackFloats(reply('{"arrayLengths":[2]}'.padEnd(20), [1, 2]), 'm').arrays[0]!], [1, 2]);
  });
});
