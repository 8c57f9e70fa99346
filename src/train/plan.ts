import { getBackend, type Backend, type FloatArray } from '../backend/index.js';
import { Dense, Dropout } from '../nn/layers.js';
import type { LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { fillDropoutMask, lossSetting, type LossOptions } from '../tensor/ops.js';
import { lossBuffers, lossGradient, lossValue, type LossBuffers, type LossSetting } from '../tensor/loss-steps.js';
import { Tensor, allocate, zeros } from '../tensor/tensor.js';

/** Buffers of one Dense layer, sized for the largest batch. */
interface DenseStage {
  layer: Dense;
  /** NET = x·Wᵀ + b. */
  net: FloatArray;
  /** OUT = activation(NET); the same array as `net` for a linear layer. */
  out: FloatArray;
  /** ∂L/∂OUT, written by the stage above (or the loss). */
  gradOut: FloatArray;
  /** ∂L/∂NET; the same array as `gradOut` for a linear layer. */
  gradNet: FloatArray;
  /** dOUT/dNET for elementwise activations. */
  derivative: FloatArray;
}

/** Buffers of one Dropout layer. */
interface DropoutStage {
  layer: Dropout;
  mask: FloatArray;
  out: FloatArray;
  gradOut: FloatArray;
}

type Stage = DenseStage | DropoutStage;

/**
 * A training step for a Sequential of Dense and Dropout layers with every
 * buffer planned once: a steady-state step allocates nothing and builds
 * no graph.
 *
 * It issues exactly the backend calls, in the same order and with the same
 * arguments, that the recorded ops of `src/tensor/ops.ts` issue for
 * forward, loss, backward and the leaf-gradient write (and draws dropout
 * masks from the same generators in the same order), except that a Dense
 * layer's matmul, bias add and activation are one `denseForward` call,
 * which the backend contract defines as those three. So its results are
 * bit-identical to autograd's (a test holds it to that); the explain trace
 * keeps reading the recorded path.
 */
export class TrainingPlan {
  private readonly backend: Backend;
  private readonly stages: Stage[];
  private readonly loss: LossSetting;
  /** The loss's scratch for the largest batch; `lossBuffers` sizes per-row terms by rows, so smaller batches use a prefix. */
  private readonly buffers: LossBuffers;
  /** The loss in the model's dtype, rounded as the recorded op's scalar tensor rounds it. */
  private readonly lossValue: FloatArray;

  private constructor(model: Sequential, loss: LossName, readonly batchSize: number, options: LossOptions) {
    this.backend = getBackend();
    // Checked first: a refused option leaves the model without gradient arrays it did not have.
    this.loss = lossSetting(loss, options, zeros([1, model.outputSize], model.dtype), 'options.lossOptions');
    // A dropout of rate 0 is the identity in training too, as the recorded path has it.
    const layers = model.layers.filter((layer) => !(layer instanceof Dropout && layer.rate === 0));
    this.stages = layers.map((layer) => layer instanceof Dense ? denseStage(layer, batchSize) : dropoutStage(layer as Dropout, batchSize));
    this.buffers = lossBuffers(this.loss, batchSize, model.outputSize, (size) => allocate(model.dtype, size));
    this.lossValue = allocate(model.dtype, 1);
  }

  /** A plan for `model`, or null when it has a layer the plan does not know. */
  static for(model: Sequential, loss: LossName, batchSize: number, options: LossOptions = {}): TrainingPlan | null {
    const known = model.layers.every((layer) => layer instanceof Dense || layer instanceof Dropout);
    return known ? new TrainingPlan(model, loss, batchSize, options) : null;
  }

  /** The network's output of the last step, `rows × outputs`. */
  get outputs(): FloatArray {
    return this.stages[this.stages.length - 1]!.out;
  }

  /**
   * Forward and backward on the first `rows` samples of `x` (`rows ×
   * inputs`) and `y`: each parameter's `.grad` is overwritten with ∂L/∂p, as
   * zeroGrad + backward would leave it. Returns the loss; when it is not
   * finite, returns it without touching any gradient. The update is the
   * caller's (optimizer.step(), after any clipping).
   */
  gradients(x: FloatArray, y: FloatArray, rows: number): number {
    const loss = this.forwardLoss(x, y, rows);
    if (Number.isFinite(loss)) this.backward(x, rows);
    return loss;
  }

  private forwardLoss(x: FloatArray, y: FloatArray, rows: number): number {
    const b = this.backend;
    let input = x;
    // Index loops, not for-of: the iterator would be an allocation per step.
    for (let i = 0; i < this.stages.length; i++) {
      const stage = this.stages[i]!;
      if (stage.layer instanceof Dense) {
        const { layer, net, out } = stage as DenseStage;
        const units = layer.outputSize;
        const bias = layer.bias?.data ?? null;
        // The recorded ops' matmul, bias add and activation as one kernel (bit-identical to the three calls);
        // softmax is a row operation, so it stays a call of its own.
        const softmax = layer.activation === 'softmax';
        b.denseForward(
          net, out, input, layer.weight.data, bias, layer.bias?.size ?? units,
          rows, layer.inputSize, units, softmax ? 'linear' : layer.activation, layer.alpha,
        );
        if (softmax) b.softmaxRows(out, net, rows, units);
      } else {
        const { layer, mask, out } = stage as DropoutStage;
        const n = rows * layer.outputSize;
        fillDropoutMask(mask, n, layer.rate, layer.random);
        b.binary('mul', out, input, mask, n, n);
      }
      input = stage.out;
    }
    return this.lossAndGradient(y, rows);
  }

  /** The recorded loss op's kernels (the same functions: tensor/loss-steps.ts), into the planned buffers. */
  private lossAndGradient(y: FloatArray, rows: number): number {
    const last = this.stages[this.stages.length - 1]!;
    const cols = last.layer.outputSize;
    this.lossValue[0] = lossValue(this.backend, this.loss, last.out, y, rows, cols, this.buffers);
    lossGradient(this.backend, this.loss, last.out, y, rows, cols, this.buffers, 1, last.gradOut);
    return this.lossValue[0]!;
  }

  private backward(x: FloatArray, rows: number): void {
    const b = this.backend;
    for (let i = this.stages.length - 1; i >= 0; i--) {
      const stage = this.stages[i]!;
      const below = i > 0 ? this.stages[i - 1]! : null;
      const n = rows * stage.layer.outputSize;
      if (!(stage.layer instanceof Dense)) {
        if (below !== null) b.binary('mul', below.gradOut, stage.gradOut, (stage as DropoutStage).mask, n, n);
        continue;
      }
      const { layer, net, out, gradOut, gradNet, derivative } = stage as DenseStage;
      const units = layer.outputSize;
      if (layer.activation === 'softmax') b.softmaxBackwardRows(gradNet, out, gradOut, rows, units);
      else if (layer.activation !== 'linear') {
        b.unaryDerivative(layer.activation, derivative, net, out, n, layer.alpha);
        b.binary('mul', gradNet, gradOut, derivative, n, n);
      }
      if (layer.bias !== null && layer.bias.requiresGrad) b.sumRepeats(layer.bias.grad!.data, gradNet, n, layer.bias.size);
      b.matmul(layer.weight.grad!.data, gradNet, below === null ? x : below.out, units, rows, layer.inputSize, true, false, false);
      if (below !== null) b.matmul(below.gradOut, gradNet, layer.weight.data, rows, units, layer.inputSize, false, false, false);
    }
  }
}

function denseStage(layer: Dense, batchSize: number): DenseStage {
  const size = batchSize * layer.outputSize;
  const linear = layer.activation === 'linear';
  const net = allocate(layer.dtype, size);
  const gradOut = allocate(layer.dtype, size);
  ensureGrads(layer);
  return {
    layer,
    net,
    out: linear ? net : allocate(layer.dtype, size),
    gradOut,
    gradNet: linear ? gradOut : allocate(layer.dtype, size),
    derivative: allocate(layer.dtype, size),
  };
}

function dropoutStage(layer: Dropout, batchSize: number): DropoutStage {
  const size = batchSize * layer.outputSize;
  return { layer, mask: allocate(layer.dtype, size), out: allocate(layer.dtype, size), gradOut: allocate(layer.dtype, size) };
}

/** Allocates each parameter's `.grad` once, for steps that overwrite it in place. */
export function ensureGrads(layer: Dense): void {
  for (const p of layer.parameters()) p.grad ??= new Tensor(allocate(p.dtype, p.size), p.shape.slice());
}
