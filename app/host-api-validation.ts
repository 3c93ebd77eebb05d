/**
 * Checks the arguments of a HostApi call that arrived over a transport (Electron IPC, HTTP JSON).
 * A renderer is untrusted input: a compromised or buggy page must get a clear error, never reach
 * the host with values of the wrong type. Both transports validate through this one function.
 */
import { HOST_METHODS, type HostApi, type HostMethod, type JobParams } from './host-api.js';

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
      expectArity(1);
      text(method, 'jobId', args[0], MAX_ID_LENGTH);
      break;
    case 'getSourceAudio':
    case 'getAbundanceMap':
      expectArity(2);
      text(method, 'jobId', args[0], MAX_ID_LENGTH);
      integer(method, 'index', args[1], 0, 10_000);
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
  if (p.loss !== undefined && p.loss !== 'kl' && p.loss !== 'frobenius') throw new HostCallError(`startJob: loss must be 'kl' or 'frobenius'`);
  if (p.maxIter !== undefined) integer('startJob', 'maxIter', p.maxIter, 1, 1_000_000);
  if (p.seed !== undefined) integer('startJob', 'seed', p.seed, 0, 2 ** 32 - 1);
  const allowed = new Set(['kind', 'fileId', 'loss', 'maxIter', 'seed']);
  if (p.kind === 'separate') {
    integer('startJob', 'sources', p.sources, 1, 64);
    integer('startJob', 'components', p.components, 1, 1024);
    if ((p.components as number) < (p.sources as number)) throw new HostCallError('startJob: components must be at least sources');
    allowed.add('sources').add('components');
  } else if (p.kind === 'unmix') {
    integer('startJob', 'endmembers', p.endmembers, 1, 256);
    allowed.add('endmembers');
  } else {
    throw new HostCallError(`startJob: kind must be 'separate' or 'unmix'`);
  }
  for (const key of Object.keys(p)) if (!allowed.has(key)) throw new HostCallError(`startJob: unexpected field '${key}'`);
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
