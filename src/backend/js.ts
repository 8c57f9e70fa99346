import type { Backend, BinaryKind, FloatArray, PointLossKind, UnaryKind } from './backend.js';

/**
 * The reference backend: plain loops over typed arrays, written for
 * clarity first. Faster backends are tested against these kernels.
 */
export const jsBackend: Backend = {
  name: 'js',

  matmul(out, a, b, m, k, n, transA, transB, accumulate) {
    if (!accumulate) out.fill(0, 0, m * n);
    if (!transB) {
      // i-p-j order walks b and out along rows, which is what the cache wants.
      for (let i = 0; i < m; i++) {
        const outRow = i * n;
        for (let p = 0; p < k; p++) {
          const aip = transA ? a[p * m + i]! : a[i * k + p]!;
          if (aip === 0) continue;
          const bRow = p * n;
          for (let j = 0; j < n; j++) out[outRow + j]! += aip * b[bRow + j]!;
        }
      }
      return;
    }
    // b is stored n×k: each output element is a dot product of two k-rows.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        const bRow = j * k;
        if (transA) for (let p = 0; p < k; p++) dot += a[p * m + i]! * b[bRow + p]!;
        else {
          const aRow = i * k;
          for (let p = 0; p < k; p++) dot += a[aRow + p]! * b[bRow + p]!;
        }
        out[i * n + j]! += dot;
      }
    }
  },

  denseForward(net, out, x, w, bias, biasSize, rows, k, units, activation, alpha) {
    denseForwardSteps(jsBackend, net, out, x, w, bias, biasSize, rows, k, units, activation, alpha);
  },

  binary(kind, out, a, b, n, bSize) {
    binaryLoops[kind](out, a, b, n, bSize);
  },

  sumRepeats(out, g, n, bSize) {
    out.fill(0, 0, bSize);
    for (let i = 0; i < n; i += bSize) {
      for (let j = 0; j < bSize; j++) out[j]! += g[i + j]!;
    }
  },

  unary(kind, out, x, n, alpha) {
    unaryLoops[kind](out, x, n, alpha);
  },

  unaryDerivative(kind, out, x, y, n, alpha) {
    derivativeLoops[kind](out, x, y, n, alpha);
  },

  scale(out, a, s, n) {
    for (let i = 0; i < n; i++) out[i] = a[i]! * s;
  },

  axpy(out, a, s, n) {
    for (let i = 0; i < n; i++) out[i]! += a[i]! * s;
  },

  sum(a, n) {
    let total = 0;
    for (let i = 0; i < n; i++) total += a[i]!;
    return total;
  },

  softmaxRows(out, a, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const max = rowMax(a, base, cols);
      let total = 0;
      for (let c = 0; c < cols; c++) {
        const e = Math.exp(a[base + c]! - max);
        out[base + c] = e;
        total += e;
      }
      for (let c = 0; c < cols; c++) out[base + c]! /= total;
    }
  },

  softmaxBackwardRows(out, y, g, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += g[base + c]! * y[base + c]!;
      for (let c = 0; c < cols; c++) out[base + c] = y[base + c]! * (g[base + c]! - dot);
    }
  },

  softmaxCrossEntropyRows(out, z, t, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const max = rowMax(z, base, cols);
      let total = 0;
      for (let c = 0; c < cols; c++) total += Math.exp(z[base + c]! - max);
      const logSumExp = max + Math.log(total);
      let rowLoss = 0;
      for (let c = 0; c < cols; c++) rowLoss += t[base + c]! * (logSumExp - z[base + c]!);
      out[r] = rowLoss;
    }
  },

  pointLoss(kind, out, o, t, n) {
    pointLossLoops[kind](out, o, t, n);
  },

  pointLossGrad(kind, out, o, t, n, s) {
    pointLossGradLoops[kind](out, o, t, n, s);
  },

  transpose(out, a, rows, cols) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
    }
  },
};

/**
 * {@link Backend.denseForward} as its three separate kernels on `backend`:
 * the definition of its result, which every backend's fused form matches
 * bit for bit.
 */
export function denseForwardSteps(
  backend: Backend, net: FloatArray, out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, biasSize: number,
  rows: number, k: number, units: number, activation: UnaryKind | 'linear', alpha: number,
): void {
  backend.matmul(net, x, w, rows, k, units, false, true, false);
  if (bias !== null) backend.binary('add', net, net, bias, rows * units, biasSize);
  if (activation !== 'linear') backend.unary(activation, out, net, rows * units, alpha);
}

function rowMax(a: FloatArray, base: number, cols: number): number {
  let max = -Infinity;
  for (let c = 0; c < cols; c++) if (a[base + c]! > max) max = a[base + c]!;
  return max;
}

type BinaryLoop = (out: FloatArray, a: FloatArray, b: FloatArray, n: number, bSize: number) => void;

// One loop per kind keeps the operator out of the inner loop.
const binaryLoops: Record<BinaryKind, BinaryLoop> = {
  add(out, a, b, n, bSize) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === bSize ? 0 : j + 1) out[i] = a[i]! + b[j]!;
  },
  sub(out, a, b, n, bSize) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === bSize ? 0 : j + 1) out[i] = a[i]! - b[j]!;
  },
  mul(out, a, b, n, bSize) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === bSize ? 0 : j + 1) out[i] = a[i]! * b[j]!;
  },
  div(out, a, b, n, bSize) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === bSize ? 0 : j + 1) out[i] = a[i]! / b[j]!;
  },
};

type UnaryLoop = (out: FloatArray, x: FloatArray, n: number, alpha: number) => void;

const unaryLoops: Record<UnaryKind, UnaryLoop> = {
  sigmoid(out, x, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      // exp of a negative number only: 1/(1+e^-x) overflows e^-x for x << 0.
      if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
      else {
        const e = Math.exp(v);
        out[i] = e / (1 + e);
      }
    }
  },
  tanh(out, x, n) {
    for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
  },
  relu(out, x, n) {
    for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? x[i]! : 0;
  },
  leakyRelu(out, x, n, alpha) {
    for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? x[i]! : alpha * x[i]!;
  },
};

type DerivativeLoop = (out: FloatArray, x: FloatArray, y: FloatArray, n: number, alpha: number) => void;

const derivativeLoops: Record<UnaryKind, DerivativeLoop> = {
  sigmoid(out, _x, y, n) {
    for (let i = 0; i < n; i++) out[i] = y[i]! * (1 - y[i]!);
  },
  tanh(out, _x, y, n) {
    for (let i = 0; i < n; i++) out[i] = 1 - y[i]! * y[i]!;
  },
  // NOTE: the derivative at exactly 0 is taken as 0 (relu) and alpha (leakyRelu), as PyTorch does.
  relu(out, x, _y, n) {
    for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? 1 : 0;
  },
  leakyRelu(out, x, _y, n, alpha) {
    for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? 1 : alpha;
  },
};

/** PyTorch clamps log at -100 in the BCE terms, so a saturated prediction costs 100, not Infinity. */
export const BCE_LOG_FLOOR = -100;
/** PyTorch's floor on o(1-o) in the BCE gradient, so o = 0 or 1 does not divide by zero. */
export const BCE_GRAD_EPSILON = 1e-12;

type PointLossLoop = (out: FloatArray, o: FloatArray, t: FloatArray, n: number) => void;
type PointLossGradLoop = (out: FloatArray, o: FloatArray, t: FloatArray, n: number, s: number) => void;

const pointLossLoops: Record<PointLossKind, PointLossLoop> = {
  halfSquared(out, o, t, n) {
    for (let i = 0; i < n; i++) {
      const d = t[i]! - o[i]!;
      out[i] = 0.5 * d * d;
    }
  },
  squared(out, o, t, n) {
    for (let i = 0; i < n; i++) {
      const d = t[i]! - o[i]!;
      out[i] = d * d;
    }
  },
  binaryCrossEntropy(out, o, t, n) {
    for (let i = 0; i < n; i++) {
      const logO = Math.max(Math.log(o[i]!), BCE_LOG_FLOOR);
      const logNotO = Math.max(Math.log(1 - o[i]!), BCE_LOG_FLOOR);
      out[i] = -(t[i]! * logO + (1 - t[i]!) * logNotO);
    }
  },
};

const pointLossGradLoops: Record<PointLossKind, PointLossGradLoop> = {
  // d/do ½(t−o)² = −(t−o) = o − t: the article's ∂E/∂OUT.
  halfSquared(out, o, t, n, s) {
    for (let i = 0; i < n; i++) out[i] = s * (o[i]! - t[i]!);
  },
  squared(out, o, t, n, s) {
    for (let i = 0; i < n; i++) out[i] = s * 2 * (o[i]! - t[i]!);
  },
  binaryCrossEntropy(out, o, t, n, s) {
    for (let i = 0; i < n; i++) {
      out[i] = (s * (o[i]! - t[i]!)) / Math.max((1 - o[i]!) * o[i]!, BCE_GRAD_EPSILON);
    }
  },
};
