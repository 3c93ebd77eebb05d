import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { separateAudio } from '../../app/audio/separate.js';
import type { DecodedAudio } from '../../app/audio/wav-codec.js';
import { HostCallError, validateHostCall } from '../../app/host-api-validation.js';
import { MAX_RESTARTS, SOLVER_LOSSES, type JobParams } from '../../app/host-api.js';
import { unmixCube } from '../../app/hsi/unmix.js';
import type { Cube } from '../../app/hsi/cube.js';
import { createRandom } from '../../app/random.js';

// Solver and restarts of a job (host-api.ts SOLVER_LOSSES, MAX_RESTARTS): the host refuses a
// solver that does not solve the loss, and restarts keep the lowest objective of the runs.

const separate = (extra: Record<string, unknown>): unknown => ({ kind: 'separate', fileId: 'f', sources: 2, components: 4, ...extra });
const unmix = (extra: Record<string, unknown>): unknown => ({ kind: 'unmix', fileId: 'f', endmembers: 3, ...extra });
const start = (params: unknown): void => void validateHostCall('startJob', [params]);

describe('startJob: algorithm and restarts', () => {
  it('accepts every solver with each loss it solves, and refuses the others with the alternatives named', () => {
    for (const [algorithm, losses] of Object.entries(SOLVER_LOSSES)) {
      for (const loss of ['kl', 'frobenius', 'is']) {
        const params = separate({ algorithm, loss });
        if (losses.includes(loss as never)) start(params);
        else assert.throws(() => start(params), (e: Error) => e instanceof HostCallError && e.message.includes(`'${algorithm}' does not solve the ${loss} loss`) && e.message.includes('auto'), `${algorithm} with ${loss}`);
      }
    }
    // The default losses: KL for separation, Frobenius for unmixing.
    assert.throws(() => start(separate({ algorithm: 'hals' })), /'hals' does not solve the kl loss .*auto, mu, cd/);
    start(unmix({ algorithm: 'hals' }));
    assert.throws(() => start(unmix({ algorithm: 'hals', loss: 'kl' })), /does not solve the kl loss/);
    assert.throws(() => start(separate({ algorithm: 'newton' })), /algorithm must be 'auto', 'mu', 'cd', 'hals', 'anls'/);
  });

  it(`takes 1 to ${MAX_RESTARTS} restarts, for automatic separation and plain unmixing only`, () => {
    start(separate({ restarts: 1 }));
    start(separate({ restarts: MAX_RESTARTS }));
    start(unmix({ restarts: 5, algorithm: 'anls' }));
    for (const restarts of [0, MAX_RESTARTS + 1, 2.5, '3']) assert.throws(() => start(separate({ restarts })), /restarts must be an integer in \[1, 20\]/);
    assert.throws(() => start(separate({ restarts: 3, guides: [{ source: 's1', ranges: [{ start: 0, end: 1 }] }] })), /restarts apply to automatic separation only/);
    start(separate({ restarts: 1, algorithm: 'mu', guides: [{ source: 's1', ranges: [{ start: 0, end: 1 }] }] }));
    for (const constraint of [{ sumToOne: true }, { sparsity: 0.01 }, { minVolume: 1 }]) {
      assert.throws(() => start(unmix({ ...constraint, restarts: 2 })), /apply to plain unmixing/);
      assert.throws(() => start(unmix({ ...constraint, algorithm: 'hals' })), /apply to plain unmixing/);
      start(unmix({ ...constraint, algorithm: 'auto', restarts: 1 }));
    }
  });
});

/** Two decaying tones in noise, 0.5 s at 8 kHz: enough for a small separation. */
function tones(): Float32Array {
  const random = createRandom(7);
  const x = new Float32Array(4000);
  for (let i = 0; i < x.length; i++) {
    const t = i / 8000;
    x[i] = 0.4 * Math.sin(2 * Math.PI * 220 * t) * Math.exp(-4 * t) + 0.3 * Math.sin(2 * Math.PI * 1250 * t) * (t > 0.2 ? 1 : 0) + 0.01 * (random() - 0.5);
  }
  return x;
}

describe('restarts in the pipelines', () => {
  it('separateAudio with restarts keeps the lowest objective of the seeds it ran, with the chosen solver', () => {
    const audio: DecodedAudio = { sampleRate: 8000, channels: [tones()], bitDepth: 16, float: false };
    const base = { sources: 2, components: 4, loss: 'kl', maxIter: 30, seed: 3, windowSize: 256, hop: 64, algorithm: 'mu' } as const;
    const single = [3, 4, 5].map((seed) => separateAudio(audio, { ...base, seed }).nmf);
    for (const run of single) assert.equal(run.algorithm, 'mu');
    const best = separateAudio(audio, { ...base, restarts: 3 }).nmf;
    assert.equal(best.objective, Math.min(...single.map((r) => r.objective)));
    assert.equal(best.algorithm, 'mu, best of 3 runs');
    assert.ok(new Set(single.map((r) => r.objective)).size > 1, 'the seeds give different objectives (else the test proves nothing)');
    assert.throws(() => separateAudio(audio, { ...base, restarts: 2, sparsity: 0.1 }), /restarts cannot be combined with sparsity/);
  });

  it('unmixCube with restarts keeps the lowest objective over VCA starts from successive seeds', () => {
    const random = createRandom(11);
    const rows = 8;
    const cols = 8;
    const bands = 12;
    const data = new Float32Array(rows * cols * bands);
    for (let i = 0; i < data.length; i++) data[i] = random();
    const cube: Cube = { rows, cols, bands, data, wavelengths: null, wavelengthUnits: null, bandNames: null, noData: null, geo: null };
    const base = { endmembers: 3, loss: 'frobenius', maxIter: 20, seed: 1, algorithm: 'hals', estimateEndmembers: false } as const;
    const single = [1, 2, 3, 4].map((seed) => unmixCube(cube, { ...base, seed }).nmf);
    const best = unmixCube(cube, { ...base, restarts: 4 }).nmf;
    assert.equal(best.objective, Math.min(...single.map((r) => r.objective)));
    assert.equal(best.algorithm, 'hals, best of 4 runs');
    assert.throws(() => unmixCube(cube, { ...base, restarts: 2, sumToOne: true }), /apply to plain NMF unmixing/);
  });
});
