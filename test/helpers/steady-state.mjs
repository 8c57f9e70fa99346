// Trains a network through Trainer and prints the bytes allocated per step
// over windows of steps: a full GC (run with --expose-gc) empties the young
// generation first, and what is allocated after it stays counted until the
// next collection, which would show as a drop (reported as Infinity).
// argv: backend, steps per window, batch size, network ("classifier": a
// 96-48-10 softmax classifier, past SMALL_MATMUL_WORK so the fast kernels
// run; "tiny": a 3-4-2 tanh/sigmoid mse network, small enough for the
// generated tiny step), update ("sgd", the default: plain SGD; "adam": Adam
// with an L2 penalty, clipping and a warm-up into cosine schedule, every
// per-step stage of the update).
import v8 from 'node:v8';
import { Adam, Dense, cosineAnnealing, mlp, Random, SGD, Sequential, Trainer, warmup } from '../../packages/glassnet/dist/index.js';
import { setBackend } from '../../packages/glassnet/dist/backend/index.js';

const [backend, stepsText, batchText, network, update = 'sgd'] = process.argv.slice(2);
setBackend(backend);
const steps = Number(stepsText);
const batch = Number(batchText);
const random = new Random(1);
const tiny = network === 'tiny';
const model = tiny
  ? new Sequential([new Dense(3, 4, { activation: 'tanh', seed: 1 }), new Dense(4, 2, { activation: 'sigmoid', seed: 2 })])
  : mlp([96, 48, 10], { activation: 'relu', outputActivation: 'linear', init: 'he', seed: 1 });
const updates = update === 'adam'
  ? {
    optimizer: new Adam(model.parameters(), { lr: 1e-3 }), l2: 1e-4, clipNorm: 1,
    schedule: warmup({ steps: 100, schedule: cosineAnnealing({ tMax: 1e6 }) }),
  }
  : { optimizer: new SGD(model.parameters(), 0.1) };
const trainer = new Trainer(model, { loss: tiny ? 'mse' : 'softmaxCrossEntropy', batchSize: batch, ...updates });
const x = new Float32Array(batch * model.inputSize).map(() => random.float());
const y = new Float32Array(batch * model.outputSize);
for (let i = 0; i < batch; i++) y[i * model.outputSize + random.int(model.outputSize)] = 1;
// Long enough for V8 to optimise the step: the first compilations allocate.
for (let i = 0; i < 2000; i++) trainer.step(x, y);
// Young JS objects land in new space; typed-array contents live outside the
// heap, counted by arrayBuffers. Both only grow between collections.
const allocated = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_used_size
  + process.memoryUsage().arrayBuffers;
// The least of ten windows: an allocation in the step shows in every
// window, a one-off (the JIT re-optimising, say) in one at most.
const windows = Array.from({ length: 10 }, () => {
  globalThis.gc();
  const before = allocated();
  for (let i = 0; i < steps; i++) trainer.step(x, y);
  const after = allocated();
  return after < before ? Infinity : (after - before) / steps;
});
console.log(JSON.stringify({ path: trainer.path, bytesPerStep: Math.min(...windows) }));
