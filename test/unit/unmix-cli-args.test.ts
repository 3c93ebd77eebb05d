import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCli, UsageError } from '../../main/cli/cli-args.js';

test('unmix flags: init, sum-to-one, sparsity, min-volume and bad bands (1-based in, 0-based out)', () => {
  const command = parseCli(['unmix', 'cube.hdr', '--endmembers', '4', '--init', 'spa', '--sum-to-one', '--sparsity', '0.01', '--min-volume', '1.5', '--bad-bands', '1-3, 10,156', '--out', 'o']);
  assert.equal(command.command, 'unmix');
  if (command.command !== 'unmix') return;
  assert.equal(command.endmembers, 4);
  assert.equal(command.init, 'spa');
  assert.equal(command.sumToOne, true);
  assert.equal(command.sparsity, 0.01);
  assert.equal(command.minVolume, 1.5);
  assert.deepEqual(command.badBands, [0, 1, 2, 9, 155]);
  // Unset options stay undefined (the engine's defaults apply).
  const plain = parseCli(['unmix', 'cube.tif', '--endmembers', '3', '--out', 'o']);
  assert.ok(plain.command === 'unmix' && plain.init === undefined && plain.sumToOne === false && plain.sparsity === undefined && plain.minVolume === undefined && plain.badBands === undefined);
});

test('bad unmix flags are usage errors naming the flag', () => {
  const base = ['unmix', 'cube.tif', '--endmembers', '3', '--out', 'o'];
  assert.throws(() => parseCli([...base, '--init', 'nndsvda']), (e: unknown) => e instanceof UsageError && /--init must be one of vca, spa, nndsvd, random, got 'nndsvda'/.test(e.message));
  assert.throws(() => parseCli([...base, '--sparsity=-0.1']), /--sparsity must be a nonnegative number/);
  assert.throws(() => parseCli([...base, '--min-volume', 'lots']), /--min-volume must be a nonnegative number/);
  assert.throws(() => parseCli([...base, '--bad-bands', '5-2']), /--bad-bands: .*reversed/);
  assert.throws(() => parseCli([...base, '--bad-bands', '0']), /--bad-bands: .*outside bands/);
  assert.throws(() => parseCli([...base, '--bad-bands', 'ten']), /--bad-bands: band list item 'ten'/);
  assert.throws(() => parseCli([...base, '--loss', 'kl', '--sparsity', '0.01']), (e: unknown) => e instanceof UsageError && /--sparsity and --min-volume are implemented for --loss frobenius only/.test(e.message));
  assert.throws(() => parseCli([...base, '--loss', 'kl', '--min-volume', '1']), /--loss frobenius only/);
  assert.equal(parseCli([...base, '--loss', 'kl', '--sparsity', '0', '--sum-to-one']).command, 'unmix', 'a zero weight is no penalty');
  assert.throws(() => parseCli(['separate', 'a.wav', '--sources', '2', '--out', 'o', '--sum-to-one']), /--sum-to-one does not apply to 'separate'/);
  assert.throws(() => parseCli(['factorize', 'v.csv', '--rank', '2', '--out', 'o', '--sparsity', '1']), /--sparsity does not apply to 'factorize'/);
});
