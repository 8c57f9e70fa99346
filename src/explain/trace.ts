/**
 * Records one real training step through autograd's Observer hook and
 * files the recorded numbers per layer. Nothing here computes a value of
 * the network: every number is a copy of one the forward pass, the
 * backward pass or the optimizer produced.
 */
import type { FloatArray } from '../backend/index.js';
import { GlassnetError } from '../errors.js';
import type { ActivationName } from '../nn/activations.js';
import { checkLoss, getLoss, type LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { checkLearningRate } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { backward, withObserver, type Intermediates, type Node, type Observer } from '../tensor/autograd.js';
import type { DType, NestedNumbers, Tensor } from '../tensor/tensor.js';
import { denseLayers } from './naming.js';

interface BackwardRecord {
  gradOut: FloatArray;
  gradInputs: (FloatArray | null)[];
  intermediates: Intermediates;
}

/**
 * An Observer that keeps every recorded node and a copy of what the
 * backward pass computed for it. Copies, because the sweep may later
 * accumulate into an array it handed out.
 */
export class Trace implements Observer {
  private readonly nodes: Node[] = [];
  private readonly backwards = new Map<Node, BackwardRecord>();

  onForward(node: Node): void {
    this.nodes.push(node);
  }

  onBackward(node: Node, gradOut: FloatArray, gradInputs: readonly (FloatArray | null)[], intermediates: Intermediates): void {
    const copies: Intermediates = {};
    for (const [key, value] of Object.entries(intermediates)) copies[key] = value.slice();
    this.backwards.set(node, { gradOut: gradOut.slice(), gradInputs: gradInputs.map((g) => g?.slice() ?? null), intermediates: copies });
  }

  /** The node whose output carries `label` (labels are attached after recording, so read them now). */
  node(label: string): Node {
    const found = this.nodes.find((n) => n.output.label === label);
    if (found === undefined) throw missing(label);
    return found;
  }

  /** What the backward pass computed for `node`. */
  backwardOf(node: Node): BackwardRecord {
    const found = this.backwards.get(node);
    if (found === undefined) throw missing(`the gradient of ${node.output.label ?? node.op}`);
    return found;
  }
}

function missing(what: string): GlassnetError {
  return new GlassnetError({ code: 'state', argument: 'model', expected: `a recorded value for ${what}`, found: 'nothing recorded' });
}

/** Rows of a `[samples, width]` array, as plain numbers (exact for float32 and float64). */
export type Rows = number[][];

/** The bias of a layer as it was before the update. */
export interface BiasRecord {
  values: number[];
  /** One value used by every unit (the article's b1, b2). */
  shared: boolean;
  /** Whether the optimizer updates it. */
  trainable: boolean;
}

/** Everything recorded for one Dense layer, `[sample][unit]` unless said otherwise. */
export interface LayerRecord {
  name: string;
  activation: ActivationName;
  /** The activation's option (leakyRelu's slope, ELU's alpha); 0 without one. */
  alpha: number;
  /** What the layer received: the network input, or the previous layer's OUT. */
  input: Rows;
  /** `[unit][input]`, before the update. */
  weight: Rows;
  bias: BiasRecord | null;
  net: Rows;
  out: Rows;
  /** ∂E/∂OUT: the gradient arriving at the layer's output. */
  dEdOut: Rows;
  /** ∂OUT/∂NET: the derivative array the backward rule multiplied; all 1 for linear; null for softmax (not elementwise). */
  dOutdNet: Rows | null;
  /** ∂E/∂NET: the gradient the activation's backward rule passed on. */
  dEdNet: Rows;
  /** `weight.grad` after backward, `[unit][input]`. */
  weightGrad: Rows;
  /** `bias.grad` after backward; null when the bias is absent or fixed. */
  biasGrad: number[] | null;
  /** The weights after the optimizer's step. */
  weightAfter: Rows;
  biasAfter: number[] | null;
}

/** The loss as recorded. */
export interface LossRecord {
  name: LossName;
  /** Per-element terms (per output for elementwise losses, per sample for softmaxCrossEntropy), `[sample][...]`. */
  terms: Rows;
  /** E = factor · Σ terms. */
  factor: number;
  /** The loss's option (Huber's δ); 0 without one. */
  option: number;
  total: number;
  /** softmax(NET) of the output layer, when the loss applied it (softmaxCrossEntropy). */
  softmax: Rows | null;
}

/** One training step, as recorded. */
export interface TrainingTrace {
  dtype: DType;
  lr: number;
  samples: number;
  inputs: Rows;
  targets: Rows;
  layers: LayerRecord[];
  loss: LossRecord;
}

/** Options of {@link traceTrainingStep}. */
export interface RecordOptions {
  /** Default `"squaredError"`, the article's ½Σ(t − o)². */
  loss?: LossName;
  /** SGD learning rate η (default 0.1, the article's). */
  lr?: number;
}

/**
 * Runs one SGD training step of `model` on inputs `x` and targets `t`
 * (forward, loss, zeroGrad, backward, step, as `trainStep` does) while a
 * {@link Trace} watches, and returns what was recorded. The model IS
 * updated. Arguments are validated before anything changes.
 */
export function traceTrainingStep(model: Sequential, x: NestedNumbers | Tensor, t: NestedNumbers | Tensor, options: RecordOptions = {}): TrainingTrace {
  const layers = denseLayers(model);
  const inputs = model.toInput(x, 'x');
  const targets = model.toInput(t, 't', model.outputSize);
  if (targets.rows !== inputs.rows) {
    throw new GlassnetError({ code: 'shape', argument: 't', expected: `${inputs.rows} rows (one per row of x)`, found: `${targets.rows} rows` });
  }
  const lossName = checkLoss(options.loss ?? 'squaredError', 'options.loss');
  const lr = checkLearningRate(options.lr ?? 0.1, 'options.lr');

  const before = layers.map((l) => ({ weight: rows(l.weight.data, l.inputSize), bias: l.bias === null ? null : Array.from(l.bias.data) }));
  const trace = new Trace();
  const optimizer = new SGD(model.parameters(), lr);
  const loss = withObserver(trace, () => {
    const e = getLoss(lossName)(model.forward(inputs), targets);
    optimizer.zeroGrad();
    backward(e);
    return e;
  });
  const grads = layers.map((l) => ({
    weight: rows(l.weight.grad!.data, l.inputSize),
    bias: l.bias !== null && l.bias.requiresGrad ? Array.from(l.bias.grad!.data) : null,
  }));
  optimizer.step();

  const lossNode = loss.node!;
  const lossBackward = trace.backwardOf(lossNode);
  const samples = inputs.rows;
  const layerRecords = layers.map((layer, k): LayerRecord => {
    const width = layer.outputSize;
    const linear = layer.activation === 'linear';
    // A linear layer adds no node: its NET tensor is relabelled as its OUT.
    const outNode = trace.node(`${layer.name}.out`);
    const netNode = linear ? outNode : trace.node(`${layer.name}.net`);
    const outBackward = trace.backwardOf(outNode);
    const elementwise = !linear && layer.activation !== 'softmax';
    return {
      name: layer.name,
      activation: layer.activation,
      alpha: layer.alpha,
      input: k === 0 ? rows(inputs.data, layer.inputSize) : rows(trace.node(`${layers[k - 1]!.name}.out`).output.data, layer.inputSize),
      weight: before[k]!.weight,
      bias: layer.bias === null ? null : { values: before[k]!.bias!, shared: layer.bias.size === 1 && width > 1, trainable: layer.bias.requiresGrad },
      net: rows(netNode.output.data, width),
      out: rows(outNode.output.data, width),
      dEdOut: rows(outBackward.gradOut, width),
      dOutdNet: linear ? rows(new Float64Array(samples * width).fill(1), width) : elementwise ? rows(outBackward.intermediates.derivative!, width) : null,
      dEdNet: rows(linear ? outBackward.gradOut : outBackward.gradInputs[0]!, width),
      weightGrad: grads[k]!.weight,
      biasGrad: grads[k]!.bias,
      weightAfter: rows(layer.weight.data, layer.inputSize),
      biasAfter: layer.bias === null ? null : Array.from(layer.bias.data),
    };
  });
  const terms = lossNode.saved.terms as FloatArray;
  const softmax = lossBackward.intermediates.softmax;
  return {
    dtype: model.dtype,
    lr,
    samples,
    inputs: rows(inputs.data, model.inputSize),
    targets: rows(targets.data, model.outputSize),
    layers: layerRecords,
    loss: {
      name: lossName,
      terms: rows(terms, terms.length / samples),
      factor: lossNode.saved.factor as number,
      option: lossNode.saved.option as number,
      total: loss.item(),
      softmax: softmax === undefined ? null : rows(softmax, model.outputSize),
    },
  };
}

function rows(data: FloatArray, width: number): Rows {
  const out: Rows = [];
  for (let start = 0; start < data.length; start += width) out.push(Array.from(data.subarray(start, start + width)));
  return out;
}
