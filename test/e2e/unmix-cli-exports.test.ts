import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { readGeoTiff } from '../../app/hsi/geotiff-reader.js';
import { writeGeoTiff } from '../../app/hsi/geotiff-writer.js';
import { abundancePngLayout } from '../../app/image/abundance-png.js';
import { VIRIDIS } from '../../app/image/viridis.js';
import { createRandom } from '../../app/random.js';
import { UTM_30M_GEO } from '../utm-geo.js';

// `nmf-studio unmix` with a window, binning, a band range and endmember names: the PNGs are in the
// summary's outputs, named after the endmembers, coloured by the exported abundances; the
// GeoTIFF's georeferencing follows the window and binning; `evaluate` reads the ENVI export back.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/nmf-studio.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('unmix --subset --bin --bands --endmember-names: named PNGs listed, maps on the prepared grid', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-unmix-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rows = 16;
  const cols = 14;
  const bands = 9;
  const random = createRandom(11);
  const spectra = [0, 1, 2].map((p) => Array.from({ length: bands }, (_, b) => 0.2 + Math.exp(-(((b - p * 3) / 2) ** 2))));
  const cube = Array.from({ length: bands }, () => new Float32Array(rows * cols));
  for (let px = 0; px < rows * cols; px++) {
    const a = [random(), random(), random()];
    const sum = a[0]! + a[1]! + a[2]!;
    for (let b = 0; b < bands; b++) cube[b]![px] = (1000 * (a[0]! * spectra[0]![b]! + a[1]! * spectra[1]![b]! + a[2]! * spectra[2]![b]!)) / sum;
  }
  const geo = UTM_30M_GEO;
  const input = join(dir, 'scene.tif');
  writeFileSync(input, writeGeoTiff(cube, rows, cols, { geo }));
  const out = join(dir, 'out');
  const args = ['unmix', input, '--endmembers', '3', '--sum-to-one', '--max-iter', '60', '--subset', '2,4,12,8', '--bin', '2', '--bands', '1-8', '--endmember-names', 'soil,dry grass,roof', '--out', out, '--json'];
  const run = cli(args);
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { outputs: string[]; droppedBands: number[] };
  assert.deepEqual(summary.droppedBands, [9], 'band 9 is outside --bands 1-8');
  const names = summary.outputs.map((p) => basename(p)).sort();
  assert.deepEqual(names.filter((n) => n.endsWith('.png')), ['scene.abundance-1-soil.png', 'scene.abundance-2-dry-grass.png', 'scene.abundance-3-roof.png']);

  const tifPath = summary.outputs.find((p) => p.endsWith('scene.abundances.tif'))!;
  const maps = await readGeoTiff(new Uint8Array(readFileSync(tifPath)).buffer, tifPath);
  assert.deepEqual([maps.rows, maps.cols, maps.bands], [6, 4, 3]);
  assert.deepEqual(maps.bandNames, ['soil', 'dry grass', 'roof']);
  // Upper-left corner: tie point moved by the window (row 2, col 4), pixel size doubled by --bin 2.
  const [i, j, , x, y] = maps.geo!.modelTiepoint!;
  const [sx, sy] = maps.geo!.modelPixelScale!;
  assert.deepEqual([x! - i! * sx!, y! + j! * sy!, sx, sy], [500000 + 4 * 30, 4100000 - 2 * 30, 60, 60]);

  // Each PNG: the exported map's values through viridis on 0…1 (sum-to-one), pixel by pixel.
  const layout = abundancePngLayout(6, 4);
  for (let p = 0; p < 3; p++) {
    const pngPath = summary.outputs.find((f) => basename(f).startsWith(`scene.abundance-${p + 1}-`))!;
    const png = decode(readFileSync(pngPath));
    assert.deepEqual([png.width, png.height, png.channels], [layout.width, layout.height, 3]);
    assert.deepEqual([png.text.Minimum, png.text.Maximum], ['0', '1']);
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 4; c++) {
        const k = ((layout.mapY + r * layout.zoom) * png.width + layout.mapX + c * layout.zoom) * 3;
        const level = Math.round(255 * Math.min(1, Math.max(0, maps.data[p * 24 + r * 4 + c]!)));
        assert.deepEqual([png.data[k], png.data[k + 1], png.data[k + 2]], [...VIRIDIS.subarray(3 * level, 3 * level + 3)], `${basename(pngPath)} (${r}, ${c})`);
      }
    }
  }

  // Refuses to overwrite without --force, before writing anything.
  const again = cli(args);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists/);

  // evaluate: the ENVI export as the estimate, against the endmember CSV itself as a reference (SAD 0).
  const csvPath = summary.outputs.find((p) => p.endsWith('scene.endmembers.csv'))!;
  const hdrPath = summary.outputs.find((p) => p.endsWith('scene.abundances.hdr'))!;
  const scored = cli(['evaluate', '--reference', csvPath, '--estimate', hdrPath, '--json']);
  assert.equal(scored.status, 0, scored.stderr);
  const report = JSON.parse(scored.stdout) as { meanSadDegrees: number; estimate: string[] };
  assert.ok(report.meanSadDegrees < 1e-3, `SAD against itself: ${report.meanSadDegrees}`);
  assert.deepEqual(report.estimate, [csvPath, hdrPath]);
});

test('unmix of a benchmark .mat with --subset: the summary still scores the spectra, not the maps of other pixels', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-unmix-cli-gt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const mat = join(root, 'test', 'fixtures', 'unmixing', 'small_gt.mat');
  type Evaluation = { evaluation: { meanSadDegrees: number; abundanceRmse: number | null; endmembers: unknown[] } | null };
  const whole = cli(['unmix', mat, '--endmembers', '3', '--sum-to-one', '--max-iter', '40', '--out', join(dir, 'whole'), '--json']);
  assert.equal(whole.status, 0, whole.stderr);
  const full = (JSON.parse(whole.stdout) as Evaluation).evaluation!;
  assert.ok(full.abundanceRmse !== null && full.abundanceRmse >= 0);
  const part = cli(['unmix', mat, '--endmembers', '3', '--sum-to-one', '--max-iter', '40', '--subset', '1,0,4,5', '--out', join(dir, 'part'), '--json']);
  assert.equal(part.status, 0, part.stderr);
  const window = (JSON.parse(part.stdout) as Evaluation).evaluation!;
  assert.equal(window.endmembers.length, 3);
  assert.ok(Number.isFinite(window.meanSadDegrees));
  assert.equal(window.abundanceRmse, null, 'abundances of a window are not compared with the whole image');
});
