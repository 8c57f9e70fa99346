/**
 * The settings that fix a training run (the "recipe"): one table gives each
 * its flag, help text, default and parser. The same parsers read the flags
 * and the `training.settings` of a checkpoint, so a resumed run is checked
 * exactly as a fresh one.
 */
import type { Command } from 'commander';
import {
  ACTIVATIONS, GlassnetError, LOSSES, LOSS_RECORDS, MISSING_POLICIES, NON_NEGATIVE, OPTIMIZERS, RATE, SCALER_KINDS, SCHEDULES, scheduleFrom,
  type ActivationName, type JsonObject, type LossName, type MissingPolicy, type OptimizerName, type ScalerKind, type ScheduleSpec, type Task,
} from 'glassnet';
import { MAX_PARAMETERS, UsageError, checkBudget, choiceFlag, intervalFlag, delimiterFlag, integerFlag, listFlag, parameterCount, positiveFlag, sizesFlag } from './flags.js';

/** Everything that decides what a run computes. */
export interface Recipe {
  /** Target columns: one, or several for multi-target regression. */
  target?: string[];
  features?: string[];
  task: 'auto' | Task;
  /** CSV field separator, or `auto`. */
  delimiter: string;
  /** What to do with missing CSV cells. */
  missing: MissingPolicy;
  /** Hidden layer sizes. */
  layers: number[];
  activation: ActivationName;
  outputActivation?: ActivationName;
  loss?: LossName;
  /** Per-class weights of a classification loss: one per class, or `balanced` (from the training rows' class counts). */
  classWeights?: 'balanced' | number[];
  optimizer: OptimizerName;
  lr?: number;
  batchSize: number;
  seed: number;
  /** Share of rows held out for validation; 0 for none. */
  valSplit: number;
  scale: ScalerKind;
  /** Scaling of regression targets, undone at prediction. */
  scaleTarget: ScalerKind;
  /** Dropout rate after each hidden layer; 0 for no Dropout layers. */
  dropout: number;
  /** L2 penalty; by default {@link REGRESSION_L2} for regression, 0 for classification. */
  l2?: number;
  earlyStopping?: number;
  /** The smallest change that counts as an improvement for early stopping. */
  minDelta?: number;
  errorThreshold?: number;
  /** Momentum of sgd, momentum and rmsprop. */
  momentum?: number;
  /** The optimizer's decoupled or L2 weight decay (its `weightDecay`). */
  weightDecay?: number;
  /** Learning-rate schedule, as `--schedule` spells it (see {@link scheduleSpec}). */
  schedule?: string;
  /** Gradients are rescaled to at most this global L2 norm before each step. */
  clipNorm?: number;
  /** Optimizer steps to stop after, across epochs. */
  maxSteps?: number;
}

/** A recipe whose loss, output activation and L2 penalty are settled by the data's task. */
export type ResolvedRecipe = Recipe & { loss: LossName; outputActivation: ActivationName; l2: number };

/**
 * The default L2 penalty for regression. Small tabular regression sets
 * overfit an unregularised network: on the diabetes fixture the default run
 * reaches test R² 0.25 without it and 0.34 with it (a linear model: 0.33),
 * see test/cli-regression.test.ts.
 */
export const REGRESSION_L2 = 0.1;

interface Setting<T> {
  /** Commander flag spec, e.g. `--lr <rate>`; its camelCase name is the recipe key. */
  flag: string;
  help: string;
  default?: string;
  parse: (text: string) => T;
}

const TASKS = ['auto', 'classification', 'regression'] as const;

/**
 * Hidden sizes: `16,8`, or `none` (or nothing) for no hidden layer. With
 * at least one input and one output the network has this many parameters
 * at least, so sizes past the budget fail here, before any data is read.
 */
/** The optimizers that take a momentum. */
const WITH_MOMENTUM: readonly OptimizerName[] = ['sgd', 'momentum', 'rmsprop'];

/**
 * A learning-rate schedule as `--schedule` spells it: a name of the
 * library's {@link SCHEDULES}, then optionally `,steps=N` (stepDecay's step
 * size, cosineAnnealing's length) and `,gamma=G` (the decay factor), e.g.
 * `stepDecay,steps=500,gamma=0.5` or `cosineAnnealing,steps=10000`.
 * @throws UsageError naming `--schedule`.
 */
export function scheduleSpec(text: string): ScheduleSpec {
  const [name, ...fields] = listFlag('--schedule', text);
  const spec: ScheduleSpec = { kind: choiceFlag('--schedule', name!, SCHEDULES) };
  for (const field of fields) {
    const [key, value] = field.split('=');
    if (key === 'steps' && value !== undefined) spec.steps = integerFlag('--schedule', value, 1);
    else if (key === 'gamma' && value !== undefined) spec.gamma = positiveFlag('--schedule', value);
    else throw new UsageError({ code: 'type', argument: '--schedule', expected: 'NAME followed by ,steps=N and/or ,gamma=G', found: JSON.stringify(field) });
  }
  // The library checks the values it takes (a gamma it refuses fails here, before any data is read).
  try {
    scheduleFrom(spec);
  } catch (error) {
    if (!(error instanceof GlassnetError)) throw error;
    throw new UsageError({ code: error.code, argument: '--schedule', expected: error.expected, found: error.found, cause: error });
  }
  return spec;
}

function parseLayers(text: string): number[] {
  if (text.trim() === '' || text.trim() === 'none') return [];
  const sizes = sizesFlag('--layers', text);
  checkBudget('--layers', parameterCount([1, ...sizes, 1]), MAX_PARAMETERS, 'parameters');
  return sizes;
}

const SETTINGS: { [K in keyof Recipe]-?: Setting<NonNullable<Recipe[K]>> } = {
  target: {
    flag: '--target <columns>', help: 'CSV target column by name (default: the last column); several, comma-separated, for multi-target regression',
    parse: (t) => listFlag('--target', t),
  },
  features: { flag: '--features <names>', help: 'CSV feature columns, comma-separated (default: every other column)', parse: (t) => listFlag('--features', t) },
  task: {
    flag: '--task <task>', help: `${TASKS.join('|')}; auto: text labels or at most 10 distinct whole numbers are classes, other numbers a regression`, default: 'auto',
    parse: (t) => choiceFlag('--task', t, TASKS),
  },
  delimiter: { flag: '--delimiter <char>', help: 'CSV field separator: auto (comma, semicolon or tab, detected), comma, semicolon, tab or one character', default: 'auto', parse: (t) => delimiterFlag('--delimiter', t) },
  missing: {
    flag: '--missing <policy>', help: `missing CSV cells (empty, NA, NaN, ?): ${MISSING_POLICIES.join('|')} (mean/median fill features; rows with a missing target are dropped)`, default: 'error',
    parse: (t) => choiceFlag('--missing', t, MISSING_POLICIES),
  },
  layers: { flag: '--layers <sizes>', help: 'hidden layer sizes, e.g. 16,8 (none: no hidden layer)', default: '16', parse: parseLayers },
  activation: { flag: '--activation <name>', help: `hidden activation: ${ACTIVATIONS.join('|')}`, default: 'relu', parse: (t) => choiceFlag('--activation', t, ACTIVATIONS) },
  outputActivation: {
    flag: '--output-activation <name>', help: "output activation (default: the loss's, sigmoid for binaryCrossEntropy, linear for the others)",
    parse: (t) => choiceFlag('--output-activation', t, ACTIVATIONS),
  },
  loss: {
    flag: '--loss <name>', help: `${LOSSES.join('|')} (default: binaryCrossEntropyWithLogits for two classes, softmaxCrossEntropy for more, mse for regression)`,
    parse: (t) => choiceFlag('--loss', t, LOSSES),
  },
  classWeights: {
    flag: '--class-weights <weights>', help: 'per-class weights of a classification loss, in class order, e.g. 1,3; or balanced: n / (classes × count of the class) over the training rows',
    parse: (t) => (t === 'balanced' ? 'balanced' : listFlag('--class-weights', t).map((w) => intervalFlag('--class-weights', w, NON_NEGATIVE))),
  },
  optimizer: { flag: '--optimizer <name>', help: OPTIMIZERS.join('|'), default: 'adam', parse: (t) => choiceFlag('--optimizer', t, OPTIMIZERS) },
  lr: { flag: '--lr <rate>', help: "learning rate (default: the optimizer's, 0.001 for adam)", parse: (t) => positiveFlag('--lr', t) },
  batchSize: { flag: '--batch-size <n>', help: 'samples per step', default: '32', parse: (t) => integerFlag('--batch-size', t, 1) },
  seed: { flag: '--seed <n>', help: 'seed of the weights, the validation split, shuffling and dropout', default: '0', parse: (t) => integerFlag('--seed', t, 0) },
  valSplit: {
    flag: '--val-split <fraction>', help: 'share of rows held out for validation (stratified for classes), 0 for none', default: '0',
    parse: (t) => intervalFlag('--val-split', t, RATE),
  },
  scale: { flag: '--scale <kind>', help: `feature scaling fitted on the training rows: ${SCALER_KINDS.join('|')}`, default: 'standard', parse: (t) => choiceFlag('--scale', t, SCALER_KINDS) },
  scaleTarget: {
    flag: '--scale-target <kind>', help: `regression target scaling fitted on the training rows and undone at prediction: ${SCALER_KINDS.join('|')}`, default: 'standard',
    parse: (t) => choiceFlag('--scale-target', t, SCALER_KINDS),
  },
  dropout: {
    flag: '--dropout <rate>', help: 'Dropout rate after each hidden layer', default: '0',
    parse: (t) => intervalFlag('--dropout', t, RATE),
  },
  l2: { flag: '--l2 <lambda>', help: `L2 penalty on weights (default: ${REGRESSION_L2} for regression, 0 for classification)`, parse: (t) => intervalFlag('--l2', t, NON_NEGATIVE) },
  earlyStopping: {
    flag: '--early-stopping <patience>', help: 'stop after this many epochs without improvement (of val_loss, or loss without validation)',
    parse: (t) => integerFlag('--early-stopping', t, 1),
  },
  minDelta: {
    flag: '--min-delta <amount>', help: 'with --early-stopping: the smallest decrease that counts as an improvement (default 0)',
    parse: (t) => intervalFlag('--min-delta', t, NON_NEGATIVE),
  },
  errorThreshold: {
    flag: '--error-threshold <loss>', help: 'stop once the training loss is below this',
    parse: (t) => intervalFlag('--error-threshold', t, NON_NEGATIVE),
  },
  momentum: {
    flag: '--momentum <m>', help: `momentum in [0, 1) for ${WITH_MOMENTUM.join(', ')} (default: 0.9 for momentum, else 0)`,
    parse: (t) => intervalFlag('--momentum', t, RATE),
  },
  weightDecay: {
    flag: '--weight-decay <lambda>', help: "the optimizer's weight decay (decoupled for adamw; default 0, 0.01 for adamw)",
    parse: (t) => intervalFlag('--weight-decay', t, NON_NEGATIVE),
  },
  schedule: {
    flag: '--schedule <spec>', help: `learning-rate schedule per step: ${SCHEDULES.join('|')}, then ,steps=N and ,gamma=G, e.g. stepDecay,steps=500,gamma=0.5`,
    parse: (t) => {
      scheduleSpec(t);
      return t;
    },
  },
  clipNorm: { flag: '--clip-norm <norm>', help: 'rescale the gradients to at most this global L2 norm before each step', parse: (t) => positiveFlag('--clip-norm', t) },
  maxSteps: { flag: '--max-steps <n>', help: 'stop after this many optimizer steps in all', parse: (t) => integerFlag('--max-steps', t, 1) },
};

const KEYS = Object.keys(SETTINGS) as (keyof Recipe)[];

/** The flag name (`--lr`) of a setting. */
function flagName(key: keyof Recipe): string {
  return SETTINGS[key].flag.split(' ')[0]!;
}

/** Declares every recipe flag on `command`. */
export function addRecipeOptions(command: Command): Command {
  for (const key of KEYS) {
    const { flag, help, default: initial } = SETTINGS[key];
    if (initial === undefined) command.option(flag, help);
    else command.option(flag, help, initial);
  }
  return command;
}

/** The recipe the flags (and their defaults) describe. */
export function recipeFromFlags(flags: Record<string, unknown>): Recipe {
  return build((key) => (typeof flags[key] === 'string' ? flags[key] : undefined), (_key, error) => error);
}

/**
 * The recipe saved in a checkpoint's `training.settings`, each value
 * checked by its flag's parser.
 */
export function recipeFromCheckpoint(settings: JsonObject, path: string): ResolvedRecipe {
  const recipe = build(
    (key) => (settings[key] === undefined || settings[key] === null ? undefined : String(settings[key])),
    (key, error) => new GlassnetError({
      code: error.code, argument: `${path}: training.settings.${key}`, expected: error.expected, found: error.found, cause: error,
    }),
  );
  if (recipe.loss === undefined || recipe.outputActivation === undefined || recipe.l2 === undefined) {
    throw new GlassnetError({ code: 'state', argument: `${path}: training.settings`, expected: 'loss, outputActivation and l2', found: 'some of them missing' });
  }
  return recipe as ResolvedRecipe;
}

function build(read: (key: keyof Recipe) => string | undefined, rethrow: (key: keyof Recipe, error: GlassnetError) => Error): Recipe {
  const recipe: Record<string, unknown> = {};
  for (const key of KEYS) {
    const text = read(key);
    if (text === undefined) continue;
    try {
      recipe[key] = SETTINGS[key].parse(text);
    } catch (error) {
      throw error instanceof GlassnetError ? rethrow(key, error) : error;
    }
  }
  return recipe as unknown as Recipe;
}

/**
 * With `--resume`, the checkpoint's recipe rules: a flag given on the
 * command line must agree with it (so re-running the same command line
 * plus `--resume` works, and a changed one fails loudly).
 */
export function checkResumeFlags(command: Command, fromFlags: Recipe, saved: ResolvedRecipe, path: string): void {
  for (const key of KEYS) {
    if (command.getOptionValueSource(key) !== 'cli') continue;
    if (JSON.stringify(fromFlags[key]) !== JSON.stringify(saved[key])) {
      throw new UsageError({
        code: 'state', argument: flagName(key),
        expected: `${JSON.stringify(saved[key] ?? null)} as in the checkpoint ${path} (leave the flag out when resuming)`, found: JSON.stringify(fromFlags[key]),
      });
    }
  }
}

/**
 * The loss a run uses unless `--loss` says: binary cross-entropy on one
 * logit for two classes (PyTorch's BCEWithLogitsLoss), softmax
 * cross-entropy for more, mse for regression.
 */
export function defaultLoss(task: Task, classes: number): LossName {
  return task === 'regression' ? 'mse' : classes === 2 ? 'binaryCrossEntropyWithLogits' : 'softmaxCrossEntropy';
}

/**
 * Settles the loss and output activation from the task and the number of
 * classes (0 for regression), and checks that the settings fit it and
 * each other.
 */
export function resolveRecipe(recipe: Recipe, task: Task, classes: number): ResolvedRecipe {
  const loss = recipe.loss ?? defaultLoss(task, classes);
  if (task === 'regression' && LOSS_RECORDS[loss].task !== 'regression') {
    const regression = LOSSES.filter((name) => LOSS_RECORDS[name].task === 'regression');
    throw new UsageError({ code: 'state', argument: '--loss', expected: `${regression.join(', ')} for a regression target`, found: JSON.stringify(loss) });
  }
  if (recipe.classWeights !== undefined) checkClassWeights(recipe.classWeights, loss, classes);
  if (recipe.lr === undefined && (recipe.optimizer === 'sgd' || recipe.optimizer === 'momentum')) {
    throw new UsageError({ code: 'range', argument: '--lr', expected: `a learning rate for ${recipe.optimizer} (it has no default)`, found: 'none' });
  }
  if (recipe.momentum !== undefined && !WITH_MOMENTUM.includes(recipe.optimizer)) {
    throw new UsageError({ code: 'state', argument: '--momentum', expected: `--optimizer ${WITH_MOMENTUM.join(', ')} (${recipe.optimizer} has no momentum)`, found: String(recipe.momentum) });
  }
  if (recipe.minDelta !== undefined && recipe.earlyStopping === undefined) {
    throw new UsageError({ code: 'state', argument: '--min-delta', expected: 'together with --early-stopping', found: 'it alone' });
  }
  const outputActivation = recipe.outputActivation ?? LOSS_RECORDS[loss].outputActivation;
  return { ...recipe, loss, outputActivation, l2: recipe.l2 ?? (task === 'regression' ? REGRESSION_L2 : 0) };
}

/** `--class-weights` fits the loss and the classes: a classification loss with a column per class, one weight per class. */
function checkClassWeights(weights: 'balanced' | number[], loss: LossName, classes: number): void {
  const found = weights === 'balanced' ? 'balanced' : weights.join(',');
  if (!LOSS_RECORDS[loss].classWeights) {
    throw new UsageError({ code: 'state', argument: '--class-weights', expected: `a classification loss (${loss} has no classes to weight)`, found });
  }
  if (classes === 2 && LOSS_RECORDS[loss].task === 'binary') {
    throw new UsageError({
      code: 'state', argument: '--class-weights', expected: `--loss softmaxCrossEntropy for two classes (${loss} has one output for both, so it cannot weight them apart)`, found,
    });
  }
  if (weights !== 'balanced' && weights.length !== classes) {
    throw new UsageError({ code: 'shape', argument: '--class-weights', expected: `${classes} weights (one per class)`, found: `${weights.length} (${found})` });
  }
}

/**
 * The weights `--class-weights` stands for, one per class: the given ones,
 * or for `balanced` n / (K · n_c) from the class counts of the training
 * rows (scikit-learn's `class_weight='balanced'`), so every class weighs
 * as much in the loss as the others.
 * @param counts the training rows of each class.
 * @param classes the class labels, in the same order (for the error).
 * @throws UsageError for `balanced` when a class has no training row.
 */
export function classWeightsOf(weights: 'balanced' | number[], counts: readonly number[], classes: readonly string[]): number[] {
  if (weights !== 'balanced') return weights;
  const rows = counts.reduce((a, b) => a + b, 0);
  const empty = counts.findIndex((n) => n === 0);
  if (empty >= 0) {
    throw new UsageError({ code: 'empty', argument: '--class-weights', expected: 'training rows of every class for balanced', found: `none of class ${JSON.stringify(classes[empty])}` });
  }
  return counts.map((n) => rows / (counts.length * n));
}

/** The optimizer options the recipe sets (the optimizer's defaults for the others). */
export function optimizerOptions(recipe: Recipe): { lr?: number; momentum?: number; weightDecay?: number } {
  return {
    ...(recipe.lr === undefined ? {} : { lr: recipe.lr }),
    ...(recipe.momentum === undefined ? {} : { momentum: recipe.momentum }),
    ...(recipe.weightDecay === undefined ? {} : { weightDecay: recipe.weightDecay }),
  };
}

/** The recipe as JSON for `training.settings` (undefined settings left out). */
export function recipeToJSON(recipe: ResolvedRecipe): JsonObject {
  return JSON.parse(JSON.stringify(recipe)) as JsonObject;
}
