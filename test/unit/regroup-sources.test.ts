import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '../../app/audio/wav-codec.js';
import { createSessionHost } from '../../main/host/session-host.js';

// Regrouping through the session host (the workspace's drag of a component onto another lane):
// the NMF model stays, only which components feed which source changes. The separation itself
// runs in the built compute worker.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = existsSync(join(ROOT, 'dist', 'native-workers', 'node-worker.js'));
const RATE = 8000;

function twoTones(): Float32Array {
  const x = new Float32Array(RATE);
  for (let i = 0; i < x.length; i++) {
    const t = i / RATE;
    x[i] = 0.4 * Math.sin(2 * Math.PI * 220 * t) * (t < 0.6 ? 1 : 0) + 0.3 * Math.sin(2 * Math.PI * 1760 * t) * (t > 0.4 ? 1 : 0);
  }
  return x;
}

test('regroupSources: the same assignment gives the same sources, a new one moves energy, bad ones are refused', { skip: !built && 'needs the built compute worker (npm run build)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-regroup-'));
  const host = createSessionHost({ exportDir: dir });
  t.after(async () => {
    await host.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const wav = encodeWav({ sampleRate: RATE, channels: [twoTones()] }, 'float32');
  const file = await host.openFile('tones.wav', wav.buffer.slice(wav.byteOffset, wav.byteOffset + wav.byteLength) as ArrayBuffer);
  const { jobId } = await host.startJob({ kind: 'separate', fileId: file.fileId, sources: 2, components: 4, maxIter: 60 });
  assert.equal((await host.waitForJob(jobId)).type, 'done');
  const model = await host.getSeparationModel(jobId);
  assert.equal(model.components, 4);
  const originals = await Promise.all([0, 1].map((s) => host.getSourceAudio(jobId, s)));

  // Same assignment: the sources come back bit for bit.
  const same = await host.regroupSources(jobId, model.assignment);
  assert.deepEqual(same.sources.map((s) => s.name), ['source-1', 'source-2']);
  for (let s = 0; s < 2; s++) assert.deepEqual(new Uint8Array(await host.getSourceAudio(jobId, s)), new Uint8Array(originals[s]!), `source ${s + 1} reproduced`);

  // Every component to source 1: source 2 falls silent, source 1 becomes the mixture.
  const moved = await host.regroupSources(jobId, [0, 0, 0, 0]);
  assert.ok(moved.mixtureResidual < 1e-4, `sources still sum to the mixture (${moved.mixtureResidual})`);
  assert.ok(moved.sources[0]!.energyShare > 0.999, `source 1 holds everything (${moved.sources[0]!.energyShare})`);
  assert.deepEqual((await host.getSeparationModel(jobId)).assignment, [0, 0, 0, 0], 'the job keeps the new assignment');

  await assert.rejects(host.regroupSources(jobId, [0, 0, 0]), /assignment lists 3 components, the model has 4/);
  await assert.rejects(host.regroupSources(jobId, [0, 0, 0, 2]), /component 3 is assigned to source 2, expected 0…1/);
  await assert.rejects(host.regroupSources('nope', [0, 1, 0, 1]), /unknown job id 'nope'/);
  // A refused regrouping leaves the job as it was.
  assert.deepEqual((await host.getSeparationModel(jobId)).assignment, [0, 0, 0, 0]);

  // Regroupings asked for at once run in order: the last one asked for is the one kept.
  const [first, last] = await Promise.all([host.regroupSources(jobId, [0, 0, 0, 0]), host.regroupSources(jobId, model.assignment)]);
  assert.ok(first.sources[0]!.energyShare > 0.999);
  assert.deepEqual(last.sources.map((s) => s.energyShare), same.sources.map((s) => s.energyShare));
  assert.deepEqual((await host.getSeparationModel(jobId)).assignment, model.assignment);
  assert.deepEqual(new Uint8Array(await host.getSourceAudio(jobId, 1)), new Uint8Array(originals[1]!));
});
