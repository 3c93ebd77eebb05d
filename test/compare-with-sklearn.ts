/**
 * Not a test: measures every solver's objective after 200 iterations on the ../shared/data
 * matrices, next to scikit-learn's from the same start (for the engine's closing note).
 * Needs Debian's python3-sklearn. Run: node --import tsx test/compare-with-sklearn.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWav } from '../app/audio/wav-codec.js';
import { magnitude, stft } from '../app/audio/stft.js';
import { readGeoTiff } from '../app/hsi/geotiff-reader.js';
import { writeNpy } from '../app/io/npy.js';
import { createMatrix, type Matrix } from '../app/matrix.js';
import { factorize, type NmfAlgorithm, type NmfLoss } from '../app/nmf/index.js';
import { randomInit } from '../app/nmf/random-init.js';
import { createWasmKernels } from '../native-workers/common/wasm-kernels.js';

// Ours on the WebAssembly SIMD kernels, one thread (the TypeScript ones where WebAssembly is missing).
const kernels = createWasmKernels() ?? undefined;

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', 'shared', 'data');
const dir = mkdtempSync(join(tmpdir(), 'nmf-vs-sklearn-'));

async function matrices(): Promise<{ name: string; V: Matrix; rank: number }[]> {
  const audio = decodeWav(readFileSync(join(shared, 'audio/clarinet_guitar/mix.wav')), 'mix.wav');
  const spectrogram = magnitude(stft(audio.channels[0]!));
  const bytes = readFileSync(join(shared, 'hsi/samson/samson_1.tif'));
  const cube = await readGeoTiff(new Uint8Array(bytes).buffer, 'samson_1.tif');
  const V = createMatrix(cube.bands, cube.rows * cube.cols, cube.data.map((x) => Math.max(0, x / 10000)));
  return [
    { name: 'spectrogram', V: spectrogram, rank: 8 },
    { name: 'samson', V, rank: 3 },
  ];
}

const CASES: readonly { loss: NmfLoss; algorithm: NmfAlgorithm; sklearn: string | null }[] = [
  { loss: 'frobenius', algorithm: 'mu', sklearn: 'mu' },
  { loss: 'frobenius', algorithm: 'cd', sklearn: 'cd' },
  { loss: 'frobenius', algorithm: 'hals', sklearn: null },
  { loss: 'frobenius', algorithm: 'anls', sklearn: null },
  { loss: 'kl', algorithm: 'mu', sklearn: 'mu' },
  { loss: 'kl', algorithm: 'cd', sklearn: null },
  { loss: 'is', algorithm: 'mu', sklearn: 'mu' },
];

const rows: string[] = [];
for (const { name, V, rank } of await matrices()) {
  const { W, H } = randomInit(V, rank, 0);
  for (const [file, m] of [['V', V], ['W0', W], ['H0', H]] as const) writeFileSync(join(dir, `${name}.${file}.npy`), writeNpy(m));
  for (const c of CASES) {
    const hasZeros = V.data.some((x) => x === 0);
    if (c.loss === 'is' && hasZeros) continue; // β ≤ 0 is undefined on zeros (scikit-learn refuses too)
    const r = factorize(V, { rank, loss: c.loss, algorithm: c.algorithm, initialW: W, initialH: H, maxIter: 200, tol: 0, normalize: false, floor: 0, kernels });
    const tag = `${name}.${c.loss}.${c.algorithm}`;
    writeFileSync(join(dir, `${tag}.W.npy`), writeNpy(r.W));
    writeFileSync(join(dir, `${tag}.H.npy`), writeNpy(r.H));
    rows.push(JSON.stringify({ matrix: name, loss: c.loss, algorithm: c.algorithm, sklearn: c.sklearn, ours: r.objective, seconds: r.seconds, tag, shape: `${V.rows}×${V.cols}`, rank }));
  }
}
writeFileSync(join(dir, 'cases.jsonl'), rows.join('\n'));
const py = spawnSync('/usr/bin/python3', [join(here, 'compare-with-sklearn.py'), dir], { encoding: 'utf8' });
if (py.status !== 0) throw new Error(py.stderr);
console.log(py.stdout);
