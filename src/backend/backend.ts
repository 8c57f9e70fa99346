/**
 * The kernel interface every backend implements. Kernels are plain
 * functions over typed arrays: the caller allocates every output and passes
 * every dimension, and no kernel ever sees a Tensor. That keeps a backend
 * swappable (a WebAssembly one can serve the same calls from its own
 * memory) and makes each kernel testable against a float64 reference.
 */

/** Storage for tensor elements: float32 for speed, float64 for exact reference work. */
export type FloatArray = Float32Array | Float64Array;

/** Elementwise binary operations; the second operand may repeat (see {@link Backend.binary}). */
export type BinaryKind = 'add' | 'sub' | 'mul' | 'div';

import type { ElementwiseName } from '../primitives/activations.js';
import type { PointLossName } from '../primitives/losses.js';

/** Elementwise activations: one per record in `primitives/activations.ts`, whose scalar kernels the backends loop over. */
export type UnaryKind = ElementwiseName;

/** Per-element losses between an output `o` and a target `t`: one per record in `primitives/losses.ts`. */
export type PointLossKind = PointLossName;

/**
 * The closed set of backend names: `'js'` the plain-loop reference,
 * `'js-fast'` the reference with a tiled matmul, `'wasm'` WebAssembly SIMD
 * float32 matmul over the js-fast kernels, `'wasm-mt'` the same with large
 * products split across worker threads.
 */
export type BackendName = (typeof BACKENDS)[number];

/** Every {@link BackendName}, in order from the reference to the fastest. */
export const BACKENDS = ['js', 'js-fast', 'wasm', 'wasm-mt'] as const;

/**
 * The small-work contract's threshold: every backend computes a matmul
 * with fewer than this many multiply-adds (`m·k·n < SMALL_MATMUL_WORK`)
 * exactly as the reference `'js'` backend does, bit for bit. Below 8·8·8,
 * packing and tiling cost more than they save anyway, so the fast backends
 * lose nothing by it, and code that fuses small networks by hand (train/)
 * can rely on its results matching the recorded path's on any backend.
 */
export const SMALL_MATMUL_WORK = 8 * 8 * 8;

/**
 * The kernels of one backend.
 *
 * **Small-work contract.** Every backend computes a matmul with
 * `m·k·n < SMALL_MATMUL_WORK`, and every kernel other than matmul,
 * exactly as the reference `'js'` backend does: the same float operations in the same
 * order, so the results are bit-identical (`Object.is` per element). Only
 * larger matmuls may round differently, within the test suite's bounds
 * (wasm's fused multiply-add, where the engine has relaxed SIMD, is one
 * such difference: one rounding per multiply-add instead of two);
 * {@link Backend.denseForward} follows matmul's rule for its product and
 * is exact after it.
 * (The `forceKernel` test options of js-fast and wasm break the contract
 * on purpose, to reach edge tiles with small shapes.)
 */
export interface Backend {
  readonly name: BackendName;

  /**
   * `out[m×n] = op(a) · op(b)`, or `out += ...` when `accumulate`, where
   * op(a) is `m×k` (stored `k×m` when `transA`) and op(b) is `k×n`
   * (stored `n×k` when `transB`). The transposed forms let the backward
   * pass run without materialising transposes.
   */
  matmul(
    out: FloatArray, a: FloatArray, b: FloatArray,
    m: number, k: number, n: number,
    transA: boolean, transB: boolean, accumulate: boolean,
  ): void;

  /**
   * A Dense layer's forward pass with its epilogue fused:
   * `net[rows×units] = x · wᵀ` (x is `rows×k`, w is `units×k`), then
   * `net[i] += bias[i % biasSize]` when `bias` is not null, then
   * `out = activation(net)` (`alpha` is the activation's option, as in
   * {@link Backend.unary}). For
   * `'linear'`, `out` is not written: the caller passes `net` as both.
   * The result is bit for bit that of `matmul(net, x, w, rows, k, units,
   * false, true, false)`, `binary('add', net, net, bias, rows·units,
   * biasSize)` and `unary(activation, out, net, rows·units, alpha)` on the
   * same backend; a backend may run the last two while the product is
   * still in its own memory, saving a pass and a copy.
   */
  denseForward(
    net: FloatArray, out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, biasSize: number,
    rows: number, k: number, units: number, activation: UnaryKind | 'linear', alpha: number,
  ): void;

  /** `out[i] = a[i] ∘ b[i % bSize]` for `i < n`: same shape when `bSize = n`, a repeated row or scalar otherwise. */
  binary(kind: BinaryKind, out: FloatArray, a: FloatArray, b: FloatArray, n: number, bSize: number): void;

  /** `out[j] = Σ g[i]` over `i < n` with `i % bSize = j`: the gradient of a repeated operand. */
  sumRepeats(out: FloatArray, g: FloatArray, n: number, bSize: number): void;

  /** `out[i] = f(x[i])`; `alpha` is the activation's option (leakyRelu's slope, ELU's alpha), ignored by the others. */
  unary(kind: UnaryKind, out: FloatArray, x: FloatArray, n: number, alpha: number): void;

  /** `out[i] = f'(x[i])`, given both the input `x` and the output `y = f(x)` (sigmoid and tanh use `y`). */
  unaryDerivative(kind: UnaryKind, out: FloatArray, x: FloatArray, y: FloatArray, n: number, alpha: number): void;

  /** `out[i] = a[i] * s`. */
  scale(out: FloatArray, a: FloatArray, s: number, n: number): void;

  /** `out[i] += a[i] * s`: the product and the sum in float64, rounded once to the array's type. */
  axpy(out: FloatArray, a: FloatArray, s: number, n: number): void;

  /** `Σ a[i]` for `i < n`, accumulated in float64. */
  sum(a: FloatArray, n: number): number;

  /** Row-wise softmax of a `rows×cols` matrix, shifted by the row maximum so large inputs do not overflow. */
  softmaxRows(out: FloatArray, a: FloatArray, rows: number, cols: number): void;

  /** Softmax's backward pass per row: `out = y ⊙ (g − Σ g ⊙ y)`. */
  softmaxBackwardRows(out: FloatArray, y: FloatArray, g: FloatArray, rows: number, cols: number): void;

  /**
   * Per-row cross-entropy of softmax(z) against target rows t (weights
   * folded in, when any): `out[r] = Σ_c t[r,c]·(lse_r − z[r,c])` with
   * `lse_r = log Σ_c exp(z[r,c])`. Each term is computed as
   * `(m − z[r,c]) + log1p(Σ_{j≠k} exp(z[r,j] − m))` with m = z[r,k] the
   * row maximum: two non-negative parts, so nothing cancels and the result
   * keeps its relative precision for logits of any size or spread.
   */
  softmaxCrossEntropyRows(out: FloatArray, z: FloatArray, t: FloatArray, rows: number, cols: number): void;

  /**
   * Cross-entropy's gradient per row, from the probabilities `p = softmax(z)`:
   * `out[r,c] = s·(p[r,c]·Σ_j t[r,j] − t[r,c])` (for probability rows,
   * `s·(p − t)`).
   */
  softmaxCrossEntropyGradRows(out: FloatArray, p: FloatArray, t: FloatArray, rows: number, cols: number, s: number): void;

  /** Per-element loss terms `out[i] = ℓ(o[i], t[i])`; `p` is the loss's option (Huber's δ), ignored by the others. */
  pointLoss(kind: PointLossKind, out: FloatArray, o: FloatArray, t: FloatArray, n: number, p: number): void;

  /** `out[i] = s · ∂ℓ(o[i], t[i])/∂o[i]`; `p` as in {@link Backend.pointLoss}. */
  pointLossGrad(kind: PointLossKind, out: FloatArray, o: FloatArray, t: FloatArray, n: number, s: number, p: number): void;

  /** Writes the `cols×rows` transpose of a `rows×cols` matrix. */
  transpose(out: FloatArray, a: FloatArray, rows: number, cols: number): void;
}
