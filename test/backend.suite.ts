// One test suite for every backend: each kernel is run on float32 and
// float64 inputs and compared with a float64 reference written here as
// scalar math on float64 copies of the same values (`reference` below; the
// activations and per-element losses use their records' scalar kernels,
// which test/primitives.test.ts checks against PyTorch). No backend computes
// an expected value, so the js backend is tested like any other. Tolerances are rounding-error bounds: u·(size of the terms) for
// one rounding, (terms + 2)·u·Σ|terms| for a sum, with u = 2⁻²⁴ or 2⁻⁵³.
import { describe, expect, it } from 'vitest';
import {
  jsBackend, SMALL_MATMUL_WORK, type Backend, type BinaryKind, type FloatArray, type PointLossKind, type UnaryKind,
} from '../src/backend/index.js';
import { Random } from '../src/util/random.js';
import { ELEMENTWISE } from '../src/primitives/activations.js';
import { POINT_LOSSES } from '../src/primitives/losses.js';

/** Every activation and every per-element loss: a new record is tested here without a line changing. */
const UNARY_KINDS = Object.keys(ELEMENTWISE) as UnaryKind[];
const POINT_LOSS_KINDS = Object.keys(POINT_LOSSES) as PointLossKind[];

type DType = 'float32' | 'float64';

const UNIT_ROUNDOFF: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };
/** Written past the end of every output and input: a kernel that touches it is reading or writing out of range. */
const GUARD = 12345.5;
const GUARD_LENGTH = 3;

/**
 * Matmul shapes [m, k, n]: 1×1×1, empty (k = 0 must still write zeros), thin and prime, not multiples of any
 * tile (4×4 js, 4×8/5×8 wasm), exact tiles, k past one 256-deep k-block,
 * m past one block of row panels, and a few seeded random ones. The thin
 * ones (a dimension under 4) reach the unpacked row kernels with every
 * vector tail: batch-1 layers (1×784×128 forward, 128×1×784 outer
 * product), m = 2 and 3, k = 2 and 3, n = 2 and 3.
 */
function matmulShapes(): [number, number, number][] {
  const fixed: [number, number, number][] = [
    [1, 1, 1], [3, 0, 4], [0, 5, 2], [1, 5, 1], [1, 300, 17], [2, 3, 4], [7, 13, 5], [13, 17, 19], [4, 8, 8], [5, 8, 8], [8, 4, 16],
    [40, 1, 40], [29, 31, 37], [64, 64, 64], [33, 257, 9], [73, 19, 83], [97, 64, 9], [131, 263, 67],
    [1, 784, 128], [128, 1, 784], [2, 71, 33], [3, 45, 130], [66, 2, 45], [70, 3, 51], [50, 40, 2], [45, 39, 3], [1, 13, 601],
  ];
  const random = new Random(42);
  const drawn = Array.from({ length: 6 }, (): [number, number, number] => [1 + random.int(70), 1 + random.int(70), 1 + random.int(70)]);
  return [...fixed, ...drawn];
}

/** Every [transA, transB, accumulate], in the order of three nested loops over [false, true]. */
const MATMUL_FLAGS: [boolean, boolean, boolean][] = [false, true].flatMap((transA) =>
  [false, true].flatMap((transB) => [false, true].map((accumulate): [boolean, boolean, boolean] => [transA, transB, accumulate])));

const ALL_KERNELS = [
  'matmul', 'denseForward', 'binary', 'sumRepeats', 'unary', 'unaryDerivative', 'scale', 'axpy', 'sum', 'softmaxRows',
  'softmaxBackwardRows', 'softmaxCrossEntropyRows', 'softmaxCrossEntropyGradRows', 'pointLoss', 'pointLossGrad', 'transpose',
] as const;

/** An array of `dtype` holding `values`, followed by guard elements. */
function guarded(dtype: DType, values: ArrayLike<number>): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(values.length + GUARD_LENGTH) : new Float64Array(values.length + GUARD_LENGTH);
  out.set(values as ArrayLike<number>);
  out.fill(GUARD, values.length);
  return out;
}

function uniform(random: Random, length: number, low: number, high: number): number[] {
  return Array.from({ length }, () => random.uniform(low, high));
}

/** Float64 copy of the first `length` values, the reference's input (equal values, wider type). */
function widen(x: FloatArray, length: number): Float64Array {
  return Float64Array.from(x.subarray(0, length));
}

/** Fails with the first few offending indices when `|got[i] − want[i]| > bound[i]` anywhere, or the guard was overwritten. */
function expectWithin(what: string, got: FloatArray, want: ArrayLike<number>, bound: ArrayLike<number>): void {
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i]! - want[i]!);
    if (!(error <= bound[i]!) && bad.length < 5) bad.push(`[${i}] got ${got[i]} want ${want[i]} (error ${error} > ${bound[i]})`);
  }
  expect(bad, what).toEqual([]);
  expect(Array.from(got.subarray(want.length)), `${what}: guard`).toEqual(Array(GUARD_LENGTH).fill(GUARD));
}

/** Inputs must come back unchanged, guards included. */
function expectUnchanged(what: string, x: FloatArray, copy: FloatArray): void {
  expect(Array.from(x), `${what}: input modified`).toEqual(Array.from(copy));
}

/** `bound[i] = tol · |scale[i]|`. */
function relative(tol: number, scale: ArrayLike<number>): number[] {
  return Array.from(scale, (v) => tol * Math.abs(v));
}

const BINARY_OPS: Record<BinaryKind, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
};

/** Each kernel's expected values in float64, one scalar at a time, as the formulas in the Backend interface's documentation read. */
const reference = {
  /** out[i] = a[i] ∘ b[i mod bSize]. */
  binary(kind: BinaryKind, a: ArrayLike<number>, b: ArrayLike<number>, n: number, bSize: number): Float64Array {
    return Float64Array.from({ length: n }, (_, i) => BINARY_OPS[kind](a[i]!, b[i % bSize]!));
  },
  /** out[j] = Σ over repeats r of g[r·bSize + j]. */
  sumRepeats(g: ArrayLike<number>, n: number, bSize: number): Float64Array {
    const out = new Float64Array(bSize);
    for (let i = 0; i < n; i++) out[i % bSize]! += g[i]!;
    return out;
  },
  /** out[i] = s·a[i]. */
  scale(a: ArrayLike<number>, s: number, n: number): Float64Array {
    return Float64Array.from({ length: n }, (_, i) => s * a[i]!);
  },
  /** start[i] + s·a[i]. */
  axpy(start: ArrayLike<number>, a: ArrayLike<number>, s: number, n: number): Float64Array {
    return Float64Array.from({ length: n }, (_, i) => start[i]! + s * a[i]!);
  },
  sum(a: ArrayLike<number>, n: number): number {
    let total = 0;
    for (let i = 0; i < n; i++) total += a[i]!;
    return total;
  },
  /** Each row's e^(z − max) / Σ e^(z − max): the max shift keeps e^z finite for large logits. */
  softmaxRows(z: ArrayLike<number>, rows: number, cols: number): Float64Array {
    const out = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = Array.from({ length: cols }, (_, c) => z[r * cols + c]!);
      const max = Math.max(...row);
      const total = row.reduce((sum, v) => sum + Math.exp(v - max), 0);
      row.forEach((v, c) => { out[r * cols + c] = Math.exp(v - max) / total; });
    }
    return out;
  },
  /** The softmax Jacobian-vector product: out_i = y_i·(g_i − Σ_j g_j·y_j), per row. */
  softmaxBackwardRows(y: ArrayLike<number>, g: ArrayLike<number>, rows: number, cols: number): Float64Array {
    const out = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += g[r * cols + c]! * y[r * cols + c]!;
      for (let c = 0; c < cols; c++) out[r * cols + c] = y[r * cols + c]! * (g[r * cols + c]! - dot);
    }
    return out;
  },
  /** Each row's Σ_c t_c·(logΣe^z − z_c), with logΣe^z = max + log Σ e^(z − max). */
  softmaxCrossEntropyRows(z: ArrayLike<number>, t: ArrayLike<number>, rows: number, cols: number): Float64Array {
    return Float64Array.from({ length: rows }, (_, r) => {
      const row = Array.from({ length: cols }, (_, c) => z[r * cols + c]!);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0));
      return row.reduce((sum, v, c) => sum + t[r * cols + c]! * (lse - v), 0);
    });
  },
  /** ∂/∂z of the row loss above, times s: (p_c·Σ t − t_c)·s. */
  softmaxCrossEntropyGradRows(p: ArrayLike<number>, t: ArrayLike<number>, rows: number, cols: number, s: number): Float64Array {
    const out = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      let mass = 0;
      for (let c = 0; c < cols; c++) mass += t[r * cols + c]!;
      for (let c = 0; c < cols; c++) out[r * cols + c] = (p[r * cols + c]! * mass - t[r * cols + c]!) * s;
    }
    return out;
  },
  /** out[c·rows + r] = a[r·cols + c]. */
  transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
    const out = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
    return out;
  },
};

/** Options for {@link runBackendSuite}. */
export interface SuiteOptions {
  /**
   * Check the small-work contract (bit-identical to `jsBackend` below
   * SMALL_MATMUL_WORK and for every non-matmul kernel). Default true; off
   * for jsBackend itself (it would be compared with itself) and for the
   * test-only `forceKernel` variants, which break the contract on purpose.
   */
  readonly smallWorkContract?: boolean;
}

/** Small matmul shapes, every one with m·k·n < SMALL_MATMUL_WORK: edges (7×8×9 = 504, 1×511×1), thin, and seeded random ones. */
function smallShapes(): [number, number, number][] {
  const fixed: [number, number, number][] = [[1, 1, 1], [3, 0, 4], [7, 8, 9], [8, 7, 9], [1, 511, 1], [1, 100, 5], [5, 100, 1], [40, 1, 12], [4, 4, 4]];
  const random = new Random(43);
  const drawn = Array.from({ length: 20 }, (): [number, number, number] => [1 + random.int(10), 1 + random.int(10), 1 + random.int(10)]);
  return [...fixed, ...drawn].filter(([m, k, n]) => m * k * n < SMALL_MATMUL_WORK);
}

/** Fails unless `got` and `want` hold the same values, bit for bit (`Object.is`), over all their elements (guards included). */
function expectIdentical(what: string, got: FloatArray, want: FloatArray): void {
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i]) && bad.length < 5) bad.push(`[${i}] got ${got[i]} want ${want[i]}`);
  }
  expect(bad, what).toEqual([]);
}

/** Every non-matmul kernel called with the same arguments on `backend` and on `jsBackend`: outputs must be identical. */
function nonMatmulCalls(dtype: DType, random: Random): Array<[string, (b: Backend) => FloatArray | number]> {
  const n = 30;
  const cols = 6;
  const rows = n / cols;
  const x = guarded(dtype, [0, -0, 800, -800, ...uniform(random, n - 4, -4, 4)]);
  const y = guarded(dtype, uniform(random, n, 0.01, 0.99));
  const t = guarded(dtype, uniform(random, n, 0, 1));
  const row = guarded(dtype, uniform(random, cols, 0.5, 2));
  const out = (length: number): FloatArray => guarded(dtype, new Array(length).fill(7));
  const calls: Array<[string, (b: Backend) => FloatArray | number]> = [];
  for (const kind of ['add', 'sub', 'mul', 'div'] as BinaryKind[]) {
    calls.push([`binary ${kind}`, (b) => { const o = out(n); b.binary(kind, o, x, row, n, cols); return o; }]);
  }
  calls.push(['sumRepeats', (b) => { const o = out(cols); b.sumRepeats(o, x, n, cols); return o; }]);
  for (const kind of UNARY_KINDS) {
    calls.push([`unary ${kind}`, (b) => { const o = out(n); b.unary(kind, o, x, n, 0.1); return o; }]);
    calls.push([`unaryDerivative ${kind}`, (b) => { const o = out(n); b.unaryDerivative(kind, o, x, y, n, 0.1); return o; }]);
  }
  calls.push(['scale', (b) => { const o = out(n); b.scale(o, x, -0.3, n); return o; }]);
  calls.push(['axpy', (b) => { const o = y.slice(); b.axpy(o, x, -0.3, n); return o; }]);
  calls.push(['sum', (b) => b.sum(x, n)]);
  calls.push(['softmaxRows', (b) => { const o = out(n); b.softmaxRows(o, x, rows, cols); return o; }]);
  calls.push(['softmaxBackwardRows', (b) => { const o = out(n); b.softmaxBackwardRows(o, y, x, rows, cols); return o; }]);
  calls.push(['softmaxCrossEntropyRows', (b) => { const o = out(rows); b.softmaxCrossEntropyRows(o, x, t, rows, cols); return o; }]);
  calls.push(['softmaxCrossEntropyGradRows', (b) => { const o = out(n); b.softmaxCrossEntropyGradRows(o, y, t, rows, cols, 0.25); return o; }]);
  for (const kind of POINT_LOSS_KINDS) {
    calls.push([`pointLoss ${kind}`, (b) => { const o = out(n); b.pointLoss(kind, o, y, t, n, 0.5); return o; }]);
    calls.push([`pointLossGrad ${kind}`, (b) => { const o = out(n); b.pointLossGrad(kind, o, y, t, n, 0.25, 0.5); return o; }]);
  }
  calls.push(['transpose', (b) => { const o = out(n); b.transpose(o, x, rows, cols); return o; }]);
  return calls;
}

/**
 * Runs every kernel of the backend `makeBackend()` returns against the
 * float64 reference, in float32 and float64.
 */
export function runBackendSuite(name: string, makeBackend: () => Backend, options: SuiteOptions = {}): void {
  describe(`backend ${name}`, () => {
    const backend = makeBackend();

    it('the suite covers every kernel of the interface', () => {
      const kernels = Object.keys(jsBackend).filter((key) => typeof jsBackend[key as keyof Backend] === 'function');
      expect([...kernels].sort()).toEqual([...ALL_KERNELS].sort());
      for (const kernel of ALL_KERNELS) expect(typeof backend[kernel], kernel).toBe('function');
    });

    for (const dtype of ['float32', 'float64'] as const) {
      describe(dtype, () => {
        const u = UNIT_ROUNDOFF[dtype];
        // Float64 results carry rounding from both the backend and the reference.
        const both = dtype === 'float64' ? 2 : 1;

        it('matmul matches float64 dot products for every shape, transpose flag and accumulate', () => {
          const random = new Random(1);
          for (const [m, k, n] of matmulShapes()) {
            for (const [transA, transB, accumulate] of MATMUL_FLAGS) {
              const what = `${m}x${k}x${n} transA=${transA} transB=${transB} accumulate=${accumulate}`;
              const a = guarded(dtype, uniform(random, m * k, -1, 1));
              const b = guarded(dtype, uniform(random, k * n, -1, 1));
              const start = uniform(random, m * n, -1, 1);
              const out = guarded(dtype, accumulate ? start : uniform(random, m * n, 1e6, 2e6));
              const [aCopy, bCopy] = [a.slice(), b.slice()];
              backend.matmul(out, a, b, m, k, n, transA, transB, accumulate);
              const want = new Float64Array(m * n);
              const bound = new Float64Array(m * n);
              for (let i = 0; i < m; i++) {
                for (let j = 0; j < n; j++) {
                  // Start from what `out` held (rounded to dtype), as the kernel does.
                  const initial = accumulate ? (dtype === 'float32' ? Math.fround(start[i * n + j]!) : start[i * n + j]!) : 0;
                  let dot = initial;
                  let size = Math.abs(initial);
                  for (let p = 0; p < k; p++) {
                    const term = a[transA ? p * m + i : i * k + p]! * b[transB ? j * k + p : p * n + j]!;
                    dot += term;
                    size += Math.abs(term);
                  }
                  want[i * n + j] = dot;
                  bound[i * n + j] = both * (k + 2) * u * size;
                }
              }
              expectWithin(`matmul ${what}`, out, want, bound);
              expectUnchanged(`matmul ${what} a`, a, aCopy);
              expectUnchanged(`matmul ${what} b`, b, bCopy);
            }
          }
        });

        it.runIf(options.smallWorkContract ?? true)('small-work contract: small matmuls are bit-identical to js', () => {
          const random = new Random(12);
          for (const [m, k, n] of smallShapes()) {
            for (const [transA, transB, accumulate] of MATMUL_FLAGS) {
              const a = guarded(dtype, uniform(random, m * k, -1, 1));
              const b = guarded(dtype, uniform(random, k * n, -1, 1));
              const got = guarded(dtype, uniform(random, m * n, -1, 1));
              const want = got.slice();
              backend.matmul(got, a, b, m, k, n, transA, transB, accumulate);
              jsBackend.matmul(want, a, b, m, k, n, transA, transB, accumulate);
              expectIdentical(`matmul ${m}x${k}x${n} transA=${transA} transB=${transB} accumulate=${accumulate}`, got, want);
            }
          }
        });

        it.runIf(options.smallWorkContract ?? true)('small-work contract: every other kernel is bit-identical to js', () => {
          const calls = nonMatmulCalls(dtype, new Random(13));
          // Every kernel of the interface is called but the two with a product (tested on their own).
          const called = new Set(calls.map(([what]) => what.split(' ')[0]!));
          expect([...called].sort()).toEqual(ALL_KERNELS.filter((kernel) => kernel !== 'matmul' && kernel !== 'denseForward').sort());
          for (const [what, call] of calls) {
            const got = call(backend);
            const want = call(jsBackend);
            if (typeof want === 'number') expect(Object.is(got, want), `${what}: ${got} vs ${want}`).toBe(true);
            else expectIdentical(what, got as FloatArray, want);
          }
        });

        it('binary: same shape, repeated row and scalar second operand, every kind', () => {
          const random = new Random(2);
          for (const [n, bSize] of [[1, 1], [7, 7], [12, 4], [35, 5], [9, 1]] as const) {
            for (const kind of ['add', 'sub', 'mul', 'div'] as BinaryKind[]) {
              const a = guarded(dtype, uniform(random, n, -3, 3));
              // |b| in [0.5, 2) keeps div well conditioned.
              const b = guarded(dtype, uniform(random, bSize, 0.5, 2).map((v) => (random.float() < 0.5 ? -v : v)));
              const out = guarded(dtype, new Array(n).fill(0));
              backend.binary(kind, out, a, b, n, bSize);
              const want = reference.binary(kind, widen(a, n), widen(b, bSize), n, bSize);
              expectWithin(`binary ${kind} n=${n} bSize=${bSize}`, out, want, relative(u * both, want));
            }
          }
        });

        it('sumRepeats adds every repeat of each position', () => {
          const random = new Random(3);
          for (const [n, bSize] of [[1, 1], [7, 7], [12, 4], [35, 5], [30, 1]] as const) {
            const g = guarded(dtype, uniform(random, n, -1, 1));
            const out = guarded(dtype, uniform(random, bSize, 5, 6));
            backend.sumRepeats(out, g, n, bSize);
            const want = reference.sumRepeats(widen(g, n), n, bSize);
            const size = new Float64Array(bSize);
            for (let i = 0; i < n; i++) size[i % bSize]! += Math.abs(g[i]!);
            expectWithin(`sumRepeats n=${n} bSize=${bSize}`, out, want, relative(both * (n / bSize + 2) * u, size));
          }
        });

        // Wide inputs: sigmoid must not overflow at ±800, relu's kink at exactly 0.
        const unaryInputs = (random: Random): number[] => [0, -0, 800, -800, 50, -50, ...uniform(random, 40, -6, 6)];

        it('unary: every activation, including saturated and zero inputs', () => {
          const random = new Random(4);
          for (const kind of UNARY_KINDS) {
            const values = unaryInputs(random);
            const x = guarded(dtype, values);
            const out = guarded(dtype, new Array(values.length).fill(0));
            backend.unary(kind, out, x, values.length, 0.1);
            // Expected: the record's scalar kernel in float64, element by element (not another backend's loop).
            const want = Float64Array.from(widen(x, values.length), (v) => ELEMENTWISE[kind].forward(v, 0.1));
            expectWithin(`unary ${kind}`, out, want, relative(4 * u, want));
          }
        });

        it('unaryDerivative: every activation, from the input and the output', () => {
          const random = new Random(5);
          for (const kind of UNARY_KINDS) {
            const values = unaryInputs(random);
            const x = guarded(dtype, values);
            const y64 = Float64Array.from(widen(x, values.length), (v) => ELEMENTWISE[kind].forward(v, 0.1));
            const y = guarded(dtype, y64);
            const out = guarded(dtype, new Array(values.length).fill(0));
            backend.unaryDerivative(kind, out, x, y, values.length, 0.1);
            const xs = widen(x, values.length);
            const want = Float64Array.from(widen(y, values.length), (v, i) => ELEMENTWISE[kind].derivative(xs[i]!, v, 0.1));
            expectWithin(`unaryDerivative ${kind}`, out, want, relative(4 * u, want));
          }
        });

        it('scale and axpy', () => {
          const random = new Random(6);
          const n = 37;
          const a = guarded(dtype, uniform(random, n, -2, 2));
          const start = guarded(dtype, uniform(random, n, -2, 2));
          const scaled = guarded(dtype, new Array(n).fill(0));
          backend.scale(scaled, a, -0.3, n);
          const wantScaled = reference.scale(widen(a, n), -0.3, n);
          expectWithin('scale', scaled, wantScaled, relative(2 * u, wantScaled));

          const out = start.slice();
          backend.axpy(out, a, -0.3, n);
          const wantAxpy = reference.axpy(widen(start, n), widen(a, n), -0.3, n);
          const size = Array.from({ length: n }, (_, i) => Math.abs(start[i]!) + Math.abs(0.3 * a[i]!));
          expectWithin('axpy', out, wantAxpy, relative(3 * u, size));
        });

        it('axpy is bit-identical to js at every length, with signed zeros, NaN, infinities and float32 overflow', () => {
          const random = new Random(16);
          let roundsTwice = 0;
          // Lengths around the wasm threshold (128) and every vector tail, below and above it.
          for (const n of [1, 3, 4, 5, 7, 31, 64, 127, 128, 129, 130, 131, 1000, 1027, 4099]) {
            for (const s of [-0.1, 0.3, -1e-7, 1, -0]) {
              const outValues = uniform(random, n, -2, 2);
              const aValues = uniform(random, n, -2, 2);
              // Edge values at random places: each reaches the vector body or the tail depending on n.
              const edges: [number, number][] = [[-0, -0], [0, -0], [-0, 0], [NaN, 1], [1, NaN], [Infinity, 1], [1, -Infinity],
                [Infinity, -Infinity], [3.4e38, 3.4e38], [-3.4e38, 1e38], [1e-45, 1e-45], [-1e-45, 1e-40]];
              for (const [o, a] of edges) {
                const i = random.int(n);
                outValues[i] = o;
                aValues[i] = a;
              }
              const a = guarded(dtype, aValues);
              const got = guarded(dtype, outValues);
              const [want, start, aCopy] = [got.slice(), got.slice(), a.slice()];
              backend.axpy(got, a, s, n);
              jsBackend.axpy(want, a, s, n);
              expectIdentical(`axpy n=${n} s=${s}`, got, want);
              expectUnchanged(`axpy n=${n} a`, a, aCopy);
              // Float32 arithmetic (product rounded before the sum) would differ here: the test can tell.
              if (dtype === 'float32') {
                for (let i = 0; i < n; i++) {
                  const single = Math.fround(start[i]! + Math.fround(a[i]! * Math.fround(s)));
                  if (!Object.is(single, want[i]) && !Number.isNaN(single)) roundsTwice++;
                }
              }
            }
          }
          if (dtype === 'float32') expect(roundsTwice, 'elements where float32 arithmetic would round differently').toBeGreaterThan(100);
        });

        const DENSE_ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh'] as const;
        /** [rows, k, units]: batch-1 (thin) and batched layers, small (under SMALL_MATMUL_WORK) and not, every column tail. */
        const DENSE_SHAPES: [number, number, number][] = [
          [1, 784, 128], [1, 64, 10], [1, 13, 7], [3, 45, 130], [66, 2, 45], [7, 13, 5], [5, 8, 8], [13, 17, 19], [33, 257, 9], [64, 100, 64], [20, 31, 6],
        ];

        /** Dense layer operands: x with a NaN and an infinity in its last row (rows > 1), bias with NaN, ±Infinity and −0. */
        function denseOperands(random: Random, rows: number, k: number, units: number): { x: FloatArray; w: FloatArray; bias: FloatArray } {
          const xValues = uniform(random, rows * k, -1, 1);
          if (rows > 1) {
            xValues[(rows - 1) * k] = NaN;
            xValues[rows * k - 1] = Infinity;
          }
          const biasValues = uniform(random, units, -0.5, 0.5);
          const specials = [-0, NaN, Infinity, -Infinity];
          for (let j = 0; j < Math.min(units, specials.length); j++) biasValues[(j * 5) % units] = specials[j]!;
          return { x: guarded(dtype, xValues), w: guarded(dtype, uniform(random, units * k, -1, 1)), bias: guarded(dtype, biasValues) };
        }

        it('denseForward gives the bits of matmul, binary add and unary on the same backend; linear writes only net', () => {
          const random = new Random(17);
          for (const [rows, k, units] of DENSE_SHAPES) {
            for (const activation of DENSE_ACTIVATIONS) {
              for (const withBias of [true, false]) {
                const what = `denseForward ${rows}x${k}x${units} ${activation} bias=${withBias}`;
                const { x, w, bias } = denseOperands(random, rows, k, units);
                const copies = [x.slice(), w.slice(), bias.slice()];
                const size = rows * units;
                const [net, out] = [guarded(dtype, new Array(size).fill(7)), guarded(dtype, new Array(size).fill(9))];
                backend.denseForward(net, out, x, w, withBias ? bias : null, units, rows, k, units, activation, 0.1);
                const [wantNet, wantOut] = [guarded(dtype, new Array(size).fill(7)), guarded(dtype, new Array(size).fill(9))];
                backend.matmul(wantNet, x, w, rows, k, units, false, true, false);
                if (withBias) backend.binary('add', wantNet, wantNet, bias, size, units);
                if (activation !== 'linear') backend.unary(activation, wantOut, wantNet, size, 0.1);
                expectIdentical(`${what}: net`, net, wantNet);
                expectIdentical(`${what}: out`, out, wantOut);
                expectUnchanged(`${what}: x`, x, copies[0]!);
                expectUnchanged(`${what}: w`, w, copies[1]!);
                expectUnchanged(`${what}: bias`, bias, copies[2]!);
              }
            }
          }
        });

        it('denseForward repeats a bias shorter than a row, as binary does', () => {
          const random = new Random(18);
          for (const [rows, k, units, biasSize] of [[4, 30, 12, 1], [6, 40, 12, 3], [1, 200, 8, 4]] as const) {
            const { x, w } = denseOperands(random, rows, k, units);
            const bias = guarded(dtype, uniform(random, biasSize, -1, 1));
            const size = rows * units;
            const [net, out] = [guarded(dtype, new Array(size).fill(0)), guarded(dtype, new Array(size).fill(0))];
            backend.denseForward(net, out, x, w, bias, biasSize, rows, k, units, 'relu', 0.1);
            const [wantNet, wantOut] = [guarded(dtype, new Array(size).fill(0)), guarded(dtype, new Array(size).fill(0))];
            backend.matmul(wantNet, x, w, rows, k, units, false, true, false);
            backend.binary('add', wantNet, wantNet, bias, size, biasSize);
            backend.unary('relu', wantOut, wantNet, size, 0.1);
            expectIdentical(`denseForward biasSize=${biasSize}: net`, net, wantNet);
            expectIdentical(`denseForward biasSize=${biasSize}: out`, out, wantOut);
          }
        });

        it.runIf(options.smallWorkContract ?? true)('small-work contract: a small denseForward is bit-identical to js', () => {
          const random = new Random(19);
          for (const [rows, k, units] of [...smallShapes(), [1, 13, 7], [7, 13, 5]] as [number, number, number][]) {
            for (const activation of DENSE_ACTIVATIONS) {
              const { x, w, bias } = denseOperands(random, rows, k, units);
              const size = rows * units;
              const [got, gotOut, want, wantOut] = [0, 0, 0, 0].map(() => guarded(dtype, new Array(size).fill(3))) as FloatArray[];
              backend.denseForward(got!, gotOut!, x, w, bias, units, rows, k, units, activation, 0.1);
              jsBackend.denseForward(want!, wantOut!, x, w, bias, units, rows, k, units, activation, 0.1);
              expectIdentical(`denseForward ${rows}x${k}x${units} ${activation}: net`, got!, want!);
              expectIdentical(`denseForward ${rows}x${k}x${units} ${activation}: out`, gotOut!, wantOut!);
            }
          }
        });

        it('sum accumulates in float64', () => {
          const random = new Random(7);
          for (const n of [1, 2, 101]) {
            const a = guarded(dtype, uniform(random, n, -1, 1));
            const want = reference.sum(widen(a, n), n);
            const size = Array.from(a.subarray(0, n), Math.abs).reduce((s, v) => s + v, 0);
            // The result is a float64 number whatever the dtype: the bound uses 2⁻⁵³.
            expect(Math.abs(backend.sum(a, n) - want), `sum n=${n}`).toBeLessThanOrEqual(2 * (n + 2) * 2 ** -53 * size);
          }
        });

        it('softmaxRows, its backward pass, softmax cross-entropy and its gradient, with large logits', () => {
          const random = new Random(8);
          for (const [rows, cols] of [[1, 1], [1, 7], [3, 10], [5, 3]] as const) {
            const size = rows * cols;
            // One row shifted by 1000: exp would overflow without the max shift.
            const logits = uniform(random, size, -5, 5).map((v, i) => (i < cols ? v + 1000 : v));
            const z = guarded(dtype, logits);
            const y = guarded(dtype, new Array(size).fill(0));
            backend.softmaxRows(y, z, rows, cols);
            const wantY = reference.softmaxRows(widen(z, size), rows, cols);
            // Logits that large lose absolute precision in float32 already; the
            // kernel's own error is a few roundings plus the row sum's.
            expectWithin(`softmaxRows ${rows}x${cols}`, y, wantY, relative(both * (cols + 4) * u, wantY));

            const g = guarded(dtype, uniform(random, size, -1, 1));
            const back = guarded(dtype, new Array(size).fill(0));
            backend.softmaxBackwardRows(back, y, g, rows, cols);
            const wantBack = reference.softmaxBackwardRows(widen(y, size), widen(g, size), rows, cols);
            const backSize = Array.from({ length: size }, (_, i) => {
              const base = i - (i % cols);
              let dot = 0;
              for (let c = 0; c < cols; c++) dot += Math.abs(g[base + c]! * y[base + c]!);
              return Math.abs(y[i]!) * (Math.abs(g[i]!) + dot);
            });
            expectWithin(`softmaxBackwardRows ${rows}x${cols}`, back, wantBack, relative(both * (cols + 4) * u, backSize));

            const t = guarded(dtype, uniform(random, size, 0, 1));
            const loss = guarded(dtype, new Array(rows).fill(0));
            backend.softmaxCrossEntropyRows(loss, z, t, rows, cols);
            const wantLoss = reference.softmaxCrossEntropyRows(widen(z, size), widen(t, size), rows, cols);
            // Σ_c |t|·(|lse| + |z|): the size of the terms the row loss sums.
            const lossSize = Array.from({ length: rows }, (_, r) => {
              const row = Array.from(z.subarray(r * cols, (r + 1) * cols));
              const max = Math.max(...row);
              const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
              return row.reduce((s, v, c) => s + Math.abs(t[r * cols + c]!) * (Math.abs(lse) + Math.abs(v)), 0);
            });
            expectWithin(`softmaxCrossEntropyRows ${rows}x${cols}`, loss, wantLoss, relative(both * (cols + 4) * u, lossSize));

            const grad = guarded(dtype, new Array(size).fill(0));
            backend.softmaxCrossEntropyGradRows(grad, y, t, rows, cols, 0.25);
            const wantGrad = reference.softmaxCrossEntropyGradRows(widen(y, size), widen(t, size), rows, cols, 0.25);
            // (p·mass − t)·s: the row's mass is a sum of cols terms, then one product, one difference, one scaling.
            const gradSize = Array.from({ length: size }, (_, i) => {
              const base = i - (i % cols);
              let mass = 0;
              for (let c = 0; c < cols; c++) mass += Math.abs(t[base + c]!);
              return 0.25 * (Math.abs(y[i]!) * mass + Math.abs(t[i]!));
            });
            expectWithin(`softmaxCrossEntropyGradRows ${rows}x${cols}`, grad, wantGrad, relative(both * (cols + 4) * u, gradSize));
          }
        });

        it('pointLoss and pointLossGrad: every kind, including saturated predictions', () => {
          const random = new Random(9);
          for (const kind of POINT_LOSS_KINDS) {
            // 0 and 1 exactly hit binary cross-entropy's log floor and gradient epsilon.
            const oValues = [0, 1, 0.5, ...uniform(random, 20, 0.01, 0.99)];
            const n = oValues.length;
            const o = guarded(dtype, oValues);
            const t = guarded(dtype, [1, 0, 0.5, ...uniform(random, 20, 0, 1)]);
            const out = guarded(dtype, new Array(n).fill(0));
            backend.pointLoss(kind, out, o, t, n, 0.5);
            const [o64, t64] = [widen(o, n), widen(t, n)];
            const want = Float64Array.from(o64, (v, i) => POINT_LOSSES[kind].term(v, t64[i]!, 0.5));
            expectWithin(`pointLoss ${kind}`, out, want, relative(4 * u, want));

            const grad = guarded(dtype, new Array(n).fill(0));
            backend.pointLossGrad(kind, grad, o, t, n, 0.25, 0.5);
            const wantGrad = Float64Array.from(o64, (v, i) => POINT_LOSSES[kind].gradient(v, t64[i]!, 0.25, 0.5));
            expectWithin(`pointLossGrad ${kind}`, grad, wantGrad, relative(4 * u, wantGrad));
          }
        });

        it('transpose is exact', () => {
          const random = new Random(10);
          for (const [rows, cols] of [[1, 1], [1, 5], [7, 3], [16, 9]] as const) {
            const a = guarded(dtype, uniform(random, rows * cols, -1, 1));
            const out = guarded(dtype, new Array(rows * cols).fill(0));
            backend.transpose(out, a, rows, cols);
            const want = reference.transpose(widen(a, rows * cols), rows, cols);
            expectWithin(`transpose ${rows}x${cols}`, out, want, new Array(rows * cols).fill(0));
          }
        });
      });
    }
  });
}
