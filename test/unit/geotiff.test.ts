import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromArrayBuffer } from 'geotiff';
import type { GeoReference } from '../../app/hsi/cube.js';
import { bandMetadataFromGdal, parseGdalMetadata } from '../../app/hsi/gdal-metadata.js';
import { readGeoTiff } from '../../app/hsi/geotiff-reader.js';
import { writeGeoTiff } from '../../app/hsi/geotiff-writer.js';
import { readFirstIfd } from '../../app/hsi/tiff-ifd.js';
import { createRandom } from '../../app/random.js';

const fixtures = new URL('../fixtures/', import.meta.url);
const samsonDir = new URL('../../../shared/data/hsi/samson/', import.meta.url);

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
const readBytes = (url: URL): ArrayBuffer => arrayBufferOf(readFileSync(url));

/** Bit-exact float32 comparison (NaN payloads and -0 included). */
function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) assert.fail(`${what}: value ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

function randomBands(n: number, rows: number, cols: number, seed: number): Float32Array[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: rows * cols }, () => (random() - 0.3) * 1000));
}

/** UTM zone 33N (EPSG:32633) placed by tiepoint + scale, as GDAL writes it. */
const utmGeo: GeoReference = {
  modelPixelScale: [30, 30, 0],
  modelTiepoint: [0, 0, 0, 500000, 4650000, 0],
  modelTransformation: null,
  geoKeyDirectory: [1, 1, 0, 4, 1024, 0, 1, 1, 1025, 0, 1, 1, 1026, 34737, 22, 0, 3072, 0, 1, 32633],
  geoAsciiParams: 'WGS 84 / UTM zone 33N|',
  geoDoubleParams: null,
};

/** Geographic WGS 84 placed by a rotated affine ModelTransformation and a GeoDoubleParams key. */
const affineGeo: GeoReference = {
  modelPixelScale: null,
  modelTiepoint: null,
  modelTransformation: [0.001, 0.0002, 0, 12.5, 0.0001, -0.001, 0, 45.25, 0, 0, 0, 0, 0, 0, 0, 1],
  geoKeyDirectory: [1, 1, 0, 3, 1024, 0, 1, 2, 2048, 0, 1, 4326, 2057, 34736, 1, 0],
  geoAsciiParams: null,
  geoDoubleParams: [6378137],
};

test('writeGeoTiff → readGeoTiff keeps data, georeferencing, nodata and band names exactly', async () => {
  const rows = 5;
  const cols = 6;
  const bands = randomBands(4, rows, cols, 11);
  bands[0]![0] = NaN;
  bands[1]![7] = -Infinity;
  bands[2]![3] = -0;
  bands[3]![29] = -9999;
  const bandNames = ['soil', 'a & b <c> "d"', 'été 🌿', ''];
  const bytes = writeGeoTiff(bands, rows, cols, { geo: utmGeo, noData: -9999, bandNames });
  const cube = await readGeoTiff(arrayBufferOf(bytes), 'roundtrip.tif');
  assert.deepEqual([cube.rows, cube.cols, cube.bands], [rows, cols, 4]);
  for (let b = 0; b < 4; b++) assertSameBits(cube.data.subarray(b * rows * cols, (b + 1) * rows * cols), bands[b]!, `band ${b + 1}`);
  assert.deepEqual(cube.geo, utmGeo);
  assert.equal(cube.noData, -9999);
  assert.deepEqual(cube.bandNames, bandNames);
  assert.equal(cube.wavelengths, null);
});

test('a ModelTransformation georeference round-trips without an invented tiepoint or pixel scale', async () => {
  const bands = randomBands(3, 4, 3, 5);
  const cube = await readGeoTiff(arrayBufferOf(writeGeoTiff(bands, 4, 3, { geo: affineGeo })), 'affine.tif');
  assert.deepEqual(cube.geo, affineGeo);
  assert.equal(cube.noData, null);
  assert.equal(cube.bandNames, null);
});

test('a raster without georeference is written without any geo tag', async () => {
  const bands = randomBands(3, 4, 5, 2);
  const bytes = writeGeoTiff(bands, 4, 5, { geo: null });
  const cube = await readGeoTiff(arrayBufferOf(bytes), 'plain.tif');
  assert.equal(cube.geo, null);
  const tags = readFirstIfd(bytes).map((e) => e.tag);
  for (const geoTag of [33550, 33922, 34264, 34735, 34736, 34737]) assert.ok(!tags.includes(geoTag), `tag ${geoTag} written`);
  // Three bands are not RGB, and two of them are extra samples after the gray one (TIFF 6.0 §18).
  const image = await (await fromArrayBuffer(arrayBufferOf(bytes))).getImage(0);
  assert.equal(image.fileDirectory.getValue('PhotometricInterpretation'), 1);
  assert.deepEqual(Array.from(image.fileDirectory.getValue('ExtraSamples') ?? []), [0, 0]);
  for (let b = 0; b < 3; b++) assertSameBits(cube.data.subarray(b * 20, (b + 1) * 20), bands[b]!, `band ${b + 1}`);
});

test('one band has no ExtraSamples; many bands with names fit although geotiff.js reserves 1000 header bytes', async () => {
  const single = writeGeoTiff(randomBands(1, 3, 3, 1), 3, 3, { geo: utmGeo, noData: NaN });
  assert.ok(!readFirstIfd(single).some((e) => e.tag === 338));
  const one = await readGeoTiff(arrayBufferOf(single), 'single.tif');
  assert.equal(one.bands, 1);
  assert.ok(Number.isNaN(one.noData));

  const n = 170;
  const bands = randomBands(n, 2, 3, 9);
  const bandNames = bands.map((_, b) => `endmember number ${b + 1}`);
  const many = await readGeoTiff(arrayBufferOf(writeGeoTiff(bands, 2, 3, { geo: utmGeo, bandNames })), 'many.tif');
  assert.equal(many.bands, n);
  assert.deepEqual(many.bandNames, bandNames);
  assert.deepEqual(many.geo, utmGeo);
  for (let b = 0; b < n; b++) assertSameBits(many.data.subarray(b * 6, (b + 1) * 6), bands[b]!, `band ${b + 1}`);
});

test('writeGeoTiff rejects inconsistent input', () => {
  assert.throws(() => writeGeoTiff([], 2, 2, { geo: null }), /bands/);
  assert.throws(() => writeGeoTiff([new Float32Array(3)], 2, 2, { geo: null }), /band 1 has 3 values/);
  assert.throws(() => writeGeoTiff([new Float32Array(4)], 2, 2, { geo: null, bandNames: ['a', 'b'] }), /2 band names for 1 bands/);
  assert.throws(() => writeGeoTiff([new Float32Array(0)], 0, 2, { geo: null }), /image size/);
});

test('GDAL fixture: planar, tiled, deflate uint16 with UTM georeference, wavelengths, names and nodata', async () => {
  const cube = await readGeoTiff(readBytes(new URL('hsi-planar-tiled-u16.tif', fixtures)), 'hsi-planar-tiled-u16.tif');
  assert.deepEqual([cube.rows, cube.cols, cube.bands], [18, 20, 3]);
  for (let b = 0; b < 3; b++) {
    for (let r = 0; r < 18; r++) {
      for (let c = 0; c < 20; c++) {
        const expected = r === 2 && c === 3 ? 65535 : 1000 * b + 20 * r + c;
        assert.equal(cube.data[b * 360 + r * 20 + c], expected, `band ${b} row ${r} col ${c}`);
      }
    }
  }
  assert.equal(cube.noData, 65535);
  assert.deepEqual(cube.wavelengths, [450.5, 550.25, 650]);
  assert.equal(cube.wavelengthUnits, 'Nanometers');
  assert.deepEqual(cube.bandNames, ['blue (450.5 Nanometers)', 'green (550.25 Nanometers)', 'red (650 Nanometers)']);
  assert.deepEqual(cube.geo?.modelPixelScale, [30, 30, 0]);
  assert.deepEqual(cube.geo?.modelTiepoint, [0, 0, 0, 500000, 4650000, 0]);
  const keys = cube.geo?.geoKeyDirectory ?? [];
  const projected = keys.findIndex((x, i) => i >= 4 && i % 4 === 0 && x === 3072);
  assert.ok(projected > 0 && keys[projected + 3] === 32633, 'ProjectedCSTypeGeoKey = EPSG:32633');
});

test('GDAL fixture: big-endian, pixel-interleaved float64 with LZW + float predictor, NaN nodata, no georeference', async () => {
  const cube = await readGeoTiff(readBytes(new URL('hsi-float64-lzw-be.tif', fixtures)), 'hsi-float64-lzw-be.tif');
  assert.deepEqual([cube.rows, cube.cols, cube.bands], [5, 7, 4]);
  for (let b = 0; b < 4; b++) {
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 7; c++) {
        const value = cube.data[b * 35 + r * 7 + c]!;
        if (b === 0 && r === 1 && c === 2) assert.ok(Number.isNaN(value));
        else assert.equal(value, Math.fround(0.5 * (b + 1) + 0.25 * r - 0.125 * c), `band ${b} row ${r} col ${c}`);
      }
    }
  }
  assert.ok(cube.noData !== null && Number.isNaN(cube.noData));
  assert.equal(cube.geo, null);
  assert.equal(cube.wavelengths, null);
  assert.equal(cube.bandNames, null);
});

test('GDAL fixture: int16 with per-band scale/offset (GDAL metadata) is read calibrated, nodata as NaN', async () => {
  const cube = await readGeoTiff(readBytes(new URL('hsi-int16-scaled.tif', fixtures)), 'hsi-int16-scaled.tif');
  assert.deepEqual([cube.rows, cube.cols, cube.bands], [5, 6, 2]);
  // make-hsi-fixtures.sh: band 1 scale 0.01 offset -1, band 2 scale 0.5 offset 3.
  const scaling = [[0.01, -1], [0.5, 3]] as const;
  for (let b = 0; b < 2; b++) {
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 6; c++) {
        const value = cube.data[b * 30 + r * 6 + c]!;
        if (r === 4 && c === 1) {
          assert.ok(Number.isNaN(value), `nodata at band ${b} row ${r} col ${c} should be NaN, got ${value}`);
          continue;
        }
        const stored = 100 * b + 10 * r + c - 20;
        assert.equal(value, Math.fround(stored * scaling[b]![0] + scaling[b]![1]), `band ${b} row ${r} col ${c}`);
      }
    }
  }
  assert.ok(cube.noData !== null && Number.isNaN(cube.noData), 'nodata compared in stored units, then NaN');
});

test('GeoTIFF scale/offset that is not a number is refused with the band named', async () => {
  const xml = '<GDALMetadata>\n  <Item name="SCALE" sample="1" role="scale">abc</Item>\n</GDALMetadata>\n';
  // Our writer stores descriptions only; put a bad scale in through the same tag.
  const bytes = writeGeoTiff([new Float32Array(4), new Float32Array(4)], 2, 2, { geo: null, bandNames: ['a', 'b'] });
  const text = new TextDecoder('latin1').decode(bytes);
  const start = text.indexOf('<GDALMetadata>');
  const end = text.indexOf('</GDALMetadata>') + '</GDALMetadata>\n'.length;
  assert.ok(start > 0 && end - start >= xml.length, 'room for the replacement metadata');
  const patched = bytes.slice();
  patched.set(new TextEncoder().encode(xml.padEnd(end - start - 1, ' ')), start);
  await assert.rejects(readGeoTiff(patched.buffer as ArrayBuffer, 'bad-scale.tif'), /bad-scale\.tif: band 2 has scale 'abc'/);
});

test('Samson GeoTIFF: 95×95×156 with wavelengths, UTM georeference and the pixels of the ENVI original', async (t) => {
  const tif = new URL('samson_1.tif', samsonDir);
  if (!existsSync(tif)) {
    t.skip('shared Samson data not present');
    return;
  }
  const cube = await readGeoTiff(readBytes(tif), 'samson_1.tif');
  assert.deepEqual([cube.rows, cube.cols, cube.bands], [95, 95, 156]);
  const wl = cube.wavelengths;
  assert.ok(wl && wl.length === 156);
  assert.ok(wl[0]! > 400 && wl[0]! < 402 && wl[155]! > 898 && wl[155]! < 900, `range ${wl[0]}–${wl[155]}`);
  for (let i = 1; i < 156; i++) assert.ok(wl[i]! > wl[i - 1]!, 'wavelengths increase');
  assert.match(cube.wavelengthUnits ?? '', /^nanometers$/i);
  assert.deepEqual(cube.geo?.modelTiepoint, [0, 0, 0, 612730.91, 4074488.708, 0]);
  assert.deepEqual(cube.geo?.modelPixelScale, [1, 1, 0]);
  assert.ok((cube.geo?.geoKeyDirectory?.length ?? 0) > 4);
  const img = new URL('samson_1.img', samsonDir);
  if (existsSync(img)) {
    // The ENVI original: int16, band-sequential, little-endian, i.e. the cube's own layout.
    const raw = readFileSync(img);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    assert.equal(raw.byteLength, 2 * cube.data.length);
    for (let i = 0; i < cube.data.length; i++) {
      if (cube.data[i] !== view.getInt16(2 * i, true)) assert.fail(`value ${i}: ${cube.data[i]} vs ${view.getInt16(2 * i, true)}`);
    }
  }
  // Writing maps with Samson's georeference keeps it tag for tag.
  const pixels = 95 * 95;
  const maps = [0, 1, 2].map((b) => cube.data.slice(b * pixels, (b + 1) * pixels));
  const back = await readGeoTiff(arrayBufferOf(writeGeoTiff(maps, 95, 95, { geo: cube.geo, bandNames: ['soil', 'tree', 'water'] })), 'maps.tif');
  assert.deepEqual(back.geo, cube.geo);
});

test('unreadable bytes give errors that start with the file name', async () => {
  const random = createRandom(3);
  const garbage = Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256));
  const good = readFileSync(new URL('hsi-planar-tiled-u16.tif', fixtures));
  // Two bands without names: the whole IFD lies before the pixels, so a cut shows as a short strip.
  const written = writeGeoTiff(randomBands(2, 20, 20, 4), 20, 20, { geo: utmGeo });
  const badOffset = new Uint8Array(16);
  badOffset.set([0x49, 0x49, 42, 0, 0xff, 0xff, 0xff, 0x7f]); // "II", 42, IFD0 far past the end
  const cases: [string, ArrayBuffer, RegExp][] = [
    ['empty.tif', new ArrayBuffer(0), /empty/],
    ['garbage.tif', arrayBufferOf(garbage), /not a TIFF/],
    ['tiny.tif', arrayBufferOf(good.subarray(0, 5)), /not a TIFF/],
    ['truncated.tif', arrayBufferOf(good.subarray(0, Math.floor(good.byteLength * 0.6))), /truncated|cannot decode/],
    ['cut-strip.tif', arrayBufferOf(written.subarray(0, written.byteLength - 100)), /truncated: strip 1 of 1 ends at byte \d+, but the file has \d+ bytes/],
    ['header-only.tif', arrayBufferOf(good.subarray(0, 12)), /cannot decode/],
    ['bad-offset.tif', arrayBufferOf(badOffset), /cannot decode/],
  ];
  for (const [name, bytes, reason] of cases) {
    await assert.rejects(readGeoTiff(bytes, name), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.ok(error.message.startsWith(`${name}: `), error.message);
      assert.match(error.message, reason);
      return true;
    });
  }
});

test('GDAL_METADATA parsing: per-band wavelengths, IMAGERY domain, ENVI lists and XML entities', () => {
  const perBand = parseGdalMetadata(
    '<GDALMetadata>\n  <Item name="wavelength_units">Nanometers</Item>\n' +
      '  <Item name="wavelength" sample="1">500</Item>\n  <Item name="wavelength" sample="0">400.5</Item>\n' +
      '  <Item name="DESCRIPTION" sample="1" role="description">a &amp; b &#233;&#x1F33F;</Item>\n' +
      '  <Item name="empty" sample="0"/>\n</GDALMetadata>\n\u0000',
  );
  assert.deepEqual(bandMetadataFromGdal(perBand, 2), { wavelengths: [400.5, 500], wavelengthUnits: 'Nanometers', bandNames: ['', 'a & b é🌿'] });
  assert.equal(perBand.find((i) => i.name === 'empty')?.value, '');
  // A missing band's wavelength voids the whole list rather than leaving a hole.
  assert.equal(bandMetadataFromGdal(perBand, 3).wavelengths, null);

  const imagery = parseGdalMetadata(
    '<GDALMetadata><Item name="CENTRAL_WAVELENGTH_UM" sample="0" domain="IMAGERY">0.45</Item>' +
      '<Item name="CENTRAL_WAVELENGTH_UM" sample="1" domain="IMAGERY">0.55</Item></GDALMetadata>',
  );
  assert.deepEqual(bandMetadataFromGdal(imagery, 2), { wavelengths: [0.45, 0.55], wavelengthUnits: 'Micrometers', bandNames: null });

  const envi = parseGdalMetadata(
    `<GDALMetadata><Item name="wavelength" domain="ENVI">{ 401.1, 402.2,\n 403.3 }</Item><Item name="wavelength_units" domain="ENVI">nm</Item></GDALMetadata>`,
  );
  assert.deepEqual(bandMetadataFromGdal(envi, 3), { wavelengths: [401.1, 402.2, 403.3], wavelengthUnits: 'nm', bandNames: null });
  assert.equal(bandMetadataFromGdal(envi, 4).wavelengths, null);
});
