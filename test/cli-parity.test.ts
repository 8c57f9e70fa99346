// Every training option of the library is reachable from `glassnet train`:
// each flag the parity tables of cli/train-settings.ts name parses, and its
// value reaches fit's options or the optimizer's.
import { Command } from 'commander';
import { OPTIMIZERS, Tensor, createOptimizer, type OptimizerName } from 'glassnet';
import { describe, expect, it } from 'vitest';
import { trainCommand } from '../cli/commands/train.js';
import {
  EARLY_STOPPING_FLAGS, FIT_OPTION_FLAGS, LOSS_OPTION_FLAGS, OPTIMIZER_SETTINGS, addRecipeOptions, fitOptions, optimizerOptions, recipeFromFlags, resolveRecipe, type Reach,
} from '../cli/train-settings.js';
import { glassnet } from './helpers/cli.js';
import { expectOneLineError, readModelJson, tempDir } from './helpers/cli-files.js';

/** The flags of `train` for recipe settings (read by recipeFromFlags) and for the run itself (read by the command). */
const recipeFlags = addRecipeOptions(new Command()).options.map((o) => o.long!);
const trainFlags = trainCommand().options.map((o) => o.long!);

const flagsOf = (table: Record<string, Reach>): string[] => Object.values(table).flatMap((reach) => ('flag' in reach ? [reach.flag] : []));

/** The recipe `args` describe, as `train` reads it. */
function recipe(args: string[], optimizer: OptimizerName = 'adam') {
  const command = addRecipeOptions(new Command()).exitOverride();
  command.parse(['--optimizer', optimizer, ...(optimizer === 'sgd' || optimizer === 'momentum' ? ['--lr', '0.1'] : []), ...args], { from: 'user' });
  return resolveRecipe(recipeFromFlags(command.opts()), 'classification', 3);
}

/** The fit options a run with `args` passes to the worker, which hands them to fit unchanged (the schedule as its spec). */
function fitOf(args: string[]) {
  return fitOptions(recipe(args), { epochs: 7, threads: 'auto' });
}

/** The settings of the optimizer `train` builds from `args`. */
function optimizerOf(optimizer: OptimizerName, args: string[]) {
  const params = [new Tensor(new Float64Array(2), [1, 2])];
  return createOptimizer(optimizer, params, optimizerOptions(recipe(args, optimizer)) as never).getState().options;
}

/**
 * Each recipe flag of a fit option: a command line and the fit options it
 * must produce. Run flags (--epochs, --resume, ...) are read by the train
 * command itself; cli-train and faults-resume run them.
 */
const FIT_EXAMPLES: Record<string, { args: string[]; fit: object }> = {
  '--loss': { args: ['--loss', 'mse'], fit: { loss: 'mse' } },
  '--batch-size': { args: ['--batch-size', '5'], fit: { batchSize: 5 } },
  '--no-shuffle': { args: ['--no-shuffle'], fit: { shuffle: false } },
  '--seed': { args: ['--seed', '9'], fit: { seed: 9 } },
  '--max-steps': { args: ['--max-steps', '11'], fit: { maxSteps: 11 } },
  '--error-threshold': { args: ['--error-threshold', '0.25'], fit: { errorThreshold: 0.25 } },
  '--early-stopping': { args: ['--early-stopping', '3'], fit: { earlyStopping: { patience: 3 } } },
  '--min-delta': { args: ['--early-stopping', '3', '--min-delta', '0.01'], fit: { earlyStopping: { patience: 3, minDelta: 0.01 } } },
  '--monitor': { args: ['--early-stopping', '3', '--monitor', 'loss'], fit: { earlyStopping: { patience: 3, monitor: 'loss' } } },
  '--no-restore-best-weights': { args: ['--early-stopping', '3', '--no-restore-best-weights'], fit: { earlyStopping: { patience: 3, restoreBestWeights: false } } },
  '--l2': { args: ['--l2', '0.5'], fit: { l2: 0.5 } },
  '--schedule': { args: ['--schedule', 'stepDecay,steps=5'], fit: { schedule: 'stepDecay,steps=5' } },
  '--clip-norm': { args: ['--clip-norm', '2'], fit: { clipNorm: 2 } },
};

/** Fit options whose flags the train command reads itself (not recipe settings). */
const RUN_FLAGS = ['--epochs', '--time-limit', '--threads', '--resume', '--checkpoint', '--checkpoint-every'];

/** Flags whose value the command resolves on the training rows before fit sees it (balanced class weights need the class counts); binary-cli runs them. */
const RESOLVED_ON_DATA = ['--class-weights'];

/** Fit options an optimizer or the validation rows carry: checked through the optimizer's options or the split. */
const VIA_OTHERS = ['--lr', '--optimizer', '--val-split'];

/** Each optimizer option's flag, a value for it and the option value it must give. */
const OPTIMIZER_EXAMPLES: Record<string, { args: string[]; value: unknown }> = {
  '--lr': { args: ['--lr', '0.125'], value: 0.125 },
  '--momentum': { args: ['--momentum', '0.5'], value: 0.5 },
  '--dampening': { args: ['--dampening', '0.25'], value: 0.25 },
  '--weight-decay': { args: ['--weight-decay', '0.0625'], value: 0.0625 },
  '--nesterov': { args: ['--momentum', '0.5', '--nesterov'], value: true },
  '--betas': { args: ['--betas', '0.5,0.75'], value: [0.5, 0.75] },
  '--eps': { args: ['--eps', '0.001'], value: 0.001 },
  '--amsgrad': { args: ['--amsgrad'], value: true },
  '--alpha': { args: ['--alpha', '0.5'], value: 0.5 },
  '--centered': { args: ['--centered'], value: true },
  '--lr-decay': { args: ['--lr-decay', '0.01'], value: 0.01 },
  '--initial-accumulator-value': { args: ['--initial-accumulator-value', '0.1'], value: 0.1 },
};

describe('the parity tables', () => {
  it('name only flags that train declares', () => {
    const listed = [...flagsOf(FIT_OPTION_FLAGS), ...flagsOf(EARLY_STOPPING_FLAGS), ...flagsOf(LOSS_OPTION_FLAGS)];
    expect(listed.filter((flag) => !trainFlags.includes(flag))).toEqual([]);
    // A --no-X flag is declared as X's negation; the help lists it as written.
    const help = trainCommand().helpInformation();
    for (const flag of listed) expect(help).toContain(flag);
  });

  it('say why an option has no flag', () => {
    const none = Object.entries({ ...FIT_OPTION_FLAGS, ...EARLY_STOPPING_FLAGS, ...LOSS_OPTION_FLAGS }).filter(([, reach]) => 'none' in reach).map(([key]) => key);
    expect(none.sort()).toEqual(['delta', 'onBatchEnd', 'onEpochEnd', 'validationData']);
  });

  it('have an example here for every flag, so none goes untested', () => {
    const tested = new Set([...Object.keys(FIT_EXAMPLES), ...RUN_FLAGS, ...VIA_OTHERS, ...RESOLVED_ON_DATA]);
    expect([...flagsOf(FIT_OPTION_FLAGS), ...flagsOf(EARLY_STOPPING_FLAGS), ...flagsOf(LOSS_OPTION_FLAGS)].filter((flag) => !tested.has(flag))).toEqual([]);
    const optimizerFlags = new Set(OPTIMIZERS.flatMap((name) => Object.values(OPTIMIZER_SETTINGS[name]).map((key) => recipeFlags.find((f) => camel(f) === key)!)));
    expect([...optimizerFlags].sort()).toEqual(Object.keys(OPTIMIZER_EXAMPLES).sort());
  });
});

/** `--lr-decay` → `lrDecay`, as commander names a flag's value. */
function camel(flag: string): string {
  return flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

describe('each flag reaches fit', () => {
  it.each(Object.entries(FIT_EXAMPLES))('%s', (_flag, { args, fit }) => {
    expect(fitOf(args)).toMatchObject(fit);
  });

  it('passes the resolved class weights as the loss option', () => {
    expect(fitOptions(recipe(['--class-weights', '1,2,3']), { epochs: 7, threads: 'auto', classWeights: [1, 2, 3] }).lossOptions).toEqual({ weight: [1, 2, 3] });
  });

  it('leaves out what the flags do not set, so fit keeps its own defaults', () => {
    const plain = fitOf([]);
    for (const key of ['lossOptions', 'shuffle', 'earlyStopping', 'maxSteps', 'errorThreshold', 'clipNorm', 'schedule', 'timeLimit', 'resume']) expect(plain).not.toHaveProperty(key);
    expect(fitOf(['--early-stopping', '2']).earlyStopping).toEqual({ patience: 2 });
  });
});

describe('each optimizer option reaches the optimizer', () => {
  const cases = OPTIMIZERS.flatMap((name) => Object.entries(OPTIMIZER_SETTINGS[name]).map(([option, key]) => [name, option, key] as const));
  it.each(cases)('%s %s', (name, option, key) => {
    const flag = recipeFlags.find((f) => camel(f) === key)!;
    const { args, value } = OPTIMIZER_EXAMPLES[flag]!;
    // Nesterov needs a momentum, which rmsprop's and adam's examples do not need.
    expect(optimizerOf(name, args)[option]).toEqual(value);
  });

  it('refuses an option the optimizer does not have, naming the flag', () => {
    expect(() => recipe(['--betas', '0.9,0.99'], 'sgd')).toThrow('--betas: expected --optimizer adam, adamw (sgd has no betas), found [0.9,0.99]');
    expect(() => recipe(['--nesterov'], 'rmsprop')).toThrow('--nesterov: expected --optimizer sgd, momentum (rmsprop has no nesterov)');
    expect(() => recipe(['--momentum', '0.5'], 'adam')).toThrow('--momentum: expected --optimizer sgd, momentum, rmsprop (adam has no momentum)');
  });

  it("passes on the optimizer's own checks under the flag's name", () => {
    expect(() => recipe(['--nesterov'], 'sgd')).toThrow('--nesterov: expected momentum > 0 and dampening 0 when nesterov is true, found momentum 0, dampening 0');
    expect(() => recipe(['--betas', '0.9'])).toThrow('--betas: expected two rates B1,B2');
    expect(() => recipe(['--betas', '0.9,1'])).toThrow('--betas: expected a number in [0, 1)');
  });

  it('early-stopping settings need --early-stopping, and valLoss needs validation rows', () => {
    expect(() => recipe(['--monitor', 'loss'])).toThrow('--monitor: expected together with --early-stopping, found it alone');
    expect(() => recipe(['--no-restore-best-weights'])).toThrow('--no-restore-best-weights: expected together with --early-stopping');
    expect(() => recipe(['--early-stopping', '2', '--monitor', 'valLoss'])).toThrow('--monitor: expected loss, or --val-split for valLoss');
  });
});

describe('the new flags in a real run', () => {
  it('trains with them, saves them in the model and honours them', () => {
    const file = tempDir();
    const args = ['train', 'iris', '--optimizer', 'momentum', '--lr', '0.05', '--nesterov', '--no-shuffle', '--early-stopping', '1', '--min-delta', '10',
      '--monitor', 'loss', '--epochs', '20', '--json'];
    const kept = glassnet(...args, '--no-restore-best-weights', '--out', file('m.json'));
    const restored = glassnet(...args);
    expect(kept.stderr).toBe('');
    expect(kept.status).toBe(0);
    const summary = JSON.parse(kept.stdout) as Record<string, number>;
    const restoredSummary = JSON.parse(restored.stdout) as Record<string, number>;
    // A min-delta no epoch can reach stops after patience + 1 epochs, epoch 1 the best.
    expect(summary).toMatchObject({ stoppedBy: 'earlyStopping', epochs: 2, bestEpoch: 1 });
    expect(restoredSummary).toMatchObject({ stoppedBy: 'earlyStopping', epochs: 2, bestEpoch: 1 });
    // Restoring puts epoch 1's weights back; keeping leaves epoch 2's, which train further.
    expect(summary['loss']).toBeLessThan(restoredSummary['loss']!);
    const training = readModelJson(file('m.json'))['training'] as Record<string, unknown>;
    expect(training['optimizer']).toMatchObject({ name: 'momentum', nesterov: true, momentum: 0.9 });
    expect(training['settings']).toMatchObject({ shuffle: false, restoreBestWeights: false, monitor: 'loss', nesterov: true });
    const text = glassnet(...args.filter((a) => a !== '--json'), '--no-restore-best-weights');
    expect(text.stdout).toMatch(/stopped by earlyStopping after 2 epochs \(\d+ steps, [\d.]+ s\)\n/);
  });

  it('refuses an optimizer option of another optimizer with a usage error, before reading any file', () => {
    expectOneLineError(glassnet('train', 'iris', '--amsgrad', '--optimizer', 'rmsprop'), /^glassnet: --amsgrad: expected --optimizer adam, adamw \(rmsprop has no amsgrad\)/, 2);
    // A data file that does not exist would be a status-1 error: these flags are checked first.
    const missing = tempDir()('no-such.csv');
    expectOneLineError(glassnet('train', missing, '--optimizer', 'sgd', '--lr', '0.1', '--nesterov'), /^glassnet: --nesterov: expected momentum > 0 and dampening 0/, 2);
    expectOneLineError(glassnet('train', missing, '--monitor', 'loss'), /^glassnet: --monitor: expected together with --early-stopping/, 2);
    expectOneLineError(glassnet('train', missing, '--optimizer', 'sgd'), /^glassnet: --lr: expected a learning rate for sgd/, 2);
  });
});
