/**
 * From settings and a data table to a running {@link TrainingSession}:
 * split, scale, build the network, pick the loss. Pure library calls and
 * no DOM, so the worker runs it and a Node test holds it to the CLI's
 * weights (`glassnet train` with the same recipe).
 */
import {
  LOSS_RECORDS, TrainingSession, articleNetwork, checkLoss, defaultLoss, fitScaler, isClassificationLoss, matrixFromRows, matrixToRows, outputColumns, targetsForLoss, modelFromJSON, networkFrom, scalerFromJSON, trainTestSplit,
  type ActivationName, type Dataset, type LoadedModel, type LossName, type Scaler, type Sequential, type Table,
} from 'glassnet';
import { UI, type Origin } from './i18n/index.js';
import { AUTO, type Settings } from './settings.js';

/** A run ready to train, with the data as the network sees it (split and scaled). */
export interface Run {
  session: TrainingSession;
  table: Table;
  train: Dataset;
  /** Held-out rows; the training rows themselves when the test share is 0. */
  test: Dataset;
  testIsTrain: boolean;
  scaler: Scaler;
  loss: LossName;
  /** Where the initial weights came from. */
  origin: Origin;
}

/**
 * The loss `auto` stands for: a given model file's own loss, else the
 * library's default for the table (as `glassnet train`): binary
 * cross-entropy on one logit for two classes, softmax cross-entropy for
 * more, mse for regression.
 */
export function resolveLoss(settings: Settings, table: Pick<Table, 'task' | 'classes'>, given: LoadedModel | null = null): LossName {
  if (settings.loss !== AUTO) return settings.loss;
  const saved = given?.training?.loss;
  if (saved !== undefined) return checkLoss(saved, 'model file: training.loss');
  return defaultLoss(table.task === 'regression' ? 0 : table.classes?.length ?? 0);
}

/** The output activation `auto` stands for: the loss record's (sigmoid under binary cross-entropy, linear otherwise), as `glassnet train` takes it. */
export function resolveOutputActivation(settings: Settings, loss: LossName): ActivationName {
  return settings.outputActivation !== AUTO ? settings.outputActivation : LOSS_RECORDS[loss].outputActivation;
}

/** The given model file of the settings, parsed and checked by the library. */
export function givenModel(settings: Settings): LoadedModel | null {
  if (settings.model === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(settings.model);
  } catch (error) {
    throw new Error(UI[settings.lang].errors.modelNotJson((error as Error).message));
  }
  return modelFromJSON(json, { file: 'model file' });
}

/**
 * Builds the run. Every check is the library's: a data set that does not
 * fit the network, a bad option, a malformed model file all throw its
 * GlassnetError before anything trains.
 */
export function buildRun(settings: Settings, table: Table): Run {
  const given = settings.init === 'given' ? givenModel(settings) : null;
  const loss = resolveLoss(settings, table, given);
  const classification = isClassificationLoss(loss);
  const split = settings.testRatio > 0
    ? trainTestSplit(table, { testFraction: settings.testRatio, seed: settings.seed, stratify: classification && table.classes !== undefined })
    : null;
  const rawTrain: Dataset = split?.train ?? table;
  const saved = given?.preprocessing?.scaler;
  const scaler = saved !== undefined ? scalerFromJSON(saved, 'model file: preprocessing.scaler') : fitScaler(settings.scale, rawTrain.x);
  const targets = targetsFor(table, loss);
  const shape = (part: Dataset): Dataset => ({ x: scaler.transform(part.x), y: targets(part.y) });
  const train = shape(rawTrain);
  const test = split === null ? train : shape(split.test);
  const { model, origin } = network(settings, table, loss, given);
  const session = new TrainingSession(model, train, {
    loss, optimizerName: settings.optimizer, lr: settings.lr, batchSize: settings.batchSize, seed: settings.seed, l2: settings.l2,
    ...classWeightsOf(settings, given),
    schedule: { kind: settings.schedule, steps: settings.scheduleSteps, gamma: settings.gamma },
    ...(split === null ? {} : { test }),
  });
  return { session, table, train, test, testIsTrain: split === null, scaler, loss, origin };
}

/** A given model's class weights, kept while the loss is the model's own (auto): the library checks them against it. */
function classWeightsOf(settings: Settings, given: LoadedModel | null): { lossOptions?: { weight: number[] } } {
  const weights = given?.training?.['classWeights'];
  return settings.loss === AUTO && Array.isArray(weights) ? { lossOptions: { weight: weights as number[] } } : {};
}

/** Targets as the loss's outputs read them (the library's `targetsForLoss`: a binary loss's two classes become the second's 0/1). */
function targetsFor(table: Table, loss: LossName): (y: number[][]) => number[][] {
  if (table.task !== 'classification') return (y) => y;
  return (y) => matrixToRows(targetsForLoss(loss, matrixFromRows(y, table.y[0]?.length ?? 0, 'y')));
}

function network(settings: Settings, table: Table, loss: LossName, given: LoadedModel | null): { model: Sequential; origin: Origin } {
  if (settings.init === 'given') {
    if (given !== null) return { model: given.model, origin: { kind: 'file' } };
    if (settings.dataset === 'article' && settings.layers.length === 1 && settings.layers[0] === 2) {
      return { model: articleNetwork(), origin: { kind: 'article' } };
    }
    throw new Error(UI[settings.lang].errors.givenNeedsModel);
  }
  const sizes = [table.x[0]!.length, ...settings.layers, outputColumns(loss, table.y[0]!.length)];
  const model = networkFrom({
    sizes, activation: settings.activation, outputActivation: resolveOutputActivation(settings, loss), seed: settings.seed, dropout: settings.dropout,
    ...(settings.init === AUTO ? {} : { init: settings.init }),
  });
  return { model, origin: { kind: 'init', init: settings.init, seed: settings.seed } };
}
