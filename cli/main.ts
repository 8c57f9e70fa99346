#!/usr/bin/env node
/**
 * The glassnet command line. Each subcommand lives in cli/commands/ and
 * uses the library only through its public entry points.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { removeTempFilesSync } from 'glassnet/node';
import { autoencoderCommand } from './commands/autoencoder.js';
import { demoCommand } from './commands/demo.js';
import { explainCommand } from './commands/explain.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { evaluateCommand } from './commands/evaluate.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { splitCommand } from './commands/split.js';
import { trainCommand } from './commands/train.js';
import { EXIT, UsageError, forbidRepeatedFlags } from './flags.js';
import { safeText } from './paint.js';

// The version is the package's own (this runs as packages/glassnet-cli/dist/main.js), so it is written once, in package.json.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('glassnet')
  .description('Neural networks that show every number of forward and backward propagation.')
  .version(version)
  .option('--verbose', 'show stack traces on errors')
  .addCommand(autoencoderCommand())
  .addCommand(explainCommand())
  .addCommand(demoCommand())
  .addCommand(trainCommand())
  .addCommand(predictCommand())
  .addCommand(evaluateCommand())
  .addCommand(infoCommand())
  .addCommand(exportCommand())
  .addCommand(importCommand())
  .addCommand(splitCommand());
// addCommand copies no settings, so each command gets them itself.
for (const command of [program, ...program.commands]) command.exitOverride().showHelpAfterError('(run glassnet --help for usage)');
forbidRepeatedFlags(program);

handlePipesAndSignals();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const status = exitStatus(error);
  if (!(error instanceof CommanderError)) {
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true || process.argv.includes('--verbose');
    if (verbose && error instanceof Error) console.error(error.stack);
    else console.error(`glassnet: ${safeText(error instanceof Error ? error.message : String(error))}`);
  }
  process.exit(status);
}

/** 2 for a command line the command cannot accept, 0 for help and version, 1 for everything else. */
function exitStatus(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? error.exitCode : EXIT.usage;
  }
  return error instanceof UsageError ? EXIT.usage : EXIT.failure;
}

/**
 * A reader that closes the pipe early (`glassnet predict ... | head -1`)
 * makes further writes fail with EPIPE: from then on stdout is dropped
 * quietly and the command goes on, so every file it writes is still
 * completed. SIGTERM is treated as Ctrl-C: outside training (which handles
 * both itself, see train-run.ts) the process removes the temporary file of
 * any atomic write in flight and exits with 130.
 */
function handlePipesAndSignals(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // Training installs its own handler, which stops after the current batch.
      if (process.listenerCount(signal) > 1) return;
      removeTempFilesSync();
      process.exit(EXIT.interrupted);
    });
  }
}
