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

test('unmix preparation and naming flags: --bands (1-based in), --subset, --bin, --endmember-names', () => {
  const command = parseCli(['unmix', 'cube.hdr', '--endmembers', '3', '--bands', '5-120', '--subset', '10,20,64,32', '--bin', '2', '--endmember-names', 'soil, tree ,water', '--out', 'o']);
  assert.ok(command.command === 'unmix');
  assert.deepEqual(command.bandRange, { first: 4, last: 119 });
  assert.deepEqual(command.window, { row: 10, col: 20, rows: 64, cols: 32 });
  assert.equal(command.bin, 2);
  assert.deepEqual(command.endmemberNames, ['soil', 'tree', 'water']);
  const plain = parseCli(['unmix', 'cube.tif', '--endmembers', '3', '--out', 'o']);
  assert.ok(plain.command === 'unmix' && plain.bandRange === undefined && plain.window === undefined && plain.bin === undefined && plain.endmemberNames === undefined);
  const base = ['unmix', 'cube.tif', '--endmembers', '3', '--out', 'o'];
  assert.throws(() => parseCli([...base, '--bands', '0-10']), (e: unknown) => e instanceof UsageError && /--bands: '0-10' must go from a band ≥ 1/.test(e.message));
  assert.throws(() => parseCli([...base, '--bands', '20-10']), /--bands/);
  assert.throws(() => parseCli([...base, '--bands', '7']), /--bands: '7' is not a band range/);
  assert.throws(() => parseCli([...base, '--subset', '1,2,3']), /--subset: '1,2,3' must be ROW0,COL0,ROWS,COLS/);
  assert.throws(() => parseCli([...base, '--subset', '0,0,0,5']), /--subset: the window must be at least 1×1/);
  assert.throws(() => parseCli([...base, '--bin', '0']), /--bin/);
  assert.throws(() => parseCli([...base, '--endmember-names', 'a,b']), (e: unknown) => e instanceof UsageError && /2 names for --endmembers 3/.test(e.message));
  assert.throws(() => parseCli([...base, '--endmember-names', 'a,,c']), /name 2 must be 1 to 64 characters/);
});
