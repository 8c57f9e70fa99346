// The bench's arithmetic over rounds (pooling a (column, workload)'s
// processes, pairing rounds when a ratio is taken) and the workloads'
// checks, which must pass on right work and fail on wrong work.
// Benchmarks are not tests, but the numbers they print go into the README.
import { describe, expect, it } from 'vitest';
import { TRAIN_COUNT } from '../bench/lib/digits.js';
import type { RunnerArgs, RunnerResult } from '../bench/lib/protocol.js';
import { FMA_COLUMN, SETTINGS, TARGETS, columns, rotate } from '../bench/lib/plan.js';
import { ratioOf, renderMarkdown, type BenchReport } from '../bench/lib/report.js';
import type { References } from '../bench/lib/shared-start.js';
import { mergeRounds } from '../bench/lib/rounds.js';
import {
  SEED, bothChecks, checkGemm, checkReference, checkSeed, gemmOperands, gemmWorkload, mlp1Workload, mlpSampleGflop, mlpWorkload, type SeedNetwork,
} from '../bench/lib/workloads.js';
import type { CpuFacts } from '../bench/lib/cpu.js';

/** A 3 GHz core with AVX2 FMA, as a report's meta records it. */
const FACTS: CpuFacts = { model: 'test CPU', flags: ['avx2', 'fma'], clockGHz: 3, flopsPerCycle: { wasm128: 16, native: 32 } };

/** One runner process's result (an odd number of samples, so the median is one of them). */
function process(library: string, samples: number[], extra: Partial<RunnerResult> = {}): RunnerResult {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    library, workload: 'gemm512', median: sorted[sorted.length >> 1]!, min: sorted[0]!, max: sorted[sorted.length - 1]!, unit: 'GFLOP/s', samples,
    check: { ok: true, detail: 'fine' }, rssPeakMB: 50, config: {}, ...extra,
  };
}

describe('mergeRounds', () => {
  it('pools the sections of every process: median, min, max, highest peak RSS, the count', () => {
    const merged = mergeRounds([process('a', [18]), process('a', [23.5], { rssPeakMB: 70 }), process('a', [15])]) as RunnerResult;
    expect([merged.median, merged.min, merged.max, merged.rssPeakMB, merged.processes]).toEqual([18, 15, 23.5, 70, 3]);
    expect(merged.samples).toEqual([18, 23.5, 15]);
  });

  it('keeps a failed check, and a skipped or crashed process makes the whole result that', () => {
    const failed = mergeRounds([process('a', [1]), process('a', [2], { check: { ok: false, detail: 'wrong' } })]) as RunnerResult;
    expect(failed.check).toEqual({ ok: false, detail: 'wrong' });
    expect(mergeRounds([process('a', [1]), { library: 'a', workload: 'gemm512', error: 'boom' }])).toEqual({ library: 'a', workload: 'gemm512', error: 'boom' });
  });
});

describe('the opt-in FMA column', () => {
  it('exists only when asked for, runs glassnet wasm under the Node flag on one thread, and no ratio or target reads it', () => {
    expect(columns(['wasm'], [512]).map((c) => c.id)).not.toContain(FMA_COLUMN.id);
    const fma = columns(['wasm'], [512], true).find((c) => c.id === FMA_COLUMN.id)!;
    expect(fma).toMatchObject({ backend: 'wasm', multiThreaded: false, workloads: ['mlp', 'gemm512'] });
    expect(fma.launcher).toMatchObject({ kind: 'node', nodeFlags: ['--experimental-wasm-relaxed-simd'] });
    expect(fma.launcher.kind === 'node' && fma.launcher.script.endsWith('glassnet.js')).toBe(true);
    expect(TARGETS.flatMap((t) => [t.glassnet, t.peer])).not.toContain(FMA_COLUMN.id);
  });
});

describe('ratioOf', () => {
  it('takes the median of the rounds’ own ratios when both sides ran in the same rounds', () => {
    const glassnet = mergeRounds([process('g', [18.1]), process('g', [23.5]), process('g', [15])]) as RunnerResult;
    const peer = mergeRounds([process('p', [25]), process('p', [21.1]), process('p', [14])]) as RunnerResult;
    // Ratios per round 0.724, 1.114, 1.071: the median is round 3's; the ratio of the medians would be 18.1 / 21.1 = 0.86.
    expect(ratioOf(glassnet, peer)).toBe(15 / 14);
  });

  it('falls back to the ratio of the medians for a single process', () => {
    expect(ratioOf(process('g', [10, 12, 11]), process('p', [5, 4, 6]))).toBe(11 / 5);
  });
});

/**
 * BENCH-SPEC's B1 network written out by hand, independently of every
 * library: sigmoid 2-2-2, ½Σ(t−o)², plain SGD. `round` is applied after
 * every operation (Math.fround gives float32 arithmetic); `outputDerivative`
 * false drops σ' from the output delta, as synaptic does (spec note a).
 */
function handSeedNetwork(round: (v: number) => number, outputDerivative = true): SeedNetwork {
  const w1 = SEED.w1.map((row) => row.map(round));
  const w2 = SEED.w2.map((row) => row.map(round));
  const b1 = SEED.b1.map(round);
  const b2 = SEED.b2.map(round);
  const x = SEED.x.map(round);
  const t = SEED.t.map(round);
  const lr = round(SEED.lr);
  const sigmoid = (v: number): number => round(1 / round(1 + round(Math.exp(-v))));
  const layer = (w: number[][], b: number[], input: number[]): number[] =>
    w.map((row, j) => sigmoid(round(round(round(row[0]! * input[0]!) + round(row[1]! * input[1]!)) + b[j]!)));
  const forward = (): { h: number[]; o: number[] } => {
    const h = layer(w1, b1, x);
    return { h, o: layer(w2, b2, h) };
  };
  return {
    loss: () => forward().o.reduce((sum, o, j) => round(sum + round(0.5 * round((t[j]! - o) ** 2))), 0),
    step: () => {
      const { h, o } = forward();
      const dOut = o.map((oj, j) => (outputDerivative ? round(round(oj - t[j]!) * round(oj * round(1 - oj))) : round(oj - t[j]!)));
      const dHidden = h.map((hi, i) => round(round(round(dOut[0]! * w2[0]![i]!) + round(dOut[1]! * w2[1]![i]!)) * round(hi * round(1 - hi))));
      const update = (w: number[][], b: number[], delta: number[], input: number[]): void => delta.forEach((d, j) => {
        input.forEach((v, i) => { w[j]![i] = round(w[j]![i]! - round(lr * round(d * v))); });
        b[j] = round(b[j]! - round(lr * d));
      });
      update(w2, b2, dOut, h);
      update(w1, b1, dHidden, x);
    },
  };
}

/** Runner flags for a few milliseconds of timing. */
function quickArgs(workload: string): RunnerArgs {
  return { workload, seconds: 0.002, reps: 1, epochs: 1, backend: null, dataDir: '', mode: 'quick' };
}

/** C = A·B of n×n row-major matrices, each entry accumulated in float64. */
function product(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k]! * b[k * n + j]!;
      c[i * n + j] = sum;
    }
  }
  return c;
}

describe('B1 check', () => {
  it("passes the spec's network in float64 and in float32 arithmetic, each at its own precision", () => {
    expect(checkSeed(handSeedNetwork((v) => v), 'float64').ok).toBe(true);
    expect(checkSeed(handSeedNetwork(Math.fround), 'float32').ok).toBe(true);
  });

  it('fails float32 arithmetic held to the float64 figure, and an output delta without the sigmoid derivative', () => {
    expect(checkSeed(handSeedNetwork(Math.fround), 'float64').ok).toBe(false);
    const synapticLike = checkSeed(handSeedNetwork((v) => v, false), 'float64');
    expect(synapticLike.ok).toBe(false);
    // The start is right, the trajectory is not.
    expect(synapticLike.detail).toMatch(/^float64: loss 3\.958156e-2 at start/);
  });
});

describe('B2 checks', () => {
  const references: References = { mlpAfterWarmup: 0.4, mlp1Start: 2, mlp1AfterWarmup: 1 };

  it('mlp: the loss after the warm-up epoch within 1e-4 of the float64 reference, then accuracy on every held-out digit above 0.8', () => {
    const digits = { images: new Float32Array(0), labels: new Uint8Array(0), count: TRAIN_COUNT + 100 };
    let trained = 0;
    const run = (accuracy: number, lossAfterWarmup = 0.4) => mlpWorkload(quickArgs('mlp'), digits, (count) => { trained += count; }, (count) => {
      expect(count).toBe(100);
      return { loss: trained === TRAIN_COUNT / 64 ? lossAfterWarmup : 0, accuracy };
    }, references);
    trained = 0;
    const passed = run(0.81);
    expect(passed.check.ok).toBe(true);
    expect(trained).toBeGreaterThan(TRAIN_COUNT / 64);
    expect(passed.check.detail).toContain(`after ${trained * 64} samples`);
    trained = 0;
    expect(run(0.8).check.ok).toBe(false);
    trained = 0;
    expect(run(0.81, 0.4 * (1 + 0.9e-4)).check.ok).toBe(true);
    trained = 0;
    // Another start or another network: a loss 2e-4 away from the reference fails.
    expect(run(0.81, 0.4 * (1 + 2e-4)).check.ok).toBe(false);
  });

  it('mlp1: the held-out loss is read before any training and must fall to 0.75 of it; from the shared start both losses match the references', () => {
    let trained = 0;
    const evaluate = () => ({ loss: 2 / (1 + trained), accuracy: 0 });
    const own = { ownNetwork: true, warmup: 1 } as const;
    const learns = mlp1Workload(quickArgs('mlp1'), (count) => { trained += count; }, evaluate, own);
    expect(learns.check.ok).toBe(true);
    expect(learns.check.detail).toContain(`held-out loss 2.0000 -> `);
    expect(learns.check.detail).toContain(`after ${trained} samples`);
    expect(mlp1Workload(quickArgs('mlp1'), () => {}, () => ({ loss: 2, accuracy: 0 }), own).check.ok).toBe(false);
    // 256 warm-up steps take the loss from 2 to 2/257 here, not to the reference's 1.
    trained = 0;
    const shared = mlp1Workload(quickArgs('mlp1'), (count) => { trained += count; }, evaluate, { references });
    expect(shared.check.ok).toBe(false);
    expect(shared.check.detail).toMatch(/^before training: held-out loss 2\.0000000, float64 reference 2\.0000000 \(relative 0\.0e\+0.*after 256 warm-up steps: held-out loss 0\.0077821012, float64 reference 1\.0000000/);
  });

  it('checkReference and bothChecks', () => {
    expect(checkReference(1 + 1e-4, 1, 'x').ok).toBe(true);
    expect(checkReference(1 - 1.01e-4, 1, 'x').ok).toBe(false);
    expect(bothChecks({ ok: true, detail: 'a' }, { ok: null, detail: 'b' })).toEqual({ ok: true, detail: 'a; b' });
    expect(bothChecks({ ok: null, detail: 'a' }, { ok: false, detail: 'b' }).ok).toBe(false);
  });
});

describe('run order and the reference column', () => {
  it('rotates the columns by one each round', () => {
    expect([0, 1, 2, 3].map((r) => rotate(['a', 'b', 'c'], r).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
  });

  it('takes every ratio against the default column fixed before the run, even when another glassnet column is faster', () => {
    const result = (library: string, median: number): RunnerResult => ({ ...process(library, [median]), workload: 'mlp', unit: 'samples/s' });
    const report: BenchReport = {
      meta: { date: '', mode: 'quick', node: '', cpu: '', cpuFacts: FACTS, cores: 2, loadAverage: [0], settings: SETTINGS.quick, wallSeconds: 1 },
      columns: ['glassnet wasm', 'glassnet js-fast', 'tfjs-wasm'],
      reference: 'glassnet wasm',
      multiThreaded: [],
      roofline: [],
      rows: [{ workload: 'mlp', title: 'B2' }],
      accuracyRows: [],
      notes: [],
      results: [result('glassnet wasm', 40), result('glassnet js-fast', 90), result('tfjs-wasm', 10)],
    };
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('10.0 (4.0×)');
    expect(markdown).toContain('glassnet wasm ≥ 4× tfjs-wasm: 4.0× PASS');
    expect(markdown).not.toContain('9.0×');
  });
});

describe('roofline', () => {
  it('counts a B2 sample as every forward product, every weight gradient and every input gradient but the pixels\'', () => {
    const layers = [784 * 128, 128 * 64, 64 * 10];
    const multiplyAdds = 2 * (layers[0]! + layers[1]! + layers[2]!) + layers[1]! + layers[2]!;
    expect(mlpSampleGflop()).toBeCloseTo((2 * multiplyAdds) / 1e9, 15);
    expect(mlpSampleGflop() * 1e9).toBe(454_400);
  });

  it('holds each column against its kind of peak times its threads, at the measured clock', () => {
    const result = (library: string, workload: string, median: number): RunnerResult => ({ ...process(library, [median]), workload, unit: 'x' });
    const report: BenchReport = {
      meta: { date: '', mode: 'quick', node: '', cpu: '', cpuFacts: FACTS, cores: 2, loadAverage: [0], settings: SETTINGS.quick, wallSeconds: 1 },
      columns: ['glassnet wasm-mt', 'pytorch'],
      reference: 'glassnet wasm',
      multiThreaded: ['glassnet wasm-mt'],
      roofline: [{ column: 'glassnet wasm-mt', peak: 'wasm128', threads: 2 }, { column: 'pytorch', peak: 'native', threads: 1 }],
      rows: [{ workload: 'mlp', title: 'B2' }, { workload: 'gemm512', title: 'B3' }],
      accuracyRows: [],
      notes: [],
      // 3 GHz: 16 flops a cycle on each of 2 threads is 96 GFLOP/s; native 32 on one is 96 too.
      results: [result('glassnet wasm-mt', 'gemm512', 24), result('pytorch', 'gemm512', 72), result('pytorch', 'mlp', 1e5)],
    };
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('| glassnet wasm-mt | 128-bit wasm SIMD × 2: 96.0 |  | 24.0 (25%) |');
    expect(markdown).toContain('| pytorch | native × 1: 96.0 | 45.4 (47%) | 72.0 (75%) |');
  });
});

describe('B3 check', () => {
  const n = 40;
  const { a, b } = gemmOperands(n);
  const exact = product(a, b, n);

  it('passes the product, fails a transposed operand and an error of 2e-3 on every entry', () => {
    expect(checkGemm(exact, a, b, n).ok).toBe(true);
    const transposed = Float32Array.from({ length: n * n }, (_, i) => b[(i % n) * n + Math.floor(i / n)]!);
    expect(checkGemm(product(a, transposed, n), a, b, n).ok).toBe(false);
    expect(checkGemm(exact.map((v) => v + 2e-3 * Math.max(Math.abs(v), 1)), a, b, n).ok).toBe(false);
    expect(checkGemm(exact.map((v) => v + 5e-4 * Math.max(Math.abs(v), 1)), a, b, n).ok).toBe(true);
  });

  it('holds entries near zero to an absolute 1e-3 (a relative error of a float32 sum near 0 says nothing)', () => {
    expect(checkGemm(exact.map((v) => v + 2e-3), a, b, n).ok).toBe(false);
    expect(checkGemm(exact.map((v) => v + 5e-4), a, b, n).ok).toBe(true);
  });

  it('gemmWorkload checks the last product the library returned', () => {
    expect(gemmWorkload(quickArgs(`gemm${n}`), (x, y, size) => () => product(x, y, size)).check.ok).toBe(true);
    expect(gemmWorkload(quickArgs(`gemm${n}`), (_x, _y, size) => () => new Float32Array(size * size)).check.ok).toBe(false);
  });
});
