/**
 * What bounds B1 (SGD steps per second on the 2-2-2 sigmoid network): a
 * developer tool, not part of `npm run bench`. Each step depends on the
 * previous step's weights, so a step cannot start before the last one
 * ends, and its time is the latency of its dependency chain: forward
 * through two sigmoids in sequence, back through two derivatives, into
 * the weights. The tool times, in one process, best of `ROUNDS`:
 *
 * 1. `Trainer.step` on the tiny path (generated code with the SGD update
 *    fused), float64: what the benchmark times;
 * 2. a hand-written step of the same exact computation (the lower bound
 *    for this arithmetic in JavaScript);
 * 3. the same hand-written step with each sigmoid replaced by a cheap
 *    rational function of the same shape (the share of `Math.exp`);
 * 4. one sigmoid as a dependent chain (its latency) and as independent
 *    calls (its throughput).
 *
 *   npx tsc -p bench/tsconfig.json    # builds bench/results/build
 *   node bench/results/build/bench/b1-bound.js
 */
import { Dense, Sequential, Trainer } from '../src/index.js';
import { SEED } from './lib/workloads.js';

const ROUNDS = 5;
const STEPS = 5_000_000;

/** The reference sigmoid (src/backend/js.ts): e^x is only taken of x ≤ 0. */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** A stand-in with one division and no exp: how fast the step would be if the sigmoid cost what its divide does. */
function noExp(v: number): number {
  return 1 / (1 + v * v);
}

/** Best nanoseconds per call of `run(count)` over the rounds. */
function bestNs(run: (count: number) => void, count: number): number {
  run(count / 10);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    run(count);
    best = Math.min(best, ((performance.now() - start) * 1e6) / count);
  }
  return best;
}

/** Forward, loss, backward and the SGD update of the 2-2-2 network, unrolled by hand, weights in one array. */
function handStep(activation: (v: number) => number): (count: number) => void {
  const w = Float64Array.from([...SEED.w1.flat(), ...SEED.b1, ...SEED.w2.flat(), ...SEED.b2]);
  const [x0, x1] = SEED.x;
  const [t0, t1] = SEED.t;
  const rate = -SEED.lr;
  let sink = 0;
  return (count) => {
    for (let i = 0; i < count; i++) {
      const h0 = activation(w[4]! + (x0 * w[0]! + x1 * w[1]!));
      const h1 = activation(w[5]! + (x0 * w[2]! + x1 * w[3]!));
      const o0 = activation(w[10]! + (h0 * w[6]! + h1 * w[7]!));
      const o1 = activation(w[11]! + (h0 * w[8]! + h1 * w[9]!));
      sink += 0.5 * (t0 - o0) * (t0 - o0) + 0.5 * (t1 - o1) * (t1 - o1);
      const d0 = (o0 - t0) * (o0 * (1 - o0));
      const d1 = (o1 - t1) * (o1 * (1 - o1));
      const e0 = (d0 * w[6]! + d1 * w[8]!) * (h0 * (1 - h0));
      const e1 = (d0 * w[7]! + d1 * w[9]!) * (h1 * (1 - h1));
      w[6]! += d0 * h0 * rate; w[7]! += d0 * h1 * rate; w[8]! += d1 * h0 * rate; w[9]! += d1 * h1 * rate;
      w[10]! += d0 * rate; w[11]! += d1 * rate;
      w[0]! += e0 * x0 * rate; w[1]! += e0 * x1 * rate; w[2]! += e1 * x0 * rate; w[3]! += e1 * x1 * rate;
      w[4]! += e0 * rate; w[5]! += e1 * rate;
    }
    if (!Number.isFinite(sink)) throw new Error('diverged');
  };
}

function trainerStep(): (count: number) => void {
  const model = new Sequential([
    new Dense(2, 2, { activation: 'sigmoid', weights: SEED.w1, bias: SEED.b1, dtype: 'float64' }),
    new Dense(2, 2, { activation: 'sigmoid', weights: SEED.w2, bias: SEED.b2, dtype: 'float64' }),
  ]);
  const trainer = new Trainer(model, { loss: 'squaredError', lr: SEED.lr });
  if (trainer.path !== 'tiny') throw new Error(`expected the tiny path, got ${trainer.path}`);
  const x = Float64Array.from(SEED.x);
  const t = Float64Array.from(SEED.t);
  return (count) => {
    for (let i = 0; i < count; i++) trainer.step(x, t);
  };
}

/** Each sigmoid's input is the last one's output: no two calls overlap. */
function sigmoidChain(count: number): void {
  let v = 0.3;
  for (let i = 0; i < count; i++) v = sigmoid(v) - 0.5 + (i & 7) * 0.1;
  if (!Number.isFinite(v)) throw new Error('unreachable');
}

/** Independent calls: the processor may overlap them. */
function sigmoidThroughput(count: number): void {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sigmoid((i & 1023) * 0.01 - 5);
  if (!Number.isFinite(sum)) throw new Error('unreachable');
}

const rows: Array<[string, number]> = [
  ['Trainer.step, tiny path (what B1 times)', bestNs(trainerStep(), STEPS)],
  ['hand-written step, reference sigmoid', bestNs(handStep(sigmoid), STEPS)],
  ['hand-written step, sigmoid without exp', bestNs(handStep(noExp), STEPS)],
  ['one sigmoid, dependent chain (latency)', bestNs(sigmoidChain, STEPS * 4)],
  ['one sigmoid, independent calls (throughput)', bestNs(sigmoidThroughput, STEPS * 4)],
];
console.log('| what | ns | per second |\n| --- | --- | --- |');
for (const [what, ns] of rows) console.log(`| ${what} | ${ns.toFixed(1)} | ${(1e9 / ns).toExponential(2)} |`);
