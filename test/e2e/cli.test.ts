import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeWav, encodeWav } from '../../app/audio/wav-codec.js';
import { readEnvi } from '../../app/hsi/envi-reader.js';
import { readGeoTiff } from '../../app/hsi/geotiff-reader.js';
import { writeGeoTiff } from '../../app/hsi/geotiff-writer.js';
import { createRandom } from '../../app/random.js';
import { UTM_30M_GEO } from '../utm-geo.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = join(root, '..', 'shared', 'data');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/nmf-studio.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workdir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function toneMixture(sampleRate: number, seconds: number): Float32Array[] {
  const n = Math.round(sampleRate * seconds);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const low = t < seconds * 0.6 ? 0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.1 * Math.sin(2 * Math.PI * 440 * t) : 0;
    const high = t > seconds * 0.3 ? 0.25 * Math.sin(2 * Math.PI * 1320 * t) : 0;
    left[i] = low + 0.5 * high;
    right[i] = 0.5 * low + high;
  }
  return [left, right];
}

interface Summary {
  input: string;
  kind: string;
  loss: string;
  algorithm: string;
  iterations: number;
  objective: number;
  seconds: number;
  outputs: string[];
}

test('separate: stereo WAV → one stereo WAV per source, JSON summary, no silent overwrite', (t) => {
  const dir = workdir(t);
  const input = join(dir, 'duet.wav');
  const mixture = toneMixture(16000, 1.5);
  writeFileSync(input, encodeWav({ sampleRate: 16000, channels: mixture }, 'float32'));
  const run = cli(['separate', input, '--sources', '2', '--components', '4', '--max-iter', '60', '--out', join(dir, 'out'), '--json']);
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assert.equal(summary.input, input);
  assert.equal(summary.kind, 'audio');
  assert.equal(summary.loss, 'kl');
  assert.equal(summary.algorithm, 'cd', "'auto' solves KL by coordinate descent");
  assert.ok(summary.iterations > 0 && summary.iterations <= 60);
  assert.ok(Number.isFinite(summary.objective) && summary.seconds > 0);
  assert.deepEqual(summary.outputs.map((p) => p.slice(dir.length + 1)).sort(), ['out/duet.source-1.wav', 'out/duet.source-2.wav']);
  assert.match(run.stderr, /factoriz/i, 'progress on stderr');
  // The sources decode, keep rate and channels, and sum back to the mixture.
  const sources = summary.outputs.map((p) => decodeWav(readFileSync(p), p));
  for (const s of sources) {
    assert.equal(s.sampleRate, 16000);
    assert.equal(s.channels.length, 2);
  }
  let residual = 0;
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < mixture[c]!.length; i++) residual = Math.max(residual, Math.abs(sources[0]!.channels[c]![i]! + sources[1]!.channels[c]![i]! - mixture[c]![i]!));
  }
  assert.ok(residual < 1e-4, `mixture residual ${residual}`);

  // Again: refused before writing anything, outputs untouched; --force overwrites.
  const before = statSync(summary.outputs[0]!).mtimeMs;
  const again = cli(['separate', input, '--sources', '2', '--max-iter', '5', '--out', join(dir, 'out')]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists \(use --force/);
  assert.equal(again.stderr.trim().split('\n').at(-1)!.startsWith('nmf-studio: error:'), true);
  assert.equal(statSync(summary.outputs[0]!).mtimeMs, before);
  const forced = cli(['separate', input, '--sources', '2', '--max-iter', '5', '--out', join(dir, 'out'), '--force']);
  assert.equal(forced.status, 0, forced.stderr);
});

test('unmix: GeoTIFF → abundance GeoTIFF keeping georeferencing, endmember CSV', async (t) => {
  const dir = workdir(t);
  const rows = 12;
  const cols = 10;
  const bands = 8;
  const random = createRandom(4);
  const spectra = [0, 1, 2].map((p) => Array.from({ length: bands }, (_, b) => 0.2 + Math.exp(-(((b - p * 3) / 2) ** 2))));
  const cube = Array.from({ length: bands }, () => new Float32Array(rows * cols));
  for (let px = 0; px < rows * cols; px++) {
    const a = [random(), random(), random()];
    const sum = a[0]! + a[1]! + a[2]!;
    for (let b = 0; b < bands; b++) cube[b]![px] = 1000 * (a[0]! * spectra[0]![b]! + a[1]! * spectra[1]![b]! + a[2]! * spectra[2]![b]!) / sum;
  }
  const geo = UTM_30M_GEO;
  const input = join(dir, 'scene.tif');
  writeFileSync(input, writeGeoTiff(cube, rows, cols, { geo }));
  const run = cli(['unmix', input, '--endmembers', '3', '--max-iter', '100', '--out', dir, '--json']);
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assert.equal(summary.kind, 'cube');
  assert.equal(summary.loss, 'frobenius');
  const tif = summary.outputs.find((p) => p.endsWith('scene.abundances.tif'))!;
  const csv = summary.outputs.find((p) => p.endsWith('scene.endmembers.csv'))!;
  const maps = await readGeoTiff(new Uint8Array(readFileSync(tif)).buffer, tif);
  assert.equal(maps.bands, 3);
  assert.equal(maps.rows, rows);
  assert.equal(maps.cols, cols);
  assert.deepEqual(maps.geo?.modelTiepoint, geo.modelTiepoint);
  assert.deepEqual(maps.geo?.modelPixelScale, geo.modelPixelScale);
  assert.ok(maps.geo?.geoKeyDirectory?.includes(32611), 'CRS kept');
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines.length, bands + 1);
  assert.equal(lines[0], 'band,endmember-1,endmember-2,endmember-3');
  // The ENVI copy of the maps: same values, same placement (map info from the GeoTIFF tags).
  const hdr = summary.outputs.find((p) => p.endsWith('scene.abundances.hdr'))!;
  const img = summary.outputs.find((p) => p.endsWith('scene.abundances.img'))!;
  assert.ok(hdr && img, 'ENVI export');
  const envi = readEnvi({ header: readFileSync(hdr), headerName: hdr, data: readFileSync(img), dataName: img });
  assert.deepEqual([envi.rows, envi.cols, envi.bands], [rows, cols, 3]);
  assert.deepEqual(envi.data, maps.data);
  assert.deepEqual(envi.geo?.modelTiepoint, geo.modelTiepoint);
  // The per-pixel reconstruction error map: one band, same grid and georeferencing, small errors.
  const rmsePath = summary.outputs.find((p) => p.endsWith('scene.rmse.tif'))!;
  assert.ok(rmsePath, 'rmse map exported');
  const rmse = await readGeoTiff(new Uint8Array(readFileSync(rmsePath)).buffer, rmsePath);
  assert.equal(rmse.bands, 1);
  assert.deepEqual(rmse.geo?.modelTiepoint, geo.modelTiepoint);
  let worst = 0;
  for (const x of rmse.data) worst = Math.max(worst, x);
  assert.ok(worst > 0 && worst < 100, `rmse up to ${worst} on data of scale 1000`);
});

test('bad input: one clear line naming the file, exit 1, nothing written', (t) => {
  const dir = workdir(t);
  const garbage = join(dir, 'noise.wav');
  writeFileSync(garbage, 'this is not audio at all');
  const out = join(dir, 'out');
  const run = cli(['separate', garbage, '--sources', '2', '--out', out]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^nmf-studio: error: .*noise\.wav/m);
  assert.equal(existsSync(out), false);
  const missing = cli(['unmix', join(dir, 'absent.tif'), '--endmembers', '2', '--out', out]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /absent\.tif: no such file/);
  const wrongKind = join(dir, 'tone.wav');
  writeFileSync(wrongKind, encodeWav({ sampleRate: 8000, channels: [new Float32Array(8000).fill(0.1)] }, 'pcm16'));
  const mismatch = cli(['unmix', wrongKind, '--endmembers', '2', '--out', out]);
  assert.equal(mismatch.status, 1);
  assert.match(mismatch.stderr, /tone\.wav: unmix needs a hyperspectral cube/);
});

test('usage errors exit 2 with the usage text', () => {
  for (const args of [[], ['separate'], ['separate', 'a.wav', '--out', 'x'], ['unmix', 'a.tif', '--endmembers', 'two', '--out', 'x'], ['frobnicate'], ['separate', 'a.wav', '--sources', '3', '--components', '2', '--out', 'x'], ['serve', '--sources', '2']]) {
    const run = cli(args);
    assert.equal(run.status, 2, `${args.join(' ')} → ${run.status}: ${run.stderr}`);
    assert.match(run.stderr, /Usage:/);
  }
  const help = cli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /nmf-studio separate/);
});

test('real files from ../shared/data', { skip: !existsSync(shared) && 'needs ../shared/data' }, async (t) => {
  const dir = workdir(t);
  const audio = cli(['separate', join(shared, 'audio/clarinet_guitar/mix.wav'), '--sources', '2', '--out', dir, '--json']);
  assert.equal(audio.status, 0, audio.stderr);
  assert.equal((JSON.parse(audio.stdout) as Summary).outputs.length, 2);
  const stereo24 = cli(['separate', join(shared, 'audio/stereo_clarinet_guitar/mix.wav'), '--sources', '2', '--max-iter', '50', '--out', join(dir, 'stereo'), '--json']);
  assert.equal(stereo24.status, 0, stereo24.stderr);
  const out = (JSON.parse(stereo24.stdout) as Summary).outputs;
  const decoded = decodeWav(readFileSync(out[0]!), out[0]!);
  assert.equal(decoded.channels.length, 2);
  assert.equal(decoded.bitDepth, 24);
  const cube = cli(['unmix', join(shared, 'hsi/samson/samson_1.tif'), '--endmembers', '3', '--out', dir, '--json']);
  assert.equal(cube.status, 0, cube.stderr);
  const maps = await readGeoTiff(new Uint8Array(readFileSync((JSON.parse(cube.stdout) as Summary).outputs[0]!)).buffer, 'maps');
  assert.equal(maps.bands, 3);
  assert.equal(maps.rows, 95);
  assert.ok(maps.geo !== null);
});
