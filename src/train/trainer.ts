import type { FloatArray } from '../backend/index.js';
import { GlassnetError } from '../errors.js';
import { Tensor, zeros } from '../tensor/tensor.js';
import { withGrad } from '../tensor/autograd.js';
import { checkLoss, getLoss, type LossFunction, type LossName } from '../nn/losses.js';
import { lossSetting, type LossOptions } from '../tensor/ops.js';
import type { Sequential } from '../nn/model.js';
import { checkLearningRate, type Optimizer } from '../optim/optimizer.js';
import { NON_NEGATIVE, POSITIVE, checkInteger, checkNumber } from '../util/checks.js';
import { SGD } from '../optim/sgd.js';
import { TrainingPlan, planTape } from './plan.js';
import { TinyStep } from './tiny.js';
import { autogradTrainStep, updater, type Update, type UpdateOptions } from './step.js';

/** Options of {@link Trainer}. */
export interface TrainerOptions extends UpdateOptions {
  /** Loss to minimise (default `"squaredError"`). */
  loss?: LossName;
  /** The loss's options (class weights, Huber's δ), checked against the loss. */
  lossOptions?: LossOptions;
  /** The optimizer (default: plain SGD with `lr`). */
  optimizer?: Optimizer;
  /** Learning rate of the default SGD (default 0.1). */
  lr?: number;
  /** The largest batch `step` will be given (default 1); buffers are planned for it. */
  batchSize?: number;
}

/**
 * Training steps on raw batches with nothing allocated per step: the data
 * go in as flat, row-major typed arrays of the model's dtype. There is one
 * engine: the op kernels that autograd runs. A {@link TrainingPlan}
 * replays the kernels of one recorded step into buffers planned once; a
 * {@link TinyStep} compiles that replay to straight-line code when the
 * network is tiny and the batch size 1; the recorded autograd path takes
 * layers the plan does not know. The three give the same bits.
 *
 * ```ts
 * const trainer = new Trainer(model, { loss: 'softmaxCrossEntropy', optimizer, batchSize: 64 });
 * for (const [x, y] of batches) trainer.step(x, y);
 * ```
 */
export class Trainer {
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  readonly loss: LossName;
  readonly batchSize: number;
  /**
   * `"tiny"` (the replay compiled for a small Dense network, batch size 1),
   * `"planned"` (the recorded step replayed, allocation-free) or
   * `"recorded"` (autograd, for layers the plan does not know).
   */
  readonly path: 'tiny' | 'planned' | 'recorded';
  private readonly plan: TinyStep | TrainingPlan | null;
  /** The tiny step, when it applies the update itself (plain SGD over exactly the model's parameters, nothing between gradient and update). */
  private readonly fusedSgd: TinyStep | null;
  private readonly lossFn: LossFunction;
  private readonly update: Update;
  private lastOutputs: FloatArray;
  /** The last batch that passed {@link checkBatch}. */
  private checkedX: FloatArray | null = null;
  private checkedY: FloatArray | null = null;
  private checkedRows = 0;

  constructor(model: Sequential, options: TrainerOptions = {}) {
    this.loss = checkLoss(options.loss ?? 'squaredError', 'options.loss');
    this.batchSize = checkInteger(options.batchSize ?? 1, 1, 'options.batchSize');
    checkUpdateOptions(options);
    checkLossOptions(model, this.loss, options.lossOptions);
    this.model = model;
    this.optimizer = options.optimizer ?? new SGD(model.parameters(), checkLearningRate(options.lr ?? 0.1, 'options.lr'));
    const lossOptions = options.lossOptions ?? {};
    this.lossFn = getLoss(this.loss, lossOptions);
    this.update = updater(model, this.optimizer, options);
    // One recorded step serves both: the tiny step compiles the tape, and the plan replays it when the tiny step refuses.
    const tape = planTape(model, this.loss, this.batchSize, lossOptions);
    const tiny = tape === null ? null : TinyStep.for(tape, model);
    this.plan = tiny ?? (tape === null ? null : new TrainingPlan(tape));
    this.path = tiny !== null ? 'tiny' : this.plan === null ? 'recorded' : 'planned';
    this.fusedSgd = tiny !== null && updatesOnlyBySgd(model, this.optimizer, options) ? tiny : null;
    this.lastOutputs = this.plan?.outputs ?? new Float32Array(0);
  }

  /**
   * One step on the first `rows` samples of `x` (`rows × inputs`) and `y`
   * (`rows × outputs`). Returns the batch loss before the update; a NaN or
   * infinite loss is returned with nothing updated.
   */
  step(x: FloatArray, y: FloatArray, rows = this.batchSize): number {
    // A typed array's type and length never change, so a batch seen before needs no second look.
    if (x !== this.checkedX || y !== this.checkedY || rows !== this.checkedRows) {
      this.checkBatch(x, y, rows);
      this.checkedX = x;
      this.checkedY = y;
      this.checkedRows = rows;
    }
    if (this.fusedSgd !== null) {
      const loss = this.fusedSgd.sgdStep(x, y, this.optimizer.lr);
      if (Number.isFinite(loss)) this.optimizer.countStep();
      return loss;
    }
    if (this.plan !== null) {
      const loss = this.plan.gradients(x, y, rows);
      if (Number.isFinite(loss)) this.update();
      return loss;
    }
    const { inputSize, outputSize } = this.model;
    const inputs = new Tensor(x.length === rows * inputSize ? x : x.subarray(0, rows * inputSize), [rows, inputSize]);
    const targets = new Tensor(y.length === rows * outputSize ? y : y.subarray(0, rows * outputSize), [rows, outputSize]);
    // A training step records whatever its caller does, as the planned and tiny steps do (they recorded theirs when built).
    const result = withGrad(() => autogradTrainStep(this.model, this.lossFn, this.update, inputs, targets));
    this.lastOutputs = result.outputs;
    return result.loss;
  }

  /** The network's outputs for the last step's batch (`rows × outputs`), valid until the next step. */
  get outputs(): FloatArray {
    return this.lastOutputs;
  }

  private checkBatch(x: FloatArray, y: FloatArray, rows: number): void {
    const { inputSize, outputSize, dtype } = this.model;
    checkInteger(rows, 1, 'rows (at most the batch size)', this.batchSize);
    const kind = dtype === 'float64' ? Float64Array : Float32Array;
    if (!(x instanceof kind)) bad('x', `a ${kind.name} (the model's dtype)`, x.constructor.name);
    if (!(y instanceof kind)) bad('y', `a ${kind.name} (the model's dtype)`, y.constructor.name);
    if (x.length < rows * inputSize) bad('x', `at least ${rows} × ${inputSize} values`, `${x.length}`);
    if (y.length < rows * outputSize) bad('y', `at least ${rows} × ${outputSize} values`, `${y.length}`);
  }
}

/**
 * The one check of the update's options (L2 penalty, clipping norm): the
 * Trainer runs it, and fit before it starts a thread pool, so a bad value
 * is refused before anything is built.
 */
export function checkUpdateOptions(options: Pick<UpdateOptions, 'l2' | 'clipNorm'>): void {
  if (options.l2 !== undefined) checkNumber(options.l2, NON_NEGATIVE, 'options.l2');
  if (options.clipNorm !== undefined) checkNumber(options.clipNorm, POSITIVE, 'options.clipNorm');
}

/**
 * The one check of a loss's options (class weights, Huber's δ) against the
 * model's outputs: the Trainer runs it whatever path it takes, and fit
 * before it starts a thread pool.
 */
export function checkLossOptions(model: Sequential, loss: LossName, lossOptions: LossOptions = {}): void {
  lossSetting(loss, lossOptions, zeros([1, model.outputSize], model.dtype), 'options.lossOptions');
}

/**
 * True when the update after each step is exactly plain SGD over the
 * model's parameters in order: no L2 penalty, clipping or schedule in
 * between, and an optimizer that neither keeps buffers nor skips or adds
 * a parameter.
 */
function updatesOnlyBySgd(model: Sequential, optimizer: Optimizer, options: UpdateOptions): boolean {
  const parameters = model.parameters();
  return optimizer instanceof SGD && optimizer.plain && (options.l2 ?? 0) === 0 && options.clipNorm === undefined && options.schedule === undefined
    && optimizer.params.length === parameters.length && parameters.every((p, k) => optimizer.params[k] === p);
}

function bad(argument: string, expected: string, found: string): never {
  throw new GlassnetError({ code: 'shape', argument, expected, found });
}
