import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { enviDataFileCandidates, enviHeaderCandidates, parseEnviHeader } from '../../app/hsi/envi-header.js';
import { embedEnviHeader, readEnvi, readEnviEmbedded } from '../../app/hsi/envi-reader.js';
import { geoKeyValue, geoTransformOf } from '../../app/hsi/geo-transform.js';
import { readGeoTiff } from '../../app/hsi/geotiff-reader.js';
import { readMatCube } from '../../app/hsi/mat-cube.js';
import { readCube } from '../../app/hsi/read-cube.js';

const dir = new URL('../fixtures/hsi/envi/', import.meta.url);
const samsonDir = new URL('../../../shared/data/hsi/samson/', import.meta.url);

interface Expected {
  rows: number;
  cols: number;
  bands: number;
  values: Record<string, number[]>;
  envi: { header: string; data: string; dataType: number; interleave: string; byteOrder: number }[];
  meta: {
    wavelengths: number[];
    units: string;
    fwhm: number[];
    bbl: number[];
    bandNames: string[];
    reflectanceScale: number;
    noData: number;
    geoTransform: number[];
    tifGeoTransform: number[];
    values: number[];
  };
  rotated: { geoTransform: number[] };
}
const expected = JSON.parse(readFileSync(new URL('../fixtures/hsi/expected.json', import.meta.url), 'utf8')) as Expected;

const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));
const read = (header: string, data: string) => readEnvi({ header: bytesOf(header), headerName: header, data: bytesOf(data), dataName: data });
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

/** Bit-exact float32 comparison with numpy's values rounded to float32 (what a Float32Array stores). */
function assertValues(actual: Float32Array, values: readonly number[], what: string): void {
  const want = Float32Array.from(values);
  assert.equal(actual.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(actual[i], want[i])) assert.fail(`${what}: value ${i} is ${actual[i]}, expected ${want[i]}`);
  }
}

function assertClose(actual: readonly number[] | null, want: readonly number[], tolerance: number, what: string): void {
  assert.ok(actual, `${what}: missing`);
  assert.equal(actual.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(actual[i]! - want[i]!) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${want[i]}`);
}

describe('ENVI files written by GDAL: every data type × interleave × byte order', () => {
  it('covers types 1,2,3,4,5,12,13,14,15, bsq/bil/bip, both byte orders and every data extension', () => {
    const seen = new Set(expected.envi.map((f) => `${f.dataType}-${f.interleave}-${f.byteOrder}`));
    for (const type of [1, 2, 3, 4, 5, 12, 13, 14, 15]) {
      for (const interleave of ['bsq', 'bil', 'bip']) {
        assert.ok(seen.has(`${type}-${interleave}-0`), `type ${type} ${interleave} little-endian`);
        if (type !== 1) assert.ok(seen.has(`${type}-${interleave}-1`), `type ${type} ${interleave} big-endian`);
      }
    }
    const extensions = new Set(expected.envi.map((f) => /\.[a-z]+$/.exec(f.data)?.[0] ?? ''));
    for (const ext of ['.img', '.dat', '.raw', '.bsq', '.bil', '.bip', '']) assert.ok(extensions.has(ext), `data extension '${ext}'`);
    assert.ok(expected.envi.some((f) => f.header === `${f.data}.hdr`) && expected.envi.some((f) => f.header !== `${f.data}.hdr`));
  });

  for (const file of expected.envi) {
    it(`${file.data}: decodes to numpy's cube`, async () => {
      const cube = read(file.header, file.data);
      assert.deepEqual([cube.rows, cube.cols, cube.bands], [expected.rows, expected.cols, expected.bands]);
      assertValues(cube.data, expected.values[String(file.dataType)]!, file.data);
      assert.equal(cube.format, 'envi');
      // The companion file is found by name from either side.
      assert.ok(enviDataFileCandidates(file.header).includes(file.data), `data file of ${file.header}`);
      assert.ok(enviHeaderCandidates(file.data).includes(file.header), `header of ${file.data}`);
      // As one buffer (the host's form) through the format dispatcher: the same cube.
      const embedded = concat(embedEnviHeader(bytesOf(file.header), file.header), bytesOf(file.data));
      const again = await readCube(embedded, file.data);
      assert.deepEqual(again.data, cube.data);
    });
  }
});

describe('ENVI header fields', () => {
  it('meta.hdr: wavelengths, fwhm, bbl, band names, data ignore value, scale factor and map info as GDAL reads them', () => {
    const cube = read('meta.hdr', 'meta.img');
    const m = expected.meta;
    assert.deepEqual(cube.wavelengths, m.wavelengths);
    assert.equal(cube.wavelengthUnits, m.units);
    assert.deepEqual(cube.fwhm, m.fwhm);
    assert.deepEqual(cube.badBands, m.bbl.map((v) => v === 0));
    assert.deepEqual(cube.bandNames, m.bandNames);
    assert.equal(cube.noData, m.noData);
    assert.equal(cube.reflectanceScale, m.reflectanceScale);
    assertValues(cube.data, m.values, 'meta.img');
    // Placement: GDAL's geotransform, for the ENVI file and for its own GeoTIFF translation.
    assertClose(geoTransformOf(cube.geo), m.geoTransform, 1e-9, 'geotransform');
    assertClose(geoTransformOf(cube.geo), m.tifGeoTransform, 1e-9, 'GeoTIFF geotransform');
    // "UTM, zone 10, North, WGS-84" is EPSG:32610 (GeoTIFF ProjectedCSTypeGeoKey 3072).
    assert.equal(geoKeyValue(cube.geo, 3072), 32610);
    assert.equal(cube.enviMap?.zone, 10);
    assert.equal(cube.enviMap?.hemisphere, 'North');
  });

  it('rotated.hdr: a map info rotation gives GDAL geotransform, geographic WGS-84 is EPSG:4326', () => {
    const cube = read('rotated.hdr', 'rotated.img');
    assertClose(geoTransformOf(cube.geo), expected.rotated.geoTransform, 1e-12, 'rotated geotransform');
    assert.equal(geoKeyValue(cube.geo, 2048), 4326);
    assert.equal(cube.enviMap?.rotation, 30);
  });

  it('offset.hdr: a 100-byte header offset before big-endian BIP int16', () => {
    const cube = read('offset.hdr', 'offset.dat');
    assertValues(cube.data, expected.values['2']!, 'offset.dat');
  });

  it('complex data (type 6) is refused clearly, naming the header', () => {
    assert.throws(() => read('complex.hdr', 'complex.img'), /^Error: complex\.hdr: data type 6 \(complex float32\) is not supported/);
  });

  it('parses comments, case, spacing and multi-line braces, and tolerates an unparseable coordinate system string', () => {
    const header = parseEnviHeader(
      [
        'ENVI',
        '; comment = {not a field}',
        'SAMPLES=2',
        '  lines   =   3  ',
        'Bands = 2',
        'data type = 4',
        'interleave = BIP',
        'byte order = 1',
        'description = {a {nested} note,',
        '  over lines}',
        'band names = {one,',
        ' two}',
        'coordinate system string = {PROJCS["broken",GEOGCS[637813..0}',
        'map info = {Arbitrary, 1, 1, 10, 20, 0.5, 0.5, units=Meters}',
        'data ignore value = nan',
      ].join('\r\n'),
      'x.hdr',
    );
    assert.deepEqual([header.samples, header.lines, header.bands, header.dataType, header.interleave, header.littleEndian], [2, 3, 2, 4, 'bip', false]);
    assert.equal(header.fields.get('description'), 'a {nested} note,\n  over lines');
    assert.deepEqual(header.bandNames, ['one', 'two']);
    assert.ok(Number.isNaN(header.dataIgnoreValue));
    assert.equal(header.fields.has('comment'), false);
    // Malformed WKT is kept as text; the map info alone places the image.
    assert.equal(header.mapInfo?.coordinateSystemString, 'PROJCS["broken",GEOGCS[637813..0');
    assert.deepEqual([header.mapInfo?.projection, header.mapInfo?.referenceMap, header.mapInfo?.pixelSize, header.mapInfo?.units], ['Arbitrary', [10, 20], [0.5, 0.5], 'Meters']);
  });
});

describe('ENVI errors name the file and the problem', () => {
  const int16 = expected.envi.find((f) => f.dataType === 2 && f.interleave === 'bsq' && f.byteOrder === 0)!;
  const header = readFileSync(new URL(int16.header, dir), 'utf8');
  const data = bytesOf(int16.data);
  const withHeader = (text: string) => () => readEnvi({ header: new TextEncoder().encode(text), headerName: 'bad.hdr', data, dataName: 'bad.img' });

  it('truncated data', () => {
    assert.throws(
      () => readEnvi({ header: new TextEncoder().encode(header), headerName: 'cut.hdr', data: data.subarray(0, data.length - 1), dataName: 'cut.img' }),
      /^Error: cut\.img: the data file is too short for its header: 5 samples × 4 lines × 3 bands of int16 \(120 bytes\) need 120 bytes, the file has 119 \(1 missing/,
    );
    assert.throws(withHeader(header.replace('header offset = 0', 'header offset = 8')), /bad\.img: .*after a 8-byte header offset need 128 bytes, the file has 120/);
  });

  it('truncated data in the host\'s one-buffer form: the sizes are the data file\'s, not the buffer\'s', async () => {
    const headerBytes = new TextEncoder().encode(header.replace('header offset = 0', 'header offset = 8'));
    const embedded = concat(embedEnviHeader(headerBytes, 'cut.hdr'), data);
    await assert.rejects(readCube(embedded, 'cut.img'), /^Error: cut\.img: the data file is too short for its header: .* after a 8-byte header offset need 128 bytes, the file has 120 \(8 missing/);
    assert.throws(() => embedEnviHeader(concat(headerBytes, Uint8Array.of(0, 65)), 'nul.hdr'), /^Error: nul\.hdr: the ENVI header holds a NUL byte/);
  });

  it('missing or invalid required fields', () => {
    assert.throws(withHeader(header.replace(/bands\s*=\s*3\n/, '')), /^Error: bad\.hdr: the ENVI header lacks 'bands'/);
    assert.throws(withHeader(header.replace(/samples\s*=\s*5\n/, '').replace(/lines\s*=\s*4\n/, '')), /lacks 'samples', 'lines'/);
    assert.throws(withHeader(header.replace('data type = 2', 'data type = 7')), /bad\.hdr: unknown data type '7'/);
    assert.throws(withHeader(header.replace('data type = 2', 'data type = 9')), /bad\.hdr: data type 9 \(complex float64\) is not supported/);
    assert.throws(withHeader(header.replace('byte order = 0', 'byte order = 2')), /bad\.hdr: 'byte order = 2' must be 0/);
    assert.throws(withHeader(header.replace('interleave = bsq', 'interleave = bxq')), /bad\.hdr: unknown interleave 'bxq'/);
    assert.throws(withHeader(header.replace(/samples\s*=\s*5/, 'samples = 0')), /bad\.hdr: 'samples = 0' is not a whole number ≥ 1/);
    assert.throws(withHeader(`${header}wavelength = {1, 2}\n`), /bad\.hdr: 'wavelength' lists 2 values for 3 bands/);
    assert.throws(withHeader(`${header}bbl = {1, 0, x}\n`), /bad\.hdr: 'bbl' value 3 \('x'\) is not a number/);
    assert.throws(withHeader(`${header}map info = {UTM, 1, 1, 2, 3, 1, 1}\n`), /bad\.hdr: map info \{UTM, 1, 1, 2, 3, 1, 1\}: a UTM map info needs a zone/);
    assert.throws(withHeader(`${header}band names = {a,\n b\n`), /bad\.hdr: field 'band names' \(line \d+\) opens a '\{' that is never closed/);
    assert.throws(withHeader(`ENVX\n${header}`), /bad\.hdr: not an ENVI header/);
  });

  it('a header alone, handed over as one file, says how to open it', () => {
    assert.throws(() => readEnviEmbedded(new TextEncoder().encode(header), 't2.hdr'), /^Error: t2\.hdr: this is an ENVI header alone, which holds no pixels: open it from disk/);
  });
});

describe('Samson: the ENVI original, its GeoTIFF and the benchmark .mat agree', () => {
  it('same pixels, wavelengths and placement; Y = max(raw, 0) / max(raw) in column-major pixel order', async (t) => {
    const hdr = new URL('samson_1.img.hdr', samsonDir);
    if (!existsSync(hdr)) {
      t.skip('shared Samson data not present');
      return;
    }
    const envi = readEnvi({
      header: new Uint8Array(readFileSync(hdr)),
      headerName: 'samson_1.img.hdr',
      data: new Uint8Array(readFileSync(new URL('samson_1.img', samsonDir))),
      dataName: 'samson_1.img',
    });
    assert.deepEqual([envi.rows, envi.cols, envi.bands], [95, 95, 156]);
    // The malformed WKT is kept verbatim, not parsed; the map info places the image.
    assert.match(envi.enviMap?.coordinateSystemString ?? '', /637813\.\.0/);
    assert.equal(geoKeyValue(envi.geo, 3072), 32610);
    const tif = await readGeoTiff(new Uint8Array(readFileSync(new URL('samson_1.tif', samsonDir))).buffer, 'samson_1.tif');
    assert.deepEqual(envi.data, tif.data);
    assertClose(envi.wavelengths, tif.wavelengths!, 1e-9, 'wavelengths');
    assert.equal(envi.wavelengthUnits, 'Nanometers');
    assert.deepEqual(envi.geo?.modelTiepoint, tif.geo?.modelTiepoint);
    assert.deepEqual(envi.geo?.modelPixelScale, tif.geo?.modelPixelScale);

    const { cube: mat, groundTruth } = readMatCube(new Uint8Array(readFileSync(new URL('samson_gt.mat', samsonDir))), 'samson_gt.mat');
    assert.deepEqual([mat.rows, mat.cols, mat.bands], [95, 95, 156]);
    let max = -Infinity;
    for (const x of envi.data) max = Math.max(max, x);
    let worst = 0;
    for (let i = 0; i < envi.data.length; i++) worst = Math.max(worst, Math.abs(mat.data[i]! - Math.max(envi.data[i]!, 0) / max));
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
    assert.deepEqual([groundTruth?.endmembers.rows, groundTruth?.endmembers.cols, groundTruth?.abundances?.rows, groundTruth?.abundances?.cols], [156, 3, 3, 9025]);
  });
});
