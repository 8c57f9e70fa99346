/**
 * Differentiable primitives. Each op checks its arguments, computes its
 * output through the backend, and records its backward rule beside it, so
 * the derivative of every primitive is read in one place. Backward rules
 * return arrays they own (never `gradOut` itself), because the sweep
 * accumulates into them.
 */
import type { BinaryKind, FloatArray, UnaryKind } from '../backend/index.js';
import { getBackend } from '../backend/index.js';
import { GlassnetError, describeValue } from '../errors.js';
import { ELEMENTWISE, type ElementwiseName } from '../primitives/activations.js';
import { LOSS_RECORDS, type LossName } from '../primitives/losses.js';
import { lossBuffers, lossGradient, lossValue, type LossSetting } from './loss-steps.js';
import { checkNumber } from '../util/checks.js';
import { formatShape, sameShape, sizeOf, trailingBroadcast } from '../util/shape.js';
import { record } from './autograd.js';
import { Tensor, allocate } from './tensor.js';
import type { Random } from '../util/random.js';

function result(like: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(allocate(like.dtype, sizeOf(shape)), shape.slice());
}

function copyOf(data: FloatArray): FloatArray {
  return data.slice();
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
  const backend = getBackend();
  const out = result(a, [m, n]);
  backend.matmul(out.data, a.data, b.data, m, k, n, transA, transB, false);
  return record('matmul', [a, b], out, (g) => {
    let gradA: FloatArray | null = null;
    let gradB: FloatArray | null = null;
    if (a.requiresGrad) {
      // dA = g · op(b)ᵀ, laid out like a (transposed back when transA).
      gradA = allocate(a.dtype, a.size);
      if (transA) backend.matmul(gradA, b.data, g, k, n, m, transB, true, false);
      else backend.matmul(gradA, g, b.data, m, n, k, false, !transB, false);
    }
    if (b.requiresGrad) {
      // dB = op(a)ᵀ · g, laid out like b.
      gradB = allocate(b.dtype, b.size);
      if (transB) backend.matmul(gradB, g, a.data, n, m, k, true, transA, false);
      else backend.matmul(gradB, a.data, g, k, m, n, !transA, false, false);
    }
    return [gradA, gradB];
  });
}

function binaryOp(kind: BinaryKind, a: Tensor, b: Tensor): Tensor {
  checkDtypes('b', a, b);
  const bSize = trailingBroadcast(a.shape, b.shape);
  if (bSize === null) {
    throw new GlassnetError({
      code: 'shape', argument: 'b', expected: `shape ${formatShape(a.shape)}, a trailing part of it, or one element`, found: `shape ${formatShape(b.shape)}`,
    });
  }
  const backend = getBackend();
  const out = result(a, a.shape);
  const n = a.size;
  backend.binary(kind, out.data, a.data, b.data, n, bSize);
  return record(kind, [a, b], out, (g) => {
    const gradA = a.requiresGrad ? binaryGradA(kind, g, b.data, n, bSize) : null;
    let gradB: FloatArray | null = null;
    if (b.requiresGrad) {
      const full = binaryGradBFull(kind, g, a.data, b.data, out.data, n, bSize);
      gradB = allocate(b.dtype, bSize);
      backend.sumRepeats(gradB, full, n, bSize);
    }
    return [gradA, gradB];
  });
}

function binaryGradA(kind: BinaryKind, g: FloatArray, b: FloatArray, n: number, bSize: number): FloatArray {
  const backend = getBackend();
  if (kind === 'add' || kind === 'sub') return copyOf(g);
  const grad = allocate(g instanceof Float64Array ? 'float64' : 'float32', n);
  backend.binary(kind, grad, g, b, n, bSize); // g·b for mul, g/b for div
  return grad;
}

// ∂out/∂b for every element of out, before repeats of b are summed.
function binaryGradBFull(kind: BinaryKind, g: FloatArray, a: FloatArray, b: FloatArray, out: FloatArray, n: number, bSize: number): FloatArray {
  const backend = getBackend();
  const grad = copyOf(g);
  switch (kind) {
    case 'add':
      break;
    case 'sub':
      backend.scale(grad, g, -1, n);
      break;
    case 'mul':
      backend.binary('mul', grad, g, a, n, n);
      break;
    case 'div':
      // d(a/b)/db = −a/b² = −out/b
      backend.binary('mul', grad, g, out, n, n);
      backend.binary('div', grad, grad, b, n, bSize);
      backend.scale(grad, grad, -1, n);
      break;
    default:
      kind satisfies never;
  }
  return grad;
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
  const backend = getBackend();
  const out = result(a, a.shape);
  backend.scale(out.data, a.data, s, a.size);
  return record('scale', [a], out, (g) => {
    const grad = allocate(a.dtype, a.size);
    backend.scale(grad, g, s, a.size);
    return [grad];
  }, { factor: s });
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
  const backend = getBackend();
  const out = result(x, x.shape);
  backend.unary(kind, out.data, x.data, x.size, a);
  return record(kind, [x], out, (g, intermediates) => {
    const derivative = allocate(x.dtype, x.size);
    backend.unaryDerivative(kind, derivative, x.data, out.data, x.size, a);
    intermediates.derivative = derivative;
    const grad = allocate(x.dtype, x.size);
    backend.binary('mul', grad, g, derivative, x.size, x.size);
    return [grad];
  });
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
  const backend = getBackend();
  const out = result(x, x.shape);
  const rows = x.size / lastDim(x);
  const cols = lastDim(x);
  backend.softmaxRows(out.data, x.data, rows, cols);
  return record('softmax', [x], out, (g) => {
    const grad = allocate(x.dtype, x.size);
    backend.softmaxBackwardRows(grad, out.data, g, rows, cols);
    return [grad];
  });
}

function lastDim(x: Tensor): number {
  return x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1]!;
}

/**
 * Inverted dropout: keeps each element with probability 1 − `rate`,
 * scaled by 1/(1 − rate), and zeroes the rest; the mask is drawn from
 * `random`, so a seeded generator repeats it exactly.
 */
export function dropout(x: Tensor, rate: number, random: Random): Tensor {
  const backend = getBackend();
  const mask = allocate(x.dtype, x.size);
  fillDropoutMask(mask, x.size, rate, random);
  const out = result(x, x.shape);
  backend.binary('mul', out.data, x.data, mask, x.size, x.size);
  return record('dropout', [x], out, (g) => {
    const grad = allocate(x.dtype, x.size);
    backend.binary('mul', grad, g, mask, x.size, x.size);
    return [grad];
  }, { mask });
}

/** Fills `mask[0..n)` with 0 (probability `rate`) or 1/(1 − rate), one draw per element in order. */
export function fillDropoutMask(mask: FloatArray, n: number, rate: number, random: Random): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < n; i++) mask[i] = random.float() < rate ? 0 : keep;
}

/** Sum of all elements, as a scalar tensor. */
export function sum(x: Tensor): Tensor {
  return reduceAll('sum', x, 1);
}

/** Mean of all elements, as a scalar tensor. */
export function mean(x: Tensor): Tensor {
  return reduceAll('mean', x, 1 / x.size);
}

function reduceAll(op: 'sum' | 'mean', x: Tensor, factor: number): Tensor {
  const backend = getBackend();
  const out = result(x, []);
  out.data[0] = backend.sum(x.data, x.size) * factor;
  return record(op, [x], out, (g) => {
    const grad = allocate(x.dtype, x.size);
    grad.fill(g[0]! * factor);
    return [grad];
  });
}

/** Transpose of a matrix (a copy; matmul takes transpose flags instead). */
export function transpose(x: Tensor): Tensor {
  checkMatrix('x', x);
  const backend = getBackend();
  const [rows, cols] = [x.shape[0]!, x.shape[1]!];
  const out = result(x, [cols, rows]);
  backend.transpose(out.data, x.data, rows, cols);
  return record('transpose', [x], out, (g) => {
    const grad = allocate(x.dtype, x.size);
    backend.transpose(grad, g, cols, rows);
    return [grad];
  });
}

/** The same elements under another shape with the same number of elements. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  if (sizeOf(shape) !== x.size || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new GlassnetError({ code: 'shape', argument: 'shape', expected: `non-negative integers with product ${x.size}`, found: formatShape(shape) });
  }
  const out = new Tensor(x.data.slice(), shape.slice());
  return record('reshape', [x], out, (g) => [copyOf(g)]);
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
    if (!Array.isArray(values) || values.length !== cols || values.some((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0)) {
      throw new GlassnetError({ code: 'range', argument: `${argument}.weight`, expected: `${cols} finite weights >= 0 (one per output column)`, found: describeValue(values) });
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
  const backend = getBackend();
  const cols = lastDim(output);
  const rows = output.size / cols;
  const buffers = lossBuffers(setting, rows, cols, (size) => allocate(output.dtype, size));
  const loss = result(output, []);
  loss.data[0] = lossValue(backend, setting, output.data, target.data, rows, cols, buffers);
  return record(name, [output, target], loss, (g, intermediates) => {
    const grad = allocate(output.dtype, output.size);
    lossGradient(backend, setting, output.data, target.data, rows, cols, buffers, g[0]!, grad);
    if (LOSS_RECORDS[name].point === null) intermediates.softmax = buffers.probabilities;
    return [grad, null];
  }, { terms: buffers.terms, factor: 1 / buffers.divisor, option: setting.option });
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
