#!/usr/bin/env node
/**
 * The glassnet command line. Each subcommand lives in cli/commands/ and
 * uses the library only through its public entry points.
 */
import { Command, CommanderError } from 'commander';
import { GlassnetError } from '../src/index.js';
import { autoencoderCommand } from './commands/autoencoder.js';
import { demoCommand } from './commands/demo.js';
import { explainCommand } from './commands/explain.js';
import { evaluateCommand } from './commands/evaluate.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { splitCommand } from './commands/split.js';
import { trainCommand } from './commands/train.js';

const program = new Command()
  .name('glassnet')
  .description('Neural networks that show every number of forward and backward propagation.')
  .version('0.1.0')
  .option('--verbose', 'show stack traces on errors')
  .exitOverride()
  .showHelpAfterError('(run glassnet --help for usage)')
  .addCommand(autoencoderCommand())
  .addCommand(explainCommand())
  .addCommand(demoCommand())
  .addCommand(trainCommand())
  .addCommand(predictCommand())
  .addCommand(evaluateCommand())
  .addCommand(infoCommand())
  .addCommand(splitCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  const verbose = program.opts<{ verbose?: boolean }>().verbose === true || process.argv.includes('--verbose');
  if (verbose && error instanceof Error) console.error(error.stack);
  else console.error(`glassnet: ${error instanceof GlassnetError ? error.message : error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
