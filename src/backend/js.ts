import type { Backend, BinaryKind, FloatArray, UnaryKind } from './backend.js';
import { ELEMENTWISE } from '../primitives/activations.js';
import { POINT_LOSSES } from '../primitives/losses.js';
import { derivativeLoop, forwardLoop, gradientLoop, termLoop } from './loops.js';

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

  // The records' scalar kernels in plain loops (loops.ts): the one definition of each activation and loss term.
  unary(kind, out, x, n, alpha) {
    forwardLoop(ELEMENTWISE[kind].forward)(out, x, n, alpha);
  },

  unaryDerivative(kind, out, x, y, n, alpha) {
    derivativeLoop(ELEMENTWISE[kind].derivative)(out, x, y, n, alpha);
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
      const top = rowArgMax(z, base, cols);
      const max = z[base + top]!;
      // Σ exp(z − max) without the maximum's own 1, so that log1p keeps the digits of a small remainder.
      let rest = 0;
      for (let c = 0; c < cols; c++) if (c !== top) rest += Math.exp(z[base + c]! - max);
      const logSum = Math.log1p(rest);
      let rowLoss = 0;
      for (let c = 0; c < cols; c++) {
        const weight = t[base + c]!;
        if (weight !== 0) rowLoss += weight * ((max - z[base + c]!) + logSum);
      }
      out[r] = rowLoss;
    }
  },

  softmaxCrossEntropyGradRows(out, p, t, rows, cols, s) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let mass = 0;
      for (let c = 0; c < cols; c++) mass += t[base + c]!;
      for (let c = 0; c < cols; c++) out[base + c] = (p[base + c]! * mass - t[base + c]!) * s;
    }
  },

  pointLoss(kind, out, o, t, n, p) {
    termLoop(POINT_LOSSES[kind].term)(out, o, t, n, p);
  },

  pointLossGrad(kind, out, o, t, n, s, p) {
    gradientLoop(POINT_LOSSES[kind].gradient)(out, o, t, n, s, p);
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

/** The column of the row's first maximum (0 for a row of NaN or −Infinity). */
function rowArgMax(a: FloatArray, base: number, cols: number): number {
  let top = 0;
  for (let c = 1; c < cols; c++) if (a[base + c]! > a[base + top]!) top = c;
  return top;
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
