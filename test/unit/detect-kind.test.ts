import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { detectFormat, detectKind } from '../../app/detect-kind.js';
import { embedEnviHeader } from '../../app/hsi/envi-reader.js';
import { readCube } from '../../app/hsi/read-cube.js';
import { createRandom } from '../../app/random.js';

const fixtures = new URL('../fixtures/', import.meta.url);
const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(path, fixtures)));

interface Expected {
  values: Record<string, number[]>;
  envi: { header: string; data: string; dataType: number; interleave: string; byteOrder: number }[];
}
const expected = JSON.parse(readFileSync(new URL('hsi/expected.json', fixtures), 'utf8')) as Expected;

function wavHeader(): Uint8Array {
  const bytes = new Uint8Array(44);
  bytes.set(new TextEncoder().encode('RIFF'), 0);
  bytes.set(new TextEncoder().encode('WAVEfmt '), 8);
  return bytes;
}

describe('detectFormat / detectKind: by content, not by name', () => {
  const float32 = expected.envi.find((f) => f.dataType === 4 && f.byteOrder === 0)!;
  const enviHeader = bytesOf(`hsi/envi/${float32.header}`);

  it('recognises every supported signature', () => {
    assert.equal(detectFormat(wavHeader()), 'wav');
    assert.equal(detectFormat(bytesOf('hsi-planar-tiled-u16.tif')), 'tiff');
    assert.equal(detectFormat(bytesOf('hsi-float64-lzw-be.tif')), 'tiff');
    assert.equal(detectFormat(enviHeader), 'envi');
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enviHeader]);
    assert.equal(detectFormat(bom), 'envi');
    assert.equal(detectFormat(bytesOf('hsi/mat/bench-z.mat')), 'mat');
    assert.equal(detectFormat(new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64')), 'mat');
    assert.equal(detectFormat(bytesOf('hsi/npy/cube.npy')), 'npy');
    assert.equal(detectFormat(bytesOf(`hsi/envi/${float32.data}`)), null, 'raw ENVI data has no signature');
    assert.equal(detectFormat(new TextEncoder().encode('ENV')), null);
  });

  it('kinds: WAV is audio, every cube format is a cube, anything else is a clear error', () => {
    assert.equal(detectKind(wavHeader(), 'a.wav'), 'audio');
    for (const path of ['hsi-planar-tiled-u16.tif', `hsi/envi/${float32.header}`, 'hsi/mat/bench.mat', 'hsi/npy/cube.npy']) assert.equal(detectKind(bytesOf(path), path), 'cube', path);
    const random = createRandom(7);
    const garbage = Uint8Array.from({ length: 256 }, () => 1 + Math.floor(random() * 255));
    assert.throws(() => detectKind(garbage, 'x.bin'), /^Error: x\.bin: not a WAV or GeoTIFF file, nor an ENVI, MATLAB \(\.mat\) or NumPy \(\.npy\) cube \(unrecognised header; an ENVI data file needs its \.hdr/);
    assert.throws(() => detectKind(new Uint8Array(0), 'empty.tif'), /^Error: empty\.tif: the file is empty$/);
  });

  it('readCube dispatches: ENVI (embedded header), MAT and NPY give the same test cube', async () => {
    const want = Float32Array.from(expected.values['4']!);
    const data = bytesOf(`hsi/envi/${float32.data}`);
    const prefix = embedEnviHeader(enviHeader, float32.header);
    const embedded = new Uint8Array(prefix.length + data.length);
    embedded.set(prefix, 0);
    embedded.set(data, prefix.length);
    assert.equal(prefix.length % 64, 0, 'the data start stays aligned');
    for (const [name, bytes] of [[float32.data, embedded], ['bench.mat', bytesOf('hsi/mat/bench.mat')], ['cube.npy', bytesOf('hsi/npy/cube.npy')]] as const) {
      const cube = await readCube(bytes, name);
      assert.deepEqual([cube.rows, cube.cols, cube.bands], [4, 5, 3], name);
      assert.deepEqual(cube.data, want, name);
    }
    const tif = await readCube(bytesOf('hsi-planar-tiled-u16.tif'), 'hsi-planar-tiled-u16.tif');
    assert.equal(tif.format, 'geotiff');
    await assert.rejects(readCube(wavHeader(), 'a.wav'), /^Error: a\.wav: this is audio \(WAV\), not a hyperspectral cube$/);
    await assert.rejects(readCube(data, float32.data), /not a GeoTIFF, ENVI, MATLAB \(\.mat\) or NumPy \(\.npy\) cube/);
  });
});
