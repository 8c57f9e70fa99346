/**
 * Differentiable primitives. Each op checks its arguments and runs its
 * {@link Kernel}: one class per op holding its forward and backward
 * backend calls, so the derivative of every primitive is written in one
 * place. Autograd runs a kernel's backward when it sweeps back; a
 * `TrainingPlan` replays the same kernel objects into planned buffers.
 * Kernels take sizes from the views' shapes (a replay runs prefixes of its
 * buffers) and allocate nothing after their first backward.
 */
import type { Backend, BinaryKind, FloatArray, UnaryKind } from '../backend/index.js';
import { getBackend } from '../backend/index.js';
import { GlassnetError, describeValue } from '../errors.js';
import { ELEMENTWISE, type ElementwiseName } from '../primitives/activations.js';
import { LOSS_RECORDS, type LossName } from '../primitives/losses.js';
import { lossBuffers, lossGradient, lossValue, type LossBuffers, type LossSetting } from './loss-steps.js';
import { checkNumber } from '../util/checks.js';
import { formatShape, sameShape, sizeOf, trailingBroadcast } from '../util/shape.js';
import { elementsOf, record, type Intermediates, type Kernel, type Node, type View } from './autograd.js';
import { Tensor, allocate } from './tensor.js';
import type { Random } from '../util/random.js';

function result(like: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(allocate(like.dtype, sizeOf(shape)), shape.slice());
}

/** `out[i] = a[i]` for `i < n` (a loop, not `set(subarray)`: a replay must not allocate). */
function copy(out: FloatArray, a: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i]!;
}

function dtypeOf(data: FloatArray): 'float32' | 'float64' {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

function checkDtypes(argument: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new GlassnetError({ code: 'dtype', argument, expected: `the same dtype as the first operand (${a.dtype})`, found: b.dtype });
  }
}

function checkMatrix(argument: string, t: Tensor): void {
  if (t.shape.length !== 2) {
    throw new GlassnetError({ code: 'shape', argument, expected: 'a 2-D tensor (a matrix)', found: `shape ${formatShape(t.shape)}` });
  }
}

/**
 * Matrix product `op(a) · op(b)` where op transposes when asked; no
 * transposed copy is ever made.
 */
export function matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  checkMatrix('a', a);
  checkMatrix('b', b);
  checkDtypes('b', a, b);
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [kb, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (k !== kb) {
    throw new GlassnetError({
      code: 'shape', argument: 'b', expected: `${k} rows${transB ? ' (after transpose)' : ''} to match a's ${k} columns`, found: `shape ${formatShape(b.shape)}`,
    });
  }
  return run('matmul', new MatmulKernel(getBackend(), transA, transB), [a, b], result(a, [m, n]));
}

/** Runs `kernel` forward into `out` and records it, with `saved` for observers. */
function run(op: string, kernel: Kernel, inputs: readonly Tensor[], out: Tensor, saved: Node['saved'] = {}): Tensor {
  kernel.forward(out, inputs);
  return record(op, inputs, out, kernel, saved);
}

/** {@link matmul}: `out = op(a) · op(b)`, with `m`, `k`, `n` read from the views. */
export class MatmulKernel implements Kernel {
  constructor(private readonly backend: Backend, readonly transA: boolean, readonly transB: boolean) {}

  forward(out: View, inputs: readonly View[]): void {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const { transA, transB } = this;
    this.backend.matmul(out.data, a.data, b.data, a.shape[transA ? 1 : 0]!, a.shape[transA ? 0 : 1]!, b.shape[transB ? 0 : 1]!, transA, transB, false);
  }

  backward(g: FloatArray, _out: View, inputs: readonly View[], grads: readonly (FloatArray | null)[]): void {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const { transA, transB, backend } = this;
    const m = a.shape[transA ? 1 : 0]!;
    const k = a.shape[transA ? 0 : 1]!;
    const n = b.shape[transB ? 0 : 1]!;
    const gradA = grads[0];
    const gradB = grads[1];
    if (gradA) {
      // dA = g · op(b)ᵀ, laid out like a (transposed back when transA).
      if (transA) backend.matmul(gradA, b.data, g, k, n, m, transB, true, false);
      else backend.matmul(gradA, g, b.data, m, n, k, false, !transB, false);
    }
    if (gradB) {
      // dB = op(a)ᵀ · g, laid out like b.
      if (transB) backend.matmul(gradB, g, a.data, n, m, k, true, transA, false);
      else backend.matmul(gradB, a.data, g, k, m, n, !transA, false, false);
    }
  }
}

function binaryOp(kind: BinaryKind, a: Tensor, b: Tensor): Tensor {
  checkDtypes('b', a, b);
  if (trailingBroadcast(a.shape, b.shape) === null) {
    throw new GlassnetError({
      code: 'shape', argument: 'b', expected: `shape ${formatShape(a.shape)}, a trailing part of it, or one element`, found: `shape ${formatShape(b.shape)}`,
    });
  }
  return run(kind, new BinaryKernel(getBackend(), kind), [a, b], result(a, a.shape));
}

/** {@link add}, {@link sub}, {@link mul}, {@link div}: `out = a ∘ b` with `b` repeated over `a`. */
export class BinaryKernel implements Kernel {
  /** ∂out/∂b for every element of out, before the repeats of b are summed (sub, mul, div); allocated at the first backward. */
  private full: FloatArray | null = null;

  constructor(private readonly backend: Backend, readonly kind: BinaryKind) {}

  forward(out: View, inputs: readonly View[]): void {
    const a = inputs[0]!;
    const b = inputs[1]!;
    this.backend.binary(this.kind, out.data, a.data, b.data, elementsOf(a), elementsOf(b));
  }

  passes(k: number): boolean {
    return k === 0 && (this.kind === 'add' || this.kind === 'sub');
  }

  backward(g: FloatArray, out: View, inputs: readonly View[], grads: readonly (FloatArray | null)[]): void {
    const { backend, kind } = this;
    const a = inputs[0]!;
    const b = inputs[1]!;
    const n = elementsOf(a);
    const bSize = elementsOf(b);
    const gradA = grads[0];
    const gradB = grads[1];
    if (gradA) {
      if (kind === 'add' || kind === 'sub') {
        if (gradA !== g) copy(gradA, g, n);
      } else {
        backend.binary(kind, gradA, g, b.data, n, bSize); // g·b for mul, g/b for div
      }
    }
    if (!gradB) return;
    let full = g;
    if (kind !== 'add') {
      full = this.full ??= allocate(dtypeOf(g), g.length);
      switch (kind) {
        case 'sub':
          backend.scale(full, g, -1, n);
          break;
        case 'mul':
          backend.binary('mul', full, g, a.data, n, n);
          break;
        case 'div':
          // d(a/b)/db = −a/b² = −out/b
          backend.binary('mul', full, g, out.data, n, n);
          backend.binary('div', full, full, b.data, n, bSize);
          backend.scale(full, full, -1, n);
          break;
        default:
          kind satisfies never;
      }
    }
    backend.sumRepeats(gradB, full, n, bSize);
  }
}

/** `a + b`; `b` may be a trailing part of `a`'s shape (a bias row) or a single element. */
export function add(a: Tensor, b: Tensor): Tensor {
  return binaryOp('add', a, b);
}

/** `a − b`, broadcasting `b` as in {@link add}. */
export function sub(a: Tensor, b: Tensor): Tensor {
  return binaryOp('sub', a, b);
}

/** Elementwise `a · b`, broadcasting `b` as in {@link add}. */
export function mul(a: Tensor, b: Tensor): Tensor {
  return binaryOp('mul', a, b);
}

/** Elementwise `a / b`, broadcasting `b` as in {@link add}. */
export function div(a: Tensor, b: Tensor): Tensor {
  return binaryOp('div', a, b);
}

/** `a · s` for a plain number `s`. */
export function scale(a: Tensor, s: number): Tensor {
  return run('scale', new ScaleKernel(getBackend(), s), [a], result(a, a.shape), { factor: s });
}

/** {@link scale}: `out = a · s`. */
export class ScaleKernel implements Kernel {
  constructor(private readonly backend: Backend, readonly factor: number) {}

  forward(out: View, inputs: readonly View[]): void {
    this.backend.scale(out.data, inputs[0]!.data, this.factor, elementsOf(out));
  }

  backward(g: FloatArray, out: View, _inputs: readonly View[], grads: readonly (FloatArray | null)[]): void {
    if (grads[0]) this.backend.scale(grads[0], g, this.factor, elementsOf(out));
  }
}

/**
 * The elementwise activation `kind` (any record of
 * `primitives/activations.ts`), with `alpha` its option (default: the
 * record's, PyTorch's; ignored by activations without one). Its backward
 * rule multiplies by the record's derivative, which observers receive.
 */
export function elementwise(kind: ElementwiseName, x: Tensor, alpha?: number): Tensor {
  return elementwiseOp(kind, x, activationParameter(kind, alpha, 'alpha'));
}

/** {@link elementwise} with `a` already checked (0 for an activation without an option): what layers call. */
export function elementwiseOp(kind: ElementwiseName, x: Tensor, a: number): Tensor {
  return run(kind, new ElementwiseKernel(getBackend(), kind, a), [x], result(x, x.shape));
}

/** {@link elementwise}: `out = f(x)`, and `∂L/∂x = g ⊙ f'(x)` with f' shown to observers as `derivative`. */
export class ElementwiseKernel implements Kernel {
  /** f'(x), allocated at the first backward. */
  private derivative: FloatArray | null = null;

  constructor(private readonly backend: Backend, readonly kind: ElementwiseName, readonly alpha: number) {}

  forward(out: View, inputs: readonly View[]): void {
    this.backend.unary(this.kind, out.data, inputs[0]!.data, elementsOf(out), this.alpha);
  }

  backward(g: FloatArray, out: View, inputs: readonly View[], grads: readonly (FloatArray | null)[], intermediates: Intermediates): void {
    const n = elementsOf(out);
    const derivative = this.derivative ??= allocate(dtypeOf(out.data), out.data.length);
    this.backend.unaryDerivative(this.kind, derivative, inputs[0]!.data, out.data, n, this.alpha);
    intermediates.derivative = derivative;
    if (grads[0]) this.backend.binary('mul', grads[0], g, derivative, n, n);
  }
}

/**
 * The value of `kind`'s option: `alpha` when given (checked), else the
 * record's default; 0 for an activation without an option, which refuses
 * an `alpha`.
 * @throws GlassnetError naming `argument` for an alpha the activation does not take or does not accept.
 */
export function activationParameter(kind: ElementwiseName | 'linear' | 'softmax', alpha: number | undefined, argument: string): number {
  const option = kind === 'linear' || kind === 'softmax' ? null : ELEMENTWISE[kind].option;
  if (option === null) {
    if (alpha === undefined) return 0;
    throw new GlassnetError({ code: 'unknown-name', argument, expected: `no ${argument} (${kind} takes no option)`, found: describeValue(alpha) });
  }
  if (alpha === undefined) return option.default;
  return checkNumber(alpha, option.range, argument, `(${option.meaning}) for ${kind}`);
}

/** Logistic sigmoid 1/(1+e^−x), computed without overflow for large |x|. */
export function sigmoid(x: Tensor): Tensor {
  return elementwise('sigmoid', x);
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return elementwise('tanh', x);
}

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return elementwise('relu', x);
}

/** Default negative slope of leakyRelu, PyTorch's. */
export const LEAKY_RELU_SLOPE: number = ELEMENTWISE.leakyRelu.option.default;

/** x for x > 0, `alpha`·x otherwise. */
export function leakyRelu(x: Tensor, alpha = LEAKY_RELU_SLOPE): Tensor {
  return elementwise('leakyRelu', x, alpha);
}

/**
 * A Dense layer's forward pass for inference, `activation(x·wᵀ + bias)`
 * with `bias` repeated over the rows, in one backend call: the backend
 * contract makes it bit for bit {@link matmul}, {@link add} and the
 * activation op, but a backend may apply the bias and activation while the
 * product is still in its memory. It records nothing, so it is for when no
 * gradient is wanted (see `needsGrad`). `x` is `rows×k`, `w` is `units×k`.
 */
export function denseInference(x: Tensor, w: Tensor, bias: Tensor | null, activation: UnaryKind | 'linear' | 'softmax', alpha?: number): Tensor {
  const a = activationParameter(activation, alpha, 'alpha');
  return denseInferenceOp(x, w, bias, activation, a);
}

/** {@link denseInference} with `a` already checked: what layers call. */
export function denseInferenceOp(x: Tensor, w: Tensor, bias: Tensor | null, activation: UnaryKind | 'linear' | 'softmax', a: number): Tensor {
  checkMatrix('x', x);
  checkMatrix('w', w);
  checkDtypes('w', x, w);
  if (bias !== null) checkDtypes('bias', x, bias);
  const [rows, k] = [x.shape[0]!, x.shape[1]!];
  const units = w.shape[0]!;
  if (w.shape[1] !== k || (bias !== null && units % bias.size !== 0)) {
    throw new GlassnetError({
      code: 'shape', argument: 'w', expected: `${k} columns (x has ${k}) and a bias that divides its ${units} rows`,
      found: `w of shape ${formatShape(w.shape)}, bias of ${bias?.size ?? 0} values`,
    });
  }
  const backend = getBackend();
  const net = result(x, [rows, units]);
  const out = activation === 'linear' ? net : result(x, [rows, units]);
  const pointwise = activation === 'softmax' ? 'linear' : activation;
  backend.denseForward(net.data, out.data, x.data, w.data, bias?.data ?? null, bias?.size ?? units, rows, k, units, pointwise, a);
  if (activation === 'softmax') backend.softmaxRows(out.data, net.data, rows, units);
  return out;
}

/** Softmax over the last dimension (each row sums to 1). */
export function softmax(x: Tensor): Tensor {
  return run('softmax', new SoftmaxKernel(getBackend()), [x], result(x, x.shape));
}

/** {@link softmax}: each row of `out` is the softmax of the row of `x`. */
export class SoftmaxKernel implements Kernel {
  constructor(private readonly backend: Backend) {}

  forward(out: View, inputs: readonly View[]): void {
    const cols = lastDim(out);
    this.backend.softmaxRows(out.data, inputs[0]!.data, elementsOf(out) / cols, cols);
  }

  backward(g: FloatArray, out: View, _inputs: readonly View[], grads: readonly (FloatArray | null)[]): void {
    const cols = lastDim(out);
    if (grads[0]) this.backend.softmaxBackwardRows(grads[0], out.data, g, elementsOf(out) / cols, cols);
  }
}

function lastDim(x: View): number {
  return x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1]!;
}

/**
 * Inverted dropout: keeps each element with probability 1 − `rate`,
 * scaled by 1/(1 − rate), and zeroes the rest; the mask is drawn from
 * `random`, so a seeded generator repeats it exactly.
 */
export function dropout(x: Tensor, rate: number, random: Random): Tensor {
  const mask = allocate(x.dtype, x.size);
  return run('dropout', new DropoutKernel(getBackend(), rate, random, mask), [x], result(x, x.shape), { mask });
}

/** {@link dropout}: each forward draws a new mask from `random` into `mask`, and the backward multiplies by it. */
export class DropoutKernel implements Kernel {
  constructor(private readonly backend: Backend, readonly rate: number, readonly random: Random, readonly mask: FloatArray) {}

  forward(out: View, inputs: readonly View[]): void {
    const n = elementsOf(out);
    fillDropoutMask(this.mask, n, this.rate, this.random);
    this.backend.binary('mul', out.data, inputs[0]!.data, this.mask, n, n);
  }

  backward(g: FloatArray, out: View, _inputs: readonly View[], grads: readonly (FloatArray | null)[]): void {
    const n = elementsOf(out);
    if (grads[0]) this.backend.binary('mul', grads[0], g, this.mask, n, n);
  }
}

/** Fills `mask[0..n)` with 0 (probability `rate`) or 1/(1 − rate), one draw per element in order. */
export function fillDropoutMask(mask: FloatArray, n: number, rate: number, random: Random): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < n; i++) mask[i] = random.float() < rate ? 0 : keep;
}

/** Sum of all elements, as a scalar tensor. */
export function sum(x: Tensor): Tensor {
  return run('sum', new ReduceKernel(getBackend(), false), [x], result(x, []));
}

/** Mean of all elements, as a scalar tensor. */
export function mean(x: Tensor): Tensor {
  return run('mean', new ReduceKernel(getBackend(), true), [x], result(x, []));
}

/** {@link sum} and {@link mean}: `out = factor · Σ x` with factor 1 or 1/n. */
export class ReduceKernel implements Kernel {
  constructor(private readonly backend: Backend, readonly mean: boolean) {}

  forward(out: View, inputs: readonly View[]): void {
    const n = elementsOf(inputs[0]!);
    out.data[0] = this.backend.sum(inputs[0]!.data, n) * (this.mean ? 1 / n : 1);
  }

  backward(g: FloatArray, _out: View, inputs: readonly View[], grads: readonly (FloatArray | null)[]): void {
    const n = elementsOf(inputs[0]!);
    if (grads[0]) grads[0].fill(g[0]! * (this.mean ? 1 / n : 1), 0, n);
  }
}

/** Transpose of a matrix (a copy; matmul takes transpose flags instead). */
export function transpose(x: Tensor): Tensor {
  checkMatrix('x', x);
  return run('transpose', new TransposeKernel(getBackend()), [x], result(x, [x.shape[1]!, x.shape[0]!]));
}

/** {@link transpose}: `out = xᵀ`. */
export class TransposeKernel implements Kernel {
  constructor(private readonly backend: Backend) {}

  forward(_out: View, inputs: readonly View[]): void {
    const x = inputs[0]!;
    this.backend.transpose(_out.data, x.data, x.shape[0]!, x.shape[1]!);
  }

  backward(g: FloatArray, _out: View, inputs: readonly View[], grads: readonly (FloatArray | null)[]): void {
    const x = inputs[0]!;
    if (grads[0]) this.backend.transpose(grads[0], g, x.shape[1]!, x.shape[0]!);
  }
}

/** The same elements under another shape with the same number of elements. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  if (sizeOf(shape) !== x.size || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new GlassnetError({ code: 'shape', argument: 'shape', expected: `non-negative integers with product ${x.size}`, found: formatShape(shape) });
  }
  return run('reshape', new ReshapeKernel(), [x], result(x, shape));
}

/** {@link reshape}: a copy of the elements, and of the gradient back. */
export class ReshapeKernel implements Kernel {
  forward(out: View, inputs: readonly View[]): void {
    copy(out.data, inputs[0]!.data, elementsOf(out));
  }

  backward(g: FloatArray, out: View, _inputs: readonly View[], grads: readonly (FloatArray | null)[]): void {
    if (grads[0]) copy(grads[0], g, elementsOf(out));
  }
}

function checkTarget(output: Tensor, target: Tensor): void {
  checkDtypes('target', output, target);
  if (!sameShape(output.shape, target.shape)) {
    throw new GlassnetError({ code: 'shape', argument: 'target', expected: `shape ${formatShape(output.shape)} (the output's)`, found: `shape ${formatShape(target.shape)}` });
  }
}

/** Options of the losses that take any (see each loss). */
export interface LossOptions {
  /**
   * Per-class weights, one per output column (PyTorch's `weight`), for the
   * classification losses. Softmax cross-entropy then divides by the summed
   * weights of the targets (Σ_r Σ_c w_c·t[r,c]); the binary cross-entropies
   * scale each column's terms and still average over every element.
   */
  weight?: readonly number[];
  /** Huber's threshold δ (default 1, PyTorch's). */
  delta?: number;
}

/**
 * The loss `name` with its options checked against its record: the option
 * value (δ) and the weights as an array of the output's dtype.
 * @throws GlassnetError for an option the loss does not take, or a bad value.
 */
export function lossSetting(name: LossName, options: LossOptions, like: Tensor, argument = 'options'): LossSetting {
  const record = LOSS_RECORDS[name];
  for (const key of Object.keys(options)) {
    const takes = key === 'weight' ? record.classWeights : key === 'delta' ? record.option !== null : false;
    if (!takes) {
      const known = [...(record.classWeights ? ['weight'] : []), ...(record.option !== null ? ['delta'] : [])];
      throw new GlassnetError({
        code: 'unknown-name', argument: `${argument}.${key}`,
        expected: known.length === 0 ? `no options (${name} takes none)` : `only ${known.map((k) => `"${k}"`).join(', ')} for ${name}`, found: JSON.stringify(key),
      });
    }
  }
  let option = 0;
  if (record.option !== null) {
    option = checkNumber(options.delta ?? record.option.default, record.option.range, `${argument}.delta`);
  }
  let weight: FloatArray | null = null;
  if (options.weight !== undefined) {
    const cols = lastDim(like);
    const values = options.weight;
    // All zero would weigh every target out: the mean's divisor is 0, the loss NaN.
    if (!Array.isArray(values) || values.length !== cols || values.some((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0) || !values.some((w) => w > 0)) {
      throw new GlassnetError({ code: 'range', argument: `${argument}.weight`, expected: `${cols} finite weights >= 0, not all 0 (one per output column)`, found: describeValue(values) });
    }
    weight = allocate(like.dtype, cols);
    weight.set(values);
  }
  return { name, option, weight };
}

/**
 * The loss `name` (any record of `primitives/losses.ts`) of `output`
 * against `target`: checks, the forward kernels of `loss-steps.ts`, and its
 * backward rule. The terms and the factor (loss = factor·Σ terms) are saved
 * so observers can show each output's share of the error. The named loss
 * functions below are this with their name filled in.
 */
export function applyLoss(name: LossName, output: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkTarget(output, target);
  const setting = lossSetting(name, options, output);
  const cols = lastDim(output);
  const buffers = lossBuffers(setting, output.size / cols, cols, (size) => allocate(output.dtype, size));
  const kernel = new LossKernel(getBackend(), setting, buffers);
  const loss = result(output, []);
  // Not run(): the saved factor must be read after forward, which sets the divisor.
  kernel.forward(loss, [output, target]);
  return record(name, [output, target], loss, kernel, { terms: buffers.terms, factor: 1 / buffers.divisor, option: setting.option });
}

/**
 * {@link applyLoss}: the loss of `inputs[0]` against `inputs[1]` through
 * the kernels of `loss-steps.ts` into `buffers` (sized for the rows it
 * was made for; fewer rows use a prefix), rounded to the output's dtype.
 */
export class LossKernel implements Kernel {
  constructor(private readonly backend: Backend, readonly setting: LossSetting, readonly buffers: LossBuffers) {}

  forward(out: View, inputs: readonly View[]): void {
    const output = inputs[0]!;
    const cols = lastDim(output);
    out.data[0] = lossValue(this.backend, this.setting, output.data, inputs[1]!.data, elementsOf(output) / cols, cols, this.buffers);
  }

  backward(g: FloatArray, _out: View, inputs: readonly View[], grads: readonly (FloatArray | null)[], intermediates: Intermediates): void {
    const output = inputs[0]!;
    const cols = lastDim(output);
    if (grads[0]) lossGradient(this.backend, this.setting, output.data, inputs[1]!.data, elementsOf(output) / cols, cols, this.buffers, g[0]!, grads[0]);
    if (LOSS_RECORDS[this.setting.name].point === null) intermediates.softmax = this.buffers.probabilities;
  }
}

/**
 * The article's error: E = Σ over outputs of ½(t − o)², averaged over the
 * samples of a batch (so one sample gives the article's E_total exactly).
 */
export function squaredError(output: Tensor, target: Tensor): Tensor {
  return applyLoss('squaredError', output, target, {});
}

/** Mean squared error over all elements: mean((t − o)²). */
export function mse(output: Tensor, target: Tensor): Tensor {
  return applyLoss('mse', output, target, {});
}

/** Mean absolute error (L1) over all elements: mean(|o − t|). */
export function mae(output: Tensor, target: Tensor): Tensor {
  return applyLoss('mae', output, target, {});
}

/** Huber loss averaged over all elements: ½d² where |d| < δ, δ(|d| − ½δ) beyond (d = o − t; `options.delta`, default 1). */
export function huber(output: Tensor, target: Tensor, options: Pick<LossOptions, 'delta'> = {}): Tensor {
  return applyLoss('huber', output, target, options);
}

/** Binary cross-entropy of probabilities, averaged over all elements; log is floored at −100. */
export function binaryCrossEntropy(output: Tensor, target: Tensor, options: Pick<LossOptions, 'weight'> = {}): Tensor {
  return applyLoss('binaryCrossEntropy', output, target, options);
}

/**
 * Binary cross-entropy of logits (sigmoid fused into the loss, PyTorch's
 * BCEWithLogitsLoss), averaged over all elements: exact for any finite
 * logit, with the gradient σ(z) − t.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, options: Pick<LossOptions, 'weight'> = {}): Tensor {
  return applyLoss('binaryCrossEntropyWithLogits', logits, target, options);
}

/**
 * Cross-entropy of softmax(logits) against target rows that are
 * probability vectors (one-hot or soft), averaged over the rows (or over
 * the targets' weights, with `options.weight`). Each row's term keeps its
 * relative precision for logits of any size (see
 * `Backend.softmaxCrossEntropyRows`); the gradient is the fused
 * (softmax − target) / rows.
 */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor, options: Pick<LossOptions, 'weight'> = {}): Tensor {
  return applyLoss('softmaxCrossEntropy', logits, target, options);
}
