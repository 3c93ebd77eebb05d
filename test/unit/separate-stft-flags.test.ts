import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { stftOptionsOf } from '../../app/audio/separate.js';
import { decodeWav, encodeWav } from '../../app/audio/wav-codec.js';
import { HostCallError, validateHostCall } from '../../app/host-api-validation.js';
import { parseCli, UsageError, type CliCommand } from '../../main/cli/cli-args.js';

/**
 * `separate --window-size N --hop N --window TYPE --mask-exponent p`: parsing, the host API's
 * validation of the same fields, and a CLI run whose output follows them.
 */
type Separate = Extract<CliCommand, { command: 'separate' }>;

const separate = (...args: string[]): Separate => parseCli(['separate', 'mix.wav', '--sources', '2', '--out', 'o', ...args]) as Separate;

function usage(args: string[], message: RegExp): void {
  assert.throws(
    () => separate(...args),
    (error: unknown) => error instanceof UsageError && message.test(error.message),
    `expected ${String(message)} for ${args.join(' ')}`,
  );
}

describe('separate: STFT and mask flags', () => {
  it('parses --window-size, --hop, --window and --mask-exponent; unset ones stay undefined', () => {
    const c = separate('--window-size', '4096', '--hop', '1024', '--window', 'blackman', '--mask-exponent', '1.5');
    assert.deepEqual([c.windowSize, c.hop, c.window, c.maskExponent], [4096, 1024, 'blackman', 1.5]);
    const d = separate();
    assert.deepEqual([d.windowSize, d.hop, d.window, d.maskExponent], [undefined, undefined, undefined, undefined]);
  });

  it('refuses bad values with a usage error naming the flag', () => {
    usage(['--window-size', '1000'], /--window-size must be a power of two/);
    usage(['--window-size', '2'], /--window-size must be an integer between 4/);
    usage(['--window-size', 'big'], /--window-size must be an integer/);
    usage(['--hop', '0'], /--hop must be an integer between 1 and 1024/);
    // The hop bound follows the window size given.
    usage(['--window-size', '512', '--hop', '512'], /--hop must be an integer between 1 and 256/);
    usage(['--window', 'kaiser'], /--window must be one of hann, hamming, blackman, sine, got 'kaiser'/);
    usage(['--mask-exponent', '0'], /--mask-exponent must be a number in \(0, 16\]/);
    usage(['--mask-exponent', '17'], /--mask-exponent must be a number in \(0, 16\]/);
    usage(['--mask-exponent', 'Infinity'], /--mask-exponent must be a number/);
    assert.throws(() => parseCli(['unmix', 'c.tif', '--endmembers', '3', '--out', 'o', '--window-size', '1024']), /--window-size does not apply to 'unmix'/);
  });

  it('--no-split keeps the NMF components whole; it applies to automatic separation only', () => {
    assert.equal(separate().noSplit, false);
    assert.equal(separate('--no-split').noSplit, true);
    usage(['--no-split', '--guide', 's1=clip.wav'], /--no-split applies to automatic separation/);
    assert.throws(() => parseCli(['unmix', 'c.tif', '--endmembers', '3', '--out', 'o', '--no-split']), /--no-split does not apply to 'unmix'/);
  });

  it('without --hop the engine takes a quarter of the window size (the default 512 for 2048)', () => {
    assert.deepEqual(stftOptionsOf({}), { windowSize: 2048, hop: 512, window: 'hann' });
    assert.deepEqual(stftOptionsOf({ windowSize: 256 }), { windowSize: 256, hop: 64, window: 'hann' });
    assert.deepEqual(stftOptionsOf({ windowSize: 256, hop: 100, window: 'sine' }), { windowSize: 256, hop: 100, window: 'sine' });
  });
});

describe('host API: startJob STFT and mask fields', () => {
  const job = (extra: Record<string, unknown>): unknown[] => [{ kind: 'separate', fileId: 'f', sources: 2, components: 4, ...extra }];
  const refused = (extra: Record<string, unknown>, message: RegExp): void =>
    assert.throws(() => validateHostCall('startJob', job(extra) as never), (e: unknown) => e instanceof HostCallError && message.test(e.message), JSON.stringify(extra));

  it('accepts valid settings', () => {
    validateHostCall('startJob', job({ windowSize: 1024, hop: 256, window: 'hamming', maskExponent: 1 }) as never);
    validateHostCall('startJob', job({ hop: 1024 }) as never);
  });

  it('refuses bad ones with a clear error', () => {
    refused({ windowSize: 1000 }, /windowSize must be a power of two/);
    refused({ windowSize: '1024' }, /windowSize must be an integer/);
    refused({ windowSize: 1024, hop: 513 }, /hop \(window size 1024\) must be an integer in \[1, 512\]/);
    refused({ hop: 1025 }, /hop \(window size 2048\) must be an integer in \[1, 1024\]/);
    refused({ window: 'kaiser' }, /window must be 'hann', 'hamming', 'blackman' or 'sine'/);
    refused({ maskExponent: 0 }, /maskExponent must be a number in \(0, 16\]/);
    refused({ maskExponent: Number.NaN }, /maskExponent must be a number in \(0, 16\]/);
    refused({ splitComponents: 'no' }, /splitComponents must be true or false/);
    refused({ splitComponents: false, guides: [{ source: 's1', ranges: [{ start: 0, end: 1 }] }] }, /splitComponents applies to automatic separation/);
    validateHostCall('startJob', job({ splitComponents: false }) as never);
  });

  it('are separation fields only', () => {
    assert.throws(() => validateHostCall('startJob', [{ kind: 'unmix', fileId: 'f', endmembers: 3, windowSize: 1024 }] as never), /unexpected field 'windowSize'/);
  });
});

const root = fileURLToPath(new URL('../../', import.meta.url));
const workerBuilt = existsSync(join(root, 'dist/native-workers/node-worker.js'));

describe('nmf-studio separate with STFT flags (CLI run)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-stft-flags-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Two tones, the second entering halfway: 1.5 s at 8 kHz, quick to separate.
  const rate = 8000;
  const mix = new Float32Array(12_000).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate) + (i > 6000 ? 0.3 * Math.sin((2 * Math.PI * 330 * i) / rate) : 0));
  const input = join(dir, 'mix.wav');
  writeFileSync(input, encodeWav({ sampleRate: rate, channels: [mix] }, 'float32'));

  const run = async (
    out: string,
    flags: string[],
  ): Promise<{ stft: { windowSize: number; hop: number; window: string; maskExponent: number }; split: { components: number; into: number }; mixtureResidual: number; outputs: string[] }> => {
    const args = ['--import', 'tsx', join(root, 'main/cli/cli.ts'), 'separate', input, '--sources', '2', '--max-iter', '15', '--out', join(dir, out), '--json', ...flags];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root });
    return JSON.parse(stdout) as never;
  };

  it('reports the framing and mask it used, and the sources follow it', { skip: workerBuilt ? false : 'dist/native-workers/node-worker.js is not built (npm run build)' }, async () => {
    const plain = await run('a', []);
    assert.deepEqual(plain.stft, { windowSize: 2048, hop: 512, window: 'hann', maskExponent: 2 });
    const small = await run('b', ['--window-size', '256', '--window', 'hamming', '--mask-exponent', '1']);
    assert.deepEqual(small.stft, { windowSize: 256, hop: 64, window: 'hamming', maskExponent: 1 });
    assert.ok(small.mixtureResidual < 1e-4, `residual ${small.mixtureResidual}`);
    // Different framing, different masks: the first source's samples differ.
    const a = decodeWav(readFileSync(plain.outputs[0]!), plain.outputs[0]!).channels[0]!;
    const b = decodeWav(readFileSync(small.outputs[0]!), small.outputs[0]!).channels[0]!;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    assert.ok(diff > 1e-3, `the outputs are the same (max difference ${diff})`);
    // The default 16 components, some perhaps split by pitch (each split adds at least one).
    assert.ok(plain.split.into >= 16 + plain.split.components, JSON.stringify(plain.split));
    const whole = await run('c', ['--no-split']);
    assert.deepEqual(whole.split, { components: 0, into: 16 });
  });
});

describe('separate: a window too long for the recording', () => {
  it('is refused in the user\'s terms (frames, window, hop), not as an NMF rank error', async () => {
    const { separateAudio } = await import('../../app/audio/separate.js');
    const rate = 8000;
    const mono = { sampleRate: rate, bitDepth: 32, float: true, channels: [new Float32Array(4000).map((_, i) => Math.sin(i / 5))] };
    assert.throws(
      () => separateAudio(mono, { sources: 2, components: 16, loss: 'kl', maxIter: 5, seed: 0, windowSize: 4096, hop: 2048 }),
      /gives only \d+ STFT frames \(window 4096, hop 2048\) but 16 components need at least as many/,
    );
  });
});
