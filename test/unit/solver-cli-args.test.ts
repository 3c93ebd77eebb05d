import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { encodeWav } from '../../app/audio/wav-codec.js';
import { parseCli, UsageError, type CliCommand } from '../../main/cli/cli-args.js';

/** `separate` and `unmix` take --algorithm and --restarts, as the run panel and the host API do. */
type Job = Extract<CliCommand, { command: 'separate' | 'unmix' }>;

const separate = (...args: string[]): Job => parseCli(['separate', 'mix.wav', '--sources', '2', '--out', 'o', ...args]) as Job;
const unmix = (...args: string[]): Job => parseCli(['unmix', 'cube.tif', '--endmembers', '3', '--out', 'o', ...args]) as Job;

describe('--algorithm and --restarts on separate and unmix', () => {
  it('parse, and stay undefined (the engine defaults) when absent', () => {
    for (const parse of [separate, unmix]) {
      const c = parse('--algorithm', 'cd', '--restarts', '3');
      assert.deepEqual([c.algorithm, c.restarts], ['cd', 3]);
      const d = parse();
      assert.deepEqual([d.algorithm, d.restarts], [undefined, undefined]);
    }
  });

  it('refuse an unknown solver and restarts outside 1–20, naming the flag', () => {
    for (const parse of [separate, unmix]) {
      assert.throws(() => parse('--algorithm', 'sgd'), (e: unknown) => e instanceof UsageError && /--algorithm/.test(e.message));
      assert.throws(() => parse('--restarts', '0'), (e: unknown) => e instanceof UsageError && /--restarts/.test(e.message));
      assert.throws(() => parse('--restarts', '21'), (e: unknown) => e instanceof UsageError && /--restarts/.test(e.message));
    }
  });

  it('refuse a solver that does not minimise the loss (default loss included), before any file is read', () => {
    assert.throws(() => separate('--algorithm', 'hals'), (e: unknown) => e instanceof UsageError && /hals does not minimise the kl loss; for kl use auto, mu, cd/.test(e.message));
    assert.throws(() => unmix('--loss', 'kl', '--algorithm', 'anls'), (e: unknown) => e instanceof UsageError && /anls does not minimise the kl loss/.test(e.message));
    assert.equal(unmix('--algorithm', 'hals').algorithm, 'hals');
    assert.equal(separate('--loss', 'frobenius', '--algorithm', 'hals').algorithm, 'hals');
    assert.throws(() => unmix('--sparsity', '0.01', '--restarts', '2'), (e: unknown) => e instanceof UsageError && /own solver/.test(e.message));
    assert.throws(() => separate('--guide-range', 's1=0-1', '--restarts', '2'), (e: unknown) => e instanceof UsageError && /automatic separation/.test(e.message));
  });
});

const root = fileURLToPath(new URL('../../', import.meta.url));
const workerBuilt = existsSync(join(root, 'dist/native-workers/node-worker.js'));

describe('nmf-studio separate --algorithm --restarts (CLI run)', { skip: workerBuilt ? false : 'dist/native-workers/node-worker.js is not built (npm run build)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-solver-flags-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const rate = 8000;
  const mix = new Float32Array(8000).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate) + (i > 4000 ? 0.3 * Math.sin((2 * Math.PI * 330 * i) / rate) : 0));
  const input = join(dir, 'mix.wav');
  writeFileSync(input, encodeWav({ sampleRate: rate, channels: [mix] }, 'float32'));
  const cli = (out: string, flags: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'main/cli/cli.ts'), 'separate', input, '--sources', '2', '--max-iter', '10', '--out', join(dir, out), '--json', ...flags], { cwd: root });

  it('runs the chosen solver with restarts and says so in the summary', async () => {
    const { stdout } = await cli('a', ['--loss', 'frobenius', '--algorithm', 'anls', '--restarts', '2']);
    const summary = JSON.parse(stdout) as { summary?: { algorithm: string }; algorithm?: string };
    assert.match(JSON.stringify(summary), /anls, best of 2 runs/);
  });

  it('refuses a solver that does not minimise the loss, before any work', async () => {
    await assert.rejects(cli('b', ['--loss', 'kl', '--algorithm', 'hals']), (e: { stderr?: string }) => /hals does not minimise the kl loss/.test(e.stderr ?? '') && !/decoding/.test(e.stderr ?? ''));
    assert.equal(existsSync(join(dir, 'b', 'mix.s1.wav')), false);
  });
});
