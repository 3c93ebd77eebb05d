/**
 * SDR per case on ../shared/data/audio, through the real command line: for each case folder,
 * `nmf-studio separate mix.wav --sources 2 …` runs under `/usr/bin/time -v` (runtime and peak
 * resident memory of the whole process, compute worker included), then the written sources are
 * scored against s1.wav/s2.wav with the same code as `nmf-studio evaluate` (BSS Eval + SI-SDR).
 *
 *   node --import tsx test/audio-table.ts [--no-build] [-- extra separate flags, e.g. --components 24]
 *
 * The CLI and its worker are bundled into test/artifacts/audio-table-build/ first (not dist/, so
 * a concurrent `npm run build` is not disturbed). Prints a Markdown table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { evaluateAudioFiles } from '../main/cli/evaluate-command.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, '..', 'shared', 'data', 'audio');
const out = join(root, 'test', 'artifacts', 'audio-table-build');
const args = process.argv.slice(2);
const dashdash = args.indexOf('--');
const extra = dashdash >= 0 ? args.slice(dashdash + 1) : [];
const own = dashdash >= 0 ? args.slice(0, dashdash) : args;

if (!existsSync(data)) {
  console.log(`no data at ${data}: nothing to do`);
  process.exit(0);
}
if (!own.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs')], { stdio: 'inherit' });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, logLevel: 'warning', absWorkingDir: root, target: 'node20', platform: 'node', format: 'esm' } as const;
  // The same stub as scripts/build.mjs: geotiff's optional decoder pool would take over the worker.
  const stubWebWorker = {
    name: 'stub-web-worker',
    setup(b: { onResolve: Function; onLoad: Function }) {
      b.onResolve({ filter: /^web-worker$/ }, () => ({ path: 'web-worker', namespace: 'stub' }));
      b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default class { constructor() { throw new Error("disabled"); } }' }));
    },
  };
  await Promise.all([
    build({ ...common, packages: 'external', entryPoints: { 'main/cli': 'main/cli/cli.ts' }, outdir: out }),
    build({ ...common, entryPoints: { 'native-workers/node-worker': 'native-workers/node/node-worker.ts' }, outdir: out, plugins: [stubWebWorker as never] }),
  ]);
}

const cases = readdirSync(data).filter((name) => existsSync(join(data, name, 'mix.wav'))).sort();
const rows: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'nmf-audio-table-'));
try {
  for (const name of cases) {
    const dir = join(work, name);
    const cli = [join(out, 'main', 'cli.js'), 'separate', join(data, name, 'mix.wav'), '--sources', '2', '--out', dir, '--force', '--json', ...extra];
    const run = spawnSync('/usr/bin/time', ['-v', process.execPath, ...cli], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`${name}: separate failed (${run.status}):\n${run.stderr}`);
    const summary = JSON.parse(run.stdout) as { sources: { name: string; path: string }[]; mixtureResidual: number; iterations: number };
    const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(run.stderr)?.[1] ?? '?';
    const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? Number.NaN);
    const evaluation = await evaluateAudioFiles(
      ['s1.wav', 's2.wav'].map((f) => join(data, name, f)),
      summary.sources.map((s) => s.path),
    );
    const [a, b] = evaluation.sources;
    const f = (x: number): string => x.toFixed(1);
    rows.push(
      `| ${name} | ${f(a!.sdr)} | ${f(b!.sdr)} | ${f(evaluation.mean.sdr)} | ${f(evaluation.mean.sir)} | ${f(evaluation.mean.sar)} | ${f(evaluation.mean.siSdr)} | ${summary.mixtureResidual.toExponential(1)} | ${wall} | ${(rssKb / 1024).toFixed(0)} |`,
    );
    console.error(`${name}: done`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`separate --sources 2 ${extra.join(' ')} (defaults otherwise)\n`);
console.log('| case | SDR s1 | SDR s2 | mean SDR | mean SIR | mean SAR | mean SI-SDR | mixture residual | runtime (m:ss) | peak RSS (MiB) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
