// Trains a small classifier through Trainer on the backend named in
// argv[2] (batch argv[4]) and prints the bytes allocated per step over
// windows of argv[3] steps: a full GC (run with --expose-gc) empties the
// young generation first, and what is allocated after it stays counted
// until the next collection, which would show as a drop (reported as
// Infinity).
import v8 from 'node:v8';
import { mlp, Trainer, SGD, Random, setBackend } from '../../dist/src/index.js';

setBackend(process.argv[2]);
const batch = Number(process.argv[4]);
// Products of 96·48 and more multiply-adds: past SMALL_MATMUL_WORK, so the fast kernels run.
const model = mlp([96, 48, 10], { activation: 'relu', outputActivation: 'linear', init: 'he', seed: 1 });
const trainer = new Trainer(model, { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters(), 0.1), batchSize: batch });
const random = new Random(1);
const x = new Float32Array(batch * 96).map(() => random.float());
const y = new Float32Array(batch * 10);
for (let i = 0; i < batch; i++) y[i * 10 + random.int(10)] = 1;
// Long enough for V8 to optimise the step: the first compilations allocate.
for (let i = 0; i < 2000; i++) trainer.step(x, y);
const steps = Number(process.argv[3]);
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
console.log(JSON.stringify({ bytesPerStep: Math.min(...windows) }));
