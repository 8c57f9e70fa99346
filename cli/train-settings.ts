/**
 * The settings that fix a training run (the "recipe"): one table gives each
 * its flag, help text, default and parser. The same parsers read the flags
 * and the `training.settings` of a checkpoint, so a resumed run is checked
 * exactly as a fresh one.
 */
import type { Command } from 'commander';
import {
  ACTIVATIONS, GlassnetError, LOSSES, LOSS_RECORDS, MISSING_POLICIES, NON_NEGATIVE, OPTIMIZERS, RATE, SCALER_KINDS, SCHEDULES, UNIT, createOptimizer, defaultLoss, scheduleFrom,
  type ActivationName, type EarlyStoppingOptions, type FitOptions, type FitState, type JsonObject, type LossName, type LossOptions, type MissingPolicy, type OptimizerName, type OptimizerOptionsMap, type ScalerKind, type ScheduleSpec, type Task,
} from 'glassnet';
import type { JobFitOptions } from './train-run.js';
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
  /** Whether rows are shuffled every epoch (`--no-shuffle` makes it false). */
  shuffle?: boolean;
  /** What early stopping watches (default valLoss with validation rows, else loss). */
  monitor?: 'loss' | 'valLoss';
  /** Whether early stopping puts back the best epoch's weights (`--no-restore-best-weights` makes it false). */
  restoreBestWeights?: boolean;
  /** SGD's dampening of the gradient added to the momentum buffer. */
  dampening?: number;
  /** SGD's Nesterov momentum. */
  nesterov?: boolean;
  /** Adam's and AdamW's moment decay rates (β₁, β₂). */
  betas?: [number, number];
  /** The ε of adam, adamw, rmsprop and adagrad. */
  eps?: number;
  /** Adam's and AdamW's AMSGrad variant. */
  amsgrad?: boolean;
  /** RMSProp's smoothing constant α. */
  alpha?: number;
  /** RMSProp's centered variant. */
  centered?: boolean;
  /** Adagrad's learning-rate decay per step. */
  lrDecay?: number;
  /** Adagrad's starting sum of squared gradients. */
  initialAccumulatorValue?: number;
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
const MONITORS = ['loss', 'valLoss'] as const;

/**
 * A switch as commander gives it (true when `--nesterov` is given; false
 * when `--no-shuffle` is) or as a checkpoint saved it: `true` or `false`.
 */
function switchFlag(flag: string, text: string): boolean {
  return choiceFlag(flag, text, ['true', 'false'] as const) === 'true';
}

/** `B1,B2`: Adam's two decay rates, each in [0, 1). */
function betasFlag(text: string): [number, number] {
  const values = listFlag('--betas', text).map((t) => intervalFlag('--betas', t, RATE));
  if (values.length !== 2) throw new UsageError({ code: 'type', argument: '--betas', expected: 'two rates B1,B2, e.g. 0.9,0.999', found: JSON.stringify(text) });
  return [values[0]!, values[1]!];
}

/** An optimizer's default for one of its options, asked of the library, so the help never disagrees with it. */
function optimizerDefault(name: OptimizerName, option: string): string {
  return String(createOptimizer(name, [], { lr: 1 } as never).options[option]);
}

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

/**
 * Hidden sizes: `16,8`, or `none` (or nothing) for no hidden layer. With
 * at least one input and one output the network has this many parameters
 * at least, so sizes past the budget fail here, before any data is read.
 */
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
  shuffle: { flag: '--no-shuffle', help: 'keep the rows in file order every epoch (they are shuffled by default)', parse: (t) => switchFlag('--no-shuffle', t) },
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
  monitor: {
    flag: '--monitor <what>', help: `with --early-stopping: ${MONITORS.join('|')} (default: valLoss with --val-split, else loss)`,
    parse: (t) => choiceFlag('--monitor', t, MONITORS),
  },
  restoreBestWeights: {
    flag: '--no-restore-best-weights', help: 'with --early-stopping: keep the last weights instead of the best epoch\'s', parse: (t) => switchFlag('--no-restore-best-weights', t),
  },
  errorThreshold: {
    flag: '--error-threshold <loss>', help: 'stop once the training loss is below this',
    parse: (t) => intervalFlag('--error-threshold', t, NON_NEGATIVE),
  },
  momentum: {
    flag: '--momentum <m>', help: 'sgd, momentum, rmsprop: momentum in [0, 1) (default: 0.9 for momentum, else 0)',
    parse: (t) => intervalFlag('--momentum', t, RATE),
  },
  weightDecay: {
    flag: '--weight-decay <lambda>', help: "the optimizer's weight decay (decoupled for adamw; default 0, 0.01 for adamw)",
    parse: (t) => intervalFlag('--weight-decay', t, NON_NEGATIVE),
  },
  dampening: { flag: '--dampening <d>', help: `sgd, momentum: dampening in [0, 1] of the gradient added to the momentum (default ${optimizerDefault('sgd', 'dampening')})`, parse: (t) => intervalFlag('--dampening', t, UNIT) },
  nesterov: { flag: '--nesterov', help: 'sgd, momentum: Nesterov momentum (needs a momentum and no dampening)', parse: (t) => switchFlag('--nesterov', t) },
  betas: { flag: '--betas <b1,b2>', help: `adam, adamw: decay rates of the moment averages, each in [0, 1) (default ${optimizerDefault('adam', 'betas')})`, parse: betasFlag },
  eps: {
    flag: '--eps <epsilon>', help: `adam, adamw, rmsprop, adagrad: the ε added to the denominator (default ${optimizerDefault('adam', 'eps')}, ${optimizerDefault('adagrad', 'eps')} for adagrad)`,
    parse: (t) => intervalFlag('--eps', t, NON_NEGATIVE),
  },
  amsgrad: { flag: '--amsgrad', help: 'adam, adamw: the AMSGrad variant (the running maximum of the second moment)', parse: (t) => switchFlag('--amsgrad', t) },
  alpha: { flag: '--alpha <a>', help: `rmsprop: smoothing constant in [0, 1] of the squared gradients (default ${optimizerDefault('rmsprop', 'alpha')})`, parse: (t) => intervalFlag('--alpha', t, UNIT) },
  centered: { flag: '--centered', help: 'rmsprop: divide by the centered (variance) estimate', parse: (t) => switchFlag('--centered', t) },
  lrDecay: { flag: '--lr-decay <k>', help: `adagrad: learning-rate decay per step (default ${optimizerDefault('adagrad', 'lrDecay')})`, parse: (t) => intervalFlag('--lr-decay', t, NON_NEGATIVE) },
  initialAccumulatorValue: {
    flag: '--initial-accumulator-value <v>', help: `adagrad: starting sum of squared gradients (default ${optimizerDefault('adagrad', 'initialAccumulatorValue')})`, parse: (t) => intervalFlag('--initial-accumulator-value', t, NON_NEGATIVE),
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

/** The recipe settings whose values have type `T`. */
type SettingOf<T> = { [K in keyof Recipe]-?: NonNullable<Recipe[K]> extends T ? K : never }[keyof Recipe];

/**
 * Every option of every optimizer and the recipe setting (so the flag)
 * that sets it. The keys are the library's option types', so an optimizer
 * option without a flag is a compile error.
 */
export const OPTIMIZER_SETTINGS: { [N in OptimizerName]: { [K in keyof Required<OptimizerOptionsMap[N]>]: SettingOf<NonNullable<OptimizerOptionsMap[N][K]>> } } = {
  sgd: { lr: 'lr', momentum: 'momentum', dampening: 'dampening', weightDecay: 'weightDecay', nesterov: 'nesterov' },
  momentum: { lr: 'lr', momentum: 'momentum', dampening: 'dampening', weightDecay: 'weightDecay', nesterov: 'nesterov' },
  adam: { lr: 'lr', betas: 'betas', eps: 'eps', weightDecay: 'weightDecay', amsgrad: 'amsgrad' },
  adamw: { lr: 'lr', betas: 'betas', eps: 'eps', weightDecay: 'weightDecay', amsgrad: 'amsgrad' },
  rmsprop: { lr: 'lr', alpha: 'alpha', eps: 'eps', momentum: 'momentum', centered: 'centered', weightDecay: 'weightDecay' },
  adagrad: { lr: 'lr', lrDecay: 'lrDecay', eps: 'eps', weightDecay: 'weightDecay', initialAccumulatorValue: 'initialAccumulatorValue' },
};

/** How `glassnet train` reaches a library option: the flag that sets it, or why no flag does. */
export type Reach = { flag: `--${string}` } | { none: string };

const CALLBACK = 'a callback: the CLI\'s progress lines, checkpoints and Ctrl-C use it';

/** Every option of `fit` and its flag: an option added to FitOptions without one is a compile error. */
export const FIT_OPTION_FLAGS: Record<keyof FitOptions, Reach> = {
  loss: { flag: '--loss' },
  lossOptions: { flag: '--class-weights' },
  lr: { flag: '--lr' },
  optimizer: { flag: '--optimizer' },
  epochs: { flag: '--epochs' },
  maxSteps: { flag: '--max-steps' },
  batchSize: { flag: '--batch-size' },
  shuffle: { flag: '--no-shuffle' },
  seed: { flag: '--seed' },
  errorThreshold: { flag: '--error-threshold' },
  timeLimit: { flag: '--time-limit' },
  validationSplit: { flag: '--val-split' },
  validationData: { none: 'the CLI holds out the --val-split rows itself (scaled with the training statistics) and passes them as validationData' },
  earlyStopping: { flag: '--early-stopping' },
  l2: { flag: '--l2' },
  schedule: { flag: '--schedule' },
  threads: { flag: '--threads' },
  clipNorm: { flag: '--clip-norm' },
  resume: { flag: '--resume' },
  onCheckpoint: { flag: '--checkpoint' },
  checkpointEvery: { flag: '--checkpoint-every' },
  onBatchEnd: { none: CALLBACK },
  onEpochEnd: { none: CALLBACK },
};

/** Every early-stopping option and its flag. */
export const EARLY_STOPPING_FLAGS: Record<keyof EarlyStoppingOptions, Reach> = {
  patience: { flag: '--early-stopping' },
  minDelta: { flag: '--min-delta' },
  monitor: { flag: '--monitor' },
  restoreBestWeights: { flag: '--no-restore-best-weights' },
};

/** Every loss option and its flag. */
export const LOSS_OPTION_FLAGS: Record<keyof LossOptions, Reach> = {
  weight: { flag: '--class-weights' },
  // A δ the command trained with must also reach evaluate, and model files do not store loss options yet.
  delta: { none: "Huber's δ stays at its default, 1, until model files store the loss options that evaluate must use too" },
};

/** The settings that only mean something with `--early-stopping`. */
const EARLY_STOPPING_SETTINGS = ['minDelta', 'monitor', 'restoreBestWeights'] as const satisfies readonly (keyof Recipe)[];

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
  return build((key) => {
    const value = flags[key];
    return typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : undefined;
  }, (_key, error) => error);
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
 * The checks of a fresh run's settings that do not depend on the data: the
 * command runs them before reading any file, and {@link resolveRecipe} again.
 */
export function checkRecipe(recipe: Recipe): void {
  if (recipe.lr === undefined && (recipe.optimizer === 'sgd' || recipe.optimizer === 'momentum')) {
    throw new UsageError({ code: 'range', argument: '--lr', expected: `a learning rate for ${recipe.optimizer} (it has no default)`, found: 'none' });
  }
  checkOptimizerSettings(recipe);
  const earlyStoppingOnly = EARLY_STOPPING_SETTINGS.find((key) => recipe[key] !== undefined && recipe[key] !== true);
  if (earlyStoppingOnly !== undefined && recipe.earlyStopping === undefined) {
    throw new UsageError({ code: 'state', argument: flagName(earlyStoppingOnly), expected: 'together with --early-stopping', found: 'it alone' });
  }
  if (recipe.monitor === 'valLoss' && recipe.valSplit === 0) {
    throw new UsageError({ code: 'state', argument: '--monitor', expected: 'loss, or --val-split for valLoss', found: '"valLoss" without validation rows' });
  }
}

/**
 * Settles the loss and output activation from the task and the number of
 * classes (0 for regression), and checks that the settings fit it and
 * each other.
 */
export function resolveRecipe(recipe: Recipe, task: Task, classes: number): ResolvedRecipe {
  const loss = recipe.loss ?? defaultLoss(task === 'regression' ? 0 : classes);
  if (task === 'regression' && LOSS_RECORDS[loss].task !== 'regression') {
    const regression = LOSSES.filter((name) => LOSS_RECORDS[name].task === 'regression');
    throw new UsageError({ code: 'state', argument: '--loss', expected: `${regression.join(', ')} for a regression target`, found: JSON.stringify(loss) });
  }
  if (recipe.classWeights !== undefined) checkClassWeights(recipe.classWeights, loss, classes);
  checkRecipe(recipe);
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
  if (weights !== 'balanced' && !weights.some((w) => w > 0)) {
    throw new UsageError({ code: 'range', argument: '--class-weights', expected: 'weights not all 0 (all 0 would weigh every row out of the loss)', found });
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

/** The optimizer options the recipe sets, by {@link OPTIMIZER_SETTINGS} (the optimizer's defaults for the others). */
export function optimizerOptions(recipe: Recipe): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [option, key] of Object.entries(OPTIMIZER_SETTINGS[recipe.optimizer]) as [string, keyof Recipe][]) {
    if (recipe[key] !== undefined) options[option] = recipe[key];
  }
  return options;
}

/**
 * An optimizer setting given for an optimizer without that option is an
 * error, and the optimizer's own checks (Nesterov needs a momentum and no
 * dampening, ...) run before any data is read, naming the flag.
 */
function checkOptimizerSettings(recipe: Recipe): void {
  const own = OPTIMIZER_SETTINGS[recipe.optimizer] as Record<string, keyof Recipe>;
  for (const key of new Set(OPTIMIZERS.flatMap((name) => Object.values(OPTIMIZER_SETTINGS[name]) as (keyof Recipe)[]))) {
    if (recipe[key] === undefined || Object.values(own).includes(key)) continue;
    const takers = OPTIMIZERS.filter((name) => (Object.values(OPTIMIZER_SETTINGS[name]) as (keyof Recipe)[]).includes(key));
    throw new UsageError({
      code: 'state', argument: flagName(key), expected: `--optimizer ${takers.join(', ')} (${recipe.optimizer} has no ${flagName(key).slice(2)})`, found: JSON.stringify(recipe[key]),
    });
  }
  try {
    createOptimizer(recipe.optimizer, [], optimizerOptions(recipe) as never);
  } catch (error) {
    if (!(error instanceof GlassnetError)) throw error;
    const key = own[/^options\.(\w+)/.exec(error.argument)?.[1] ?? ''];
    throw new UsageError({ code: error.code, argument: key === undefined ? '--optimizer' : flagName(key), expected: error.expected, found: error.found, cause: error });
  }
}

/** The run's own settings that fit takes besides the recipe's. */
export interface RunSettings {
  epochs: number;
  threads: number | 'auto';
  timeLimit?: number;
  /** The state of a resumed run. */
  resume?: FitState;
  /** The loss's per-class weights (`--class-weights`, resolved on the training rows). */
  classWeights?: number[];
}

/** The fit options of a run: every one a flag sets (see {@link FIT_OPTION_FLAGS}), for the training worker. */
export function fitOptions(recipe: ResolvedRecipe, run: RunSettings): JobFitOptions {
  return {
    loss: recipe.loss, epochs: run.epochs, batchSize: recipe.batchSize, seed: recipe.seed, l2: recipe.l2, threads: run.threads,
    ...(run.classWeights === undefined ? {} : { lossOptions: { weight: run.classWeights } }),
    // fit shuffles by default whenever batches are smaller than the data; only the opt-out is passed.
    ...(recipe.shuffle === false ? { shuffle: false } : {}),
    ...(recipe.earlyStopping === undefined ? {} : {
      earlyStopping: {
        patience: recipe.earlyStopping,
        ...(recipe.minDelta === undefined ? {} : { minDelta: recipe.minDelta }),
        ...(recipe.monitor === undefined ? {} : { monitor: recipe.monitor }),
        ...(recipe.restoreBestWeights === false ? { restoreBestWeights: false } : {}),
      },
    }),
    ...(recipe.clipNorm === undefined ? {} : { clipNorm: recipe.clipNorm }),
    ...(recipe.maxSteps === undefined ? {} : { maxSteps: recipe.maxSteps }),
    ...(recipe.schedule === undefined ? {} : { schedule: recipe.schedule }),
    ...(recipe.errorThreshold === undefined ? {} : { errorThreshold: recipe.errorThreshold }),
    ...(run.timeLimit === undefined ? {} : { timeLimit: run.timeLimit }),
    ...(run.resume === undefined ? {} : { resume: run.resume }),
  };
}

/** The recipe as JSON for `training.settings` (undefined settings left out). */
export function recipeToJSON(recipe: ResolvedRecipe): JsonObject {
  return JSON.parse(JSON.stringify(recipe)) as JsonObject;
}
