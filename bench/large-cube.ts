/**
 * The issue's size requirement (#6): a 512 × 614 × 224 float32 cube (≈ 282 MB, an AVIRIS-sized
 * scene) must load and unmix on a 2-core machine. This writes such a cube as ENVI (BSQ float32 +
 * .hdr) to a temporary folder and runs `nmf-studio unmix <cube> --endmembers 6` on it in a child
 * process, the way a user would, measuring the wall time and the child's peak RSS.
 *
 * The scene: six smooth endmember spectra (sums of Gaussian absorption features on a sloped
 * continuum, seeded), abundances from a Dirichlet(1/2) draw per pixel (many nearly pure pixels),
 * a per-pixel brightness between 0.6 and 1.4 and 1% Gaussian noise.
 *
 * Run alone: `node --import tsx bench/large-cube.ts [--iters N] [--rows R --cols C --bands B]`
 * (needs `npm run build`: the CLI and its compute worker run from dist/). `npm run bench` runs it
 * with the defaults unless given --no-large-cube.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRandom } from '../app/random.js';

export interface LargeCubeOptions {
  readonly rows: number;
  readonly cols: number;
  readonly bands: number;
  readonly endmembers: number;
  /** NMF iterations (`--max-iter`). */
  readonly iterations: number;
  readonly seed: number;
}

export const LARGE_CUBE_DEFAULTS: LargeCubeOptions = { rows: 512, cols: 614, bands: 224, endmembers: 6, iterations: 200, seed: 0 };

export interface LargeCubeResult extends LargeCubeOptions {
  readonly cubeMB: number;
  /** Seconds to write the synthetic cube (not part of the measurement). */
  readonly writeSeconds: number;
  /** Wall time of the whole `unmix` command: start, read, unmix, export. */
  readonly wallSeconds: number;
  /** The command's own figure for the job (read + unmix in the worker). */
  readonly jobSeconds: number;
  readonly iterationsRun: number;
  readonly algorithm: string;
  /** Peak resident set of the `unmix` process (its worker threads included). */
  readonly peakRssMB: number;
  readonly suggestedEndmembers: number | null;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const BIN = join(root, 'bin', 'nmf-studio.js');

/** Writes the scene as `<dir>/large.img` + `large.hdr`, band by band (one band in memory at a time). */
export function writeSyntheticEnvi(dir: string, o: LargeCubeOptions): string {
  if (endianness() !== 'LE') throw new Error('large-cube: this writer assumes a little-endian machine (byte order = 0)');
  const pixels = o.rows * o.cols;
  const random = createRandom(o.seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const wavelengths = Array.from({ length: o.bands }, (_, b) => 400 + (2100 * b) / Math.max(1, o.bands - 1));
  // Endmembers: continuum 0.2–0.8 with a random slope, minus three Gaussian absorption features.
  const spectra = Array.from({ length: o.endmembers }, () => {
    const base = 0.2 + 0.6 * random();
    const slope = (random() - 0.5) * 0.4;
    const features = Array.from({ length: 3 }, () => ({ centre: 400 + 2100 * random(), width: 30 + 200 * random(), depth: 0.1 + 0.3 * random() }));
    return wavelengths.map((w) => {
      const t = (w - 400) / 2100;
      let value = base + slope * (t - 0.5);
      for (const f of features) value -= f.depth * base * Math.exp(-(((w - f.centre) / f.width) ** 2));
      return Math.max(0.02, value);
    });
  });
  // Abundances: Dirichlet(1/2) as normalised squared Gaussians, times a brightness.
  const abundances = Array.from({ length: o.endmembers }, () => new Float32Array(pixels));
  for (let j = 0; j < pixels; j++) {
    let sum = 0;
    for (let k = 0; k < o.endmembers; k++) {
      const g = gaussian() ** 2 + 1e-12;
      abundances[k]![j] = g;
      sum += g;
    }
    const brightness = 0.6 + 0.8 * random();
    for (let k = 0; k < o.endmembers; k++) abundances[k]![j] = (abundances[k]![j]! / sum) * brightness;
  }
  const dataPath = join(dir, 'large.img');
  const fd = openSync(dataPath, 'w');
  try {
    const band = new Float32Array(pixels);
    for (let b = 0; b < o.bands; b++) {
      band.fill(0);
      for (let k = 0; k < o.endmembers; k++) {
        const s = spectra[k]![b]!;
        const a = abundances[k]!;
        for (let j = 0; j < pixels; j++) band[j]! += s * a[j]!;
      }
      for (let j = 0; j < pixels; j++) band[j] = band[j]! * (1 + 0.01 * gaussian());
      writeSync(fd, new Uint8Array(band.buffer));
    }
  } finally {
    closeSync(fd);
  }
  const header = [
    'ENVI',
    'description = {NMF Studio benchmark: synthetic scene}',
    `samples = ${o.cols}`,
    `lines = ${o.rows}`,
    `bands = ${o.bands}`,
    'header offset = 0',
    'file type = ENVI Standard',
    'data type = 4',
    'interleave = bsq',
    'byte order = 0',
    'wavelength units = Nanometers',
    `wavelength = {${wavelengths.map((w) => w.toFixed(2)).join(', ')}}`,
  ];
  writeFileSync(join(dir, 'large.hdr'), `${header.join('\n')}\n`);
  return dataPath;
}

/**
 * The CLI in a child process whose exit hook reports its own peak RSS (process.resourceUsage, the
 * getrusage ru_maxrss of the process and so of its worker threads), portable where GNU time is not.
 */
function runUnmix(cube: string, out: string, o: LargeCubeOptions): { wallSeconds: number; peakRssMB: number; summary: { seconds: number; iterations: number; algorithm: string; suggestedEndmembers?: number | null } } {
  const probe = `process.on('exit', () => process.stderr.write('\\nLARGE_CUBE_MAX_RSS_KB=' + process.resourceUsage().maxRSS + '\\n')); process.argv.splice(1, 0, 'nmf-studio'); await import(${JSON.stringify(new URL(`file://${BIN}`).href)});`;
  const args = ['--input-type=module', '-e', probe, 'unmix', cube, '--endmembers', String(o.endmembers), '--max-iter', String(o.iterations), '--seed', String(o.seed), '--out', out, '--json'];
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallSeconds = (performance.now() - started) / 1000;
  if (child.error) throw child.error;
  if (child.status !== 0) throw new Error(`unmix failed (exit ${child.status}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const rss = /LARGE_CUBE_MAX_RSS_KB=(\d+)/.exec(child.stderr);
  if (!rss) throw new Error('unmix did not report its peak RSS');
  return { wallSeconds, peakRssMB: Number(rss[1]) / 1024, summary: JSON.parse(child.stdout) as { seconds: number; iterations: number; algorithm: string; suggestedEndmembers?: number | null } };
}

export function runLargeCube(o: LargeCubeOptions = LARGE_CUBE_DEFAULTS, log: (text: string) => void = () => {}): LargeCubeResult {
  if (!existsSync(join(root, 'dist', 'main', 'cli.js'))) throw new Error('needs the built CLI: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'nmf-large-cube-'));
  try {
    log(`large cube: writing ${o.rows}×${o.cols}×${o.bands} float32 ENVI to ${dir}`);
    const written = performance.now();
    const cube = writeSyntheticEnvi(dir, o);
    const writeSeconds = (performance.now() - written) / 1000;
    const cubeMB = statSync(cube).size / 1024 ** 2;
    log(`large cube: ${cubeMB.toFixed(0)} MB written in ${writeSeconds.toFixed(1)} s; unmix P=${o.endmembers}, ${o.iterations} iterations`);
    const run = runUnmix(cube, join(dir, 'out'), o);
    return {
      ...o,
      cubeMB,
      writeSeconds,
      wallSeconds: run.wallSeconds,
      jobSeconds: run.summary.seconds,
      iterationsRun: run.summary.iterations,
      algorithm: run.summary.algorithm,
      peakRssMB: run.peakRssMB,
      suggestedEndmembers: run.summary.suggestedEndmembers ?? null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The line `npm run bench` prints. */
export function formatLargeCube(r: LargeCubeResult): string {
  return `large cube ${r.rows}×${r.cols}×${r.bands} float32 (${r.cubeMB.toFixed(0)} MB ENVI), unmix P=${r.endmembers} (${r.algorithm}), ${r.iterationsRun} iterations: ${r.wallSeconds.toFixed(1)} s wall (job ${r.jobSeconds.toFixed(1)} s), peak RSS ${r.peakRssMB.toFixed(0)} MB`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { iters: { type: 'string' }, rows: { type: 'string' }, cols: { type: 'string' }, bands: { type: 'string' }, endmembers: { type: 'string' } } });
  const number = (text: string | undefined, fallback: number, name: string): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!(Number.isInteger(value) && value >= 1)) {
      console.error(`--${name} must be a whole number ≥ 1`);
      process.exit(2);
    }
    return value;
  };
  const d = LARGE_CUBE_DEFAULTS;
  const options: LargeCubeOptions = {
    rows: number(values.rows, d.rows, 'rows'),
    cols: number(values.cols, d.cols, 'cols'),
    bands: number(values.bands, d.bands, 'bands'),
    endmembers: number(values.endmembers, d.endmembers, 'endmembers'),
    iterations: number(values.iters, d.iterations, 'iters'),
    seed: d.seed,
  };
  const result = runLargeCube(options, (text) => console.error(text));
  console.log(formatLargeCube(result));
  console.log(JSON.stringify(result));
}
