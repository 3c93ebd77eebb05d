import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObjectiveSeries } from '../../renderer/objective-series.js';

// The live objective plot's points (renderer/objective-series.ts): restarts report run i's
// iteration t as i·maxIter + t (app/nmf/restarts.ts); each run is drawn apart.

test('one run: points in order, repeats and zero objectives handled', () => {
  const s = new ObjectiveSeries();
  assert.equal(s.add(1, 10), true);
  assert.equal(s.add(2, 5), true);
  assert.equal(s.add(2, 5), false, 'a repeated iteration (the closing report) is not added again');
  assert.equal(s.add(3, 0), true);
  assert.deepEqual(s.iterations, [1, 2, 3]);
  assert.deepEqual(s.objectives, [10, 5, null]);
  assert.equal(s.points, 3);
});

test('restarts: a gap between runs, including a run that converged early', () => {
  const s = new ObjectiveSeries(100);
  for (const [t, o] of [[50, 9], [100, 8], [101, 40], [120, 7], [201, 30], [250, 6]] as const) s.add(t, o);
  // Run 0 reports 50 and 100; run 1 (101–200) converged at 120; run 2 starts at 201.
  assert.deepEqual(s.iterations, [50, 100, 100.5, 101, 120, 160.5, 201, 250]);
  assert.deepEqual(s.objectives, [9, 8, null, 40, 7, null, 30, 6]);
  assert.equal(s.points, 6);
});
