/** Command-line grammar of `nmf-studio`, parsed with node:util's parseArgs (no dependency). */
import { parseArgs } from 'node:util';
import type { WavFormat } from '../../app/audio/wav-codec.js';
import type { NmfAlgorithm, NmfInit, NmfLoss } from '../../app/nmf/nmf-types.js';

export const USAGE = `Usage:
  nmf-studio separate <file.wav> --sources S [--components K] [--loss kl|frobenius]
                      [--max-iter N] [--seed N] [--format pcm16|pcm24|float32] --out DIR [--force] [--json]
  nmf-studio unmix <cube.tif> --endmembers P [--loss frobenius|kl] [--max-iter N] [--seed N]
                      --out DIR [--force] [--json]
  nmf-studio factorize <V.csv|V.tsv|V.npy> --rank r|a-b|a,b,… [--loss frobenius|kl|is|beta=<number>]
                      [--algorithm mu|hals|anls|cd|auto] [--init random|nndsvd|nndsvda|nndsvdar|spa]
                      [--seed N] [--max-iter N] [--tol x] [--restarts N] --out DIR [--force] [--json]
  nmf-studio serve [--port N] [--out DIR]
  nmf-studio --help | --version

Progress goes to stderr; with --json a summary goes to stdout. Existing files are never
overwritten unless --force is given. Several ranks (--rank 2-8) run a rank sweep: --restarts
runs per rank (default 10), objective and cophenetic correlation per rank, no files written.`;

export class UsageError extends Error {}

interface JobCommon {
  readonly input: string;
  readonly out: string;
  readonly loss: NmfLoss | undefined;
  readonly maxIter: number;
  readonly seed: number;
  readonly force: boolean;
  readonly json: boolean;
}

export type CliCommand =
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | ({ readonly command: 'separate'; readonly sources: number; readonly components: number; readonly format: WavFormat | undefined } & JobCommon)
  | ({ readonly command: 'unmix'; readonly endmembers: number } & JobCommon)
  | FactorizeCommand
  | { readonly command: 'serve'; readonly port: number; readonly out: string | undefined };

/**
 * `factorize`: any nonnegative matrix V ≈ W·H. Options left unset stay undefined so that the
 * engine's defaults apply (see NmfOptions).
 */
export interface FactorizeCommand {
  readonly command: 'factorize';
  readonly input: string;
  readonly out: string;
  readonly rank: number;
  /**
   * More than one rank (--rank 2-8 or 2,4,6): a rank sweep instead of one factorization; it
   * prints per rank the objective and the cophenetic correlation and writes no files.
   */
  readonly ranks: readonly number[];
  readonly loss: NmfLoss | undefined;
  /** β of the β-divergence, set when --loss beta=<number> was given. */
  readonly beta: number | undefined;
  readonly algorithm: NmfAlgorithm | undefined;
  readonly init: Exclude<NmfInit, 'custom'> | undefined;
  readonly seed: number;
  readonly maxIter: number | undefined;
  readonly tol: number | undefined;
  /** Number of runs from seeds seed, seed + 1, …; the best is kept. Default 1. */
  readonly restarts: number;
  readonly force: boolean;
  readonly json: boolean;
}

const ALGORITHMS: readonly NmfAlgorithm[] = ['mu', 'hals', 'anls', 'cd', 'auto'];
const INITS: readonly Exclude<NmfInit, 'custom'>[] = ['random', 'nndsvd', 'nndsvda', 'nndsvdar', 'spa'];

const options = {
  sources: { type: 'string' },
  components: { type: 'string' },
  endmembers: { type: 'string' },
  rank: { type: 'string' },
  algorithm: { type: 'string' },
  init: { type: 'string' },
  tol: { type: 'string' },
  restarts: { type: 'string' },
  loss: { type: 'string' },
  'max-iter': { type: 'string' },
  seed: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  port: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export function parseCli(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...rest] = positionals;
  const allowed = (names: readonly string[]): void => {
    for (const key of Object.keys(values)) {
      if (!names.includes(key)) throw new UsageError(`--${key} does not apply to '${command}'`);
    }
  };
  const jobCommon = (): JobCommon => {
    if (rest.length !== 1) throw new UsageError(`'${command}' takes exactly one input file, got ${rest.length}`);
    if (!values.out) throw new UsageError(`'${command}' needs --out DIR`);
    return {
      input: rest[0]!,
      out: values.out,
      loss: values.loss === undefined ? undefined : parseLoss(values.loss),
      maxIter: values['max-iter'] === undefined ? 200 : integer('--max-iter', values['max-iter'], 1),
      seed: values.seed === undefined ? 0 : integer('--seed', values.seed, 0),
      force: values.force ?? false,
      json: values.json ?? false,
    };
  };
  switch (command) {
    case 'separate': {
      allowed(['sources', 'components', 'loss', 'max-iter', 'seed', 'format', 'out', 'force', 'json']);
      if (values.sources === undefined) throw new UsageError(`'separate' needs --sources S`);
      const sources = integer('--sources', values.sources, 1);
      const components = values.components === undefined ? 3 * sources : integer('--components', values.components, 1);
      if (components < sources) throw new UsageError(`--components (${components}) must be at least --sources (${sources})`);
      return { command: 'separate', sources, components, format: values.format === undefined ? undefined : parseFormat(values.format), ...jobCommon() };
    }
    case 'unmix': {
      allowed(['endmembers', 'loss', 'max-iter', 'seed', 'out', 'force', 'json']);
      if (values.endmembers === undefined) throw new UsageError(`'unmix' needs --endmembers P`);
      return { command: 'unmix', endmembers: integer('--endmembers', values.endmembers, 1), ...jobCommon() };
    }
    case 'factorize': {
      allowed(['rank', 'loss', 'algorithm', 'init', 'seed', 'max-iter', 'tol', 'restarts', 'out', 'force', 'json']);
      if (rest.length !== 1) throw new UsageError(`'factorize' takes exactly one input file, got ${rest.length}`);
      if (values.rank === undefined) throw new UsageError(`'factorize' needs --rank r`);
      const ranks = parseRanks(values.rank);
      if (!values.out && ranks.length === 1) throw new UsageError(`'factorize' needs --out DIR`);
      const loss = values.loss === undefined ? undefined : parseFactorizeLoss(values.loss);
      return {
        command: 'factorize',
        input: rest[0]!,
        out: values.out ?? '',
        rank: ranks[0]!,
        ranks,
        loss: loss?.loss,
        beta: loss?.beta,
        algorithm: values.algorithm === undefined ? undefined : oneOf('--algorithm', values.algorithm, ALGORITHMS),
        init: values.init === undefined ? undefined : oneOf('--init', values.init, INITS),
        seed: values.seed === undefined ? 0 : integer('--seed', values.seed, 0),
        maxIter: values['max-iter'] === undefined ? undefined : integer('--max-iter', values['max-iter'], 1),
        tol: values.tol === undefined ? undefined : nonnegativeNumber('--tol', values.tol),
        // In a rank sweep --restarts is the number of runs per rank (consensus needs several).
        restarts: values.restarts === undefined ? (ranks.length > 1 ? 10 : 1) : integer('--restarts', values.restarts, 1, 10_000),
        force: values.force ?? false,
        json: values.json ?? false,
      };
    }
    case 'serve':
      allowed(['port', 'out']);
      if (rest.length > 0) throw new UsageError(`'serve' takes no files`);
      return { command: 'serve', port: values.port === undefined ? 0 : integer('--port', values.port, 0, 65535), out: values.out };
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** `--rank`: one rank, a range `a-b`, or a list `a,b,c` (a sweep when more than one). */
function parseRanks(text: string): number[] {
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (range) {
    const [from, to] = [integer('--rank', range[1]!, 1), integer('--rank', range[2]!, 1)];
    if (to < from) throw new UsageError(`--rank range ${text} is empty`);
    if (to - from > 100) throw new UsageError(`--rank range ${text} is too wide (at most 101 ranks)`);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  const ranks = text.split(',').map((part) => integer('--rank', part.trim(), 1));
  return [...new Set(ranks)].sort((a, b) => a - b);
}

function integer(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer between ${min} and ${max}, got '${text}'`);
  }
  return value;
}

function parseLoss(text: string): NmfLoss {
  if (text === 'kl' || text === 'frobenius') return text;
  throw new UsageError(`--loss must be 'kl' or 'frobenius', got '${text}'`);
}

/**
 * The β-divergence family (Févotte & Idier 2011, "Algorithms for nonnegative matrix factorization
 * with the β-divergence"): frobenius (β = 2), kl (β = 1), is (Itakura–Saito, β = 0), or any β
 * as `beta=<number>`.
 */
function parseFactorizeLoss(text: string): { loss: NmfLoss; beta: number | undefined } {
  if (text === 'frobenius' || text === 'kl' || text === 'is') return { loss: text, beta: undefined };
  const match = /^beta=(.+)$/.exec(text);
  if (match) {
    const beta = strictNumber(match[1]!);
    if (beta !== null) return { loss: 'beta', beta };
    throw new UsageError(`--loss beta=<number> needs a finite number, got '${match[1]}'`);
  }
  throw new UsageError(`--loss must be frobenius, kl, is or beta=<number>, got '${text}'`);
}

function oneOf<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got '${text}'`);
}

function nonnegativeNumber(flag: string, text: string): number {
  const value = strictNumber(text);
  if (value === null || value < 0) throw new UsageError(`${flag} must be a nonnegative number, got '${text}'`);
  return value;
}

/** A finite decimal number (Number() alone would accept '', '0x1f' and 'Infinity'). */
function strictNumber(text: string): number | null {
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text.trim())) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function parseFormat(text: string): WavFormat {
  if (text === 'pcm16' || text === 'pcm24' || text === 'float32') return text;
  throw new UsageError(`--format must be pcm16, pcm24 or float32, got '${text}'`);
}
