import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bssEvalSources } from '../../app/audio/bss-eval.js';
import { siSdr } from '../../app/audio/si-sdr.js';
import { encodeWav } from '../../app/audio/wav-codec.js';
import { createRandom } from '../../app/random.js';
import { parseCli, UsageError } from '../../main/cli/cli-args.js';
import { runEvaluateCommand } from '../../main/cli/evaluate-command.js';

const dir = mkdtempSync(join(tmpdir(), 'nmf-evaluate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RATE = 8000;
const N = 6000;

function noise(seed: number, scale = 0.3): Float32Array {
  const random = createRandom(seed);
  return new Float32Array(N).map(() => scale * (2 * random() - 1));
}

function wav(name: string, channels: Float32Array[], rate = RATE): string {
  const path = join(dir, name);
  writeFileSync(path, encodeWav({ sampleRate: rate, channels }, 'float32'));
  return path;
}

function capture(): { out: { write(text: string): void }; text: () => string } {
  let text = '';
  return { out: { write: (t: string) => void (text += t) }, text: () => text };
}

const s1 = noise(1);
const s2 = noise(2);
const e1 = s1.map((x, i) => x + 0.1 * s2[i]!);
const e2 = s2.map((x, i) => x + 0.2 * s1[i]! + 0.01 * Math.sin(i));
const refs = [wav('s1.wav', [s1]), wav('s2.wav', [s2])];
// Given in swapped order: e2 first.
const ests = [wav('e2.wav', [e2]), wav('e1.wav', [e1])];

describe('nmf-studio evaluate (audio)', () => {
  it('prints per-source SDR/SIR/SAR/SI-SDR in JSON, matching the estimates by permutation', async () => {
    const { out, text } = capture();
    assert.equal(await runEvaluateCommand({ reference: refs, estimate: ests, json: true }, out), 0);
    const json = JSON.parse(text()) as {
      kind: string;
      sampleRate: number;
      channels: number;
      permutation: number[];
      sources: { reference: string; estimate: string; sdr: number; sir: number; sar: number; siSdr: number }[];
      mean: { sdr: number };
    };
    assert.equal(json.kind, 'audio');
    assert.equal(json.sampleRate, RATE);
    assert.equal(json.channels, 1);
    assert.deepEqual(json.permutation, [1, 0]);
    assert.deepEqual(json.sources.map((s) => [s.reference, s.estimate]), [[refs[0], ests[1]], [refs[1], ests[0]]]);
    // The same numbers as the library on the same (float32-exact) samples.
    const direct = bssEvalSources([s1, s2], [e1, e2]);
    json.sources.forEach((s, j) => {
      assert.ok(Math.abs(s.sdr - direct.sdr[j]!) < 1e-9, `SDR ${s.sdr} vs ${direct.sdr[j]}`);
      assert.ok(Math.abs(s.sir - direct.sir[j]!) < 1e-9);
      assert.ok(Math.abs(s.sar - direct.sar[j]!) < 1e-9);
    });
    assert.ok(Math.abs(json.sources[0]!.siSdr - siSdr([s1], [e1])) < 1e-9);
    // Planted leakage: 0.1 of an equally loud source is 20 dB below, 0.2 is 14 dB below.
    assert.ok(Math.abs(json.sources[0]!.sir - 20) < 0.5, `SIR ${json.sources[0]!.sir}`);
    assert.ok(Math.abs(json.sources[1]!.sir - 14) < 0.5, `SIR ${json.sources[1]!.sir}`);
    assert.ok(Math.abs(json.mean.sdr - (json.sources[0]!.sdr + json.sources[1]!.sdr) / 2) < 1e-12);
  });

  it('prints a table without --json', async () => {
    const { out, text } = capture();
    await runEvaluateCommand({ reference: refs, estimate: ests, json: false }, out);
    const lines = text().trim().split('\n');
    assert.match(lines[0]!, /BSS Eval \(512-tap distortion filters\) and SI-SDR, in dB; 1 channel at 8000 Hz/);
    assert.match(lines[1]!, /reference\s+estimate\s+SDR\s+SIR\s+SAR\s+SI-SDR/);
    assert.ok(lines[2]!.includes('s1.wav') && lines[2]!.includes('e1.wav'));
    assert.match(lines[4]!, /^mean/);
    assert.match(lines[5]!, /reference j ← estimate 2, 1/);
  });

  it('scores stereo files', async () => {
    const r = [wav('st1.wav', [s1, s1.map((x) => 0.5 * x)]), wav('st2.wav', [s2.map((x) => 0.5 * x), s2])];
    const e = [wav('se1.wav', [e1, e1.map((x) => 0.5 * x)]), wav('se2.wav', [e2.map((x) => 0.5 * x), e2])];
    const { out, text } = capture();
    await runEvaluateCommand({ reference: r, estimate: e, json: true }, out);
    const json = JSON.parse(text()) as { channels: number; permutation: number[]; sources: { sir: number }[] };
    assert.equal(json.channels, 2);
    assert.deepEqual(json.permutation, [0, 1]);
    assert.ok(json.sources[0]!.sir > 15);
  });

  it('refuses mismatched files with errors that name them', async () => {
    const run = (reference: string[], estimate: string[]): Promise<number> => runEvaluateCommand({ reference, estimate, json: true }, capture().out);
    await assert.rejects(run(refs, [ests[0]!]), /2 references but 1 estimate: give one estimate per reference source/);
    const short = wav('short.wav', [s1.subarray(0, N - 1)]);
    await assert.rejects(run(refs, [ests[0]!, short]), new RegExp(`${short}: 5999 samples per channel, but .*s1.wav has 6000`));
    const fast = wav('fast.wav', [e1], 16000);
    await assert.rejects(run(refs, [ests[0]!, fast]), /fast.wav: sample rate 16000 Hz, but .*s1.wav has 8000 Hz/);
    const stereo = wav('stereo.wav', [e1, e1]);
    await assert.rejects(run(refs, [ests[0]!, stereo]), /stereo.wav: 2 channels, but .*s1.wav has 1/);
    const silent = wav('silent.wav', [new Float32Array(N)]);
    await assert.rejects(run(refs, [ests[0]!, silent]), /silent.wav: the estimate is silent/);
    const corrupt = join(dir, 'corrupt.wav');
    writeFileSync(corrupt, Buffer.from('RIFF\x10\x00\x00\x00WAVEjunk'));
    await assert.rejects(run(refs, [ests[0]!, corrupt]), /corrupt.wav: /);
    await assert.rejects(run(refs, [ests[0]!, join(dir, 'missing.wav')]), /missing.wav: no such file/);
    await assert.rejects(run(refs, [ests[0]!, join(dir, 'e1.csv')]), /e1.csv: the references are WAV files, so the estimates must be too/);
    // Audio and hyperspectral references together: refused up front, naming one of each.
    await assert.rejects(run([refs[0]!, join(dir, 'gt.mat')], ests), /the references mix WAV files \(.*s1\.wav: separated audio\) and other files \(.*gt\.mat: unmixing ground truth\)/);
  });
});

describe('parseCli evaluate', () => {
  it('takes several files per flag, repeated flags and --flag=value', () => {
    assert.deepEqual(parseCli(['evaluate', '--reference', 'a.wav', 'b.wav', '--estimate', 'c.wav', 'd.wav', '--json']), {
      command: 'evaluate',
      reference: ['a.wav', 'b.wav'],
      estimate: ['c.wav', 'd.wav'],
      json: true,
    });
    assert.deepEqual(parseCli(['evaluate', '--estimate=c.wav', '--reference', 'a.wav', '--estimate', 'd.wav']), {
      command: 'evaluate',
      reference: ['a.wav'],
      estimate: ['c.wav', 'd.wav'],
      json: false,
    });
  });

  it('rejects what does not fit', () => {
    assert.throws(() => parseCli(['evaluate', 'x.wav', '--reference', 'a.wav', '--estimate', 'b.wav']), UsageError);
    assert.throws(() => parseCli(['evaluate', '--reference', 'a.wav']), /needs --estimate/);
    assert.throws(() => parseCli(['evaluate', '--estimate', 'a.wav']), /needs --reference/);
    assert.throws(() => parseCli(['evaluate', '--reference', 'a.wav', '--estimate', 'b.wav', '--force']), /--force does not apply to 'evaluate'/);
  });
});
