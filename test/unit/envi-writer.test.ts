import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Cube } from '../../app/hsi/cube.js';
import { readEnvi } from '../../app/hsi/envi-reader.js';
import { writeEnvi } from '../../app/hsi/envi-writer.js';
import { geoKeyValue, geoTransformOf } from '../../app/hsi/geo-transform.js';
import { readGeoTiff } from '../../app/hsi/geotiff-reader.js';

const dir = new URL('../fixtures/hsi/envi/', import.meta.url);
const fixtures = new URL('../fixtures/', import.meta.url);
const samsonDir = new URL('../../../shared/data/hsi/samson/', import.meta.url);
const bytesOf = (url: URL): Uint8Array => new Uint8Array(readFileSync(url));

const readBack = (cube: Cube, description?: string): Cube => {
  const { header, data } = writeEnvi(cube, description === undefined ? {} : { description });
  return readEnvi({ header, headerName: 'out.hdr', data, dataName: 'out.img' });
};
const meta = (): Cube => readEnvi({ header: bytesOf(new URL('meta.hdr', dir)), headerName: 'meta.hdr', data: bytesOf(new URL('meta.img', dir)), dataName: 'meta.img' });

const gdal = spawnSync('gdalinfo', ['--version']).status === 0;

describe('writeEnvi', () => {
  it('round trip: pixels, wavelengths, fwhm, bad bands, names, nodata, scale factor and map info come back', () => {
    const cube = meta();
    const back = readBack(cube);
    assert.deepEqual(back.data, cube.data);
    for (const key of ['rows', 'cols', 'bands', 'wavelengths', 'wavelengthUnits', 'fwhm', 'badBands', 'bandNames', 'noData', 'reflectanceScale', 'enviMap', 'geo'] as const) {
      assert.deepEqual(back[key], cube[key], key);
    }
  });

  it('a GeoTIFF cube gets a UTM map info from its EPSG code, and the same placement back', async () => {
    const tif = await readGeoTiff(bytesOf(new URL('hsi-planar-tiled-u16.tif', fixtures)).slice().buffer, 'hsi-planar-tiled-u16.tif');
    const { header } = writeEnvi(tif);
    const text = new TextDecoder().decode(header);
    const gt = geoTransformOf(tif.geo)!;
    assert.match(text, new RegExp(`^map info = \\{UTM, 1, 1, ${gt[0]}, ${gt[3]}, ${gt[1]}, ${-gt[5]}, 33, North, WGS-84, units=Meters\\}$`, 'm'));
    const back = readBack(tif);
    assert.deepEqual(geoTransformOf(back.geo), gt);
    assert.equal(geoKeyValue(back.geo, 3072), geoKeyValue(tif.geo, 3072));
    assert.deepEqual(back.wavelengths, tif.wavelengths);
    assert.deepEqual(back.bandNames, tif.bandNames);
    assert.deepEqual(back.data, tif.data);
    assert.equal(back.noData, tif.noData);
  });

  it('keeps a rotation and a (malformed) coordinate system string verbatim', (t) => {
    const rotated = readEnvi({ header: bytesOf(new URL('rotated.hdr', dir)), headerName: 'rotated.hdr', data: bytesOf(new URL('rotated.img', dir)), dataName: 'rotated.img' });
    assert.deepEqual(geoTransformOf(readBack(rotated).geo), geoTransformOf(rotated.geo));
    // Without its map info the rotation is recovered from the GeoTIFF transformation.
    const fromTags = readBack({ ...rotated, enviMap: null });
    const a = geoTransformOf(fromTags.geo)!;
    const b = geoTransformOf(rotated.geo)!;
    for (let k = 0; k < 6; k++) assert.ok(Math.abs(a[k]! - b[k]!) < 1e-12, `gt[${k}] ${a[k]} vs ${b[k]}`);
    assert.equal(fromTags.enviMap?.projection, 'Geographic Lat/Lon');

    const hdr = new URL('samson_1.img.hdr', samsonDir);
    if (!existsSync(hdr)) {
      t.skip('shared Samson data not present');
      return;
    }
    const samson = readEnvi({ header: bytesOf(hdr), headerName: 'samson_1.img.hdr', data: bytesOf(new URL('samson_1.img', samsonDir)), dataName: 'samson_1.img' });
    const text = new TextDecoder().decode(writeEnvi(samson).header);
    const original = readFileSync(hdr, 'latin1');
    const css = /^coordinate system string = \{.*\}$/m.exec(original)![0];
    assert.ok(text.includes(css), 'coordinate system string copied verbatim');
  });

  it('refuses per-band lists of the wrong length', () => {
    const cube = meta();
    assert.throws(() => writeEnvi({ ...cube, wavelengths: [1, 2] }), /writeEnvi: wavelengths has 2 entries for 3 bands/);
    assert.throws(() => writeEnvi({ ...cube, data: new Float32Array(5) }), /cube data has 5 values, expected 60/);
  });

  it('GDAL reads the export: size, geotransform, wavelengths, nodata and every value', { skip: gdal ? false : 'gdalinfo (gdal-bin) not installed' }, () => {
    const cube = meta();
    const work = mkdtempSync(join(tmpdir(), 'envi-writer-'));
    try {
      const { header, data } = writeEnvi(cube);
      writeFileSync(join(work, 'out.hdr'), header);
      writeFileSync(join(work, 'out.img'), data);
      const info = JSON.parse(execFileSync('gdalinfo', ['-json', join(work, 'out.img')], { encoding: 'utf8' })) as {
        size: number[];
        geoTransform: number[];
        bands: { noDataValue?: number; metadata: Record<string, Record<string, string>> }[];
      };
      assert.deepEqual(info.size, [cube.cols, cube.rows]);
      assert.deepEqual(info.geoTransform.map((x) => x + 0), geoTransformOf(cube.geo)!.map((x) => x + 0));
      assert.deepEqual(info.bands.map((b) => Number(b.metadata['']?.wavelength)), cube.wavelengths);
      assert.equal(info.bands[0]!.noDataValue, cube.noData);
      execFileSync('gdal_translate', ['-q', '-of', 'ENVI', '-ot', 'Float32', '-co', 'INTERLEAVE=BSQ', join(work, 'out.img'), join(work, 'gdal.img')]);
      const values = new Float32Array(new Uint8Array(readFileSync(join(work, 'gdal.img'))).buffer);
      assert.deepEqual(values, cube.data);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
