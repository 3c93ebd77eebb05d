/**
 * Checks the arguments of a HostApi call that arrived over a transport (Electron IPC, HTTP JSON).
 * A renderer is untrusted input: a compromised or buggy page must get a clear error, never reach
 * the host with values of the wrong type. Both transports validate through this one function.
 */
import { SOURCE_NAME } from './audio/guided-separation.js';
import { HOST_METHODS, MAX_RESTARTS, SOLVER_LOSSES, type HostApi, type HostMethod, type JobParams } from './host-api.js';

export class HostCallError extends Error {}

export function isHostMethod(name: string): name is HostMethod {
  return (HOST_METHODS as readonly string[]).includes(name);
}

const MAX_ID_LENGTH = 100;
const MAX_NAME_LENGTH = 1024;

export function validateHostCall<M extends HostMethod>(method: M, args: readonly unknown[]): Parameters<HostApi[M]> {
  const expectArity = (n: number): void => {
    if (args.length !== n) throw new HostCallError(`${method} takes ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`);
  };
  switch (method) {
    case 'openFile':
      expectArity(2);
      text(method, 'name', args[0], MAX_NAME_LENGTH);
      if (!(args[1] instanceof ArrayBuffer)) throw new HostCallError(`${method}: bytes must be an ArrayBuffer`);
      break;
    case 'startJob':
      expectArity(1);
      jobParams(args[0]);
      break;
    case 'cancelJob':
    case 'getResult':
    case 'exportResult':
    case 'getSeparationModel':
      expectArity(1);
      text(method, 'jobId', args[0], MAX_ID_LENGTH);
      break;
    case 'getSourceAudio':
    case 'getAbundanceMap':
      expectArity(2);
      text(method, 'jobId', args[0], MAX_ID_LENGTH);
      integer(method, 'index', args[1], 0, 10_000);
      break;
    case 'regroupSources':
      expectArity(2);
      text(method, 'jobId', args[0], MAX_ID_LENGTH);
      if (!Array.isArray(args[1]) || args[1].length === 0 || args[1].length > 1024) {
        throw new HostCallError(`${method}: assignment must be an array of 1 to 1024 source indices`);
      }
      for (const source of args[1] as unknown[]) integer(method, 'source index', source, 0, 63);
      break;
    case 'renameEndmembers':
      expectArity(2);
      text(method, 'jobId', args[0], MAX_ID_LENGTH);
      endmemberNames(method, args[1]);
      break;
    default:
      throw new HostCallError(`unknown host method '${String(method)}'`);
  }
  return args as Parameters<HostApi[M]>;
}

function jobParams(value: unknown): asserts value is JobParams {
  if (typeof value !== 'object' || value === null) throw new HostCallError('startJob: params must be an object');
  const p = value as Record<string, unknown>;
  text('startJob', 'fileId', p.fileId, MAX_ID_LENGTH);
  // Itakura–Saito is an audio loss (scale-invariant, for power spectra); unmixing takes KL or Frobenius.
  const losses = p.kind === 'separate' ? ['kl', 'frobenius', 'is'] : ['kl', 'frobenius'];
  if (p.loss !== undefined && !losses.includes(p.loss as string)) throw new HostCallError(`startJob: loss must be ${losses.map((l) => `'${l}'`).join(', ')}`);
  if (p.maxIter !== undefined) integer('startJob', 'maxIter', p.maxIter, 1, 1_000_000);
  if (p.seed !== undefined) integer('startJob', 'seed', p.seed, 0, 2 ** 32 - 1);
  const allowed = new Set(['kind', 'fileId', 'loss', 'maxIter', 'seed', 'algorithm', 'restarts']);
  solverParams(p);
  if (p.kind === 'separate') {
    integer('startJob', 'sources', p.sources, 1, 64);
    integer('startJob', 'components', p.components, 1, 1024);
    if ((p.components as number) < (p.sources as number)) throw new HostCallError('startJob: components must be at least sources');
    allowed.add('sources').add('components');
    if (p.guides !== undefined) separationGuides(p.guides);
    if (p.guideComponents !== undefined) integer('startJob', 'guideComponents', p.guideComponents, 1, 1024);
    allowed.add('guides').add('guideComponents');
    stftParams(p);
    allowed.add('windowSize').add('hop').add('window').add('maskExponent');
    if (p.splitComponents !== undefined && typeof p.splitComponents !== 'boolean') throw new HostCallError('startJob: splitComponents must be true or false');
    if (p.splitComponents !== undefined && Array.isArray(p.guides) && p.guides.length > 0) {
      throw new HostCallError('startJob: splitComponents applies to automatic separation; guided separation does not split components');
    }
    allowed.add('splitComponents');
  } else if (p.kind === 'unmix') {
    integer('startJob', 'endmembers', p.endmembers, 1, 256);
    allowed.add('endmembers').add('init').add('sumToOne').add('sparsity').add('minVolume').add('badBands').add('window').add('bandRange').add('bin');
    unmixPreparation(p);
    if (p.init !== undefined && !['vca', 'spa', 'nndsvd', 'random'].includes(p.init as string)) throw new HostCallError(`startJob: init must be 'vca', 'spa', 'nndsvd' or 'random'`);
    if (p.sumToOne !== undefined && typeof p.sumToOne !== 'boolean') throw new HostCallError('startJob: sumToOne must be true or false');
    for (const weight of ['sparsity', 'minVolume'] as const) {
      const value = p[weight];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e6)) throw new HostCallError(`startJob: ${weight} must be a number ≥ 0`);
    }
    if (p.badBands !== undefined) {
      if (!Array.isArray(p.badBands) || p.badBands.length > 100_000) throw new HostCallError('startJob: badBands must be an array of band indices');
      for (const band of p.badBands as unknown[]) integer('startJob', 'bad band', band, 0, 100_000);
    }
  } else {
    throw new HostCallError(`startJob: kind must be 'separate' or 'unmix'`);
  }
  for (const key of Object.keys(p)) if (!allowed.has(key)) throw new HostCallError(`startJob: unexpected field '${key}'`);
}

/**
 * The solver and restarts (host-api.ts SOLVER_LOSSES): the solver must solve the loss (its default
 * when absent: KL for separation, Frobenius for unmixing). Restarts vary the random start, so they
 * are refused where the start is not random: guided separation (learnt dictionaries) and the
 * sum-to-one unmixing model (its own solver, started from the purest pixels).
 */
function solverParams(p: Record<string, unknown>): void {
  const algorithms = Object.keys(SOLVER_LOSSES);
  if (p.algorithm !== undefined && !algorithms.includes(p.algorithm as string)) {
    throw new HostCallError(`startJob: algorithm must be ${algorithms.map((a) => `'${a}'`).join(', ')}`);
  }
  if (p.restarts !== undefined) integer('startJob', 'restarts', p.restarts, 1, MAX_RESTARTS);
  const loss = (p.loss as string | undefined) ?? (p.kind === 'separate' ? 'kl' : 'frobenius');
  const algorithm = (p.algorithm as keyof typeof SOLVER_LOSSES | undefined) ?? 'auto';
  const solves = SOLVER_LOSSES[algorithm] as readonly string[] | undefined;
  if (solves && !solves.includes(loss)) {
    throw new HostCallError(`startJob: algorithm '${algorithm}' does not solve the ${loss} loss (it solves ${solves.join(', ')}); choose 'auto' or one of ${algorithms.filter((a) => (SOLVER_LOSSES[a as keyof typeof SOLVER_LOSSES] as readonly string[]).includes(loss)).join(', ')}`);
  }
  const restarts = (p.restarts as number | undefined) ?? 1;
  if (p.kind === 'separate' && Array.isArray(p.guides) && p.guides.length > 0 && restarts > 1) {
    throw new HostCallError('startJob: restarts apply to automatic separation only (guided separation starts from the learnt dictionaries); set restarts to 1');
  }
  const constrained = p.kind === 'unmix' && (p.sumToOne === true || (typeof p.sparsity === 'number' && p.sparsity > 0) || (typeof p.minVolume === 'number' && p.minVolume > 0));
  if (constrained && (algorithm !== 'auto' || restarts > 1)) {
    throw new HostCallError('startJob: algorithm and restarts apply to plain unmixing; sum-to-one, sparsity and minimum volume use their own solver (leave algorithm at auto and restarts at 1)');
  }
}

/** STFT and mask settings of a separation (host-api.ts SeparateJobParams), the engine's own rules. */
function stftParams(p: Record<string, unknown>): void {
  if (p.windowSize !== undefined) {
    integer('startJob', 'windowSize', p.windowSize, 4, 65_536);
    if (((p.windowSize as number) & ((p.windowSize as number) - 1)) !== 0) throw new HostCallError(`startJob: windowSize must be a power of two (e.g. 1024, 2048, 4096), got ${p.windowSize as number}`);
  }
  const size = (p.windowSize as number | undefined) ?? 2048;
  if (p.hop !== undefined) integer('startJob', `hop (window size ${size})`, p.hop, 1, size / 2);
  if (p.window !== undefined && !['hann', 'hamming', 'blackman', 'sine'].includes(p.window as string)) {
    throw new HostCallError(`startJob: window must be 'hann', 'hamming', 'blackman' or 'sine'`);
  }
  if (p.maskExponent !== undefined && (typeof p.maskExponent !== 'number' || !(p.maskExponent > 0 && p.maskExponent <= 16))) {
    throw new HostCallError('startJob: maskExponent must be a number in (0, 16]');
  }
}

/** An unmixing's window, band range and binning (host-api.ts UnmixJobParams); the cube's size is checked by the engine. */
function unmixPreparation(p: Record<string, unknown>): void {
  const fields = (what: string, value: unknown, keys: readonly string[]): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HostCallError(`startJob: ${what} must be {${keys.join(', ')}}`);
    const v = value as Record<string, unknown>;
    for (const key of Object.keys(v)) if (!keys.includes(key)) throw new HostCallError(`startJob: unexpected ${what} field '${key}'`);
    return v;
  };
  if (p.window !== undefined) {
    const w = fields('window', p.window, ['row', 'col', 'rows', 'cols']);
    integer('startJob', 'window row', w.row, 0, 1_000_000);
    integer('startJob', 'window col', w.col, 0, 1_000_000);
    integer('startJob', 'window rows', w.rows, 1, 1_000_000);
    integer('startJob', 'window cols', w.cols, 1, 1_000_000);
  }
  if (p.bandRange !== undefined) {
    const r = fields('bandRange', p.bandRange, ['first', 'last']);
    integer('startJob', 'bandRange first', r.first, 0, 100_000);
    integer('startJob', 'bandRange last', r.last, 0, 100_000);
    if ((r.first as number) > (r.last as number)) throw new HostCallError('startJob: bandRange first must not be after last');
  }
  if (p.bin !== undefined) integer('startJob', 'bin', p.bin, 1, 1024);
}

/** Guided separation's guides (host-api.ts SeparationGuide): names, opened clips' ids, time ranges. */
function separationGuides(value: unknown): void {
  if (!Array.isArray(value) || value.length > 64) throw new HostCallError('startJob: guides must be an array of at most 64 guides');
  for (const guide of value as unknown[]) {
    if (typeof guide !== 'object' || guide === null) throw new HostCallError('startJob: each guide must be an object');
    const g = guide as Record<string, unknown>;
    for (const key of Object.keys(g)) if (!['source', 'clipFileIds', 'ranges'].includes(key)) throw new HostCallError(`startJob: unexpected guide field '${key}'`);
    text('startJob', 'guide source', g.source, 64);
    if (!SOURCE_NAME.test(g.source as string)) {
      throw new HostCallError(`startJob: guide source '${g.source as string}' must be letters, digits, '-' or '_', starting with a letter or digit (it becomes part of the output file names)`);
    }
    if (g.clipFileIds !== undefined) {
      if (!Array.isArray(g.clipFileIds) || g.clipFileIds.length > 64) throw new HostCallError('startJob: clipFileIds must be an array of file ids');
      for (const id of g.clipFileIds as unknown[]) text('startJob', 'clip file id', id, MAX_ID_LENGTH);
    }
    if (g.ranges !== undefined) {
      if (!Array.isArray(g.ranges) || g.ranges.length > 10_000) throw new HostCallError('startJob: ranges must be an array of {start, end}');
      for (const range of g.ranges as unknown[]) {
        const r = (typeof range === 'object' && range !== null ? range : {}) as Record<string, unknown>;
        const ok = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
        if (!ok(r.start) || !ok(r.end) || Object.keys(r).some((k) => k !== 'start' && k !== 'end')) {
          throw new HostCallError('startJob: each range must be {start, end} in seconds (finite numbers ≥ 0)');
        }
      }
    }
  }
}

/**
 * Endmember names end up in file names, CSV headers and ENVI/GDAL metadata: 1 to 256 of them, each
 * non-blank, at most 64 characters, without control characters (Unicode Cc). The host checks the
 * count against the job's endmembers.
 */
function endmemberNames(method: string, value: unknown): void {
  if (!Array.isArray(value) || value.length === 0 || value.length > 256) throw new HostCallError(`${method}: names must be an array of 1 to 256 endmember names`);
  (value as unknown[]).forEach((name, i) => {
    if (typeof name !== 'string' || name.trim() === '' || name.length > 64) {
      throw new HostCallError(`${method}: name ${i + 1} must be a non-blank string of at most 64 characters`);
    }
    if (/\p{Cc}/u.test(name)) throw new HostCallError(`${method}: name ${i + 1} contains a control character`);
  });
}

function text(method: string, what: string, value: unknown, maxLength: number): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new HostCallError(`${method}: ${what} must be a non-empty string of at most ${maxLength} characters`);
  }
}

function integer(method: string, what: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HostCallError(`${method}: ${what} must be an integer in [${min}, ${max}]`);
  }
}
