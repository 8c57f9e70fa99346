/**
 * A network together with everything needed to use it on raw data: its
 * loss, the task, classes, input and target scaling and the CSV feature
 * encoding. `glassnet train` writes exactly this into a model file, and
 * {@link TrainedModel.toExtras} writes the same from the library, so a model
 * saved either way works in `glassnet evaluate` and `predict` and in code.
 */
import { GlassnetError } from '../errors.js';
import { LOSSES, checkLoss, defaultLoss, outputColumns, type LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { noGrad } from '../tensor/autograd.js';
import { softmax } from '../tensor/ops.js';
import { logistic } from '../primitives/activations.js';
import { LOSS_RECORDS } from '../primitives/losses.js';
import { Tensor, type NestedNumbers } from '../tensor/tensor.js';
import { evaluate, evaluateOutputs, forwardRows, isClassificationLoss, toSamples, type Evaluation } from '../train/evaluate.js';
import { classIndices, regressionReport } from '../train/metrics.js';
import { checkLossOptions } from '../train/trainer.js';
import { Scaler, scalerFromJSON } from '../data/scaling.js';
import type { Matrix } from '../data/matrix.js';
import { MISSING_POLICIES, encodingFromJSON, type FeatureEncoding, type MissingPolicy, type Task } from '../data/table.js';
import { checkOneOf } from '../util/checks.js';
import type { LoadedModel, ModelExtras, Preprocessing, TrainingInfo } from './modelfile.js';
import type { JsonObject } from './validate.js';

/** What a {@link TrainedModel} knows besides the network. Only `loss` is required. */
export interface TrainedModelOptions {
  /** The loss the model was trained with: it decides how outputs read as probabilities. */
  loss: LossName;
  /** Default: classification when `classes` are given or the loss is a classification loss. */
  task?: Task;
  /** Class labels in output order (two labels for one sigmoid output). Default `"0"`, `"1"`, ... for classifiers. */
  classes?: readonly string[];
  /** Input scaling applied before the network (default none). */
  scaler?: Scaler;
  /** Regression target scaling, undone on the outputs (default none). */
  targetScaler?: Scaler;
  featureNames?: readonly string[];
  /** One name per output for regression. */
  targetNames?: readonly string[];
  /** How CSV columns become inputs, from `loadTable`. */
  encoding?: FeatureEncoding;
  /** How training treated missing CSV cells. */
  missing?: MissingPolicy;
  /** Anything else to record under `training` (epochs, metrics, ...). */
  training?: TrainingInfo;
  /**
   * The loss's per-class weights in training (its `weight` option, one per
   * output column), so `evaluate` reports the loss training minimised.
   * Stored as `training.classWeights`.
   */
  classWeights?: readonly number[];
}

type Rows = NestedNumbers | Tensor;

/**
 * A trained network ready for raw data: `predict` applies the input
 * scaling and undoes the target scaling; `predictProba` and `classify`
 * read classifier outputs through the loss (softmax for
 * softmaxCrossEntropy); `evaluate` uses the model's own loss.
 */
export class TrainedModel {
  readonly loss: LossName;
  readonly task: Task;
  readonly classes: readonly string[] | undefined;
  readonly scaler: Scaler;
  readonly targetScaler: Scaler;
  readonly featureNames: readonly string[] | undefined;
  readonly targetNames: readonly string[] | undefined;
  readonly encoding: FeatureEncoding | undefined;
  readonly missing: MissingPolicy | undefined;
  readonly training: TrainingInfo;
  readonly classWeights: readonly number[] | undefined;

  /** @throws GlassnetError for an unknown loss, or classes or scalers that do not fit the model's outputs. */
  constructor(readonly model: Sequential, options: TrainedModelOptions) {
    this.loss = checkLoss(options.loss, 'options.loss');
    this.task = options.task ?? (options.classes !== undefined || isClassificationLoss(this.loss) ? 'classification' : 'regression');
    const outputs = model.outputSize;
    if (this.task === 'classification') {
      const classes = options.classes ?? Array.from({ length: outputs === 1 ? 2 : outputs }, (_, i) => String(i));
      if (classes.length !== outputs && !(outputs === 1 && classes.length === 2)) {
        throw new GlassnetError({ code: 'shape', argument: 'options.classes', expected: `one class per output (${outputs}), or two for one output`, found: `${classes.length} classes` });
      }
      this.classes = [...classes];
    } else {
      this.classes = undefined;
    }
    this.scaler = options.scaler ?? new Scaler({ kind: 'none' });
    this.targetScaler = options.targetScaler ?? new Scaler({ kind: 'none' });
    if (this.targetScaler.offset.length !== 0 && this.targetScaler.offset.length !== outputs) {
      throw new GlassnetError({ code: 'shape', argument: 'options.targetScaler', expected: `one statistic per output (${outputs})`, found: `${this.targetScaler.offset.length}` });
    }
    this.featureNames = options.featureNames === undefined ? undefined : [...options.featureNames];
    this.targetNames = options.targetNames === undefined ? undefined : [...options.targetNames];
    this.encoding = options.encoding;
    this.missing = options.missing;
    if (options.classWeights !== undefined) {
      try {
        checkLossOptions(model, this.loss, { weight: options.classWeights });
      } catch (error) {
        if (!(error instanceof GlassnetError)) throw error;
        throw new GlassnetError({ code: error.code, argument: 'options.classWeights', expected: error.expected, found: error.found, cause: error });
      }
    }
    this.classWeights = options.classWeights === undefined ? undefined : [...options.classWeights];
    this.training = { ...options.training, loss: this.loss, ...(this.classWeights === undefined ? {} : { classWeights: [...this.classWeights] }) };
  }

  /**
   * A trained model from a loaded model file. A file without a loss is read
   * with the library's `defaultLoss` for its classes (`mse` without classes),
   * or softmax cross-entropy when that default does not fit its outputs.
   * @param file names the file in errors.
   * @throws GlassnetError naming the file and field of a bad entry.
   */
  static fromLoaded(loaded: LoadedModel, file = 'model'): TrainedModel {
    const { model, preprocessing = {}, training = {} } = loaded;
    const at = (field: string): string => `${file}: preprocessing.${field}`;
    const classes = preprocessing.classes?.map(String);
    const saved = (LOSSES as readonly unknown[]).includes(training.loss) ? (training.loss as LossName) : undefined;
    // Without a saved loss: the library's default for the classes, when it fits the outputs (an older two-class file has two).
    const guess = defaultLoss(classes?.length ?? 0);
    const loss = saved ?? (classes === undefined || outputColumns(guess, classes.length) === model.outputSize ? guess : 'softmaxCrossEntropy');
    const task = preprocessing.task === 'regression' || (classes === undefined && !isClassificationLoss(loss)) ? 'regression' : 'classification';
    const classWeights = training['classWeights'];
    try {
      return new TrainedModel(model, {
        loss, task, training,
        ...(classWeights === undefined ? {} : { classWeights: classWeights as number[] }),
        ...(classes === undefined ? {} : { classes }),
        scaler: scalerFromJSON(preprocessing.scaler ?? { kind: 'none' }, at('scaler')),
        targetScaler: scalerFromJSON(preprocessing.targetScaler ?? { kind: 'none' }, at('targetScaler')),
        ...(preprocessing.featureNames === undefined ? {} : { featureNames: preprocessing.featureNames }),
        ...(preprocessing.targetNames !== undefined ? { targetNames: preprocessing.targetNames }
          : preprocessing.targetName !== undefined ? { targetNames: [preprocessing.targetName] } : {}),
        ...(preprocessing.encoding === undefined ? {} : { encoding: encodingFromJSON(preprocessing.encoding, at('encoding')) }),
        ...(preprocessing.missing === undefined ? {} : { missing: checkOneOf(MISSING_POLICIES, preprocessing.missing, at('missing')) }),
      });
    } catch (error) {
      if (!(error instanceof GlassnetError) || !error.argument.startsWith('options.')) throw error;
      const option = error.argument.slice('options.'.length);
      const argument = option === 'classWeights' ? `${file}: training.classWeights` : at(option);
      throw new GlassnetError({ code: error.code, argument, expected: error.expected, found: error.found, cause: error });
    }
  }

  /** What a model file stores with the weights: pass it to `saveModel` or `modelToJSON`. */
  toExtras(): ModelExtras {
    const preprocessing: Preprocessing = {
      scaler: this.scaler.toJSON() as unknown as JsonObject,
      task: this.task,
      ...(this.task === 'regression' ? { targetScaler: this.targetScaler.toJSON() as unknown as JsonObject } : {}),
      ...(this.classes === undefined ? {} : { classes: this.classes }),
      ...(this.featureNames === undefined ? {} : { featureNames: this.featureNames }),
      ...(this.targetNames === undefined ? {} : { targetName: this.targetNames[0]! }),
      ...(this.targetNames === undefined || this.targetNames.length < 2 ? {} : { targetNames: this.targetNames }),
      ...(this.encoding === undefined ? {} : { encoding: this.encoding as unknown as JsonObject }),
      ...(this.missing === undefined ? {} : { missing: this.missing }),
    };
    return { preprocessing, training: this.training };
  }

  /** Outputs for raw rows: inputs scaled as in training, regression outputs in target units. */
  predict(x: Rows): number[][] {
    const outputs = this.forward(x).toArray() as number[][];
    return this.task === 'regression' ? this.targetScaler.inverse(outputs) : outputs;
  }

  /**
   * Class probabilities, one column per class, as the loss's record says
   * (`probabilities`): softmax of the logits for softmaxCrossEntropy, the
   * sigmoid of the logit for binaryCrossEntropyWithLogits (in float64:
   * `[σ(−z), σ(z)]` for one output), the outputs themselves for
   * binaryCrossEntropy (`[1 − p, p]` for one output).
   * @throws GlassnetError `state` for a regression model.
   */
  predictProba(x: Rows): number[][] {
    return this.probabilitiesOf(this.forward(x), this.requireClasses('predictProba'));
  }

  /** The predicted class label of each row, by the rule training and evaluation use (`classOfRow`). @throws GlassnetError `state` for a regression model. */
  classify(x: Rows): string[] {
    return this.labelsOf(this.forward(x), this.requireClasses('classify'));
  }

  /**
   * What the model says about each row, from one forward pass: for a
   * regression model `predict`'s outputs, for a classifier `classify`'s
   * labels and `predictProba`'s probabilities (the same numbers as those
   * methods give, at half the work of calling both).
   */
  predictAll(x: Rows): { outputs: number[][] } | { labels: string[]; probabilities: number[][] } {
    if (this.task === 'regression') return { outputs: this.predict(x) };
    const classes = this.requireClasses('predictAll');
    const outputs = this.forward(x);
    return { labels: this.labelsOf(outputs, classes), probabilities: this.probabilitiesOf(outputs, classes) };
  }

  /** Class labels of the network's outputs, by `classOfRow`. */
  private labelsOf(outputs: Tensor, classes: readonly string[]): string[] {
    return Array.from(classIndices(outputs.data, outputs.rows, outputs.cols, LOSS_RECORDS[this.loss].probabilities), (c) => classes[c]!);
  }

  /** Class probabilities of the network's outputs, as the loss's record reads them (see predictProba). */
  private probabilitiesOf(outputs: Tensor, classes: readonly string[]): number[][] {
    const binary = outputs.cols === 1 && classes.length === 2;
    const reading = LOSS_RECORDS[this.loss].probabilities;
    if (reading === 'sigmoid') {
      // In float64 from the logit: σ(−z) keeps the digits 1 − σ(z) would lose when σ(z) is near 1.
      const rows = outputs.toArray() as number[][];
      return rows.map((row) => (binary ? [logistic(-row[0]!), logistic(row[0]!)] : row.map(logistic)));
    }
    const scores = (reading === 'softmax' ? noGrad(() => softmax(outputs)) : outputs).toArray() as number[][];
    return scores.map((row) => (binary ? [1 - row[0]!, row[0]!] : row));
  }

  /**
   * Loss with the model's own loss (and class weights) on scaled inputs and targets; for
   * classifiers accuracy and confusion matrix, for regression R², RMSE
   * and MAE in target units against the training mean when known.
   */
  evaluate(x: Rows, y: Rows): Evaluation {
    const inputs = this.scaleInputs(x);
    if (this.task === 'classification') {
      return evaluate(this.model, inputs, y, { loss: this.loss, ...(this.classWeights === undefined ? {} : { lossOptions: { weight: this.classWeights } }) });
    }
    const targets = matrixOf(this.model.toInput(y, 'y', this.model.outputSize));
    const scaledTargets = matrixOf(targets);
    this.targetScaler.transformInPlace(scaledTargets);
    const scaled = toSamples(this.model, inputs, this.tensorOf(scaledTargets), '', this.loss);
    // One forward pass gives both the loss on scaled targets and the predictions in target units.
    const outputs = forwardRows(this.model, scaled.x);
    const result = evaluateOutputs(outputs, scaled.y, this.loss);
    const predicted = this.targetScaler.inverse(matrixOf(outputs));
    const mean = this.targetScaler.kind === 'standard' ? [...this.targetScaler.offset] : undefined;
    return { ...result, regression: regressionReport(predicted.data, targets.data, targets.rows, this.model.outputSize, mean) };
  }

  /** The layers, parameter count and what the model was trained for, one line each. */
  summary(): string {
    return [this.model.summary(), `loss ${this.loss}, task ${this.task}${this.classes === undefined ? '' : `, classes ${this.classes.join(', ')}`}`].join('\n');
  }

  /**
   * The rows as the network takes them: checked, scaled as in training (in
   * float64), in a new tensor of the model's dtype. Flat arrays throughout,
   * so a large file costs a few copies of its numbers, not nested arrays.
   */
  private scaleInputs(x: Rows): Tensor {
    const scaled = matrixOf(this.model.toInput(x, 'x'));
    this.scaler.transformInPlace(scaled);
    return this.tensorOf(scaled);
  }

  /** A matrix's values in a tensor of the model's dtype. */
  private tensorOf(m: Matrix): Tensor {
    return new Tensor(this.model.dtype === 'float64' ? m.data : Float32Array.from(m.data), [m.rows, m.cols]);
  }

  private forward(x: Rows): Tensor {
    return this.model.predict(this.scaleInputs(x));
  }

  private requireClasses(method: string): readonly string[] {
    if (this.classes === undefined) throw new GlassnetError({ code: 'state', argument: method, expected: 'a classifier', found: 'a regression model' });
    return this.classes;
  }
}

/** A float64 copy of a tensor's or matrix's values, as a matrix (the scalers work on these in place). */
function matrixOf(values: { rows: number; cols: number; data: ArrayLike<number> }): Matrix {
  return { rows: values.rows, cols: values.cols, data: Float64Array.from(values.data) };
}
