import { SMALL_MATMUL_WORK, type Backend, type FloatArray } from './backend.js';
import { denseForwardSteps, jsBackend } from './js.js';

/**
 * The `'js-fast'` backend: the reference kernels, except matmul, which is
 * cache-blocked and register-tiled. Both operands are packed (the
 * transpose flags only change the packing strides) into zero-padded
 * panels of float64, and a 4×4 micro-kernel keeps sixteen sums in locals.
 * Small or thin products, where packing costs more than it saves, go to
 * the reference loop, which stays the definition of the result.
 */

/**
 * Rows and columns of the register tile. 4×4 (16 sums in locals) measured
 * ahead of 3×4 and 2×4: V8 spills a few of them, but loads per
 * multiply-add are lowest.
 */
const MR = 4;
const NR = 4;
/** Depth of one k-block: a 4×KC panel of A and of B (8 KB each in float64) stay in L1 together. */
const KC = 256;
/** Products shallower than this stay on the reference loop (see {@link tilingPays}). */
const THIN_DEPTH = 4;

// Scratch reused across calls and grown only when a larger product is first seen.
let packedA = new Float64Array(0);
let packedB = new Float64Array(0);
const edgeTile = new Float64Array(MR * NR);

/** Options for {@link createJsFastBackend}. */
export interface JsFastOptions {
  /**
   * Tile every product, even where the reference loop is faster: tests use
   * it to reach the edge tiles. It breaks the small-work contract.
   */
  readonly forceKernel?: boolean;
}

/**
 * Whether tiling pays for an `m×k · k×n` product. Below SMALL_MATMUL_WORK
 * multiply-adds it never does (8×8×8 takes 1.7 µs tiled against 4.1 µs in
 * the reference loop; at 4×4×4 the reference loop is twice as fast), and
 * the small-work contract keeps those on the reference loop anyway. A tile
 * thinner than MR×NR wastes the rest of its registers (at m = 1 it does 4×
 * the work: 1×784×128 takes 0.64 ms tiled, 0.19 ms in the reference loop),
 * so m < 4 and n < 4 stay there too, and so does k < 4: packing then
 * costs as much as the product, and in a batch-1 training step the tiled
 * outer product (k = 1) took a quarter of the time (docs/backends.md).
 */
function tilingPays(m: number, k: number, n: number): boolean {
  return m >= MR && n >= NR && k >= THIN_DEPTH && m * k * n >= SMALL_MATMUL_WORK;
}

/** A js-fast backend; {@link jsFastBackend} is the one with default options. */
export function createJsFastBackend(options: JsFastOptions = {}): Backend {
  const force = options.forceKernel ?? false;
  const backend: Backend = {
    ...jsBackend,
    name: 'js-fast',
    matmul(out, a, b, m, k, n, transA, transB, accumulate) {
      if (force || tilingPays(m, k, n)) matmulTiled(out, a, b, m, k, n, transA, transB, accumulate);
      else jsBackend.matmul(out, a, b, m, k, n, transA, transB, accumulate);
    },
    // Nothing to fuse in JavaScript: the epilogue would be the same loops over the same arrays.
    denseForward(net, out, x, w, bias, biasSize, rows, k, units, activation, alpha) {
      denseForwardSteps(backend, net, out, x, w, bias, biasSize, rows, k, units, activation, alpha);
    },
  };
  return backend;
}

/** The reference kernels with the tiled matmul. */
export const jsFastBackend: Backend = createJsFastBackend();

/** The tiled matmul for any shape; same contract as {@link Backend.matmul}. */
function matmulTiled(
  out: FloatArray, a: FloatArray, b: FloatArray,
  m: number, k: number, n: number,
  transA: boolean, transB: boolean, accumulate: boolean,
): void {
  const aPanels = Math.ceil(m / MR);
  const bPanels = Math.ceil(n / NR);
  if (packedA.length < aPanels * MR * k) packedA = new Float64Array(aPanels * MR * k);
  if (packedB.length < bPanels * NR * k) packedB = new Float64Array(bPanels * NR * k);
  // op(A)[i][p] and op(B)ᵀ[j][p], each as (row stride, depth stride).
  pack(packedA, a, m, k, transA ? 1 : k, transA ? m : 1, MR);
  pack(packedB, b, n, k, transB ? k : 1, transB ? 1 : n, NR);
  if (!accumulate) out.fill(0, 0, m * n);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    for (let jp = 0; jp < bPanels; jp++) {
      const j0 = jp * NR;
      const cols = Math.min(NR, n - j0);
      const bOffset = (jp * k + p0) * NR;
      for (let ip = 0; ip < aPanels; ip++) {
        const i0 = ip * MR;
        microKernel(packedA, (ip * k + p0) * MR, packedB, bOffset, kc, out, i0 * n + j0, n, Math.min(MR, m - i0), cols);
      }
    }
  }
}

/**
 * `dst[panel][p][w] = src[(panel·width + w)·rowStride + p·depthStride]`,
 * zero where the row index reaches `rows`.
 */
function pack(dst: Float64Array, src: FloatArray, rows: number, depth: number, rowStride: number, depthStride: number, width: number): void {
  let d = 0;
  for (let r0 = 0; r0 < rows; r0 += width) {
    const valid = Math.min(width, rows - r0);
    for (let p = 0; p < depth; p++) {
      const base = r0 * rowStride + p * depthStride;
      let w = 0;
      for (; w < valid; w++) dst[d++] = src[base + w * rowStride]!;
      for (; w < width; w++) dst[d++] = 0;
    }
  }
}

/** `out[MR×NR tile at c, row stride ldc] += Apanel · Bpanel` over `kc` steps; only `rows×cols` of the tile are real. */
function microKernel(
  pa: Float64Array, aOff: number, pb: Float64Array, bOff: number, kc: number,
  out: FloatArray, c: number, ldc: number, rows: number, cols: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[aOff]!, a1 = pa[aOff + 1]!, a2 = pa[aOff + 2]!, a3 = pa[aOff + 3]!;
    const b0 = pb[bOff]!, b1 = pb[bOff + 1]!, b2 = pb[bOff + 2]!, b3 = pb[bOff + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    aOff += MR;
    bOff += NR;
  }
  if (rows === MR && cols === NR) {
    out[c]! += c00; out[c + 1]! += c01; out[c + 2]! += c02; out[c + 3]! += c03;
    c += ldc;
    out[c]! += c10; out[c + 1]! += c11; out[c + 2]! += c12; out[c + 3]! += c13;
    c += ldc;
    out[c]! += c20; out[c + 1]! += c21; out[c + 2]! += c22; out[c + 3]! += c23;
    c += ldc;
    out[c]! += c30; out[c + 1]! += c31; out[c + 2]! += c32; out[c + 3]! += c33;
    return;
  }
  const t = edgeTile;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03; t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23; t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) out[c + r * ldc + j]! += t[r * NR + j]!;
  }
}
