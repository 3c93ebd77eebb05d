/** `nmf-studio` command line: batch separation, unmixing and matrix factorization, and the local web host. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobParams } from '../../app/host-api.js';
import { startWebHost } from '../serve/web-host.js';
import { createSessionHost } from '../host/session-host.js';
import { parseCli, USAGE, UsageError, type CliCommand } from './cli-args.js';
import { runFactorizeCommand } from './factorize-command.js';
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
    const common = { fileId: opened.fileId, loss: command.loss, maxIter: command.maxIter, seed: command.seed };
    const params: JobParams =
      command.command === 'separate'
        ? { kind: 'separate', sources: command.sources, components: command.components, ...common }
        : { kind: 'unmix', endmembers: command.endmembers, ...common };
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
    const exported = await host.exportWith(jobId, {
      directory: command.out,
      onExisting: command.force ? 'overwrite' : 'fail',
      wavFormat: command.command === 'separate' ? command.format : undefined,
    });
    const { summary } = final;
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
      };
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      process.stdout.write(`${summary.iterations} iterations of ${summary.loss} NMF in ${summary.seconds.toFixed(2)} s; wrote:\n`);
      for (const file of exported.files) process.stdout.write(`  ${file}\n`);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await host.dispose();
  }
}

async function serve(port: number, exportDir: string): Promise<number> {
  const host = createSessionHost({ exportDir });
  const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
  const server = await startWebHost({ host, port, rendererDir });
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
