import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatCsvMatrix, parseCsvMatrix } from '../../app/io/csv-matrix.js';
import { readNpy, writeNpy } from '../../app/io/npy.js';
import { createMatrix, multiply, type Matrix } from '../../app/matrix.js';
import { createRandom } from '../../app/random.js';
import { parseCli, UsageError } from '../../main/cli/cli-args.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin/nmf-studio.js');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workdir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-factorize-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** V = W·H with seeded nonnegative W (m×r) and H (r×n): an exact rank-r nonnegative matrix. */
function lowRank(m: number, n: number, r: number, seed: number): Matrix {
  const random = createRandom(seed);
  const W = createMatrix(m, r, Float32Array.from({ length: m * r }, () => random()));
  const H = createMatrix(r, n, Float32Array.from({ length: r * n }, () => random()));
  return multiply(W, H);
}

/** ‖V − W·H‖_F / ‖V‖_F. */
function relativeError(V: Matrix, W: Matrix, H: Matrix): number {
  const WH = multiply(W, H);
  let num = 0;
  let den = 0;
  for (let i = 0; i < V.data.length; i++) {
    num += (V.data[i]! - WH.data[i]!) ** 2;
    den += V.data[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

interface Summary {
  input: string;
  kind: string;
  loss: string;
  algorithm: string;
  iterations: number;
  objective: number;
  seconds: number;
  outputs: string[];
  rank: number;
  restarts: { seed: number; objective: number; iterations: number }[];
}

test('CSV in → CSV W and H out, keeping delimiter and header; W·H ≈ V; JSON summary', (t) => {
  const dir = workdir(t);
  const V = lowRank(24, 18, 3, 1);
  const header = Array.from({ length: 18 }, (_, j) => `sample ${j + 1}`);
  const input = join(dir, 'counts.csv');
  // Semicolons and CRLF, as a spreadsheet in a decimal-comma locale would write (but with '.').
  writeFileSync(input, formatCsvMatrix(V, { header, delimiter: ';' }).replaceAll('\n', '\r\n'));
  const run = cli(['factorize', input, '--rank', '3', '--max-iter', '400', '--tol', '0', '--out', join(dir, 'out'), '--json']);
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assert.equal(summary.input, input);
  assert.equal(summary.kind, 'matrix');
  assert.equal(summary.loss, 'frobenius');
  assert.equal(typeof summary.algorithm, 'string');
  assert.equal(summary.rank, 3);
  assert.ok(summary.iterations > 0 && summary.iterations <= 400, `iterations ${summary.iterations}`);
  assert.ok(Number.isFinite(summary.objective) && summary.objective >= 0);
  assert.ok(summary.seconds > 0);
  assert.deepEqual(summary.restarts.map((r) => r.seed), [0]);
  assert.equal(summary.restarts[0]!.objective, summary.objective);
  assert.deepEqual(summary.outputs.map((p) => p.slice(dir.length + 1)), ['out/counts.W.csv', 'out/counts.H.csv']);
  assert.match(run.stderr, /counts\.csv: factorizing/, 'progress on stderr');

  const W = parseCsvMatrix(readFileSync(summary.outputs[0]!, 'utf8'), 'W');
  const H = parseCsvMatrix(readFileSync(summary.outputs[1]!, 'utf8'), 'H');
  assert.deepEqual([W.matrix.rows, W.matrix.cols, H.matrix.rows, H.matrix.cols], [24, 3, 3, 18]);
  assert.equal(W.delimiter, ';');
  assert.deepEqual(W.header, ['component-1', 'component-2', 'component-3']);
  assert.deepEqual(H.header, header);
  const error = relativeError(V, W.matrix, H.matrix);
  assert.ok(error < 0.02, `relative error ${error}`);

  // Human-readable output without --json names the files.
  const plain = cli(['factorize', input, '--rank', '2', '--max-iter', '5', '--out', join(dir, 'plain')]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /iterations of frobenius NMF .*rank 2/);
  assert.match(plain.stdout, /plain\/counts\.H\.csv/);
});

test('NPY in → NPY out (also sniffed without the extension), restarts', (t) => {
  const dir = workdir(t);
  const V = lowRank(30, 12, 2, 2);
  const input = join(dir, 'spectra.npy');
  writeFileSync(input, writeNpy(V, '<f8'));
  const run = cli(['factorize', input, '--rank', '2', '--max-iter', '300', '--tol', '0', '--seed', '5', '--restarts', '3', '--out', dir, '--json']);
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assert.deepEqual(summary.outputs, [join(dir, 'spectra.W.npy'), join(dir, 'spectra.H.npy')]);
  assert.deepEqual(summary.restarts.map((r) => r.seed), [5, 6, 7]);
  assert.equal(summary.objective, Math.min(...summary.restarts.map((r) => r.objective)));
  const W = readNpy(readFileSync(summary.outputs[0]!), 'W');
  const H = readNpy(readFileSync(summary.outputs[1]!), 'H');
  assert.deepEqual([W.rows, W.cols, H.rows, H.cols], [30, 2, 2, 12]);
  const error = relativeError(V, W, H);
  assert.ok(error < 0.02, `relative error ${error}`);

  // No telling extension: .npy content is recognised by its magic, text by being text.
  writeFileSync(join(dir, 'blob.bin'), writeNpy(V));
  writeFileSync(join(dir, 'table'), formatCsvMatrix(V, { delimiter: '\t' }));
  const sniffed = cli(['factorize', join(dir, 'blob.bin'), '--rank', '2', '--max-iter', '5', '--out', join(dir, 's'), '--json']);
  assert.equal(sniffed.status, 0, sniffed.stderr);
  assert.deepEqual((JSON.parse(sniffed.stdout) as Summary).outputs.map((p) => p.slice(dir.length + 1)), ['s/blob.W.npy', 's/blob.H.npy']);
  const text = cli(['factorize', join(dir, 'table'), '--rank', '2', '--max-iter', '5', '--out', join(dir, 's'), '--json']);
  assert.equal(text.status, 0, text.stderr);
  const outputs = (JSON.parse(text.stdout) as Summary).outputs;
  assert.deepEqual(outputs.map((p) => p.slice(dir.length + 1)), ['s/table.W.tsv', 's/table.H.tsv']);
  assert.equal(parseCsvMatrix(readFileSync(outputs[1]!, 'utf8'), 'H').delimiter, '\t');
});

test('never overwrites without --force: refused before writing anything, files untouched', (t) => {
  const dir = workdir(t);
  const input = join(dir, 'v.csv');
  writeFileSync(input, formatCsvMatrix(lowRank(10, 8, 2, 3)));
  const out = join(dir, 'out');
  const first = cli(['factorize', input, '--rank', '2', '--max-iter', '20', '--out', out]);
  assert.equal(first.status, 0, first.stderr);
  const wPath = join(out, 'v.W.csv');
  const hPath = join(out, 'v.H.csv');
  const wBefore = readFileSync(wPath, 'utf8');
  const wTime = statSync(wPath).mtimeMs;

  const again = cli(['factorize', input, '--rank', '2', '--max-iter', '20', '--seed', '9', '--out', out]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /v\.W\.csv already exists \(use --force/);
  assert.equal(again.stderr.trim().split('\n').at(-1)!.startsWith('nmf-studio: error:'), true);
  assert.equal(readFileSync(wPath, 'utf8'), wBefore);
  assert.equal(statSync(wPath).mtimeMs, wTime);

  // Only H exists: still refused, and W is not written either.
  unlinkSync(wPath);
  const partial = cli(['factorize', input, '--rank', '2', '--max-iter', '20', '--out', out]);
  assert.equal(partial.status, 1);
  assert.match(partial.stderr, /v\.H\.csv already exists/);
  assert.equal(existsSync(wPath), false);

  const forced = cli(['factorize', input, '--rank', '2', '--max-iter', '20', '--seed', '9', '--out', out, '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.notEqual(readFileSync(wPath, 'utf8'), wBefore, 'a different seed gives a different W');
  assert.ok(existsSync(hPath));
});

test('bad input: exit 1, one line naming the file (and the cell), nothing written', (t) => {
  const dir = workdir(t);
  const out = join(dir, 'out');
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['negative.csv', '1,2,3\n4,5,-0.5\n', /negative\.csv: negative value -0\.5 at row 2, column 3/],
    ['nan.tsv', '1\t2\n3\tnan\n', /nan\.tsv: NaN at row 2, column 2/],
    ['inf.npy', writeNpy(createMatrix(2, 2, Float32Array.of(1, Infinity, 3, 4))), /inf\.npy: Inf at row 1, column 2/],
    ['ragged.csv', '1,2,3\n4,5\n', /ragged\.csv: line 2, column 3: row has 2 values, expected 3/],
    ['words.csv', 'a,b\n1,two\n', /words\.csv: line 2, column 2: "two" is not a number/],
    ['garbage.npy', 'this is not numpy', /garbage\.npy: not a \.npy file/],
    ['short.npy', writeNpy(createMatrix(4, 4)).subarray(0, 128 + 28), /short\.npy: truncated data: .*\(36 bytes missing\)/],
    ['binary.dat', Uint8Array.of(0, 1, 2, 255, 254, 0), /binary\.dat: not a \.npy file or CSV\/TSV text/],
    ['empty.csv', '\n\n', /empty\.csv: the file is empty/],
  ];
  for (const [name, content, pattern] of cases) {
    const input = join(dir, name);
    writeFileSync(input, content);
    const run = cli(['factorize', input, '--rank', '2', '--out', out]);
    assert.equal(run.status, 1, `${name}: ${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${name}: ${run.stderr}`);
    assert.match(lines[0]!, /^nmf-studio: error: /);
    assert.ok(lines[0]!.includes(input), `${name}: ${lines[0]}`);
    assert.match(lines[0]!, pattern);
  }
  const missing = cli(['factorize', join(dir, 'absent.csv'), '--rank', '2', '--out', out]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /absent\.csv: no such file/);
  assert.equal(existsSync(out), false, 'nothing written, not even the folder');
  // All-zero rows and columns are allowed.
  writeFileSync(join(dir, 'zeros.csv'), '0,0,0\n1,0,2\n3,0,4\n');
  const zeros = cli(['factorize', join(dir, 'zeros.csv'), '--rank', '1', '--max-iter', '10', '--out', out]);
  assert.equal(zeros.status, 0, zeros.stderr);
});

test('usage errors exit 2 with the usage text; other commands keep their grammar', () => {
  for (const args of [
    ['factorize', 'v.csv', '--out', 'x'],
    ['factorize', 'v.csv', '--rank', '0', '--out', 'x'],
    ['factorize', 'v.csv', '--rank', '2', '--loss', 'beta=abc', '--out', 'x'],
    ['factorize', 'v.csv', '--rank', '2', '--endmembers', '2', '--out', 'x'],
    ['factorize', '--rank', '2', '--out', 'x'],
    ['factorize', 'v.csv', '--rank', '5-3'],
    ['factorize', 'v.csv', '--rank', '2,x'],
    ['separate', 'a.wav', '--sources', '2', '--rank', '3', '--out', 'x'],
  ]) {
    const run = cli(args);
    assert.equal(run.status, 2, `${args.join(' ')} → ${run.status}: ${run.stderr}`);
    assert.match(run.stderr, /Usage:/);
  }
  assert.match(cli(['--help']).stdout, /nmf-studio factorize <V\.csv\|V\.tsv\|V\.npy> --rank r/);
});

test('parseCli: factorize options map onto NmfOptions fields', () => {
  const parsed = parseCli(['factorize', 'v.npy', '--rank', '4', '--loss', 'beta=1.5', '--algorithm', 'hals', '--init', 'nndsvda', '--seed', '7', '--max-iter', '50', '--tol', '1e-6', '--restarts', '3', '--out', 'o', '--force', '--json']);
  assert.deepEqual(parsed, {
    command: 'factorize',
    input: 'v.npy',
    out: 'o',
    rank: 4,
    ranks: [4],
    loss: 'beta',
    beta: 1.5,
    algorithm: 'hals',
    init: 'nndsvda',
    seed: 7,
    maxIter: 50,
    tol: 1e-6,
    restarts: 3,
    force: true,
    json: true,
  });
  const defaults = parseCli(['factorize', 'v.csv', '--rank', '2', '--out', 'o']);
  assert.deepEqual(defaults, { command: 'factorize', input: 'v.csv', out: 'o', rank: 2, ranks: [2], loss: undefined, beta: undefined, algorithm: undefined, init: undefined, seed: 0, maxIter: undefined, tol: undefined, restarts: 1, force: false, json: false });
  for (const loss of ['is', 'kl', 'frobenius'] as const) {
    const p = parseCli(['factorize', 'v.csv', '--rank', '2', '--loss', loss, '--out', 'o']);
    assert.ok(p.command === 'factorize' && p.loss === loss && p.beta === undefined);
  }
  const negativeBeta = parseCli(['factorize', 'v.csv', '--rank', '2', '--loss', 'beta=-0.5', '--out', 'o']);
  assert.ok(negativeBeta.command === 'factorize' && negativeBeta.beta === -0.5);
  for (const bad of [
    ['--loss', 'itakura'],
    ['--loss', 'beta='],
    ['--loss', 'beta=Infinity'],
    ['--algorithm', 'als'],
    ['--init', 'custom'],
    ['--tol', '-1'],
    ['--tol', 'x'],
    ['--restarts', '0'],
    ['--rank', 'two'],
    ['--max-iter', '0'],
    ['--port', '80'],
  ]) {
    const args = ['factorize', 'v.csv', '--rank', '2', '--out', 'o', ...bad];
    assert.throws(() => parseCli(args), UsageError, args.join(' '));
  }
  // separate/unmix still accept only kl|frobenius.
  assert.throws(() => parseCli(['unmix', 'c.tif', '--endmembers', '2', '--loss', 'is', '--out', 'o']), UsageError);
});

test('Ctrl+C cancels: exit 130, no outputs', async (t) => {
  const dir = workdir(t);
  const input = join(dir, 'big.npy');
  writeFileSync(input, writeNpy(lowRank(120, 100, 8, 4)));
  const out = join(dir, 'out');
  mkdirSync(out);
  const child = spawn(process.execPath, [bin, 'factorize', input, '--rank', '8', '--max-iter', '100000000', '--tol', '0', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let interrupted = false;
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (!interrupted && /factorizing/.test(stderr)) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  assert.ok(interrupted, `never saw progress: ${stderr}`);
  assert.equal(code, 130, stderr);
  assert.match(stderr, /cancelled/);
  assert.equal(existsSync(join(out, 'big.W.npy')), false);
});

test('factorize --rank a-b: a rank sweep finds the rank of block-structured data', (t) => {
  const dir = workdir(t);
  // Three groups of columns with distinct profiles plus a little noise: rank 3 is the answer.
  const random = createRandom(8);
  const profiles = [0, 1, 2].map((g) => Array.from({ length: 15 }, (_, i) => (Math.floor(i / 5) === g ? 3 : 0.1)));
  const v = createMatrix(15, 24);
  for (let j = 0; j < 24; j++) for (let i = 0; i < 15; i++) v.data[i * 24 + j] = profiles[j % 3]![i]! * (1 + random()) + 0.05 * random();
  const input = join(dir, 'blocks.csv');
  writeFileSync(input, formatCsvMatrix(v));
  const run = cli(['factorize', input, '--rank', '2-4', '--restarts', '4', '--max-iter', '200', '--json']);
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { kind: string; runsPerRank: number; ranks: { rank: number; bestObjective: number; meanObjective: number; cophenetic: number }[] };
  assert.equal(summary.kind, 'rank-sweep');
  assert.equal(summary.runsPerRank, 4);
  assert.deepEqual(summary.ranks.map((e) => e.rank), [2, 3, 4]);
  const [r2, r3, r4] = summary.ranks;
  assert.ok(r3!.cophenetic > 0.95, `cophenetic at rank 3: ${r3!.cophenetic}`);
  assert.ok(r2!.bestObjective / r3!.bestObjective > 5, 'the objective drops sharply up to rank 3');
  assert.ok(r3!.bestObjective / r4!.bestObjective < 3, 'and little after');
  assert.ok(r3!.meanObjective >= r3!.bestObjective);
  const table = cli(['factorize', input, '--rank', '2,3', '--restarts', '2', '--max-iter', '50']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /rank\s+best objective\s+mean objective\s+cophenetic/);
  const tooBig = cli(['factorize', input, '--rank', '14-16']);
  assert.equal(tooBig.status, 1);
  assert.match(tooBig.stderr, /blocks\.csv: rank 16 exceeds min\(rows, columns\) = 15/);
});
