import { Command } from 'commander';
import pc from 'picocolors';
import {
  Dense, Sequential, Tensor, forwardRows, networkFrom, createOptimizer, encodingFromJSON, evaluate, evaluateOutputs, fitScaler, formatModelFile, matrixToRows, modelFromJSON, modelToJSON,
  applyFill, fillMissing, outputColumns, targetsForLoss, regressionReport, scalerFromJSON, splitMatrices,
  type DType, type Evaluation, type Flat, type FitState, type JsonObject, type Matrix, type Optimizer, type Preprocessing, type RegressionReport, type Scaler, type Table, type TrainingInfo,
} from 'glassnet';
import { BACKENDS } from 'glassnet/backend';
import { loadModel } from 'glassnet/node';
import { CHECKPOINT_SECONDS, checkResumeData, dataFingerprint, readCheckpoint } from '../checkpoint.js';
import { loadMatrices } from '../data-source.js';
import { safeText } from '../paint.js';
import { checkPaths, named } from '../paths.js';
import { MAX_PARAMETERS, checkBudget, choiceFlag, integerFlag, parameterCount, positiveFlag, threadsFlag } from '../flags.js';
import { REDRAW_MS, createProgress, epochFigures, type Colors, type ProgressMode } from '../progress.js';
import { fixed, writeReport, type ReportData } from '../report.js';
import { runTraining, shared, sharedTensor, writeOrKeep, type RunOutcome, type SharedSamples } from '../train-run.js';
import {
  addRecipeOptions, checkRecipe, checkResumeFlags, classWeightsOf, fitOptions, optimizerOptions, recipeFromCheckpoint, recipeFromFlags, recipeToJSON, resolveRecipe, type ResolvedRecipe,
} from '../train-settings.js';

/** Flags that shape this invocation but not what the run computes. */
interface RunFlags {
  epochs?: string;
  timeLimit?: string;
  out?: string;
  checkpoint?: string;
  checkpointEvery?: string;
  forceResume?: boolean;
  resume?: string;
  report?: string;
  quiet?: boolean;
  json?: boolean;
  threads?: string;
  backend?: string;
}

/** `glassnet train DATA`: trains a network on a data file or built-in set. */
export function trainCommand(): Command {
  const command = new Command('train')
    .description('train a network on a .csv/.json file or a built-in set (iris, digits, xor, circles, spirals, gaussians; NAME:COUNT for a size)')
    .argument('<data>', 'data file or built-in set');
  addRecipeOptions(command)
    .option('--epochs <n>', 'epochs to train up to, counting resumed ones (default: 100, or the checkpoint\'s)')
    .option('--time-limit <seconds>', 'stop after the batch during which this much time has passed')
    .option('--out <file>', 'save the trained model here (written atomically)')
    .option('--checkpoint <file>', `save model, optimizer and run state here, atomically, at most every ${CHECKPOINT_SECONDS} s and at the end`)
    .option('--checkpoint-every <n>', 'instead: a checkpoint every n epochs')
    .option('--resume <file>', 'continue the run saved in this checkpoint (its settings are used; the data must be the same)')
    .option('--force-resume', 'resume even when the data differs from the checkpoint\'s')
    .option('--report <file>', 'write an HTML report: loss and accuracy curves, confusion matrix')
    .option('--threads <n>', 'threads for large products, counting the main one: auto (every core when a batch is large enough) or a number; results are the same bits on any count', 'auto')
    .option('--backend <name>', `kernels to train on: ${BACKENDS.join('|')} (default: wasm, or js-fast without WebAssembly SIMD)`)
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print one JSON object with the outcome, and no progress')
    .addHelpText('after', TRAIN_HELP)
    .action((data: string, _flags: unknown, cmd: Command) => train(data, cmd));
  return command;
}

const TRAIN_HELP = `
A CSV file has one row per sample and a header row naming the columns (comma,
semicolon or tab separated; fields may be quoted). The target is the last column
unless --target names it; every other column is a feature. Text columns become
one input per category. Empty cells, NA, NaN and ? are missing: they are an
error unless --missing says what to do. The task follows the target: text labels
or at most 10 distinct whole numbers are classes, other numbers a regression.

Examples:
  glassnet train iris --epochs 50 --out iris.json
  glassnet train houses.csv --target price --val-split 0.2 --report report.html --out price.json
  glassnet train survey.csv --missing median --task classification --layers 32,16
  glassnet train data.csv --target a,b --optimizer sgd --lr 0.01 --epochs 500
  glassnet train big.csv --optimizer momentum --lr 0.05 --schedule cosineAnnealing,steps=20000 --clip-norm 1
`;

/** What the table says about the data, once its numbers have moved into the parts. */
type TableInfo = Omit<Table, 'x' | 'y'> & { rows: number };

/**
 * Scaled inputs, in the model's dtype on shared memory (the worker trains
 * on them in place), and targets in the outputs' shape, kept in float64 for
 * the regression figures in target units.
 */
interface Part {
  x: Tensor;
  y: Matrix;
}

/** A run's model, data and state, before training. */
interface Setup {
  /** DATA as the user typed it. */
  source: string;
  recipe: ResolvedRecipe;
  table: TableInfo;
  train: Part;
  validation?: Part;
  scaler: Scaler;
  /** Regression targets' scaling (identity for classification). */
  targetScaler: Scaler;
  model: Sequential;
  optimizer: Optimizer;
  preprocessing: Preprocessing;
  /** The data's fingerprint, taken as loaded (prepare scales the rows in place), for resume to check. */
  data: JsonObject;
  resume?: FitState;
  /** The epoch count a resumed run was heading for. */
  plannedEpochs?: number;
  /** The loss's per-class weights (`--class-weights`, resolved on the training rows). */
  classWeights?: number[];
}

async function train(source: string, cmd: Command): Promise<void> {
  const flags = cmd.opts<RunFlags & Record<string, unknown>>();
  // Every flag is checked before any file is read (a resumed run's settings are the checkpoint's).
  const fromFlags = recipeFromFlags(flags);
  if (flags.resume === undefined) checkRecipe(fromFlags);
  const givenEpochs = flags.epochs === undefined ? undefined : integerFlag('--epochs', flags.epochs, 1);
  const checkpointEvery = flags.checkpointEvery === undefined ? undefined : integerFlag('--checkpoint-every', flags.checkpointEvery, 1);
  const timeLimit = flags.timeLimit === undefined ? undefined : positiveFlag('--time-limit', flags.timeLimit);
  const threads = threadsFlag('--threads', flags.threads ?? 'auto');
  const backend = flags.backend === undefined ? undefined : choiceFlag('--backend', flags.backend, BACKENDS);
  await checkPaths({
    inputs: named([['DATA', source], ['--resume', flags.resume]]),
    outputs: named([['--out', flags.out], ['--checkpoint', flags.checkpoint], ['--report', flags.report]]),
    mayReplace: [['--checkpoint', '--resume']],
  });
  const setup = flags.resume === undefined ? await freshSetup(source, flags) : await resumedSetup(source, flags.resume, cmd, flags.forceResume === true);
  const epochs = givenEpochs ?? setup.plannedEpochs ?? 100;
  const { recipe } = setup;
  const tty = process.stdout.isTTY === true;
  const colors: Colors = pc.createColors(tty && pc.isColorSupported);
  const say = flags.quiet === true || flags.json === true ? null : (line: string) => process.stdout.write(`${line}\n`);
  say?.(describeRun(setup, source, colors));
  const mode: ProgressMode = say === null ? 'off' : tty ? 'bar' : 'lines';
  const training: TrainingInfo = {
    loss: recipe.loss, optimizer: { name: recipe.optimizer, ...setup.optimizer.getState().options }, seed: recipe.seed, plannedEpochs: epochs, settings: recipeToJSON(recipe),
    data: setup.data, ...(setup.classWeights === undefined ? {} : { classWeights: setup.classWeights }),
  };
  const outcome = await runTraining({
    model: modelToJSON(setup.model),
    optimizer: setup.optimizer.getState(),
    fit: fitOptions(recipe, {
      epochs, threads, ...(timeLimit === undefined ? {} : { timeLimit }), ...(setup.resume === undefined ? {} : { resume: setup.resume }),
      ...(setup.classWeights === undefined ? {} : { classWeights: setup.classWeights }),
    }),
    ...(backend === undefined ? {} : { backend }),
    train: sharedSamples(setup.train, setup.model.dtype),
    ...(setup.validation === undefined ? {} : { validation: sharedSamples(setup.validation, setup.model.dtype) }),
    ...(flags.checkpoint === undefined ? {} : {
      checkpoint: { ...(checkpointEvery === undefined ? {} : { every: checkpointEvery }), seconds: CHECKPOINT_SECONDS, preprocessing: setup.preprocessing, training },
    }),
    batchInterval: mode === 'bar' ? REDRAW_MS : null,
    spreads: flags.report !== undefined,
  }, createProgress(mode, { totalEpochs: epochs, batchesPerEpoch: Math.ceil(setup.train.x.rows / Math.min(recipe.batchSize, setup.train.x.rows)) }, process.stdout, colors), flags.checkpoint);

  if (outcome.interrupted !== undefined) {
    const { epoch, batch } = outcome.interrupted;
    const kept = outcome.checkpointEpoch !== undefined ? `the checkpoint ${flags.checkpoint} holds epoch ${outcome.checkpointEpoch}`
      : flags.checkpoint !== undefined ? `no checkpoint was written yet; ${flags.checkpoint} is unchanged` : 'nothing was saved (use --checkpoint FILE)';
    process.stderr.write(`glassnet: interrupted at epoch ${epoch}, batch ${batch}; ${kept}\n`);
    process.exitCode = 130;
    return;
  }
  await finish(setup, outcome, training, flags, say, colors);
}

/** Saves, reports and prints what a finished run produced. */
async function finish(setup: Setup, outcome: RunOutcome, training: TrainingInfo, flags: RunFlags, say: ((line: string) => void) | null, colors: Colors): Promise<void> {
  const { result } = outcome;
  const { model } = modelFromJSON(outcome.model);
  const { final, fitQuality } = finalFigures(setup, model);
  const metrics: Record<string, number> = { loss: final.loss };
  if (final.classification !== undefined) metrics['accuracy'] = final.classification.accuracy;
  if (result.validation !== undefined) {
    metrics['valLoss'] = result.validation.loss;
    if (result.validation.classification !== undefined) metrics['valAccuracy'] = result.validation.classification.accuracy;
  }
  if (fitQuality !== undefined) Object.assign(metrics, regressionMetrics(fitQuality.train, ''), fitQuality.validation === undefined ? {} : regressionMetrics(fitQuality.validation, 'val'));
  const seconds = result.history.at(-1)?.seconds ?? 0;
  if (flags.out !== undefined) {
    const extras = {
      preprocessing: setup.preprocessing,
      training: {
        ...training, epochs: result.epochs, steps: result.steps, metrics, date: new Date().toISOString(), stoppedBy: result.stoppedBy,
        ...(result.bestEpoch === undefined ? {} : { bestEpoch: result.bestEpoch }),
      },
    };
    await writeOrKeep(flags.out, formatModelFile(modelToJSON(model, extras)), 'the trained model');
  }
  if (flags.report !== undefined) {
    const confusion = result.validation?.classification ?? final.classification;
    await writeReport(flags.report, {
      title: `glassnet training report`,
      run: [
        ['data', setup.source], ['date', new Date().toISOString()], ['duration', `${seconds.toFixed(2)} s`], ['seed', String(setup.recipe.seed)],
        ['command', `glassnet ${process.argv.slice(2).join(' ')}`],
        ...(setup.table.taskReason === undefined ? [] : [['task', `${setup.table.task}: ${setup.table.taskReason}`] as [string, string]]),
      ],
      model: model.summary(),
      summary: [
        ['model', architecture(setup)],
        ['loss', lossText(setup)],
        ['optimizer', optimizerText(setup)],
        ['epochs', `${result.epochs} (${result.steps} steps), stopped by ${result.stoppedBy}`],
        ...Object.entries(metrics).map(([name, value]): [string, string] => [name, typeof value === 'number' ? fixed(value) : String(value)]),
      ],
      history: result.history,
      spreads: { layers: denseLayerNames(model), samples: outcome.spreads },
      ...(fitQuality === undefined ? {} : { regression: regressionSection(setup, fitQuality) }),
      ...(confusion === undefined || setup.table.classes === undefined ? {} : {
        classification: { classes: setup.table.classes, report: confusion, on: result.validation === undefined ? 'training' : 'validation' },
      }),
    });
  }
  if (flags.json === true) {
    const summary: JsonObject = {
      epochs: result.epochs, steps: result.steps, stoppedBy: result.stoppedBy, seconds, ...metrics,
      samples: { train: setup.train.x.rows, validation: setup.validation?.x.rows ?? 0 },
      ...(result.bestEpoch === undefined ? {} : { bestEpoch: result.bestEpoch }),
      ...(flags.out === undefined ? {} : { out: flags.out }),
      ...(outcome.checkpointEpoch === undefined ? {} : { checkpoint: flags.checkpoint!, checkpointEpoch: outcome.checkpointEpoch }),
      ...(flags.report === undefined ? {} : { report: flags.report }),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const worse = fitQuality === undefined ? undefined : (fitQuality.validation ?? fitQuality.train).report;
  if (worse?.worseThanBaseline === true) {
    const on = fitQuality!.validation === undefined ? 'training' : 'validation';
    process.stderr.write(`glassnet: warning: on the ${on} rows the model does worse than predicting the training mean `
      + `(RMSE ${fixed(worse.rmse)} vs ${fixed(worse.baseline.rmse)}, R² ${worse.r2.toFixed(3)}); train longer, change --lr or --layers, or check --scale and --scale-target\n`);
  }
  if (say === null) return;
  const last = result.history.at(-1);
  say(`stopped by ${result.stoppedBy} after ${result.epochs} epochs (${result.steps} steps, ${seconds.toFixed(1)} s)${result.bestEpoch === undefined || setup.recipe.restoreBestWeights === false ? '' : `; weights of epoch ${result.bestEpoch} restored`}`);
  if (last !== undefined) say(`final: ${epochFigures({ ...last, ...metrics }, colors)}`);
  if (fitQuality !== undefined) {
    for (const [on, part] of [['training', fitQuality.train], ['validation', fitQuality.validation]] as const) {
      if (part !== undefined) say(`${on}: ${regressionLine(part.report)}`);
    }
  }
  if (flags.out !== undefined) say(`saved ${colors.bold(flags.out)}`);
  if (flags.checkpoint !== undefined) say(`checkpoint ${flags.checkpoint}: epoch ${outcome.checkpointEpoch ?? 'none'}`);
  if (flags.report !== undefined) say(`report ${flags.report}`);
}

/** A new run from the flags. */
async function freshSetup(source: string, flags: Record<string, unknown>): Promise<Setup> {
  const fromFlags = recipeFromFlags(flags);
  const progress = loadingProgress(source, flags['quiet'] === true || flags['json'] === true);
  const table = await loadMatrices(source, {
    task: fromFlags.task, missing: fromFlags.missing, delimiter: fromFlags.delimiter,
    names: { target: '--target', features: '--features' },
    ...(progress === undefined ? {} : { onProgress: progress.update }),
    ...(fromFlags.target === undefined ? {} : { target: fromFlags.target }),
    ...(fromFlags.features === undefined ? {} : { features: fromFlags.features }),
  });
  progress?.done();
  const data = dataFingerprint(table);
  const recipe = resolveRecipe(fromFlags, table.task, table.classes?.length ?? 0);
  const outputs = outputSize(table, recipe);
  const model = network(table.x.cols, outputs, recipe);
  const { info, train, validation, scaler, targetScaler } = prepare(table, recipe, null, model.dtype);
  const optimizer = createOptimizer(recipe.optimizer, model.parameters(), optimizerOptions(recipe) as never);
  const classWeights = weightsOf(recipe, info, train);
  return {
    source, recipe, table: info, train, ...(validation === undefined ? {} : { validation }), scaler, targetScaler, model, optimizer, data,
    preprocessing: preprocessingOf(info, recipe, scaler, targetScaler), ...(classWeights === undefined ? {} : { classWeights }),
  };
}

/** `reading data.csv: columns 40%` on a terminal's stderr while a CSV file loads, erased when done. */
function loadingProgress(source: string, silent: boolean): { update: (pass: 1 | 2, fraction: number) => void; done: () => void } | undefined {
  if (silent || process.stderr.isTTY !== true) return undefined;
  let shown = '';
  return {
    update: (pass, fraction) => {
      const text = `reading ${source}: ${pass === 1 ? 'columns' : 'numbers'} ${Math.floor(fraction * 100)}%`;
      if (text !== shown) process.stderr.write(`\r${text}\x1b[K`);
      shown = text;
    },
    done: () => {
      if (shown !== '') process.stderr.write('\r\x1b[K');
    },
  };
}

/** A run continued from a checkpoint, whose settings rule. */
async function resumedSetup(source: string, path: string, cmd: Command, force: boolean): Promise<Setup> {
  const loaded = await loadModel(path);
  const { state, settings } = readCheckpoint(loaded, path);
  const recipe = recipeFromCheckpoint(settings, path);
  checkResumeFlags(cmd, recipeFromFlags(cmd.opts()), recipe, path);
  const preprocessing = loaded.preprocessing ?? {};
  const classes = preprocessing.classes?.map(String);
  const table = await loadMatrices(source, {
    task: recipe.task,
    // Checkpoints from before these settings existed read CSV files as they did then.
    missing: recipe.missing ?? 'error', delimiter: recipe.delimiter ?? ',',
    ...(recipe.target === undefined ? {} : { target: recipe.target }),
    ...(recipe.features === undefined ? {} : { features: recipe.features }),
    ...(classes === undefined ? {} : { classes }),
    ...(preprocessing.encoding === undefined ? {} : { encoding: encodingFromJSON(preprocessing.encoding, `${path}: preprocessing.encoding`) }),
  });
  const data = dataFingerprint(table);
  checkResumeData(loaded.training?.['data'], data, path, force);
  const scaler = scalerFromJSON(preprocessing.scaler ?? { kind: 'none' }, `${path}: preprocessing.scaler`);
  const targetScaler = scalerFromJSON(preprocessing.targetScaler ?? { kind: 'none' }, `${path}: preprocessing.targetScaler`);
  const { info, train, validation } = prepare(table, recipe, { scaler, targetScaler }, loaded.model.dtype);
  const optimizer = createOptimizer(state.optimizer.kind, loaded.model.parameters(), state.optimizer.options as never);
  optimizer.setState(state.optimizer);
  const planned = loaded.training?.['plannedEpochs'];
  const classWeights = weightsOf(recipe, info, train);
  return {
    source, recipe, table: info, train, ...(validation === undefined ? {} : { validation }), scaler, targetScaler, model: loaded.model, optimizer, preprocessing, data, resume: state.fit,
    ...(typeof planned === 'number' ? { plannedEpochs: planned } : {}), ...(classWeights === undefined ? {} : { classWeights }),
  };
}

/** `--class-weights` resolved on the training rows (one-hot, a column per class: checkClassWeights refused the rest). */
function weightsOf(recipe: ResolvedRecipe, table: TableInfo, train: Part): number[] | undefined {
  if (recipe.classWeights === undefined) return undefined;
  const { rows, cols, data } = train.y;
  const counts = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows * cols; i++) counts[i % cols]! += data[i]!;
  return classWeightsOf(recipe.classWeights, counts, table.classes ?? []);
}

/** The fit and evaluate options the class weights add. */
function lossOptionsOf(setup: Pick<Setup, 'classWeights'>): { lossOptions?: { weight: number[] } } {
  return setup.classWeights === undefined ? {} : { lossOptions: { weight: setup.classWeights } };
}

/** The loss as the run describes it: `softmaxCrossEntropy (class weights 1, 3)`. */
function lossText(setup: Setup): string {
  return setup.classWeights === undefined ? setup.recipe.loss : `${setup.recipe.loss} (class weights ${setup.classWeights.map((w) => Number(w.toPrecision(4))).join(', ')})`;
}

/** One output per class, except one output (a probability or a logit) for two classes under a binary cross-entropy. */
function outputSize(table: Flat<Table>, recipe: ResolvedRecipe): number {
  return outputColumns(recipe.loss, table.y.cols);
}

/**
 * Splits off validation rows (seeded; stratified for classes), fits the
 * scalers on the training rows only (unless given, when resuming) and
 * shapes the targets as the outputs: regression targets are scaled (by
 * default standardised, so the loss does not depend on the target's units
 * and the output layer starts near the right range).
 */
function prepare(
  table: Flat<Table>, recipe: ResolvedRecipe, given: { scaler: Scaler; targetScaler: Scaler } | null, dtype: DType,
): { info: TableInfo; train: Part; validation?: Part; scaler: Scaler; targetScaler: Scaler } {
  const { x: _x, y: _y, ...rest } = table;
  const info: TableInfo = { ...rest, rows: table.x.rows };
  const split = recipe.valSplit > 0
    ? splitMatrices(table, { testFraction: recipe.valSplit, seed: recipe.seed, stratify: table.task === 'classification' })
    : { train: table, test: undefined };
  // Fill values come from the training rows only (a fresh run), or from the checkpoint's encoding (a resumed one).
  const others = split.test === undefined ? [] : [split.test.x];
  if (table.encoding !== undefined && (recipe.missing === 'mean' || recipe.missing === 'median')) {
    if (given === null) {
      const { encoding, filled } = fillMissing(table.encoding, recipe.missing, split.train.x, others);
      Object.assign(info, { encoding, filledCells: filled });
    } else {
      applyFill(table.encoding, [split.train.x, ...others]);
    }
  }
  const scaler = given?.scaler ?? fitScaler(recipe.scale, split.train.x);
  const regression = table.task === 'regression';
  const targetScaler = given?.targetScaler ?? fitScaler(regression ? recipe.scaleTarget ?? 'none' : 'none', split.train.y);
  // The loaded numbers are this run's own, so they are scaled in place, then copied once into the model's dtype.
  const shape = (part: Flat<Table>): Part => {
    scaler.transformInPlace(part.x);
    if (regression) targetScaler.transformInPlace(part.y);
    return { x: sharedTensor(part.x, dtype, true), y: regression ? part.y : targetsForLoss(recipe.loss, part.y) };
  };
  return { info, train: shape(split.train), ...(split.test === undefined ? {} : { validation: shape(split.test) }), scaler, targetScaler };
}

/** A part's samples for the worker: the inputs as they are, the targets copied into shared memory in the model's dtype. */
function sharedSamples(part: Part, dtype: DType): SharedSamples {
  return { x: shared(part.x), y: shared(sharedTensor(part.y, dtype)) };
}

/** A float64 tensor over a matrix's numbers (no copy); `evaluate` converts it to the model's dtype. */
function matrixTensor(m: Matrix): Tensor {
  return new Tensor(m.data, [m.rows, m.cols]);
}

/** Regression quality in target units, on the training rows and the validation rows, against the training mean. */
interface RegressionFigures {
  train: { report: RegressionReport; actual: Matrix; predicted: Matrix };
  validation?: { report: RegressionReport; actual: Matrix; predicted: Matrix };
}

/** What {@link finalFigures} reads of a run's setup. */
export type FinalSetup = Pick<Setup, 'train' | 'validation' | 'targetScaler' | 'classWeights'> & { recipe: Pick<ResolvedRecipe, 'loss'>; table: Pick<TableInfo, 'task'> };

/**
 * The final loss (and accuracy) on the training rows, and for regression
 * the figures in target units: one forward pass over each part, whose
 * outputs give both the loss and the predictions.
 */
export function finalFigures(setup: FinalSetup, model: Sequential): { final: Evaluation; fitQuality?: RegressionFigures } {
  const targets = (part: Part): Tensor => model.toInput(matrixTensor(part.y), 'y', model.outputSize);
  if (setup.table.task !== 'regression') return { final: evaluate(model, setup.train.x, matrixTensor(setup.train.y), { loss: setup.recipe.loss, ...lossOptionsOf(setup) }) };
  const { targetScaler } = setup;
  // The training mean in target units: the baseline a model that learned nothing would reach.
  const trainActual = targetScaler.inverse(setup.train.y);
  const { rows, cols: width, data } = trainActual;
  const mean = Array.from({ length: width }, (_, j) => {
    let sum = 0;
    for (let i = j; i < data.length; i += width) sum += data[i]!;
    return sum / rows;
  });
  const measure = (part: Part, outputs: Tensor): RegressionFigures['train'] => {
    const actual = targetScaler.inverse(part.y);
    const predicted = targetScaler.inverse({ rows: outputs.rows, cols: outputs.cols, data: Float64Array.from(outputs.data) });
    return { report: regressionReport(predicted.data, actual.data, actual.rows, width, mean), actual, predicted };
  };
  const trainOutputs = forwardRows(model, setup.train.x);
  const final = evaluateOutputs(trainOutputs, targets(setup.train), setup.recipe.loss);
  const { validation } = setup;
  return {
    final,
    fitQuality: { train: measure(setup.train, trainOutputs), ...(validation === undefined ? {} : { validation: measure(validation, forwardRows(model, validation.x)) }) },
  };
}

/** `r2`, `rmse`, `mae` (or `valR2`, ...) for the metrics record. */
function regressionMetrics({ report }: RegressionFigures['train'], prefix: '' | 'val'): Record<string, number> {
  const name = (n: string): string => (prefix === '' ? n : `${prefix}${n[0]!.toUpperCase()}${n.slice(1)}`);
  return { [name('r2')]: report.r2, [name('rmse')]: report.rmse, [name('mae')]: report.mae, [name('baselineRmse')]: report.baseline.rmse };
}

/** One line of regression figures: `R² 0.512  RMSE 54.1  MAE 43.2  (predicting the mean: RMSE 78.3)`. */
export function regressionLine(report: RegressionReport): string {
  return `R² ${report.r2.toFixed(3)}  RMSE ${fixed(report.rmse)}  MAE ${fixed(report.mae)}  (predicting the training mean: RMSE ${fixed(report.baseline.rmse)}, R² ${report.baseline.r2.toFixed(3)})`;
}

function regressionSection(setup: Setup, figures: RegressionFigures): NonNullable<ReportData['regression']> {
  const on = figures.validation === undefined ? 'training' : 'validation';
  const part = figures.validation ?? figures.train;
  return {
    on, report: part.report, targetNames: setup.table.targetNames ?? [setup.table.targetName],
    actual: matrixToRows(part.actual), predicted: matrixToRows(part.predicted),
    ...(figures.validation === undefined ? {} : { training: figures.train.report }),
  };
}

/** Dense layers with one seeded generator (as `mlp`), and a Dropout layer after each hidden one. */
/** The network the library's `networkFrom` builds for these sizes, so the CLI, the playground and `createSession` give the same weights for one seed. */
function network(inputs: number, outputs: number, recipe: ResolvedRecipe): Sequential {
  const sizes = [inputs, ...recipe.layers, outputs];
  checkBudget('--layers', parameterCount(sizes), MAX_PARAMETERS, 'parameters');
  return networkFrom({ sizes, activation: recipe.activation, outputActivation: recipe.outputActivation, seed: recipe.seed, dropout: recipe.dropout });
}

function preprocessingOf(table: TableInfo, recipe: ResolvedRecipe, scaler: Scaler, targetScaler: Scaler): Preprocessing {
  return {
    scaler: scaler.toJSON() as unknown as JsonObject,
    featureNames: table.featureNames,
    targetName: table.targetName,
    task: table.task,
    ...(table.targetNames === undefined || table.targetNames.length < 2 ? {} : { targetNames: table.targetNames }),
    ...(table.task === 'regression' ? { targetScaler: targetScaler.toJSON() as unknown as JsonObject } : {}),
    ...(table.encoding === undefined ? {} : { encoding: table.encoding as unknown as JsonObject, missing: recipe.missing }),
    ...(table.classes === undefined ? {} : { classes: table.classes }),
  };
}

function architecture(setup: Setup): string {
  const { recipe } = setup;
  const sizes = [setup.model.inputSize, ...recipe.layers, setup.model.outputSize].join('-');
  const dropout = recipe.dropout > 0 ? `, dropout ${recipe.dropout}` : '';
  const hidden = recipe.layers.length === 0 ? '' : `${recipe.activation}, `;
  return `${sizes} (${hidden}output ${recipe.outputActivation}${dropout})`;
}

function optimizerText(setup: Setup): string {
  const l2 = setup.recipe.l2 > 0 ? `, l2 ${setup.recipe.l2}` : '';
  return `${setup.recipe.optimizer} lr ${setup.optimizer.baseLr}${l2}, batch ${setup.recipe.batchSize}`;
}

function describeRun(setup: Setup, source: string, colors: Colors): string {
  const { table } = setup;
  const targets = table.targetNames ?? [table.targetName];
  const target = table.classes === undefined ? `${targets.length === 1 ? 'target' : 'targets'} ${safeText(targets.join(', '))}` : count(table.classes.length, 'class', 'classes');
  const rows = `${setup.train.x.rows} training${setup.validation === undefined ? '' : `, ${setup.validation.x.rows} validation`}`;
  const resumed = setup.resume === undefined ? '' : `\nresuming after epoch ${setup.resume.epoch} (${setup.resume.steps} steps)`;
  // The task's reason quotes column names and values from the file: escaped.
  const why = table.taskReason === undefined ? '' : ` (${setup.recipe.task === 'auto' ? safeText(table.taskReason) : 'set by --task'}${setup.recipe.task === 'auto' ? '; --task to change' : ''})`;
  const cells = 'droppedRows' in table && 'filledCells' in table ? missingNote(table.droppedRows as number, table.filledCells as number) : '';
  return `${colors.bold(safeText(source))}: ${table.rows} rows (${rows}), ${count(table.featureNames.length, 'feature')}, ${target}${cells}\n`
    + `task ${table.task}${why}\n`
    + `model ${architecture(setup)}, ${lossText(setup)}, ${optimizerText(setup)}${resumed}`;
}

function missingNote(dropped: number, filled: number): string {
  const parts = [dropped > 0 ? `${count(dropped, 'row')} with missing cells left out` : '', filled > 0 ? `${count(filled, 'missing cell')} filled in` : ''];
  const note = parts.filter((p) => p !== '').join(', ');
  return note === '' ? '' : `; ${note}`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Each Dense layer as the report's spread plots name it: its place, its shape and its activation. */
function denseLayerNames(model: Sequential): string[] {
  return model.layers.filter((l): l is Dense => l instanceof Dense).map((l, k) => `layer ${k + 1} (${l.inputSize} → ${l.outputSize}, ${l.activation})`);
}
