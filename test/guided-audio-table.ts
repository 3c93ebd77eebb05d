/**
 * Guided vs automatic separation on ../shared/data/audio, through the command line (needs `npm
 * run build`; NMF_STUDIO_BIN picks another build): for each case, finds the time ranges where
 * only one source plays (from the true sources s1.wav, s2.wav, in code, as a user would mark them
 * by ear), runs `nmf-studio separate` automatic, guided with those ranges (sources without a solo
 * part stay unguided and get the free components), and guided with each true source as its own
 * clip (an upper bound, not a fair test), and prints BSS Eval SDR per source, time and peak RSS.
 *
 *   node --import tsx test/guided-audio-table.ts [--max-iter N] [--components K] [--guide-components Ks]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bssEval } from '../app/audio/bss-eval.js';
import { decodeWav, type DecodedAudio } from '../app/audio/wav-codec.js';
import type { TimeRange } from '../app/audio/guided-dictionary.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, '..', 'shared', 'data', 'audio');

const { values } = parseArgs({
  options: {
    'max-iter': { type: 'string', default: '200' },
    components: { type: 'string' },
    'guide-components': { type: 'string' },
  },
});

/**
 * Ranges where source `s` plays alone: 2048-sample frames (hop 512) where its energy is at least
 * 20 dB above every other source's and above −40 dB of its own loudest frame, merged into runs of
 * at least 0.3 s.
 */
export function soloRanges(sources: readonly DecodedAudio[], s: number): TimeRange[] {
  const rate = sources[0]!.sampleRate;
  const frame = 2048;
  const hop = 512;
  const mono = sources.map((src) => {
    const out = new Float64Array(src.channels[0]!.length);
    for (const c of src.channels) for (let i = 0; i < out.length; i++) out[i] += c[i]! / src.channels.length;
    return out;
  });
  const frames = Math.floor((mono[0]!.length - frame) / hop) + 1;
  const energies = mono.map((x) => {
    const e = new Float64Array(frames);
    for (let t = 0; t < frames; t++) for (let i = t * hop; i < t * hop + frame; i++) e[t] += x[i]! * x[i]!;
    return e;
  });
  const peak = Math.max(...energies[s]!);
  const solo = (t: number): boolean =>
    energies[s]![t]! > 1e-4 * peak && energies.every((e, o) => o === s || energies[s]![t]! > 100 * e[t]!);
  const ranges: TimeRange[] = [];
  let runStart = -1;
  for (let t = 0; t <= frames; t++) {
    if (t < frames && solo(t)) {
      if (runStart < 0) runStart = t;
    } else if (runStart >= 0) {
      const start = (runStart * hop) / rate;
      const end = ((t - 1) * hop + frame) / rate;
      if (end - start >= 0.3) ranges.push({ start: round3(start), end: round3(end) });
      runStart = -1;
    }
  }
  return ranges;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function read(file: string): DecodedAudio {
  return decodeWav(readFileSync(file), file);
}

function sdrOf(references: readonly DecodedAudio[], estimates: readonly Float32Array[][]): number[] {
  // The references are mono or stereo like the mixture; estimates likewise.
  return bssEval(references.map((r) => r.channels), estimates).sdr;
}

const maxIter = Number(values['max-iter']);
const bin = process.env.NMF_STUDIO_BIN ?? join(root, 'bin', 'nmf-studio.js');

interface Run {
  readonly sdr: number[];
  readonly seconds: number;
  /** Peak RSS in MB from /usr/bin/time, when it is there. */
  readonly peakMb: number | null;
}

/** One `nmf-studio separate` run, scored against the true sources. */
function separateWithCli(mixFile: string, refs: readonly DecodedAudio[], extra: readonly string[], components: number | undefined): Run {
  const out = mkdtempSync(join(tmpdir(), 'guided-table-'));
  try {
    const args = [bin, 'separate', mixFile, '--sources', String(refs.length), '--max-iter', String(maxIter), '--out', out, '--json', ...extra];
    if (components !== undefined) args.push('--components', String(components));
    if (values['guide-components'] && extra.length > 0) args.push('--guide-components', values['guide-components']);
    const timed = existsSync('/usr/bin/time');
    const started = Date.now();
    const result = spawnSync(timed ? '/usr/bin/time' : process.execPath, timed ? ['-f', 'peak-rss-kb %M', process.execPath, ...args] : args, { encoding: 'utf8' });
    const seconds = (Date.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`nmf-studio separate failed: ${result.stderr}`);
    const summary = JSON.parse(result.stdout) as { sources: { name: string; path: string }[] };
    const estimates = summary.sources.map((s) => read(s.path).channels);
    const peak = /peak-rss-kb (\d+)/.exec(result.stderr);
    return { sdr: bssEval(refs.map((r) => r.channels), estimates).sdr, seconds, peakMb: peak ? Math.round(Number(peak[1]) / 1024) : null };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const cell = (run: Run | null): string => (run ? `${run.sdr.map((x) => x.toFixed(1)).join(' / ')} (${run.seconds.toFixed(1)} s, ${run.peakMb ?? '?'} MB)` : 'n/a');
const components = values.components ? Number(values.components) : undefined;
const rows: string[] = [
  '| case | solo ranges found (s) | automatic | guided by ranges | guided by oracle clips |',
  '|---|---|---|---|---|',
];
for (const name of readdirSync(dataDir).sort()) {
  const dir = join(dataDir, name);
  if (!existsSync(join(dir, 'mix.wav'))) continue;
  const mixFile = join(dir, 'mix.wav');
  const refFiles = [join(dir, 's1.wav'), join(dir, 's2.wav')];
  const refs = refFiles.map(read);
  const ranges: string[] = [];
  const describe: string[] = [];
  refs.forEach((_, s) => {
    const found = soloRanges(refs, s);
    if (found.length === 0) return;
    ranges.push('--guide-range', `s${s + 1}=${found.map((r) => `${r.start}-${r.end}`).join(',')}`);
    describe.push(`s${s + 1}: ${found.map((r) => `${r.start}–${r.end}`).join(', ')}`);
  });
  const auto = separateWithCli(mixFile, refs, [], components);
  const guided = ranges.length > 0 ? separateWithCli(mixFile, refs, ranges, components) : null;
  // Upper bound, not a fair test: each true source is its own example clip.
  const oracle = separateWithCli(mixFile, refs, refFiles.flatMap((f, s) => ['--guide', `s${s + 1}=${f}`]), components);
  rows.push(`| ${name} | ${describe.join('; ') || 'none'} | ${cell(auto)} | ${cell(guided)} | ${cell(oracle)} |`);
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
process.stdout.write(`SDR s1 / s2 in dB (BSS Eval), wall time and peak RSS of the CLI run; --max-iter ${maxIter}\n${rows.join('\n')}\n`);
