/** `nmf-studio` command line: batch separation, unmixing and matrix factorization, and the local web host. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobParams, SeparateJobParams, SeparationGuide } from '../../app/host-api.js';
import { startWebHost } from '../serve/web-host.js';
import { sourceNames } from '../../app/audio/guided-separation.js';
import { FileExistsError } from '../host/atomic-write.js';
import { definedOnly } from '../host/defined-only.js';
import { inputStem } from '../host/job-outputs.js';
import { createSessionHost, type NodeHost } from '../host/session-host.js';
import { parseCli, USAGE, UsageError, type CliCommand } from './cli-args.js';
import { runEvaluateCommand } from './evaluate-command.js';
import { runFactorizeCommand } from './factorize-command.js';
import { formatUnmixSummary, unmixSummary } from './evaluate-unmixing.js';
import { createProgressReporter } from './progress-reporter.js';

type JobCommand = Extract<CliCommand, { command: 'separate' | 'unmix' }>;

async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`nmf-studio: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  switch (command.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case 'serve':
      return serve(command.port, command.out ?? join(homedir(), 'NMF Studio'));
    case 'separate':
    case 'unmix':
      return runJob(command);
    case 'factorize':
      return runFactorizeCommand(command);
    case 'evaluate':
      return runEvaluateCommand(command);
  }
}

async function runJob(command: JobCommand): Promise<number> {
  const host = createSessionHost({ exportDir: command.out });
  const reporter = createProgressReporter(process.stderr, command.input);
  let jobId: string | null = null;
  const onSigint = (): void => {
    if (jobId) void host.cancelJob(jobId);
  };
  process.once('SIGINT', onSigint);
  try {
    const opened = await host.openPath(command.input);
    const common = definedOnly({
      fileId: opened.fileId,
      loss: command.loss,
      maxIter: command.maxIter,
      seed: command.seed,
      algorithm: command.algorithm,
      restarts: command.restarts,
    });
    const params: JobParams =
      command.command === 'separate'
        ? {
            kind: 'separate',
            sources: command.sources,
            components: command.components,
            ...common,
            ...definedOnly({ windowSize: command.windowSize, hop: command.hop, window: command.window, maskExponent: command.maskExponent }),
            ...(command.noSplit ? { splitComponents: false } : {}),
            ...(await separationGuides(host, command)),
          }
        : {
            kind: 'unmix',
            endmembers: command.endmembers,
            ...common,
            sumToOne: command.sumToOne,
            ...definedOnly({
              init: command.init,
              sparsity: command.sparsity,
              minVolume: command.minVolume,
              badBands: command.badBands,
              window: command.window,
              bandRange: command.bandRange,
              bin: command.bin,
            }),
          };
    if (command.command === 'separate' && !command.force) {
      // Refuse before minutes of work, not after: the source files' names are known up front
      // (the export checks again, for names this cannot foresee).
      const names = sourceNames(command.sources, command.guides.map((g) => g.source));
      for (const name of names) {
        const target = resolve(command.out, `${inputStem(opened.name)}.${name}.wav`);
        if (existsSync(target)) throw new FileExistsError(target);
      }
    }
    const unsubscribe = host.onJobEvent((event) => reporter.onEvent(event));
    jobId = (await host.startJob(params)).jobId;
    const final = await host.waitForJob(jobId);
    unsubscribe();
    reporter.end();
    if (final.type === 'cancelled') {
      process.stderr.write('nmf-studio: cancelled\n');
      return 130;
    }
    if (final.type === 'failed') throw new Error(final.error);
    if (final.type !== 'done') throw new Error('job ended without a result');
    if (command.command === 'unmix' && command.endmemberNames) await host.renameEndmembers(jobId, command.endmemberNames);
    const exported = await host.exportWith(jobId, {
      directory: command.out,
      onExisting: command.force ? 'overwrite' : 'fail',
      wavFormat: command.command === 'separate' ? command.format : undefined,
    });
    const { summary } = final;
    // Separation: each source's file, its share of the energy, and how far the sources' sum is
    // from the mixture (the soft masks sum to one, so this is float rounding).
    const result = command.command === 'separate' ? await host.getResult(jobId) : null;
    const separation =
      result?.kind === 'separate'
        ? {
            sources: result.sources.map((s) => ({
              name: s.name,
              path: exported.files.find((f) => basename(f) === `${inputStem(opened.name)}.${s.name}.wav`) ?? null,
              energyShare: s.energyShare,
            })),
            mixtureResidual: result.mixtureResidual,
            ...(result.split ? { split: result.split } : {}),
            ...(result.stft ? { stft: result.stft } : {}),
          }
        : null;
    // Unmixing: HySime's suggestion, the bands left out, and SAD/RMSE when the input has ground truth.
    const unmixing = command.command === 'unmix' ? await unmixSummary(host, jobId, command.input) : null;
    if (command.json) {
      const json = {
        input: command.input,
        kind: summary.kind,
        loss: summary.loss,
        algorithm: summary.algorithm,
        iterations: summary.iterations,
        objective: summary.objective,
        seconds: summary.seconds,
        outputs: exported.files,
        ...(separation ?? {}),
        ...(unmixing ?? {}),
      };
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      process.stdout.write(`${summary.iterations} iterations of ${summary.loss} NMF in ${summary.seconds.toFixed(2)} s; wrote:\n`);
      if (separation) {
        const width = Math.max(...separation.sources.map((s) => s.name.length));
        for (const s of separation.sources) process.stdout.write(`  ${s.name.padEnd(width)}  ${(100 * s.energyShare).toFixed(1).padStart(5)} % of the energy  ${s.path ?? '(not written)'}\n`);
        const others = exported.files.filter((f) => !separation.sources.some((s) => s.path === f));
        for (const file of others) process.stdout.write(`  ${file}\n`);
        process.stdout.write(`mixture residual (max |sum of sources − mixture|): ${separation.mixtureResidual.toExponential(2)}\n`);
        const split = separation.split;
        if (split && split.components > 0) {
          process.stdout.write(`${split.components} component${split.components === 1 ? '' : 's'} held notes of several pitches and ${split.components === 1 ? 'was' : 'were'} split by pitch: ${split.into} components were grouped\n`);
        }
      } else {
        for (const file of exported.files) process.stdout.write(`  ${file}\n`);
      }
      if (unmixing) for (const line of formatUnmixSummary(unmixing)) process.stdout.write(`${line}\n`);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await host.dispose();
  }
}

/**
 * `--guide` clips are opened as files of the session (each path once); `--guide-range` ranges go
 * as they are. Guides naming the same source are merged by the pipeline.
 */
async function separationGuides(host: NodeHost, command: Extract<CliCommand, { command: 'separate' }>): Promise<Pick<SeparateJobParams, 'guides' | 'guideComponents'>> {
  if (command.guides.length === 0) return {};
  const opened = new Map<string, string>();
  const guides: SeparationGuide[] = [];
  for (const guide of command.guides) {
    if (guide.clip !== undefined) {
      let fileId = opened.get(guide.clip);
      if (fileId === undefined) {
        const clip = await host.openPath(guide.clip);
        if (clip.summary.kind !== 'audio') throw new Error(`${guide.clip}: a guide clip must be a WAV file`);
        fileId = clip.fileId;
        opened.set(guide.clip, fileId);
      }
      guides.push({ source: guide.source, clipFileIds: [fileId] });
    }
    if (guide.ranges) guides.push({ source: guide.source, ranges: guide.ranges });
  }
  return { guides, ...(command.guideComponents === undefined ? {} : { guideComponents: command.guideComponents }) };
}

async function serve(port: number | 'default', exportDir: string): Promise<number> {
  const host = createSessionHost({ exportDir });
  const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
  const server = await startWebHost({ host, port, rendererDir });
  if (server.fellBackFrom !== null) {
    // A different port is a different origin: the page's recent files are those of that port.
    process.stdout.write(`Port ${server.fellBackFrom} is in use; using port ${server.port} instead (recent files are kept per port).\n`);
  }
  process.stdout.write(`NMF Studio is serving at ${server.url}\nExports go to ${exportDir}. Press Ctrl+C to stop.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await host.dispose();
  return 0;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`nmf-studio: error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
