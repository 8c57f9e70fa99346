import { getBackend, type Backend, type FloatArray, type PointLossKind } from '../backend/index.js';
import { Dense } from '../nn/layers.js';
import type { LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { LEAKY_RELU_SLOPE } from '../tensor/ops.js';
import { Tensor, allocate } from '../tensor/tensor.js';

/** Buffers of one Dense layer, sized for the largest batch. */
interface LayerBuffers {
  layer: Dense;
  /** NET = x·Wᵀ + b. */
  net: FloatArray;
  /** OUT = activation(NET); the same array as `net` for a linear layer. */
  out: FloatArray;
  /** ∂L/∂OUT, written by the layer above (or the loss). */
  gradOut: FloatArray;
  /** ∂L/∂NET; the same array as `gradOut` for a linear layer. */
  gradNet: FloatArray;
  /** dOUT/dNET for elementwise activations. */
  derivative: FloatArray;
}

const POINT_LOSS: Partial<Record<LossName, PointLossKind>> = {
  squaredError: 'halfSquared', mse: 'squared', binaryCrossEntropy: 'binaryCrossEntropy',
};

/**
 * A training step for a Sequential of Dense layers with every buffer
 * planned once: a steady-state step allocates nothing and builds no graph.
 *
 * It issues exactly the backend calls, in the same order and with the same
 * arguments, that the recorded ops of `src/tensor/ops.ts` issue for
 * forward, loss, backward and the leaf-gradient write, so its gradients are
 * bit-identical to autograd's (a test holds it to that); the explain trace
 * keeps reading the recorded path. Returns null from {@link plan} for a
 * model it cannot run (a layer that is not Dense).
 */
export class TrainingPlan {
  private readonly backend: Backend;
  private readonly layers: LayerBuffers[];
  private readonly terms: FloatArray;
  private readonly lossGrad: FloatArray;
  /** The loss in the model's dtype, rounded as the recorded op's scalar tensor rounds it. */
  private readonly lossValue: FloatArray;

  private constructor(model: Sequential, private readonly loss: LossName, readonly batchSize: number) {
    this.backend = getBackend();
    this.layers = model.layers.map((layer) => {
      const dense = layer as Dense;
      const size = batchSize * dense.outputSize;
      const linear = dense.activation === 'linear';
      const net = allocate(dense.dtype, size);
      const gradOut = allocate(dense.dtype, size);
      for (const p of dense.parameters()) p.grad ??= new Tensor(allocate(p.dtype, p.size), p.shape.slice());
      return {
        layer: dense,
        net,
        out: linear ? net : allocate(dense.dtype, size),
        gradOut,
        gradNet: linear ? gradOut : allocate(dense.dtype, size),
        derivative: allocate(dense.dtype, size),
      };
    });
    const outputs = batchSize * model.outputSize;
    this.terms = allocate(model.dtype, loss === 'softmaxCrossEntropy' ? batchSize : outputs);
    this.lossGrad = allocate(model.dtype, outputs);
    this.lossValue = allocate(model.dtype, 1);
  }

  /** The last layer's OUT of the last step, `rows × outputs`. */
  get outputs(): FloatArray {
    return this.layers[this.layers.length - 1]!.out;
  }

  /** A plan for `model`, or null when some layer is not a Dense layer. */
  static for(model: Sequential, loss: LossName, batchSize: number): TrainingPlan | null {
    return model.layers.every((layer) => layer instanceof Dense) ? new TrainingPlan(model, loss, batchSize) : null;
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
    for (const { layer, net, out } of this.layers) {
      const units = layer.outputSize;
      b.matmul(net, input, layer.weight.data, rows, layer.inputSize, units, false, true, false);
      if (layer.bias !== null) b.binary('add', net, net, layer.bias.data, rows * units, layer.bias.size);
      if (layer.activation === 'softmax') b.softmaxRows(out, net, rows, units);
      else if (layer.activation !== 'linear') b.unary(layer.activation, out, net, rows * units, LEAKY_RELU_SLOPE);
      input = out;
    }
    const last = this.layers[this.layers.length - 1]!;
    const n = rows * last.layer.outputSize;
    const point = POINT_LOSS[this.loss];
    if (point === undefined) {
      b.softmaxCrossEntropyRows(this.terms, last.out, y, rows, last.layer.outputSize);
      this.lossValue[0] = b.sum(this.terms, rows) / rows;
      b.softmaxRows(this.lossGrad, last.out, rows, last.layer.outputSize);
      b.binary('sub', last.gradOut, this.lossGrad, y, n, n);
      b.scale(last.gradOut, last.gradOut, 1 / rows, n);
      return this.lossValue[0]!;
    }
    const factor = this.loss === 'squaredError' ? 1 / rows : 1 / n;
    b.pointLoss(point, this.terms, last.out, y, n);
    b.pointLossGrad(point, last.gradOut, last.out, y, n, factor);
    this.lossValue[0] = b.sum(this.terms, n) * factor;
    return this.lossValue[0]!;
  }

  private backward(x: FloatArray, rows: number): void {
    const b = this.backend;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const { layer, net, out, gradOut, gradNet, derivative } = this.layers[i]!;
      const units = layer.outputSize;
      const n = rows * units;
      if (layer.activation === 'softmax') b.softmaxBackwardRows(gradNet, out, gradOut, rows, units);
      else if (layer.activation !== 'linear') {
        b.unaryDerivative(layer.activation, derivative, net, out, n, LEAKY_RELU_SLOPE);
        b.binary('mul', gradNet, gradOut, derivative, n, n);
      }
      if (layer.bias !== null && layer.bias.requiresGrad) b.sumRepeats(layer.bias.grad!.data, gradNet, n, layer.bias.size);
      const input = i === 0 ? x : this.layers[i - 1]!.out;
      b.matmul(layer.weight.grad!.data, gradNet, input, units, rows, layer.inputSize, true, false, false);
      if (i > 0) b.matmul(this.layers[i - 1]!.gradOut, gradNet, layer.weight.data, rows, units, layer.inputSize, false, false, false);
    }
  }
}
