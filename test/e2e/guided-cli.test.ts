import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bssEval } from '../../app/audio/bss-eval.js';
import { decodeWav, encodeWav } from '../../app/audio/wav-codec.js';
import { GUIDED_CASES, RATE } from '../guided-mixtures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// NMF_STUDIO_BIN: run another build of the CLI (a developer's private build while others rebuild dist/).
const bin = process.env.NMF_STUDIO_BIN ?? join(root, 'bin/nmf-studio.js');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface GuidedSummary {
  outputs: string[];
  sources: { name: string; path: string; energyShare: number }[];
  mixtureResidual: number;
}

test('separate --guide / --guide-range: named sources, per-source summary, better than automatic, no silent overwrite', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-guided-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const c = GUIDED_CASES[0]!;
  const mix = join(dir, 'duet.wav');
  writeFileSync(mix, encodeWav({ sampleRate: RATE, channels: [c.mixture] }, 'float32'));
  const clip = join(dir, 'reed-take.wav');
  writeFileSync(clip, encodeWav({ sampleRate: RATE, channels: [c.clips[0]] }, 'pcm24'));
  const out = join(dir, 'out');
  const solo = c.solo[1][0]!;
  const args = ['separate', mix, '--sources', '2', '--guide', `reed=${clip}`, '--guide-range', `s2=${solo.start}-${solo.end}`, '--max-iter', '100', '--out', out, '--json'];

  const run = cli(args);
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as GuidedSummary;
  // 'reed' takes the first free position; s2 is pinned to the second.
  assert.deepEqual(summary.sources.map((s) => s.name), ['reed', 's2']);
  assert.deepEqual(summary.sources.map((s) => s.path), [join(out, 'duet.reed.wav'), join(out, 'duet.s2.wav')]);
  assert.deepEqual([...summary.outputs].sort(), summary.sources.map((s) => s.path).sort());
  assert.ok(Math.abs(summary.sources[0]!.energyShare + summary.sources[1]!.energyShare - 1) < 1e-9);
  assert.ok(summary.mixtureResidual >= 0 && summary.mixtureResidual < 1e-4, `residual ${summary.mixtureResidual}`);
  const estimates = summary.sources.map((s) => decodeWav(readFileSync(s.path), s.path));
  for (const e of estimates) {
    assert.equal(e.sampleRate, RATE);
    assert.equal(e.float, true, 'float input, float output');
  }
  const result = bssEval(c.sources.map((s) => [s]), estimates.map((e) => e.channels));
  assert.deepEqual(result.permutation, [0, 1]);
  assert.ok(Math.min(...result.sdr) > 10, `SDR ${result.sdr.map((x) => x.toFixed(1)).join(' / ')} dB`);

  // The text summary lists each source's share and file and the residual.
  const before = statSync(summary.sources[0]!.path).mtimeMs;
  const again = cli(args.filter((a) => a !== '--json'));
  assert.equal(again.status, 1);
  assert.match(again.stderr, /duet\.reed\.wav already exists \(use --force to overwrite\)/);
  assert.doesNotMatch(again.stderr, /factorizing/, 'refused before running the separation');
  assert.equal(statSync(summary.sources[0]!.path).mtimeMs, before);
  const forced = cli([...args.filter((a) => a !== '--json'), '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /reed\s+\d+\.\d % of the energy\s+.*duet\.reed\.wav/);
  assert.match(forced.stdout, /s2\s+\d+\.\d % of the energy\s+.*duet\.s2\.wav/);
  assert.match(forced.stdout, /mixture residual \(max \|sum of sources − mixture\|\): \d\.\d+e-\d+/);
});

test('separate with a bad guide: one line naming the file or the problem, exit 1', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-guided-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const c = GUIDED_CASES[1]!;
  const mix = join(dir, 'mix.wav');
  writeFileSync(mix, encodeWav({ sampleRate: RATE, channels: [c.mixture] }, 'pcm16'));
  const other = join(dir, 'clip-44k.wav');
  writeFileSync(other, encodeWav({ sampleRate: 44100, channels: [c.clips[0]] }, 'pcm16'));
  const cut = join(dir, 'cut.wav');
  writeFileSync(cut, encodeWav({ sampleRate: RATE, channels: [c.clips[0]] }, 'pcm16').subarray(0, 1000));
  const base = ['separate', mix, '--sources', '2', '--max-iter', '20', '--out', join(dir, 'out')];

  const rate = cli([...base, '--guide', `s1=${other}`]);
  assert.equal(rate.status, 1);
  assert.match(rate.stderr, /clip-44k\.wav: the guide clip is sampled at 44100 Hz but the mixture at 16000 Hz/);
  const truncated = cli([...base, '--guide', `s1=${cut}`]);
  assert.equal(truncated.status, 1);
  assert.match(truncated.stderr, /cut\.wav: truncated: the data chunk declares/);
  const missing = cli([...base, '--guide', `s1=${join(dir, 'nope.wav')}`]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.wav: no such file/);
  const late = cli([...base, '--guide-range', 's1=10-12']);
  assert.equal(late.status, 1);
  assert.match(late.stderr, /source 's1': time range 10–12 s starts after the mixture ends \(4\.400 s\)/);
  const many = cli([...base, '--guide-range', 's3=0-1']);
  assert.equal(many.status, 1);
  assert.match(many.stderr, /'s3' refers to source 3, but there are only 2 sources/);
  assert.equal(existsSync(join(dir, 'out', 'mix.s1.wav')), false);
});
