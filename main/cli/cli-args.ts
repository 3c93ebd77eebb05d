/** Command-line grammar of `nmf-studio`, parsed with node:util's parseArgs (no dependency). */
import { parseArgs } from 'node:util';
import type { WavFormat } from '../../app/audio/wav-codec.js';
import type { NmfLoss } from '../../app/nmf/nmf-types.js';

export const USAGE = `Usage:
  nmf-studio separate <file.wav> --sources S [--components K] [--loss kl|frobenius]
                      [--max-iter N] [--seed N] [--format pcm16|pcm24|float32] --out DIR [--force] [--json]
  nmf-studio unmix <cube.tif> --endmembers P [--loss frobenius|kl] [--max-iter N] [--seed N]
                      --out DIR [--force] [--json]
  nmf-studio serve [--port N] [--out DIR]
  nmf-studio --help | --version

Progress goes to stderr; with --json a summary goes to stdout. Existing files are never
overwritten unless --force is given.`;

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
  | { readonly command: 'serve'; readonly port: number; readonly out: string | undefined };

const options = {
  sources: { type: 'string' },
  components: { type: 'string' },
  endmembers: { type: 'string' },
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

function parseFormat(text: string): WavFormat {
  if (text === 'pcm16' || text === 'pcm24' || text === 'float32') return text;
  throw new UsageError(`--format must be pcm16, pcm24 or float32, got '${text}'`);
}
