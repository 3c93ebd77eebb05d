import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeGeoTiff } from '../../app/hsi/geotiff-writer.js';
import { readMatCube } from '../../app/hsi/mat-cube.js';
import { unmixCube } from '../../app/hsi/unmix.js';
import { scoreUnmixing } from '../../app/hsi/unmixing-metrics.js';
import { evaluateUnmixingFiles, groundTruthOfInput, readEndmemberCsv } from '../../main/cli/evaluate-unmixing.js';
import { jobOutputs } from '../../main/host/job-outputs.js';

const fixtures = new URL('../fixtures/unmixing/', import.meta.url);
const matPath = new URL('small_gt.mat', fixtures).pathname;

interface Printed {
  meanSadDegrees: number;
  abundanceRmse: number | null;
  abundancesNormalized: boolean | null;
  endmembers: { reference: number; estimate: number; sadDegrees: number; abundanceRmse: number | null }[];
}

/** Runs evaluateUnmixingFiles, capturing what it prints; returns its exit code and the text. */
async function evaluate(reference: string[], estimate: string[], json: boolean): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await evaluateUnmixingFiles(reference, estimate, json, { write: (text: string) => (out += text) });
  return { code, out };
}

function csv(rows: number[][], header?: string[]): string {
  return [...(header ? [header.join(',')] : []), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

test('evaluate reads back what `nmf-studio unmix` exports (endmember CSV + abundance GeoTIFF) and scores it against a .mat', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-evaluate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { cube, groundTruth } = readMatCube(readFileSync(matPath), 'small_gt.mat');
  const out = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 100, seed: 0, sumToOne: true, badBands: [2] });
  const { data: _data, ...info } = cube;
  for (const file of jobOutputs('small_gt.mat', { kind: 'unmix', output: out, cube: info })) writeFileSync(join(dir, file.name), file.bytes);

  const { code, out: printed } = await evaluate([matPath], [dir], true);
  assert.equal(code, 0);
  const report = JSON.parse(printed) as Printed;
  // The scores of the files equal those of the in-memory result: nothing lost on the way out and back.
  const direct = scoreUnmixing({ endmembers: out.endmembers, abundances: out.abundances }, { endmembers: groundTruth!.endmembers, abundances: groundTruth!.abundances! });
  assert.ok(Math.abs(report.meanSadDegrees - direct.meanSadDegrees) < 1e-4, `${report.meanSadDegrees} vs ${direct.meanSadDegrees}`);
  assert.ok(Math.abs(report.abundanceRmse! - direct.abundances!.rmse) < 1e-6);
  assert.equal(report.abundancesNormalized, false);
  assert.deepEqual(report.endmembers.map((e) => e.estimate - 1), direct.permutation);
  // The bad band is NaN in the CSV and left out of the angles.
  assert.ok(Number.isNaN(readEndmemberCsv(join(dir, 'small_gt.endmembers.csv')).data[2 * 3]!));

  // The text form names the files and prints the table.
  const text = await evaluate([matPath], [dir], false);
  assert.match(text.out, /reference: .*small_gt\.mat/);
  assert.match(text.out, /mean SAD \d+\.\d\d°/);
  assert.match(text.out, /abundance RMSE 0\.\d{4}/);

  // Ground truth carried by the input itself (what `unmix` adds to its summary).
  const truth = groundTruthOfInput(matPath)!;
  assert.deepEqual([truth.endmembers.rows, truth.endmembers.cols, truth.abundances!.rows, truth.abundances!.cols], [12, 3, 3, 30]);
  assert.equal(groundTruthOfInput(join(dir, 'small_gt.endmembers.csv')), null);
});

test('evaluate takes our ENVI export or the abundance GeoTIFF alone as the estimate (the CSV found beside it)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-evaluate-envi-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { cube, groundTruth } = readMatCube(readFileSync(matPath), 'small_gt.mat');
  const out = unmixCube(cube, { endmembers: 3, loss: 'frobenius', maxIter: 60, seed: 1, sumToOne: true });
  const { data: _data, ...info } = cube;
  for (const file of jobOutputs('small_gt.mat', { kind: 'unmix', output: out, cube: info }, { endmemberNames: ['a, b', 'c', 'd'] })) writeFileSync(join(dir, file.name), file.bytes);
  const direct = scoreUnmixing({ endmembers: out.endmembers, abundances: out.abundances }, { endmembers: groundTruth!.endmembers, abundances: groundTruth!.abundances! });
  const csvPath = join(dir, 'small_gt.endmembers.csv');
  const estimates = [
    [join(dir, 'small_gt.abundances.hdr')],
    [join(dir, 'small_gt.abundances.img')],
    [join(dir, 'small_gt.abundances.tif')],
    [csvPath, join(dir, 'small_gt.abundances.hdr')],
  ];
  for (const estimate of estimates) {
    const report = JSON.parse((await evaluate([matPath], estimate, true)).out) as Printed & { estimate: string[] };
    assert.ok(Math.abs(report.meanSadDegrees - direct.meanSadDegrees) < 1e-4, `${estimate.join(' ')}: SAD ${report.meanSadDegrees} vs ${direct.meanSadDegrees}`);
    assert.ok(report.abundanceRmse !== null && Math.abs(report.abundanceRmse - direct.abundances!.rmse) < 1e-6, `${estimate.join(' ')}: abundance RMSE ${report.abundanceRmse}`);
    assert.equal(report.estimate[0], csvPath, 'the endmember CSV beside the abundance file');
  }
  // A folder holding only the ENVI copy of the maps.
  rmSync(join(dir, 'small_gt.abundances.tif'));
  const folder = JSON.parse((await evaluate([matPath], [dir], true)).out) as Printed & { estimate: string[] };
  assert.equal(folder.estimate[1], join(dir, 'small_gt.abundances.hdr'));
  assert.ok(Math.abs(folder.abundanceRmse! - direct.abundances!.rmse) < 1e-6);
  // Without its CSV, an abundance file alone is refused with the missing name.
  rmSync(csvPath);
  await assert.rejects(evaluate([matPath], [join(dir, 'small_gt.abundances.hdr')], true), /small_gt\.endmembers\.csv is missing/);
});

test('evaluate takes references and estimates as CSV files and matches numpy\'s SAD (test/make-unmixing-fixtures.py)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-evaluate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = JSON.parse(readFileSync(new URL('small_gt.json', fixtures), 'utf8')) as {
    bands: number; rows: number; cols: number; M: number[]; A: number[]; estimateEndmembers: number[]; estimateAbundances: number[]; sadDegrees: number[]; permutation: number[];
  };
  const pixels = f.rows * f.cols;
  const bandRows = (values: number[]): number[][] => Array.from({ length: f.bands }, (_, b) => [400 + 10 * b, values[b * 3]!, values[b * 3 + 1]!, values[b * 3 + 2]!]);
  const pixelRows = (values: number[]): number[][] => Array.from({ length: pixels }, (_, j) => [values[j]!, values[pixels + j]!, values[2 * pixels + j]!]);
  writeFileSync(join(dir, 'ref.csv'), csv(bandRows(f.M), ['wavelength (nm)', 'soil', 'tree', 'water']));
  writeFileSync(join(dir, 'ref-abundances.csv'), csv(pixelRows(f.A)));
  writeFileSync(join(dir, 'est.csv'), csv(bandRows(f.estimateEndmembers), ['band', 'e1', 'e2', 'e3']));
  writeFileSync(join(dir, 'est-abundances.csv'), csv(pixelRows(f.estimateAbundances)));

  const { out } = await evaluate([join(dir, 'ref.csv'), join(dir, 'ref-abundances.csv')], [join(dir, 'est.csv'), join(dir, 'est-abundances.csv')], true);
  const report = JSON.parse(out) as Printed;
  report.endmembers.forEach((e, k) => {
    assert.equal(e.estimate - 1, f.permutation[k]);
    assert.ok(Math.abs(e.sadDegrees - f.sadDegrees[k]!) < 1e-3, `${e.sadDegrees} vs numpy ${f.sadDegrees[k]}`);
  });
  // The perturbed estimate does not sum to one: it was normalised per pixel before the RMSE, and says so.
  assert.equal(report.abundancesNormalized, true);
  // The same reference from the .mat (pixels reordered from MATLAB's column-major order) scores the same.
  const fromMat = JSON.parse((await evaluate([matPath], [join(dir, 'est.csv'), join(dir, 'est-abundances.csv')], true)).out) as Printed;
  assert.ok(Math.abs(fromMat.meanSadDegrees - report.meanSadDegrees) < 1e-6);
  assert.ok(Math.abs(fromMat.abundanceRmse! - report.abundanceRmse!) < 1e-6);
  // Endmembers only: no abundance score.
  const spectraOnly = JSON.parse((await evaluate([join(dir, 'ref.csv')], [join(dir, 'est.csv')], true)).out) as Printed;
  assert.equal(spectraOnly.abundanceRmse, null);
  assert.ok(Math.abs(spectraOnly.meanSadDegrees - report.meanSadDegrees) < 1e-9);
});

test('evaluate refuses inconsistent or missing inputs with errors naming the files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-evaluate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await assert.rejects(evaluate([matPath], [dir], true), /no \*\.endmembers\.csv in the folder/);
  await assert.rejects(evaluate([matPath], [join(dir, 'missing.csv')], true), /missing\.csv: no such file/);
  writeFileSync(join(dir, 'short.csv'), csv([[1, 0.5, 0.2, 0.1], [2, 0.4, 0.3, 0.2]], ['band', 'a', 'b', 'c']));
  await assert.rejects(evaluate([matPath], [join(dir, 'short.csv')], true), /the estimate has 2 bands .*short\.csv.* and the reference 12/);
  writeFileSync(join(dir, 'two.csv'), csv(Array.from({ length: 12 }, (_, b) => [b + 1, 1, b])));
  await assert.rejects(evaluate([matPath], [join(dir, 'two.csv')], true), /the reference has 3 endmembers but the estimate only 2/);
  writeFileSync(join(dir, 'a.endmembers.csv'), 'x');
  writeFileSync(join(dir, 'b.endmembers.csv'), 'x');
  await assert.rejects(evaluate([matPath], [dir], true), /2 files \*\.endmembers\.csv/);
  await assert.rejects(evaluate([], [dir], true), /no reference given/);
});

test('a ground-truth-only .mat (M and A, no image): A is reordered by the estimate\'s image size, or refused without one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-evaluate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // test/fixtures/hsi/mat: bench.mat holds Y (4 × 5 pixels, 3 bands) with M and A; gt-only.mat the same M and A alone.
  const hsiMat = new URL('../fixtures/hsi/mat/', import.meta.url);
  const gtOnly = new URL('gt-only.mat', hsiMat).pathname;
  const { cube, groundTruth } = readMatCube(readFileSync(new URL('bench.mat', hsiMat)), 'bench.mat');
  const m = groundTruth!.endmembers;
  const a = groundTruth!.abundances!;
  const p = m.cols;
  const pixels = cube.rows * cube.cols;
  writeFileSync(join(dir, 'est.csv'), csv(Array.from({ length: m.rows }, (_, b) => [b + 1, ...m.data.subarray(b * p, (b + 1) * p)])));
  // The true abundances (row-major pixels) as the GeoTIFF unmix writes and as a CSV, which has no image size.
  const maps = Array.from({ length: p }, (_, k) => a.data.subarray(k * pixels, (k + 1) * pixels));
  writeFileSync(join(dir, 'est.tif'), writeGeoTiff(maps, cube.rows, cube.cols, { geo: null }));
  writeFileSync(join(dir, 'est-abundances.csv'), csv(Array.from({ length: pixels }, (_, j) => maps.map((map) => map[j]!))));

  const fromTif = JSON.parse((await evaluate([gtOnly], [join(dir, 'est.csv'), join(dir, 'est.tif')], true)).out) as Printed;
  assert.ok(fromTif.meanSadDegrees < 1e-3, `mean SAD ${fromTif.meanSadDegrees}`);
  assert.ok(fromTif.abundanceRmse! < 1e-6, `abundance RMSE ${fromTif.abundanceRmse}: A reordered from MATLAB's pixel order`);
  // Endmembers only: A is not needed, and not read.
  const spectraOnly = JSON.parse((await evaluate([gtOnly], [join(dir, 'est.csv')], true)).out) as Printed;
  assert.equal(spectraOnly.abundanceRmse, null);
  assert.ok(spectraOnly.meanSadDegrees < 1e-3);
  // 20 pixels, not a square: a CSV cannot say how A's pixels map to its rows.
  await assert.rejects(evaluate([gtOnly], [join(dir, 'est.csv'), join(dir, 'est-abundances.csv')], true), /gt-only\.mat: its abundances 'A' are in MATLAB's column-major pixel order, and the image size to reorder them is unknown \(.*est-abundances\.csv has 20 pixels, not a square\)/);
});
