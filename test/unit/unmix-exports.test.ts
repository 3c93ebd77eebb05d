import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { HostCallError, validateHostCall } from '../../app/host-api-validation.js';
import type { Cube, GeoReference } from '../../app/hsi/cube.js';
import { UTM_30M_GEO } from '../utm-geo.js';
import { readEnvi } from '../../app/hsi/envi-reader.js';
import { readGeoTiff } from '../../app/hsi/geotiff-reader.js';
import { writeGeoTiff } from '../../app/hsi/geotiff-writer.js';
import { unmixCube, unmixingGrid } from '../../app/hsi/unmix.js';
import { abundancePngLayout } from '../../app/image/abundance-png.js';
import { VIRIDIS } from '../../app/image/viridis.js';
import { createRandom } from '../../app/random.js';
import { abundancePngName, checkEndmemberNames, jobOutputs, type NamedOutput } from '../../main/host/job-outputs.js';
import { createSessionHost } from '../../main/host/session-host.js';
import type { WorkerOutput } from '../../native-workers/common/job-protocol.js';

// What an unmixing exports: names in every format, one PNG per map, and the grid after a window,
// band range and binning, all read back with the readers (GeoTIFF, ENVI) and fast-png's decoder.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = existsSync(join(ROOT, 'dist', 'native-workers', 'node-worker.js'));

const GEO = UTM_30M_GEO;

/** rows × cols pixels of three Gaussian-bump spectra mixed with random fractions, scaled to ~1000. */
function mixedCube(rows: number, cols: number, bands: number, seed = 4): Cube {
  const random = createRandom(seed);
  const spectra = [0, 1, 2].map((p) => Array.from({ length: bands }, (_, b) => 0.2 + Math.exp(-(((b - p * (bands / 3)) / 2) ** 2))));
  const data = new Float32Array(bands * rows * cols);
  const pixels = rows * cols;
  for (let px = 0; px < pixels; px++) {
    const a = [random(), random(), random()];
    const sum = a[0]! + a[1]! + a[2]!;
    for (let b = 0; b < bands; b++) data[b * pixels + px] = (1000 * (a[0]! * spectra[0]![b]! + a[1]! * spectra[1]![b]! + a[2]! * spectra[2]![b]!)) / sum;
  }
  return { rows, cols, bands, data, wavelengths: Array.from({ length: bands }, (_, b) => 400 + 10 * b), wavelengthUnits: 'Nanometers', bandNames: null, noData: null, geo: GEO };
}

function find(outputs: readonly NamedOutput[], name: string): Uint8Array {
  const found = outputs.find((o) => o.name === name);
  assert.ok(found, `${name} among ${outputs.map((o) => o.name).join(', ')}`);
  return found.bytes;
}

/**
 * The map coordinates of the image's upper-left corner and the pixel size, from a tie point and
 * pixel scale (GeoTIFF 1.1 §7.1: X = X_t + (I − I_t)·S_x, Y = Y_t − (J − J_t)·S_y at I = J = 0).
 */
function placement(geo: GeoReference | null | undefined): { x: number; y: number; size: number[] } {
  const [i, j, , x, y] = geo?.modelTiepoint ?? [];
  const [sx, sy] = geo?.modelPixelScale ?? [];
  return { x: x! - i! * sx!, y: y! + j! * sy!, size: [sx!, sy!] };
}

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

test('window, band range and binning: the maps lie on the prepared grid, georeferencing moved and scaled', async () => {
  const cube = mixedCube(14, 12, 12);
  const output = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 30, seed: 0, sumToOne: true, window: { row: 2, col: 3, rows: 10, cols: 8 }, bandRange: { first: 1, last: 10 }, bin: 2 });
  assert.deepEqual([output.grid.rows, output.grid.cols, output.grid.bands], [5, 4, 12]);
  assert.equal(output.abundances.cols, 20);
  // Corner pixel (2, 3) of a 30 m grid anchored at (500000, 4100000): x + 3·30, y − 2·30; 2×2 bins: 60 m pixels.
  assert.deepEqual(placement(output.grid.geo), { x: 500090, y: 4099940, size: [60, 60] });
  // Bands outside 2…11 (1-based) are left out like bad bands: NaN in the spectra, band numbers kept.
  assert.deepEqual(output.droppedBands, [0, 11]);
  for (let k = 0; k < 3; k++) {
    assert.ok(Number.isNaN(output.endmembers.data[0 * 3 + k]!) && Number.isNaN(output.endmembers.data[11 * 3 + k]!));
    assert.ok(Number.isFinite(output.endmembers.data[5 * 3 + k]!));
  }
  // A binned pixel is the mean of its block: the fit of bin (0, 0) explains the mean of rows 2–3, cols 3–4.
  const grid = unmixingGrid(cube, { window: { row: 2, col: 3, rows: 10, cols: 8 }, bin: 2 });
  const mean = (cube.data[5 * 168 + 2 * 12 + 3]! + cube.data[5 * 168 + 2 * 12 + 4]! + cube.data[5 * 168 + 3 * 12 + 3]! + cube.data[5 * 168 + 3 * 12 + 4]!) / 4;
  assert.ok(Math.abs(grid.data[5 * 20]! - mean) < 1e-3, 'binned value is the block mean');
  // The exported GeoTIFF carries the prepared grid's georeferencing.
  const worker: WorkerOutput = { kind: 'unmix', output, cube: output.grid };
  const outputs = jobOutputs('scene.tif', worker);
  const maps = await readGeoTiff(arrayBuffer(find(outputs, 'scene.abundances.tif')), 'scene.abundances.tif');
  assert.deepEqual([maps.rows, maps.cols, maps.bands], [5, 4, 3]);
  assert.deepEqual(placement(maps.geo), { x: 500090, y: 4099940, size: [60, 60] });
  assert.throws(() => unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0, window: { row: 10, col: 0, rows: 10, cols: 4 } }), /not inside the 14×12 image/);
  assert.throws(() => unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0, bin: 0 }), /binning factor/);
  assert.throws(() => unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 5, seed: 0, bandRange: { first: 3, last: 40 } }), /bands 4…41 \(counted from 1\) are not within the cube's bands 1…12/);
});

test('endmember names go into the CSV header, ENVI band names, GeoTIFF descriptions and PNG file names', async () => {
  const cube = mixedCube(10, 9, 12);
  const output = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 40, seed: 0, sumToOne: true });
  const worker: WorkerOutput = { kind: 'unmix', output, cube: output.grid };
  const names = ['dry soil', 'tree, "green"', 'Wasser/See'];
  const outputs = jobOutputs('scene.tif', worker, { endmemberNames: names });
  const csv = new TextDecoder().decode(find(outputs, 'scene.endmembers.csv')).split('\n');
  assert.equal(csv[0], 'wavelength (Nanometers),dry soil,"tree, ""green""",Wasser/See');
  const tif = await readGeoTiff(arrayBuffer(find(outputs, 'scene.abundances.tif')), 'scene.abundances.tif');
  assert.deepEqual(tif.bandNames, names);
  const envi = readEnvi({ header: find(outputs, 'scene.abundances.hdr'), headerName: 'scene.abundances.hdr', data: find(outputs, 'scene.abundances.img'), dataName: 'scene.abundances.img' });
  // ENVI lists have no escapes: the writer turns the comma into a look-alike.
  assert.equal(envi.bandNames?.length, 3);
  assert.equal(envi.bandNames?.[0], 'dry soil');
  assert.equal(envi.bandNames?.[2], 'Wasser/See');
  const pngNames = outputs.filter((o) => o.name.endsWith('.png')).map((o) => o.name);
  assert.deepEqual(pngNames, ['scene.abundance-1-dry-soil.png', 'scene.abundance-2-tree-green.png', 'scene.abundance-3-Wasser-See.png']);
  // Each PNG shows its own map: sum-to-one, so the scale is 0…1 and the colour of a pixel follows its fraction.
  const layout = abundancePngLayout(10, 9);
  for (let p = 0; p < 3; p++) {
    const png = decode(find(outputs, pngNames[p]!));
    assert.deepEqual([png.width, png.height], [layout.width, layout.height]);
    assert.equal(png.text.Minimum, '0');
    assert.equal(png.text.Maximum, '1');
    for (let j = 0; j < 90; j += 7) {
      const x = layout.mapX + (j % 9) * layout.zoom;
      const y = layout.mapY + Math.floor(j / 9) * layout.zoom;
      const i = (y * png.width + x) * 3;
      const level = Math.round(255 * Math.min(1, Math.max(0, output.abundances.data[p * 90 + j]!)));
      assert.deepEqual([png.data[i], png.data[i + 1], png.data[i + 2]], [...VIRIDIS.subarray(3 * level, 3 * level + 3)], `map ${p + 1} pixel ${j}`);
    }
  }
  // Default names without renaming.
  const plain = jobOutputs('scene.tif', worker);
  assert.ok(new TextDecoder().decode(find(plain, 'scene.endmembers.csv')).startsWith('wavelength (Nanometers),endmember-1,endmember-2,endmember-3\n'));
  find(plain, 'scene.abundance-1-endmember-1.png');
  assert.throws(() => jobOutputs('scene.tif', worker, { endmemberNames: ['a', 'b'] }), /2 endmember names for 3 endmembers/);
});

test('endmember names: checks and file-name cleaning', () => {
  assert.throws(() => checkEndmemberNames(['a', ''], 2), /endmember name 2 is empty/);
  assert.throws(() => checkEndmemberNames(['a', 'x'.repeat(65)], 2), /65 characters long/);
  assert.throws(() => checkEndmemberNames(['a\tb', 'c'], 2), /name 1 contains a control character/);
  assert.throws(() => checkEndmemberNames(['a'], 2), /1 endmember name for 2 endmembers/);
  checkEndmemberNames(['Eau', 'sol nu'], 2);
  assert.equal(abundancePngName('s', 0, 'Végétation dense'), 's.abundance-1-Vegetation-dense.png');
  assert.equal(abundancePngName('s', 4, '../../etc/passwd'), 's.abundance-5-etc-passwd.png');
  assert.equal(abundancePngName('s', 1, '水'), 's.abundance-2.png');
});

test('host API validation: renameEndmembers and the unmixing window, band range and binning', () => {
  assert.deepEqual(validateHostCall('renameEndmembers', ['job', ['a', 'b']]), ['job', ['a', 'b']]);
  for (const bad of [[], ['a', ''], ['a', 'x'.repeat(65)], ['a\u0007'], 'ab', [3]]) {
    assert.throws(() => validateHostCall('renameEndmembers', ['job', bad]), HostCallError, JSON.stringify(bad));
  }
  assert.throws(() => validateHostCall('renameEndmembers', ['job']), /takes 2 arguments/);
  const unmix = { kind: 'unmix', fileId: 'f', endmembers: 3 };
  validateHostCall('startJob', [{ ...unmix, window: { row: 0, col: 5, rows: 10, cols: 10 }, bandRange: { first: 2, last: 100 }, bin: 4 }]);
  for (const bad of [{ window: { row: 0, col: 0, rows: 0, cols: 3 } }, { window: { row: 0, col: 0, rows: 2 } }, { window: { row: -1, col: 0, rows: 2, cols: 2 } }, { window: { row: 0, col: 0, rows: 2, cols: 2, z: 1 } }, { bandRange: { first: 5, last: 2 } }, { bandRange: [1, 2] }, { bin: 0 }, { bin: 1.5 }]) {
    assert.throws(() => validateHostCall('startJob', [{ ...unmix, ...bad }]), HostCallError, JSON.stringify(bad));
  }
});

test('session host: subset + binning + names, exportResult writes the PNGs and lists them', { skip: !built && 'needs the built compute worker (npm run build)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-unmix-export-'));
  const host = createSessionHost({ exportDir: join(dir, 'out') });
  t.after(async () => {
    await host.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const cube = mixedCube(14, 12, 10);
  const bands = Array.from({ length: cube.bands }, (_, b) => cube.data.slice(b * 168, (b + 1) * 168));
  const input = join(dir, 'scene.tif');
  writeFileSync(input, writeGeoTiff(bands, 14, 12, { geo: GEO }));
  const file = await host.openPath(input);
  const { jobId } = await host.startJob({ kind: 'unmix', fileId: file.fileId, endmembers: 3, maxIter: 30, window: { row: 4, col: 2, rows: 8, cols: 10 }, bin: 2 });
  const final = await host.waitForJob(jobId);
  assert.equal(final.type, 'done', JSON.stringify(final));
  await assert.rejects(host.renameEndmembers(jobId, ['a', 'b']), /2 endmember names for 3 endmembers/);
  const renamed = await host.renameEndmembers(jobId, ['soil', 'grass', 'roof']);
  assert.deepEqual(renamed.endmemberNames, ['soil', 'grass', 'roof']);
  assert.deepEqual([renamed.rows, renamed.cols], [4, 5]);
  const exported = await host.exportResult(jobId);
  const names = exported.files.map((f) => basename(f)).sort();
  assert.deepEqual(names, [
    'scene.abundance-1-soil.png', 'scene.abundance-2-grass.png', 'scene.abundance-3-roof.png',
    'scene.abundances.hdr', 'scene.abundances.img', 'scene.abundances.tif', 'scene.endmembers.csv', 'scene.rmse.tif',
  ]);
  for (const path of exported.files) assert.ok(existsSync(path), path);
  const png = decode(readFileSync(exported.files.find((f) => f.endsWith('abundance-2-grass.png'))!));
  assert.deepEqual([png.width, png.height], [abundancePngLayout(4, 5).width, abundancePngLayout(4, 5).height]);
  // Plain NMF: the scale is the maps' shared min…max, the same in every PNG.
  const ranges = exported.files.filter((f) => f.endsWith('.png')).map((f) => decode(readFileSync(f)).text);
  assert.ok(ranges.every((r) => r.Minimum === ranges[0]!.Minimum && r.Maximum === ranges[0]!.Maximum && Number(r.Maximum) > Number(r.Minimum)));
  const tif = exported.files.find((f) => f.endsWith('.abundances.tif'))!;
  const maps = await readGeoTiff(arrayBuffer(readFileSync(tif)), tif);
  assert.deepEqual([maps.rows, maps.cols], [4, 5]);
  // Window corner (row 4, col 2) of the 30 m grid: x + 2·30, y − 4·30; 2×2 bins: 60 m pixels.
  assert.deepEqual(placement(maps.geo), { x: 500060, y: 4099880, size: [60, 60] });
  assert.deepEqual(maps.bandNames, ['soil', 'grass', 'roof']);
  assert.equal(readFileSync(exported.files.find((f) => f.endsWith('.csv'))!, 'utf8').split('\n')[0], 'band,soil,grass,roof');
});
