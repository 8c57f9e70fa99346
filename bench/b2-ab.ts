/**
 * Same-process A/B timings of B2 (784-128-64-10, batch 64, SGD lr 0.1,
 * from the shared start): a developer tool, not part of `npm run bench`.
 * On a shared machine the speed moves for everything at once, so the two
 * contestants run in alternating rounds (A B A B ...) and each round gives
 * one ratio B / A; the tool prints the median ratio and its spread over
 * the rounds, with the load average before and after.
 *
 *   npx tsc -p bench/tsconfig.json    # builds bench/results/build
 *   node bench/results/build/bench/b2-ab.js fit [wasm|js-fast] [rounds] [--cpu]   # fit() against the Trainer.step loop, one thread
 *   node bench/results/build/bench/b2-ab.js threads [rounds]              # Trainer.step on wasm-mt (two threads) against wasm
 *
 * `--cpu` (anywhere) times by the process's CPU time (`process.cpuUsage`,
 * user + system, all its threads) instead of the wall clock: on a machine
 * loaded by other jobs, the fairer measure of one-thread contestants
 * (meaningless for `threads`, whose worker's time counts too).
 *
 * `fit`: each round is one `fit` call of 1 + E epochs (shuffle off, one
 * thread, as the benchmark's fit workload runs it) timed from the first
 * `onEpochEnd` to the last, against E epochs of `Trainer.step` over
 * prebuilt batch views (the benchmark's step loop). `threads`: each round
 * is E epochs of `Trainer.step` on each backend. Needs the prepared digits
 * in `bench/results/cache/` (any `npm run bench` writes them).
 */
import os from 'node:os';
import { Tensor, Trainer, fit, SGD, type Sequential } from '../src/index.js';
import { setBackend, type BackendName } from '../src/backend/index.js';
import { CLASSES, PIXELS, TRAIN_COUNT, loadDigits, oneHot } from './lib/digits.js';
import { DIGITS_DIR } from './lib/paths.js';
import { loadSharedStart, sharedModel } from './lib/shared-start.js';
import { MLP } from './lib/workloads.js';

const args = process.argv.slice(2);
const cpu = args.includes('--cpu');
if (cpu) args.splice(args.indexOf('--cpu'), 1);
/** The clock, in seconds: wall, or the process's CPU time with `--cpu`. */
function clock(): number {
  if (!cpu) return performance.now() / 1000;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Epochs each contestant trains per round (128 batches each). */
const EPOCHS = 2;

const digits = loadDigits(DIGITS_DIR);
const start = loadSharedStart(DIGITS_DIR);
const images = digits.images.subarray(0, TRAIN_COUNT * PIXELS);
const targets = oneHot(digits.labels, 0, TRAIN_COUNT);
const batches = TRAIN_COUNT / MLP.batch;

/** A fresh B2 model on `backend` (the Trainer's plan binds the backend active when it is built). */
function model(backend: BackendName): Sequential {
  if (setBackend(backend) !== backend) throw new Error(`backend ${backend} did not load`);
  return sharedModel(start, 'float32');
}

/** Seconds for `epochs` epochs of Trainer.step on `backend`, over views of the data (the benchmark's step loop). */
function stepLoop(backend: BackendName): (epochs: number) => number {
  const net = model(backend);
  const trainer = new Trainer(net, { loss: 'softmaxCrossEntropy', optimizer: new SGD(net.parameters(), MLP.lr), batchSize: MLP.batch });
  const views = Array.from({ length: batches }, (_, i): [Float32Array, Float32Array] => [
    images.subarray(i * MLP.batch * PIXELS, (i + 1) * MLP.batch * PIXELS),
    targets.subarray(i * MLP.batch * CLASSES, (i + 1) * MLP.batch * CLASSES),
  ]);
  return (epochs) => {
    setBackend(backend);
    const t0 = clock();
    for (let e = 0; e < epochs; e++) for (const [x, y] of views) trainer.step(x, y);
    return clock() - t0;
  };
}

/** Seconds for `epochs` epochs through one `fit` call of `epochs + 1`, from the first epoch's end to the last's. */
function fitLoop(backend: BackendName): (epochs: number) => number {
  const net = model(backend);
  const x = new Tensor(images, [TRAIN_COUNT, PIXELS]);
  const y = new Tensor(targets, [TRAIN_COUNT, CLASSES]);
  return (epochs) => {
    setBackend(backend);
    let first = 0;
    let last = 0;
    fit(net, x, y, {
      loss: 'softmaxCrossEntropy', lr: MLP.lr, batchSize: MLP.batch, epochs: epochs + 1, shuffle: false, threads: 1,
      onEpochEnd: ({ epoch }) => {
        last = clock();
        if (epoch === 1) first = last;
      },
    });
    return last - first;
  };
}

/** Runs `a` and `b` in alternating rounds (b first on odd rounds) and prints samples/s of each and the median ratio b / a. */
function ab(names: [string, string], a: (epochs: number) => number, b: (epochs: number) => number, rounds: number): void {
  a(1);
  b(1);
  const load = os.loadavg()[0]!.toFixed(2);
  const rates: [number[], number[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) rates[i]!.push((EPOCHS * TRAIN_COUNT) / [a, b][i]!(EPOCHS));
  }
  const ratios = rates[1].map((rate, i) => rate / rates[0][i]!).sort((x, y) => x - y);
  const median = (v: number[]): number => {
    const s = v.slice().sort((x, y) => x - y);
    return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const quartile = (q: number): number => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))]!;
  for (const i of [0, 1]) {
    console.log(`${names[i]!.padEnd(28)} median ${median(rates[i]!).toExponential(3)} samples/s (${Math.min(...rates[i]!).toExponential(2)} – ${Math.max(...rates[i]!).toExponential(2)})`);
  }
  console.log(`${names[1]} / ${names[0]}: median ${median(ratios).toFixed(3)} over ${rounds} rounds; quartiles ${quartile(0.25).toFixed(3)} – ${quartile(0.75).toFixed(3)}; range ${ratios[0]!.toFixed(3)} – ${ratios[ratios.length - 1]!.toFixed(3)}`);
  console.log(`load average ${load} before, ${os.loadavg()[0]!.toFixed(2)} after`);
}

console.log(`timed by ${cpu ? 'process CPU time' : 'wall clock'}, ${EPOCHS} epochs per contestant per round`);
const [mode, ...rest] = args;
if (mode === 'fit') {
  const backend = (rest[0] ?? 'wasm') as BackendName;
  ab([`Trainer.step loop (${backend})`, `fit() (${backend})`], stepLoop(backend), fitLoop(backend), Number(rest[1] ?? 15));
} else if (mode === 'threads') {
  ab(['Trainer.step wasm', 'Trainer.step wasm-mt'], stepLoop('wasm'), stepLoop('wasm-mt'), Number(rest[0] ?? 15));
} else {
  console.error('usage: b2-ab.js fit [wasm|js-fast] [rounds] | threads [rounds]');
  process.exitCode = 2;
}
