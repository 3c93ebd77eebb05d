/** Command-line grammar of `nmf-studio`, parsed with node:util's parseArgs (no dependency). */
import { parseArgs } from 'node:util';
import { SOURCE_NAME } from '../../app/audio/guided-separation.js';
import { defaultComponents } from '../../app/audio/separate.js';
import { DEFAULT_STFT_OPTIONS, WINDOW_TYPES, type WindowType } from '../../app/audio/stft.js';
import type { WavFormat } from '../../app/audio/wav-codec.js';
import { parseBandList } from '../../app/hsi/prepare-cube.js';
import { UNMIX_INITS, type UnmixInit } from '../../app/hsi/unmix.js';
import { MAX_RESTARTS, SOLVER_LOSSES } from '../../app/host-api.js';
import type { NmfAlgorithm, NmfInit, NmfLoss } from '../../app/nmf/nmf-types.js';

export const USAGE = `Usage:
  nmf-studio separate <file.wav> --sources S [--components K] [--loss kl|frobenius|is]
                      [--guide SOURCE=clip.wav …] [--guide-range SOURCE=START-END[,START-END…] …]
                      [--guide-components Ks] [--max-iter N] [--seed N] [--format pcm16|pcm24|float32]
                      [--window-size N] [--hop N] [--window hann|hamming|blackman|sine]
                      [--mask-exponent p] [--algorithm auto|mu|cd|hals|anls] [--restarts N]
                      [--no-split] --out DIR [--force] [--json]
  nmf-studio unmix <cube> --endmembers P [--loss frobenius|kl] [--init vca|spa|nndsvd|random]
                      [--sum-to-one] [--sparsity x] [--min-volume x] [--bad-bands 1-4,100-110]
                      [--bands FIRST-LAST] [--subset ROW0,COL0,ROWS,COLS] [--bin N]
                      [--endmember-names a,b,…] [--algorithm auto|mu|cd|hals|anls] [--restarts N]
                      [--max-iter N] [--seed N] --out DIR [--force] [--json]
  nmf-studio factorize <V.csv|V.tsv|V.npy> --rank r|a-b|a,b,… [--loss frobenius|kl|is|beta=<number>]
                      [--algorithm mu|hals|anls|cd|auto] [--init random|nndsvd|nndsvda|nndsvdar|spa]
                      [--seed N] [--max-iter N] [--tol x] [--restarts N] --out DIR [--force] [--json]
  nmf-studio evaluate --reference s1.wav s2.wav … --estimate e1.wav e2.wav … [--json]
  nmf-studio evaluate --reference gt.mat | endmembers.csv [abundances.csv]
                      --estimate UNMIX_OUT_DIR | endmembers.csv [abundances.tif|.csv] [--json]
  nmf-studio serve [--port N] [--out DIR]
  nmf-studio --help | --version

Progress goes to stderr; with --json a summary goes to stdout. Existing files are never
overwritten unless --force is given. Several ranks (--rank 2-8) run a rank sweep: --restarts
runs per rank (default 10), objective and cophenetic correlation per rank, no files written.
Automatic separation splits NMF components that hold notes of several pitches into one per
pitch before grouping them into sources; --no-split keeps the components as the NMF left them.`;

export class UsageError extends Error {}

/** A solver that does not minimise the loss (SOLVER_LOSSES) is a usage error, before any file is read. */
function checkSolver<T extends JobCommon>(common: T, defaultLoss: NmfLoss): T {
  const loss = common.loss ?? defaultLoss;
  if (common.algorithm !== undefined && !SOLVER_LOSSES[common.algorithm].includes(loss)) {
    const fits = (Object.keys(SOLVER_LOSSES) as NmfAlgorithm[]).filter((a) => SOLVER_LOSSES[a].includes(loss));
    throw new UsageError(`--algorithm ${common.algorithm} does not minimise the ${loss} loss; for ${loss} use ${fits.join(', ')}`);
  }
  return common;
}

interface JobCommon {
  readonly input: string;
  readonly out: string;
  readonly loss: NmfLoss | undefined;
  readonly maxIter: number;
  readonly seed: number;
  /** NMF solver and restarts (best objective of N seeds); checked against the loss by the host. */
  readonly algorithm: NmfAlgorithm | undefined;
  readonly restarts: number | undefined;
  readonly force: boolean;
  readonly json: boolean;
}

export type CliCommand =
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | ({
      readonly command: 'separate';
      readonly sources: number;
      readonly components: number;
      readonly format: WavFormat | undefined;
      /** Guided separation when non-empty, in the order given (one entry per flag). */
      readonly guides: readonly CliGuide[];
      readonly guideComponents: number | undefined;
      /** STFT and mask settings (app/audio/separate.ts SeparationParams); undefined: the engine's defaults. */
      readonly windowSize: number | undefined;
      readonly hop: number | undefined;
      readonly window: WindowType | undefined;
      readonly maskExponent: number | undefined;
      /** --no-split: keep the NMF's components whole (app/audio/component-splitting.ts). */
      readonly noSplit: boolean;
    } & JobCommon)
  | ({ readonly command: 'unmix' } & UnmixOptions & JobCommon)
  | FactorizeCommand
  /** SDR/SIR/SAR/SI-SDR of separated sources (WAV), or unmixing scores (other references). */
  | { readonly command: 'evaluate'; readonly reference: readonly string[]; readonly estimate: readonly string[]; readonly json: boolean }
  | { readonly command: 'serve'; readonly port: number | 'default'; readonly out: string | undefined };

/**
 * `--guide SOURCE=clip.wav` (a clip of the source alone) or `--guide-range SOURCE=START-END,…`
 * (spans of the input where only that source plays; times in seconds or m:ss.s).
 */
export interface CliGuide {
  readonly source: string;
  readonly clip?: string;
  readonly ranges?: readonly { readonly start: number; readonly end: number }[];
}

/**
 * `unmix`'s method options (app/hsi/unmix.ts, UnmixParams). Unset ones stay undefined so that the
 * engine's defaults apply.
 */
export interface UnmixOptions {
  readonly endmembers: number;
  readonly init: UnmixInit | undefined;
  readonly sumToOne: boolean;
  readonly sparsity: number | undefined;
  readonly minVolume: number | undefined;
  /** 0-based band indices from --bad-bands (given 1-based, like ENVI's band numbers). */
  readonly badBands: readonly number[] | undefined;
  /** --bands FIRST-LAST (1-based, inclusive), turned 0-based. */
  readonly bandRange?: { readonly first: number; readonly last: number };
  /** --subset ROW0,COL0,ROWS,COLS: the window's corner (0-based) and size. */
  readonly window?: { readonly row: number; readonly col: number; readonly rows: number; readonly cols: number };
  /** --bin N: average N × N pixel blocks. */
  readonly bin?: number;
  /** --endmember-names a,b,c: one name per endmember, for the exports. */
  readonly endmemberNames?: readonly string[];
}

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
  'sum-to-one': { type: 'boolean' },
  sparsity: { type: 'string' },
  'min-volume': { type: 'string' },
  'bad-bands': { type: 'string' },
  bands: { type: 'string' },
  subset: { type: 'string' },
  bin: { type: 'string' },
  'endmember-names': { type: 'string' },
  tol: { type: 'string' },
  restarts: { type: 'string' },
  loss: { type: 'string' },
  'max-iter': { type: 'string' },
  seed: { type: 'string' },
  format: { type: 'string' },
  guide: { type: 'string', multiple: true },
  'guide-range': { type: 'string', multiple: true },
  'guide-components': { type: 'string' },
  'window-size': { type: 'string' },
  hop: { type: 'string' },
  window: { type: 'string' },
  'mask-exponent': { type: 'string' },
  'no-split': { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  port: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export function parseCli(argv: readonly string[]): CliCommand {
  // `evaluate` takes several files after one flag (--reference a b), which parseArgs cannot.
  if (argv[0] === 'evaluate') return parseEvaluate(argv.slice(1));
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
  const jobCommon = (losses: readonly NmfLoss[] = ['kl', 'frobenius']): JobCommon => {
    if (rest.length !== 1) throw new UsageError(`'${command}' takes exactly one input file, got ${rest.length}`);
    if (!values.out) throw new UsageError(`'${command}' needs --out DIR`);
    return {
      input: rest[0]!,
      out: values.out,
      loss: values.loss === undefined ? undefined : parseLoss(values.loss, losses),
      maxIter: values['max-iter'] === undefined ? 200 : integer('--max-iter', values['max-iter'], 1),
      seed: values.seed === undefined ? 0 : integer('--seed', values.seed, 0),
      algorithm: values.algorithm === undefined ? undefined : oneOf('--algorithm', values.algorithm, ALGORITHMS),
      restarts: values.restarts === undefined ? undefined : integer('--restarts', values.restarts, 1, MAX_RESTARTS),
      force: values.force ?? false,
      json: values.json ?? false,
    };
  };
  switch (command) {
    case 'separate': {
      allowed(['sources', 'components', 'loss', 'max-iter', 'seed', 'format', 'guide', 'guide-range', 'guide-components', 'window-size', 'hop', 'window', 'mask-exponent', 'algorithm', 'restarts', 'no-split', 'out', 'force', 'json']);
      if (values.sources === undefined) throw new UsageError(`'separate' needs --sources S`);
      const sources = integer('--sources', values.sources, 1);
      const guides = [...(values.guide ?? []).map(parseGuideClip), ...(values['guide-range'] ?? []).map(parseGuideRange)];
      // defaultComponents: 8 per source, enough to cover a source's notes (and, guided, a
      // dictionary of K / S components per guided source).
      const components = values.components === undefined ? defaultComponents(sources) : integer('--components', values.components, 1);
      if (components < sources) throw new UsageError(`--components (${components}) must be at least --sources (${sources})`);
      if (values['guide-components'] !== undefined && guides.length === 0) throw new UsageError(`--guide-components applies to guided separation: give --guide or --guide-range`);
      if (values.restarts !== undefined && guides.length > 0) throw new UsageError(`--restarts applies to automatic separation: guided separation starts from the learnt dictionaries`);
      if (values['no-split'] && guides.length > 0) throw new UsageError(`--no-split applies to automatic separation: guided separation does not split components`);
      return {
        command: 'separate',
        sources,
        components,
        format: values.format === undefined ? undefined : parseFormat(values.format),
        guides,
        guideComponents: values['guide-components'] === undefined ? undefined : integer('--guide-components', values['guide-components'], 1),
        noSplit: values['no-split'] ?? false,
        ...parseStftFlags(values),
        // Separation also takes Itakura–Saito (β = 0), the scale-invariant divergence of Févotte et al. 2009.
        ...checkSolver(jobCommon(['kl', 'frobenius', 'is']), 'kl'),
      };
    }
    case 'unmix': {
      allowed(['endmembers', 'loss', 'init', 'sum-to-one', 'sparsity', 'min-volume', 'bad-bands', 'bands', 'subset', 'bin', 'endmember-names', 'algorithm', 'restarts', 'max-iter', 'seed', 'out', 'force', 'json']);
      if (values.endmembers === undefined) throw new UsageError(`'unmix' needs --endmembers P`);
      const sparsity = values.sparsity === undefined ? undefined : nonnegativeNumber('--sparsity', values.sparsity);
      const minVolume = values['min-volume'] === undefined ? undefined : nonnegativeNumber('--min-volume', values['min-volume']);
      const common = checkSolver(jobCommon(), 'frobenius');
      if ((values['sum-to-one'] || (sparsity ?? 0) > 0 || (minVolume ?? 0) > 0) && (common.algorithm !== undefined || common.restarts !== undefined)) {
        throw new UsageError(`--algorithm and --restarts apply to plain NMF unmixing; --sum-to-one, --sparsity and --min-volume use their own solver`);
      }
      // As app/hsi/unmix.ts refuses it, but before the cube is read.
      if (common.loss === 'kl' && ((sparsity ?? 0) > 0 || (minVolume ?? 0) > 0)) {
        throw new UsageError(`--sparsity and --min-volume are implemented for --loss frobenius only, not kl`);
      }
      const endmembers = integer('--endmembers', values.endmembers, 1);
      const endmemberNames = values['endmember-names'] === undefined ? undefined : parseEndmemberNames(values['endmember-names'], endmembers);
      return {
        command: 'unmix',
        endmembers,
        ...(values.bands === undefined ? {} : { bandRange: parseBandRange(values.bands) }),
        ...(values.subset === undefined ? {} : { window: parseSubset(values.subset) }),
        ...(values.bin === undefined ? {} : { bin: integer('--bin', values.bin, 1) }),
        ...(endmemberNames ? { endmemberNames } : {}),
        init: values.init === undefined ? undefined : oneOf('--init', values.init, UNMIX_INITS),
        sumToOne: values['sum-to-one'] ?? false,
        sparsity,
        minVolume,
        badBands: values['bad-bands'] === undefined ? undefined : parseBadBands(values['bad-bands']),
        ...common,
      };
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
      // Default: a fixed port, so the page's origin (and its recent files) is the same every run.
      return { command: 'serve', port: values.port === undefined ? 'default' : integer('--port', values.port, 0, 65535), out: values.out };
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/**
 * `--bad-bands 1-4,100-110`: band numbers as ENVI shows them (1-based), turned 0-based. The cube's
 * band count is checked when it is read.
 */
function parseBadBands(text: string): number[] {
  try {
    // No sensor has 100 000 bands; the bound keeps a mistyped range from filling memory.
    return parseBandList(text, 100_000);
  } catch (error) {
    throw new UsageError(`--bad-bands: ${(error as Error).message}`);
  }
}

/** `--bands 10-150`: one range of band numbers as ENVI shows them (1-based, inclusive), turned 0-based. */
function parseBandRange(text: string): { first: number; last: number } {
  const match = /^\s*(\d+)\s*[-–]\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UsageError(`--bands: '${text}' is not a band range such as 10-150 (band numbers from 1)`);
  const first = Number(match[1]);
  const last = Number(match[2]);
  if (first < 1 || last < first) throw new UsageError(`--bands: '${text}' must go from a band ≥ 1 up to a band at least as large`);
  return { first: first - 1, last: last - 1 };
}

/** `--subset 100,200,64,64`: the first row and column (0-based, as GDAL's -srcwin counts) and the size in rows and columns. */
function parseSubset(text: string): { row: number; col: number; rows: number; cols: number } {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length !== 4 || parts.some((part) => !/^\d+$/.test(part))) {
    throw new UsageError(`--subset: '${text}' must be ROW0,COL0,ROWS,COLS (whole numbers; ROW0 and COL0 from 0)`);
  }
  const [row, col, rows, cols] = parts.map(Number) as [number, number, number, number];
  if (rows < 1 || cols < 1) throw new UsageError(`--subset: the window must be at least 1×1 pixels, got ${rows}×${cols}`);
  return { row, col, rows, cols };
}

/**
 * `--endmember-names soil,tree,water`: exactly one name per endmember, each 1–64 characters
 * (they head the CSV columns and name the PNG files; main/host/job-outputs.ts checks the rest).
 */
function parseEndmemberNames(text: string, endmembers: number): string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.length !== endmembers) throw new UsageError(`--endmember-names: ${names.length} name${names.length === 1 ? '' : 's'} for --endmembers ${endmembers}`);
  names.forEach((name, i) => {
    if (name === '' || name.length > 64) throw new UsageError(`--endmember-names: name ${i + 1} must be 1 to 64 characters`);
    if (/\p{Cc}/u.test(name)) throw new UsageError(`--endmember-names: name ${i + 1} contains a control character`);
  });
  return names;
}

/**
 * `evaluate --reference a b … --estimate c d … [--json]`: each flag takes the files up to the
 * next flag (and may be repeated, or written --reference=a).
 */
function parseEvaluate(args: readonly string[]): CliCommand {
  const lists = { reference: [] as string[], estimate: [] as string[] };
  let current: keyof typeof lists | null = null;
  let json = false;
  for (const arg of args) {
    const flag = /^--(reference|estimate)(?:=(.*))?$/.exec(arg);
    if (flag) {
      current = flag[1] as keyof typeof lists;
      if (flag[2] !== undefined) lists[current].push(flag[2]);
    } else if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') return { command: 'help' };
    else if (arg.startsWith('-')) throw new UsageError(`${arg} does not apply to 'evaluate'`);
    else if (current === null) throw new UsageError(`'evaluate': '${arg}' comes before --reference or --estimate`);
    else lists[current].push(arg);
  }
  if (lists.reference.length === 0) throw new UsageError(`'evaluate' needs --reference FILE…`);
  if (lists.estimate.length === 0) throw new UsageError(`'evaluate' needs --estimate FILE…`);
  return { command: 'evaluate', reference: lists.reference, estimate: lists.estimate, json };
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

function parseLoss(text: string, losses: readonly NmfLoss[]): NmfLoss {
  if ((losses as readonly string[]).includes(text)) return text as NmfLoss;
  throw new UsageError(`--loss must be ${losses.map((l) => `'${l}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}, got '${text}'`);
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

/** `SOURCE=clip.wav`. */
function parseGuideClip(text: string): CliGuide {
  const { source, value } = guideParts('--guide', text, 'SOURCE=clip.wav');
  return { source, clip: value };
}

/** `SOURCE=START-END[,START-END…]`, times in seconds (`12.5`) or minutes and seconds (`1:02.5`). */
function parseGuideRange(text: string): CliGuide {
  const { source, value } = guideParts('--guide-range', text, 'SOURCE=START-END');
  const ranges = value.split(',').map((part) => {
    const match = /^\s*([0-9:.]+)\s*-\s*([0-9:.]+)\s*$/.exec(part);
    const start = match ? clockTime(match[1]!) : null;
    const end = match ? clockTime(match[2]!) : null;
    if (start === null || end === null) throw new UsageError(`--guide-range ${text}: '${part}' is not START-END (seconds, or m:ss)`);
    if (!(end > start)) throw new UsageError(`--guide-range ${text}: the range ${part} ends before it starts`);
    return { start, end };
  });
  return { source, ranges };
}

function guideParts(flag: string, text: string, form: string): { source: string; value: string } {
  const at = text.indexOf('=');
  const source = at > 0 ? text.slice(0, at).trim() : '';
  const value = at > 0 ? text.slice(at + 1).trim() : '';
  if (!source || !value) throw new UsageError(`${flag} must be ${form}, got '${text}'`);
  if (!SOURCE_NAME.test(source)) {
    throw new UsageError(`${flag} ${text}: the source name '${source}' must be letters, digits, '-' or '_' (it becomes part of the output file names)`);
  }
  return { source, value };
}

/** Seconds from `12.5`, `1:02.5` or `1:00:02.5`; null when malformed. */
function clockTime(text: string): number | null {
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => !/^(?:\d+\.?\d*|\.\d+)$/.test(p))) return null;
  if (parts.slice(1).some((p) => Number(p) >= 60)) return null;
  return parts.reduce((total, p) => total * 60 + Number(p), 0);
}

/**
 * `--window-size N --hop N --window TYPE --mask-exponent p`, checked here with the engine's own
 * rules (stft.ts validateStftOptions, soft-mask.ts validateMaskExponent) so that a bad value is a
 * usage error before the file is read. The hop is checked against the window size given, or the
 * default one; without --hop the engine takes a quarter of the window size.
 */
function parseStftFlags(values: { 'window-size'?: string; hop?: string; window?: string; 'mask-exponent'?: string }): {
  windowSize: number | undefined;
  hop: number | undefined;
  window: WindowType | undefined;
  maskExponent: number | undefined;
} {
  const windowSize = values['window-size'] === undefined ? undefined : integer('--window-size', values['window-size'], 4, 1 << 20);
  if (windowSize !== undefined && (windowSize & (windowSize - 1)) !== 0) throw new UsageError(`--window-size must be a power of two (e.g. 1024, 2048, 4096), got '${values['window-size']}'`);
  const size = windowSize ?? DEFAULT_STFT_OPTIONS.windowSize;
  const hop = values.hop === undefined ? undefined : integer('--hop', values.hop, 1, size / 2);
  const window = values.window === undefined ? undefined : oneOf('--window', values.window, WINDOW_TYPES);
  let maskExponent: number | undefined;
  if (values['mask-exponent'] !== undefined) {
    maskExponent = strictNumber(values['mask-exponent']) ?? NaN;
    if (!(maskExponent > 0 && maskExponent <= 16)) throw new UsageError(`--mask-exponent must be a number in (0, 16] (1: ratio masks, 2: Wiener), got '${values['mask-exponent']}'`);
  }
  return { windowSize, hop, window, maskExponent };
}

function parseFormat(text: string): WavFormat {
  if (text === 'pcm16' || text === 'pcm24' || text === 'float32') return text;
  throw new UsageError(`--format must be pcm16, pcm24 or float32, got '${text}'`);
}
