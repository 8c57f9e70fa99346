/**
 * The tiny path: a training step generated as straight-line JavaScript for
 * one network's exact shape, for networks so small that the
 * `TrainingPlan`'s ~20 backend calls per step cost more than the
 * arithmetic they do (the article's 2-2-2 network, benchmark B1).
 *
 * **Why it is bit-identical to autograd.** The generated code performs the
 * float operations the reference `js` kernels perform for the plan's calls,
 * in the same order, and rounds to the model's dtype exactly where a kernel
 * stores into a typed array (`Math.fround` for float32; float64 stores are
 * exact). For example, the forward matmul of one unit is
 * `dot = 0; dot += in[p]·W[j,p]` then `net = 0 + dot` (the kernel adds the
 * dot product into a zero-filled output, which turns −0 into +0), and the
 * weight gradient skips units whose ∂L/∂NET is 0, as the reference matmul
 * skips zero multipliers. Other backends give the same results because of
 * the small-work contract (`SMALL_MATMUL_WORK` in `backend/backend.ts`):
 * every product this path replaces is below it, and every other kernel
 * matches the reference bit for bit on every backend. Tests hold the tiny
 * path to the recorded path and to the plan with `toEqual`.
 *
 * **When it applies** ({@link TinyStep.for}): batch size 1, only Dense
 * layers, no softmax, a per-element loss (any record with a `point` term in
 * `primitives/losses.ts`) without class weights,
 * every layer's `inputs × units < SMALL_MATMUL_WORK` (for exactness), at
 * most {@link TINY_MAX_WEIGHTS} weights in all (for speed), and an engine
 * that allows `new Function` (a Content-Security-Policy may forbid it).
 * Anything else falls back to the plan.
 *
 * **One definition per primitive.** The generated code writes no
 * activation or loss formula: it calls the records' own scalar kernels
 * (`primitives/activations.ts`, `primitives/losses.ts`), bound as closure
 * variables (V8 inlines these monomorphic calls), so a new record runs here
 * with no change to this file, and the compiler checks every formula.
 *
 * **What is generated from what.** The source is built from the shape
 * only (sizes, activations, bias layout and trainability, dtype, loss) with
 * names and numbers this module makes; no user string (a layer's name, say)
 * ever reaches it. Parameters and gradients are closure variables bound to
 * the tensors' own typed arrays, so the optimizer's in-place updates are
 * seen, and a step allocates nothing.
 *
 * **The update.** `gradients` leaves the update to the caller, as the plan
 * does. `sgdStep` appends plain SGD (`p += g · (−η)`, the expression of the
 * reference `axpy` that `SGD.step` runs) for callers that have checked the
 * optimizer is exactly that: in B1 the optimizer's loop over four
 * parameters cost a quarter of the step.
 */
import { SMALL_MATMUL_WORK, type FloatArray } from '../backend/index.js';
import { Dense } from '../nn/layers.js';
import type { LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { ELEMENTWISE, isElementwise, type Elementwise } from '../primitives/activations.js';
import { LOSS_RECORDS, POINT_LOSSES, type PointLoss } from '../primitives/losses.js';
import { lossSetting, type LossOptions } from '../tensor/ops.js';
import { allocate, zeros } from '../tensor/tensor.js';
import { ensureGrads } from './plan.js';
import { range } from '../util/range.js';

/** Forward, loss and backward for one sample: writes `.grad` of every parameter and returns the loss. */
type StepFunction = (x: FloatArray, y: FloatArray) => number;

/** {@link StepFunction}, then `p += grad · negativeRate` for every trainable parameter (a plain SGD update). */
type SgdStepFunction = (x: FloatArray, y: FloatArray, negativeRate: number) => number;

interface Compiled {
  gradients: StepFunction;
  sgdStep: SgdStepFunction;
}

/** The scalar kernels a generated step calls: the records' own functions (never a second copy of their formulas). */
interface Kernels {
  /** Per layer: the activation record, or null for a linear layer. */
  activations: (Elementwise | null)[];
  /** Per layer: its option's value (0 without one). */
  alphas: number[];
  loss: PointLoss;
  /** The loss's option's value (Huber's δ; 0 without one). */
  lossOption: number;
}

/**
 * The most weights (Σ inputs × units over the layers) a network may have to
 * take the tiny path. The unrolled step grows by about 150 bytes of V8
 * bytecode per weight, and V8 does not optimise a function past 60 KB: at
 * 400 weights (10-20-10) the step ran interpreted, 7× slower than the plan,
 * while at 256 (8-16-8) it was still 1.3× (float32) to 2.5× (float64) faster.
 */
export const TINY_MAX_WEIGHTS = 256;

/**
 * A training step compiled for one small network. Same contract as
 * `TrainingPlan.gradients`: `.grad` of every parameter is overwritten
 * with ∂L/∂p, a non-finite loss is returned with no gradient touched, and
 * the update is the caller's. The shape, including which biases are
 * trainable and the `.grad` arrays, is read once, when the step is built.
 */
export class TinyStep {
  /** The network's output of the last step (one row). */
  readonly outputs: FloatArray;
  private readonly compiled: Compiled;

  private constructor(outputs: FloatArray, compiled: Compiled) {
    this.outputs = outputs;
    this.compiled = compiled;
  }

  /** A tiny step for `model`, or null when the model does not qualify (see the module comment) or code generation is forbidden. */
  static for(model: Sequential, loss: LossName, batchSize: number, options: LossOptions = {}): TinyStep | null {
    const point = LOSS_RECORDS[loss].point;
    if (point === null || options.weight !== undefined || !qualifies(model, batchSize)) return null;
    const layers = model.layers as readonly Dense[];
    const kernels: Kernels = {
      activations: layers.map((layer) => (isElementwise(layer.activation) ? ELEMENTWISE[layer.activation] : null)),
      alphas: layers.map((layer) => layer.alpha),
      loss: POINT_LOSSES[point],
      lossOption: lossSetting(loss, options, zeros([1, model.outputSize], model.dtype), 'options.lossOptions').option,
    };
    let factory: (...arrays: unknown[]) => Compiled;
    try {
      // NOTE: the source holds only numbers and names made here (see generateSource).
      factory = new Function('weights', 'biases', 'weightGrads', 'biasGrads', 'outputs', 'kernels', generateSource(layers, LOSS_RECORDS[loss].reduction)) as unknown as typeof factory;
    } catch {
      return null; // e.g. a Content-Security-Policy without 'unsafe-eval'
    }
    for (const layer of layers) {
      ensureGrads(layer);
    }
    const outputs = allocate(model.dtype, model.outputSize);
    const compiled = factory(
      layers.map((layer) => layer.weight.data),
      layers.map((layer) => layer.bias?.data ?? null),
      layers.map((layer) => layer.weight.grad!.data),
      layers.map((layer) => (trainableBias(layer) ? layer.bias!.grad!.data : null)),
      outputs,
      kernels,
    );
    return new TinyStep(outputs, compiled);
  }

  /** Forward and backward on the first sample of `x` and `y`; returns the loss. `rows` is always 1 here. */
  gradients(x: FloatArray, y: FloatArray, _rows: number): number {
    return this.compiled.gradients(x, y);
  }

  /**
   * {@link gradients}, then the plain SGD update `p ← p − lr·∂L/∂p` of every
   * trainable parameter (weights and trainable biases), bit-identical to
   * `gradients` followed by `SGD.step()` with that rate. Nothing is updated
   * when the loss is not finite.
   */
  sgdStep(x: FloatArray, y: FloatArray, lr: number): number {
    return this.compiled.sgdStep(x, y, -lr);
  }
}

function qualifies(model: Sequential, batchSize: number): boolean {
  const weights = model.layers.reduce((total, layer) => total + layer.inputSize * layer.outputSize, 0);
  return batchSize === 1 && weights <= TINY_MAX_WEIGHTS && model.layers.every((layer) =>
    layer instanceof Dense && layer.activation !== 'softmax' && layer.inputSize * layer.outputSize < SMALL_MATMUL_WORK);
}

function trainableBias(layer: Dense): boolean {
  return layer.bias !== null && layer.bias.requiresGrad;
}

/** A number as JavaScript source that reads back as exactly the same double. */
function literal(value: number): string {
  return `(${String(value)})`;
}

/**
 * The body of the factory: `const` bindings of the arrays and of the
 * records' kernels (`f{l}`, `df{l}`, `a{l}` per layer; `term`,
 * `lossGradient`, `p` for the loss), and the two step functions, unrolled
 * unit by unit. Variable names:
 * `x{p}` inputs, `n{l}_{j}` NET, `o{l}_{j}` OUT, `g{l}_{j}` ∂L/∂OUT,
 * `d{l}_{j}` ∂L/∂NET of layer l's unit j, `qw{l}_{i}` and `qb{l}_{j}` the
 * gradients of layer l's weight i and bias j (as stored in `.grad`).
 */
function generateSource(layers: readonly Dense[], reduction: 'rows' | 'elements'): string {
  const dtype = layers[0]!.dtype;
  // Where a kernel stores into a typed array, the value is rounded to the dtype.
  // Either way the result is one operand: g times a stored y·(1 − y) must not become (g·y)·(1 − y).
  const stored = (expression: string): string => (dtype === 'float32' ? `Math.fround(${expression})` : `(${expression})`);
  const lines: string[] = ['"use strict";'];
  layers.forEach((layer, l) => {
    lines.push(`const w${l} = weights[${l}], b${l} = biases[${l}], gw${l} = weightGrads[${l}], gb${l} = biasGrads[${l}];`);
    // The activation record's scalar kernels and option: V8 inlines these monomorphic calls.
    if (layer.activation !== 'linear') lines.push(`const f${l} = kernels.activations[${l}].forward, df${l} = kernels.activations[${l}].derivative, a${l} = kernels.alphas[${l}];`);
  });
  lines.push('const term = kernels.loss.term, lossGradient = kernels.loss.gradient, p = kernels.lossOption;');
  const body: string[] = [];
  let inputs = range(layers[0]!.inputSize).map((p) => `x${p}`);
  body.push(`  const ${inputs.map((name, p) => `${name} = x[${p}]`).join(', ')};`);
  const layerInputs: string[][] = [];
  layers.forEach((layer, l) => {
    layerInputs.push(inputs);
    inputs = forward(body, layer, l, inputs, stored);
  });
  const outputs = inputs;
  let gradOut = lossAndGradient(body, reduction, outputs, stored);
  for (let l = layers.length - 1; l >= 0; l--) gradOut = backward(body, layers[l]!, l, layerInputs[l]!, gradOut, l > 0, stored);
  // Reference axpy, p[i] += g[i] * s, with g[i] the stored gradient: the typed-array store rounds, as the kernel's does.
  const update = layers.flatMap((layer, l) => [
    ...range(layer.weight.size).map((i) => `  w${l}[${i}] += qw${l}_${i} * negativeRate;`),
    ...(trainableBias(layer) ? range(layer.bias!.size).map((i) => `  b${l}[${i}] += qb${l}_${i} * negativeRate;`) : []),
  ]);
  lines.push(
    'function gradients(x, y) {', ...body, '  return loss;', '}',
    'function sgdStep(x, y, negativeRate) {', ...body, ...update, '  return loss;', '}',
    'return { gradients, sgdStep };',
  );
  return lines.join('\n');
}

type Stored = (expression: string) => string;

/** Emits NET = x·Wᵀ (+ b), OUT = f(NET) for one layer; returns the names of OUT. */
function forward(lines: string[], layer: Dense, l: number, inputs: readonly string[], stored: Stored): string[] {
  const k = layer.inputSize;
  const shared = layer.bias !== null && layer.bias.size === 1;
  return range(layer.outputSize).map((j) => {
    // Reference transB matmul: dot = 0; dot += a·b in order; out = 0 + dot.
    const dot = inputs.map((input, p) => ` + ${input} * w${l}[${j * k + p}]`).join('');
    const product = stored(`0 + (0${dot})`);
    const net = layer.bias === null ? product : stored(`${product} + b${l}[${shared ? 0 : j}]`);
    lines.push(`  const n${l}_${j} = ${net};`);
    if (layer.activation === 'linear') return `n${l}_${j}`;
    lines.push(`  const o${l}_${j} = ${stored(`f${l}(n${l}_${j}, a${l})`)};`);
    return `o${l}_${j}`;
  });
}

/**
 * Emits the loss (terms stored, summed from 0 in order, times the factor,
 * stored), writes the outputs, returns early on a non-finite loss, then
 * emits ∂L/∂OUT of the last layer; returns its names.
 */
function lossAndGradient(lines: string[], reduction: 'rows' | 'elements', outputs: readonly string[], stored: Stored): string[] {
  const n = outputs.length;
  // A mean over rows (one here) or over all elements, as the recorded op's factor is.
  const factor = literal(reduction === 'rows' ? 1 : 1 / n);
  outputs.forEach((o, j) => {
    lines.push(`  const t${j} = y[${j}];`);
    lines.push(`  const e${j} = ${stored(`term(${o}, t${j}, p)`)};`);
    lines.push(`  outputs[${j}] = ${o};`);
  });
  lines.push(`  const loss = ${stored(`(0${outputs.map((_, j) => ` + e${j}`).join('')}) * ${factor}`)};`);
  lines.push('  if (!Number.isFinite(loss)) return loss;');
  return outputs.map((o, j) => {
    lines.push(`  const gl${j} = ${stored(`lossGradient(${o}, t${j}, ${factor}, p)`)};`);
    return `gl${j}`;
  });
}

/**
 * Emits ∂L/∂NET, the bias and weight gradients and, when `below`, ∂L/∂x
 * for one layer; returns the names of ∂L/∂x (the gradOut of the layer below).
 */
function backward(lines: string[], layer: Dense, l: number, inputs: readonly string[], gradOut: readonly string[], below: boolean, stored: Stored): string[] {
  const k = layer.inputSize;
  const units = layer.outputSize;
  const gradNet = gradOut.map((g, j) => {
    if (layer.activation === 'linear') return g;
    const net = `n${l}_${j}`;
    const out = `o${l}_${j}`;
    lines.push(`  const d${l}_${j} = ${stored(`${g} * ${stored(`df${l}(${net}, ${out}, a${l})`)}`)};`);
    return `d${l}_${j}`;
  });
  if (trainableBias(layer)) {
    // Reference sumRepeats: each bias element sums its units from 0, in order.
    const size = layer.bias!.size;
    for (let j = 0; j < size; j++) {
      let sum = '0';
      for (let i = j; i < units; i += size) sum = stored(`${sum} + ${gradNet[i]}`);
      lines.push(`  const qb${l}_${j} = ${sum};`, `  gb${l}[${j}] = qb${l}_${j};`);
    }
  }
  // Reference transA matmul with one row: zero-filled, and a unit whose ∂L/∂NET is 0 adds nothing.
  // Each value is kept in a local too (qw: the update reads it without a round trip through memory).
  gradNet.forEach((g, i) => {
    const names = inputs.map((_, j) => `qw${l}_${i * k + j}`);
    lines.push(`  let ${names.map((name) => `${name} = 0`).join(', ')};`);
    lines.push(`  if (${g} !== 0) { ${names.map((name, j) => `${name} = ${stored(`0 + ${g} * ${inputs[j]}`)};`).join(' ')} }`);
    lines.push(`  ${names.map((name, j) => `gw${l}[${i * k + j}] = ${name};`).join(' ')}`);
  });
  if (!below) return [];
  // Reference matmul: ∂L/∂x = 0, then += ∂L/∂NET[p]·W[p,:] for each p with a non-zero ∂L/∂NET[p].
  const gradIn = range(k).map((j) => `g${l}_${j}`);
  lines.push(`  let ${gradIn.map((name) => `${name} = 0`).join(', ')};`);
  gradNet.forEach((g, p) => {
    const adds = gradIn.map((name, j) => `${name} = ${stored(`${name} + ${g} * w${l}[${p * k + j}]`)};`).join(' ');
    lines.push(`  if (${g} !== 0) { ${adds} }`);
  });
  return gradIn;
}
