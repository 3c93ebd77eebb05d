import { createCdFrobeniusSolver } from './cd-frobenius.js';
import { createCdKlSolver } from './cd-kl.js';
import { UnsupportedProblemError, type NmfProblem, type NmfSolver } from './solver.js';

/**
 * The coordinate-descent solver ('cd'), by β: β = 2 is scikit-learn's coordinate descent
 * (Cichocki & Phan 2009; see cd-frobenius.ts), β = 1 cyclic coordinate descent with one-variable
 * Newton steps (Hsieh & Dhillon 2011; see cd-kl.ts). Other β, and orthogonality constraints, throw
 * UnsupportedProblemError: neither method has a one-variable closed form or Newton step for them here.
 */
export function createCdSolver(problem: NmfProblem): NmfSolver {
  if (problem.orthogonal !== 'none') {
    throw new UnsupportedProblemError(`coordinate descent does not support orthogonal = '${problem.orthogonal}' (use 'mu')`);
  }
  const { V, W, H } = problem;
  if (W.rows !== V.rows || H.cols !== V.cols || W.cols !== H.rows) {
    throw new RangeError(`factor shapes ${W.rows}×${W.cols} and ${H.rows}×${H.cols} do not fit V ${V.rows}×${V.cols}`);
  }
  if (problem.beta === 2) return createCdFrobeniusSolver(problem);
  if (problem.beta === 1) return createCdKlSolver(problem);
  throw new UnsupportedProblemError(`coordinate descent supports β = 2 (Frobenius) and β = 1 (KL), not β = ${problem.beta}`);
}
