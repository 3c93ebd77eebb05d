import assert from 'node:assert/strict';
import { test } from 'node:test';
import { solveAssignment } from '../../app/hsi/hungarian.js';
import { createRandom } from '../../app/random.js';

/** The smallest total over every injective row → column map, by exhaustive search. */
function bruteForce(cost: number[][]): number {
  const n = cost.length;
  const m = cost[0]?.length ?? 0;
  let best = Infinity;
  const used = new Array<boolean>(m).fill(false);
  const search = (i: number, sum: number): void => {
    if (i === n) {
      best = Math.min(best, sum);
      return;
    }
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      search(i + 1, sum + cost[i]![j]!);
      used[j] = false;
    }
  };
  search(0, 0);
  return best;
}

test('the Hungarian algorithm matches brute force on random square and rectangular cost matrices', () => {
  const random = createRandom(11);
  let cases = 0;
  for (let n = 1; n <= 7; n++) {
    for (let extra = 0; extra <= 2; extra++) {
      for (let trial = 0; trial < 12; trial++) {
        const m = n + extra;
        // Mix continuous costs with small integers (many ties), and some negative costs.
        const integers = trial % 3 === 0;
        const cost = Array.from({ length: n }, () => Array.from({ length: m }, () => (integers ? Math.floor(random() * 4) : random() * 10 - 3)));
        const { columns, total } = solveAssignment(cost);
        assert.equal(columns.length, n);
        assert.equal(new Set(columns).size, n, 'columns are distinct');
        for (const j of columns) assert.ok(Number.isInteger(j) && j >= 0 && j < m);
        const recomputed = columns.reduce((s, j, i) => s + cost[i]![j]!, 0);
        assert.ok(Math.abs(recomputed - total) < 1e-9, 'total is the cost of the returned assignment');
        assert.ok(Math.abs(total - bruteForce(cost)) < 1e-9, `n=${n} m=${m}: ${total} vs brute force ${bruteForce(cost)}`);
        cases++;
      }
    }
  }
  assert.equal(cases, 7 * 3 * 12);
});

test('a known assignment, an empty matrix, and a size brute force cannot do', () => {
  // The classic example: the optimum avoids the greedy row minima.
  const cost = [
    [4, 1, 3],
    [2, 0, 5],
    [3, 2, 2],
  ];
  assert.deepEqual(solveAssignment(cost), { columns: [1, 0, 2], total: 5 });
  assert.deepEqual(solveAssignment([]), { columns: [], total: 0 });
  // A permutation matrix of zeros in a sea of ones must be found exactly, at a size brute force cannot do.
  const n = 60;
  const random = createRandom(3);
  const perm = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
  const big = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (perm[i] === j ? 0 : 1 + random())));
  const result = solveAssignment(big);
  assert.deepEqual(result.columns, perm);
  assert.equal(result.total, 0);
});

test('bad cost matrices are refused with clear errors', () => {
  assert.throws(() => solveAssignment([[1, 2], [3]]), /row 1 has 1 costs, row 0 has 2/);
  assert.throws(() => solveAssignment([[1], [2]]), /2 rows cannot take distinct columns among 1/);
  assert.throws(() => solveAssignment([[1, Number.NaN]]), /cost \(0, 1\) is NaN/);
  assert.throws(() => solveAssignment([[Infinity]]), /not a finite number/);
});
