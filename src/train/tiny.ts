/**
 * The tiny path: the planned tape (`plan.ts`) compiled to straight-line
 * JavaScript for one network's exact shape, for networks so small that
 * the replay's ~20 kernel calls per step cost more than the arithmetic
 * they do (the article's 2-2-2 network, benchmark B1).
 *
 * **Compiled from the tape.** {@link TinyStep.for} takes the tape the
 * plan replays (`planTape` in `plan.ts`: the same recorded nodes, the same Dense
 * fusion, the same gradient arrays; the Trainer records it once for both)
 * and walks it: forward in order, backward in reverse, each node emitting
 * the scalar code of its kernel's backend calls for one row. No backprop
 * is written here: which gradient flows where comes from the tape, and
 * every activation and loss formula is the record's own scalar kernel
 * (`primitives/activations.ts`, `primitives/losses.ts`), bound as a
 * closure variable (V8 inlines these monomorphic calls) and checked by the
 * compiler. A tape the rules below refuse, or with a node this file does
 * not compile, stays with the plan.
 *
 * **Why it is bit-identical to autograd.** Each node's code performs the
 * float operations the reference `js` kernels perform for its calls, in
 * the same order, and rounds to the model's dtype exactly where a kernel
 * stores into a typed array (`Math.fround` for float32; float64 stores are
 * exact). For example, the forward product of one unit is
 * `dot = 0; dot += in[p]·W[j,p]` then `net = 0 + dot` (the kernel adds the
 * dot product into a zero-filled output, which turns −0 into +0), and the
 * weight gradient skips units whose ∂L/∂NET is 0, as the reference matmul
 * skips zero multipliers. Other backends give the same results because of
 * the small-work contract (`SMALL_MATMUL_WORK` in `backend/backend.ts`):
 * every product this path replaces is below it, and every other kernel
 * matches the reference bit for bit on every backend. Tests hold the tiny
 * path to the recorded path and to the plan with `toEqual`.
 *
 * **When it applies** ({@link tinyApplies}, the one place these rules are
 * written): batch size 1, only Dense layers, no softmax, a per-element
 * loss without class weights, every layer's `inputs × units <
 * SMALL_MATMUL_WORK` (for exactness), at most {@link TINY_MAX_WEIGHTS}
 * weights in all (for speed); and an engine that allows `new Function` (a
 * Content-Security-Policy may forbid it). Anything else falls back to the
 * plan. The code below relies on these rules instead of checking them
 * again (one row everywhere, a point loss).
 *
 * **What is generated from what.** The source holds only names and
 * numbers this module makes (array indices, sizes, a loss's factor); the
 * arrays, kernels and options are bound values, and no user string (a
 * layer's name, say) ever reaches it. Parameters and gradients are the
 * tensors' own typed arrays, so the optimizer's in-place updates are
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
import type { Sequential } from '../nn/model.js';
import { ELEMENTWISE } from '../primitives/activations.js';
import { LOSS_RECORDS, POINT_LOSSES } from '../primitives/losses.js';
import { elementsOf, type Node } from '../tensor/autograd.js';
import { BinaryKernel, ElementwiseKernel, LossKernel, MatmulKernel } from '../tensor/ops.js';
import type { DType } from '../tensor/tensor.js';
import type { BackwardStep, DenseGroup, PlannedTape } from './plan.js';
import { range } from '../util/range.js';

/** Forward, loss and backward for one sample: writes `.grad` of every parameter and returns the loss. */
type StepFunction = (x: FloatArray, y: FloatArray) => number;

/** {@link StepFunction}, then `p += grad · negativeRate` for every trainable parameter (a plain SGD update). */
type SgdStepFunction = (x: FloatArray, y: FloatArray, negativeRate: number) => number;

interface Compiled {
  gradients: StepFunction;
  sgdStep: SgdStepFunction;
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

  /**
   * The step compiled from `tape`, the planned tape of `model`; null when
   * {@link tinyApplies} refuses it, it has a node this file does not
   * compile, or `new Function` is forbidden (the caller then replays the
   * same tape as a plan).
   */
  static for(tape: PlannedTape, model: Sequential): TinyStep | null {
    if (!tinyApplies(tape, model)) return null;
    const program = new Program(model.dtype);
    if (!program.emit(tape, model)) return null;
    let factory: (bound: readonly unknown[]) => Compiled;
    try {
      // NOTE: the source holds only numbers and names made here (see Program).
      factory = new Function('bound', program.source()) as typeof factory;
    } catch {
      return null; // e.g. a Content-Security-Policy without 'unsafe-eval'
    }
    return new TinyStep(tape.output.data, factory(program.bound));
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

/** The rules of the tiny path (see "When it applies" in the module comment), read from the tape and its model. */
function tinyApplies(tape: PlannedTape, model: Sequential): boolean {
  const lossKernel = tape.loss.node?.kernel;
  const weights = model.layers.reduce((total, layer) => total + layer.inputSize * layer.outputSize, 0);
  return tape.batchSize === 1 && lossKernel instanceof LossKernel && LOSS_RECORDS[lossKernel.setting.name].point !== null
    && lossKernel.setting.weight === null && weights <= TINY_MAX_WEIGHTS && model.layers.every((layer) =>
    layer instanceof Dense && layer.activation !== 'softmax' && layer.inputSize * layer.outputSize < SMALL_MATMUL_WORK);
}

/**
 * The point losses' factor 1/divisor (loss = Σ terms · factor, ∂L/∂o scaled
 * by g · factor in `loss-steps.ts`) as a literal: without class weights the
 * divisor (rows or elements) the recording left does not depend on the data.
 */
function meanFactor(kernel: LossKernel): string {
  return literal(1 / kernel.buffers.divisor);
}

/** A number as JavaScript source that reads back as exactly the same double. */
function literal(value: number): string {
  return `(${String(value)})`;
}

/**
 * The source of one compiled step, built by walking a planned tape. Every
 * array of the tape has a number; element i of array a is the local
 * `v{a}_{i}` (a value) or `g{a}_{i}` (a gradient). Bound values (a
 * parameter's array and its `.grad`, the outputs, the records' kernels,
 * options) are `b{k}`, so a parameter's element is read as `b{k}[i]`.
 */
class Program {
  /** Values the source reads as `b{k}`. */
  readonly bound: unknown[] = [];
  private readonly boundNames = new Map<unknown, string>();
  /** Per array of the tape: the source expression of each element. */
  private readonly values = new Map<FloatArray, readonly string[]>();
  private readonly grads = new Map<FloatArray, readonly string[]>();
  private readonly ids = new Map<FloatArray, number>();
  private readonly body: string[] = [];
  /** `p[i] += g·(−η)` per element of every parameter whose gradient was written. */
  private readonly updates: string[] = [];
  private readonly updated = new Set<FloatArray>();
  /** Rounds to the dtype where a kernel stores into a typed array; either way the result is one operand. */
  private readonly stored: (expression: string) => string;

  constructor(dtype: DType) {
    this.stored = dtype === 'float32' ? (e) => `Math.fround(${e})` : (e) => `(${e})`;
  }

  /** Emits the whole step; false when a node has no code here. */
  emit(tape: PlannedTape, model: Sequential): boolean {
    const inputs = range(elementsOf(tape.x)).map((p) => `x${p}`);
    this.body.push(`  const ${inputs.map((name, p) => `${name} = x[${p}]`).join(', ')};`);
    this.values.set(tape.x.data, inputs);
    const targets = range(elementsOf(tape.y)).map((j) => `t${j}`);
    this.body.push(`  const ${targets.map((name, j) => `${name} = y[${j}]`).join(', ')};`);
    this.values.set(tape.y.data, targets);
    for (const item of tape.forward) if (!('members' in item ? this.dense(item) : this.forward(item, tape))) return false;
    this.grads.set(tape.backward[tape.backward.length - 1]!.gradOut, ['1']);
    for (let i = tape.backward.length - 1; i >= 0; i--) if (!this.backward(tape.backward[i]!)) return false;
    // Every parameter the optimizer updates must have had its gradient written here.
    return model.parameters().every((p) => this.updated.has(p.grad?.data ?? p.data));
  }

  source(): string {
    return [
      '"use strict";',
      ...this.bound.map((_, k) => `const b${k} = bound[${k}];`),
      'function gradients(x, y) {', ...this.body, '  return loss;', '}',
      'function sgdStep(x, y, negativeRate) {', ...this.body, ...this.updates, '  return loss;', '}',
      'return { gradients, sgdStep };',
    ].join('\n');
  }

  private bind(value: unknown): string {
    let name = this.boundNames.get(value);
    if (name === undefined) {
      name = `b${this.bound.length}`;
      this.bound.push(value);
      this.boundNames.set(value, name);
    }
    return name;
  }

  private id(array: FloatArray): number {
    let id = this.ids.get(array);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(array, id);
    }
    return id;
  }

  /** The elements of a value: locals already emitted, or reads of a parameter's array. */
  private valueOf(array: FloatArray, n: number): readonly string[] {
    const found = this.values.get(array);
    if (found !== undefined) return found;
    const name = this.bind(array);
    return range(n).map((i) => `${name}[${i}]`);
  }

  /** The names `v{a}_{i}` of the elements of the value `array`, recorded for its readers; the caller declares them. */
  private names(array: FloatArray, n: number): readonly string[] {
    const id = this.id(array);
    const names = range(n).map((i) => `v${id}_${i}`);
    this.values.set(array, names);
    return names;
  }

  /** Declares `const v{a}_{i} = expression(i)` for the elements of `array` and records the names. */
  private define(array: FloatArray, n: number, expression: (i: number) => string): readonly string[] {
    const names = this.names(array, n);
    names.forEach((name, i) => this.body.push(`  const ${name} = ${expression(i)};`));
    return names;
  }

  /** A Dense group's `denseForward`: the reference product unit by unit, then the bias add, then the activation. */
  private dense(group: DenseGroup): boolean {
    const [units, k] = group.weight.shape as [number, number];
    const x = this.valueOf(group.x.data, k);
    const w = this.bind(group.weight.data);
    const bias = group.bias === null ? null : this.bind(group.bias.data);
    const biasSize = group.bias?.size ?? units;
    const { stored } = this;
    const f = group.activation === null ? null : this.bind(ELEMENTWISE[group.activation.kind].forward);
    const a = group.activation === null ? null : this.bind(group.activation.alpha);
    const net = this.names(group.net.data, units);
    const out = f === null ? net : this.names(group.out.data, units);
    // Unit by unit, each OUT right after its NET, as a straight-line step reads best.
    net.forEach((name, j) => {
      // Reference transB matmul: dot = 0; dot += a·b in order; out = 0 + dot.
      const product = stored(`0 + (0${x.map((input, p) => ` + ${input} * ${w}[${j * k + p}]`).join('')})`);
      this.body.push(`  const ${name} = ${bias === null ? product : stored(`${product} + ${bias}[${j % biasSize}]`)};`);
      if (f !== null) this.body.push(`  const ${out[j]} = ${stored(`${f}(${name}, ${a})`)};`);
    });
    return true;
  }

  private activate(kernel: ElementwiseKernel, out: FloatArray, input: readonly string[]): void {
    const f = this.bind(ELEMENTWISE[kernel.kind].forward);
    const a = this.bind(kernel.alpha);
    this.define(out, input.length, (i) => this.stored(`${f}(${input[i]}, ${a})`));
  }

  /** A node run by its own kernel: an activation, or the loss (terms stored, summed from 0 in float64, times the factor, stored). */
  private forward(node: Node, tape: PlannedTape): boolean {
    const { kernel } = node;
    if (kernel instanceof ElementwiseKernel) {
      this.activate(kernel, node.output.data, this.valueOf(node.inputs[0]!.data, node.inputs[0]!.size));
      return true;
    }
    if (!(kernel instanceof LossKernel) || node.output !== tape.loss) return false;
    const { setting } = kernel;
    const point = LOSS_RECORDS[setting.name].point!; // tinyApplies admits point losses only
    const o = this.valueOf(node.inputs[0]!.data, node.inputs[0]!.size);
    const t = this.valueOf(node.inputs[1]!.data, node.inputs[1]!.size);
    const term = this.bind(POINT_LOSSES[point].term);
    const option = this.bind(setting.option);
    const out = this.bind(tape.output.data);
    const factor = meanFactor(kernel);
    const terms = this.define(kernel.buffers.terms, o.length, (j) => this.stored(`${term}(${o[j]}, ${t[j]}, ${option})`));
    o.forEach((value, j) => this.body.push(`  ${out}[${j}] = ${value};`));
    this.body.push(`  const loss = ${this.stored(`(0${terms.map((e) => ` + ${e}`).join('')}) * ${factor}`)};`);
    this.body.push('  if (!Number.isFinite(loss)) return loss;');
    return true;
  }

  /** Names `g{a}_{i}` for the gradient array `array` of `n` elements, declared by the caller. */
  private gradNames(array: FloatArray, n: number): string[] {
    const id = this.id(array);
    return range(n).map((i) => `g${id}_${i}`);
  }

  /** Records the names of a gradient; a parameter's are also stored into its `.grad` and feed the update. */
  private setGrad(array: FloatArray | null | undefined, names: readonly string[], parameter: FloatArray | null): void {
    if (!array) return;
    this.grads.set(array, names);
    if (parameter === null) return;
    const grad = this.bind(array);
    const value = this.bind(parameter);
    this.body.push(`  ${names.map((name, i) => `${grad}[${i}] = ${name};`).join(' ')}`);
    // Reference axpy, p[i] += g[i] * s, with g[i] the stored gradient: the typed-array store rounds, as the kernel's does.
    names.forEach((name, i) => this.updates.push(`  ${value}[${i}] += ${name} * negativeRate;`));
    this.updated.add(array);
  }

  private backward({ node, gradOut, grads }: BackwardStep): boolean {
    const { kernel } = node;
    const g = this.grads.get(gradOut);
    if (g === undefined) return false;
    const parameter = (k: number): FloatArray | null => (node.inputs[k]!.node === null ? node.inputs[k]!.data : null);
    const { stored } = this;
    if (kernel instanceof LossKernel) {
      const point = LOSS_RECORDS[kernel.setting.name].point!;
      const gradient = this.bind(POINT_LOSSES[point].gradient);
      const option = this.bind(kernel.setting.option);
      const o = this.values.get(node.inputs[0]!.data)!;
      const t = this.values.get(node.inputs[1]!.data)!;
      // The scale g·(1/divisor) with g = 1 is the factor itself.
      const factor = meanFactor(kernel);
      const names = this.gradNames(grads[0]!, o.length);
      names.forEach((name, j) => this.body.push(`  const ${name} = ${stored(`${gradient}(${o[j]}, ${t[j]}, ${factor}, ${option})`)};`));
      this.setGrad(grads[0], names, null);
      return true;
    }
    if (kernel instanceof ElementwiseKernel) {
      const df = this.bind(ELEMENTWISE[kernel.kind].derivative);
      const a = this.bind(kernel.alpha);
      const input = this.values.get(node.inputs[0]!.data)!;
      const out = this.values.get(node.output.data)!;
      const names = this.gradNames(grads[0]!, g.length);
      // g times the stored derivative: g·y·(1 − y) must not become (g·y)·(1 − y).
      names.forEach((name, i) => this.body.push(`  const ${name} = ${stored(`${g[i]} * ${stored(`${df}(${input[i]}, ${out[i]}, ${a})`)}`)};`));
      this.setGrad(grads[0], names, parameter(0));
      return true;
    }
    if (kernel instanceof BinaryKernel && kernel.kind === 'add') {
      // ∂/∂a is g itself (shared, or an exact copy).
      this.setGrad(grads[0], g, parameter(0));
      const gradB = grads[1];
      if (gradB) {
        // Reference sumRepeats: each element of b sums its repeats from 0, in order, stored at each step.
        const size = node.inputs[1]!.size;
        const names = this.gradNames(gradB, size);
        names.forEach((name, j) => {
          let sum = '0';
          for (let i = j; i < g.length; i += size) sum = stored(`${sum} + ${g[i]}`);
          this.body.push(`  const ${name} = ${sum};`);
        });
        this.setGrad(gradB, names, parameter(1));
      }
      return true;
    }
    if (kernel instanceof MatmulKernel && !kernel.transA && kernel.transB && parameter(1) !== null) {
      return this.productBackward(node, g, grads);
    }
    return false;
  }

  /** `matmul(x, W)` with W transposed and one row: ∂L/∂W (and ∂L/∂x) as the reference matmul computes them. */
  private productBackward(node: Node, g: readonly string[], grads: readonly (FloatArray | null)[]): boolean {
    const { stored } = this;
    const [units, k] = node.inputs[1]!.shape as [number, number];
    const x = this.valueOf(node.inputs[0]!.data, k);
    const w = this.bind(node.inputs[1]!.data);
    const gradX = grads[0];
    const gradW = grads[1];
    if (gradW) {
      // Reference transA matmul with one row: zero-filled, and a unit whose ∂L/∂NET is 0 adds nothing.
      const names = this.gradNames(gradW, units * k);
      g.forEach((gi, i) => {
        const row = names.slice(i * k, (i + 1) * k);
        this.body.push(`  let ${row.map((name) => `${name} = 0`).join(', ')};`);
        this.body.push(`  if (${gi} !== 0) { ${row.map((name, j) => `${name} = ${stored(`0 + ${gi} * ${x[j]}`)};`).join(' ')} }`);
      });
      this.setGrad(gradW, names, node.inputs[1]!.data);
    }
    if (gradX) {
      // Reference matmul: ∂L/∂x = 0, then += ∂L/∂NET[p]·W[p,:] for each p with a non-zero ∂L/∂NET[p].
      const names = this.gradNames(gradX, k);
      this.body.push(`  let ${names.map((name) => `${name} = 0`).join(', ')};`);
      g.forEach((gp, p) => {
        this.body.push(`  if (${gp} !== 0) { ${names.map((name, j) => `${name} = ${stored(`${name} + ${gp} * ${w}[${p * k + j}]`)};`).join(' ')} }`);
      });
      this.setGrad(gradX, names, node.inputs[0]!.node === null ? node.inputs[0]!.data : null);
    }
    return true;
  }
}
