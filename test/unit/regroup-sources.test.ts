import assert from 'node:assert/strict';
import { test } from 'node:test';
import { regroupSources } from '../../app/audio/regroup-sources.js';
import { separateAudio } from '../../app/audio/separate.js';

// Regrouping keeps the NMF model and changes only which components feed which source.

const RATE = 8000;
function twoTones(): Float32Array {
  const x = new Float32Array(RATE);
  for (let i = 0; i < x.length; i++) {
    const t = i / RATE;
    x[i] = 0.4 * Math.sin(2 * Math.PI * 220 * t) * (t < 0.6 ? 1 : 0) + 0.3 * Math.sin(2 * Math.PI * 1760 * t) * (t > 0.4 ? 1 : 0);
  }
  return x;
}

test('regrouping with the original assignment gives the original sources; moving a component changes them', () => {
  const audio = { sampleRate: RATE, channels: [twoTones()], bitDepth: 16, float: false };
  const out = separateAudio(audio, { sources: 2, components: 4, loss: 'kl', maxIter: 60, seed: 0, windowSize: 512, hop: 128 });
  assert.ok(out.model, 'the separation keeps its model');
  assert.equal(out.model.W.cols, 4);
  const names = out.sources.map((s) => s.name);

  const same = regroupSources(audio, out.model, out.assignment, names);
  for (let s = 0; s < 2; s++) {
    const a = same.sources[s]!.channels[0]!;
    const b = out.sources[s]!.channels[0]!;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    assert.ok(worst < 1e-6, `source ${s + 1} reproduced (max diff ${worst})`);
  }

  // Move every component to source 1: source 2 falls silent, source 1 becomes the mixture.
  const moved = regroupSources(audio, out.model, [0, 0, 0, 0], names);
  assert.ok(moved.mixtureResidual < 1e-4, `sources still sum to the mixture (${moved.mixtureResidual})`);
  assert.ok(moved.sources[0]!.energyShare > 0.999, `source 1 holds everything (${moved.sources[0]!.energyShare})`);

  const k = out.assignment.indexOf(1);
  const one = [...out.assignment];
  one[k] = 0;
  const partly = regroupSources(audio, out.model, one, names);
  assert.notEqual(partly.sources[1]!.energyShare, out.sources[1]!.energyShare, 'moving one component changes the shares');
  assert.throws(() => regroupSources(audio, out.model!, [0, 0, 0], names), /lists 3 components, the model has 4/);
  assert.throws(() => regroupSources(audio, out.model!, [0, 0, 0, 2], names), /component 4 is assigned to source 3/);
});
