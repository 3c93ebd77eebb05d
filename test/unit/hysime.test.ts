import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bandStatistics } from '../../app/hsi/band-statistics.js';
import { hysime } from '../../app/hsi/hysime.js';
import { createMatrix, multiply } from '../../app/matrix.js';
import { createRandom } from '../../app/random.js';

interface Fixture {
  bands: number;
  pixels: number;
  endmembers: number;
  dataFloat32Base64: string;
  noiseVariance: number[];
  hysime: number;
  noiseSigma: number;
}

test('HySime agrees with a port of the authors\' MATLAB code (numpy, test/make-unmixing-fixtures.py)', () => {
  const f = JSON.parse(readFileSync(new URL('../fixtures/unmixing/hysime.json', import.meta.url), 'utf8')) as Fixture;
  const bytes = Buffer.from(f.dataFloat32Base64, 'base64');
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const y = createMatrix(f.bands, f.pixels, data);
  const result = hysime(y);
  assert.equal(result.endmembers, f.hysime);
  assert.equal(result.endmembers, f.endmembers, 'and both find the 4 endmembers the data were made of');
  for (let b = 0; b < f.bands; b++) {
    const rel = Math.abs(result.noiseVariance[b]! - f.noiseVariance[b]!) / f.noiseVariance[b]!;
    assert.ok(rel < 1e-6, `band ${b}: noise variance ${result.noiseVariance[b]} vs ${f.noiseVariance[b]}`);
  }
  // The regression's noise estimate is close to the noise put in.
  const mean = result.noiseVariance.reduce((s, v) => s + v, 0) / f.bands;
  assert.ok(Math.abs(mean / f.noiseSigma ** 2 - 1) < 0.25, `mean noise variance ${mean} vs ${f.noiseSigma ** 2}`);
});

test('HySime counts the endmembers of synthetic mixtures across P and noise levels', () => {
  const random = createRandom(21);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  for (const [p, snrDb] of [[3, 40], [5, 35], [7, 40]] as const) {
    const bands = 60;
    const pixels = 3000;
    const m = createMatrix(bands, p, Float32Array.from({ length: bands * p }, () => 0.1 + random()));
    const a = createMatrix(p, pixels);
    for (let j = 0; j < pixels; j++) {
      const g = Array.from({ length: p }, () => -Math.log(1 - random()));
      const sum = g.reduce((s, x) => s + x, 0);
      for (let k = 0; k < p; k++) a.data[k * pixels + j] = g[k]! / sum;
    }
    const y = multiply(m, a);
    let power = 0;
    for (const x of y.data) power += x * x;
    const sigma = Math.sqrt(power / y.data.length / 10 ** (snrDb / 10));
    for (let i = 0; i < y.data.length; i++) y.data[i] = y.data[i]! + sigma * gaussian();
    assert.equal(hysime(y).endmembers, p, `P = ${p}, SNR ${snrDb} dB`);
    // Statistics on a strided subset (what large cubes use) give the same answer here.
    assert.equal(hysime(y, bandStatistics(y, 1000)).endmembers, p);
  }
});
