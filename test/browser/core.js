// The core checks, run in Chromium against the built public barrel exactly
// as an app would import it, with no import map and no bundler: the wasm
// backend is selected, its matmuls (with and without relaxed SIMD's fused
// multiply-add) and a training run are compared with the js backend. The
// page only measures; test/browser.test.ts judges.
import {
  Adam, Random, circles, evaluate, fit, mlp,
} from '/packages/glassnet/dist/index.js';
import { createWasmBackend, getBackend, jsBackend, setBackend, wasmSimdSupported } from '/packages/glassnet/dist/backend/index.js';
import { run } from './table.js';

/** Matmul shapes [m, k, n]: whole register tiles, odd sizes that leave edge tiles everywhere, and a single row. */
const SHAPES = [[64, 128, 96], [33, 70, 17], [1, 300, 9]];
const FLAGS = [[false, false], [true, false], [false, true], [true, true]];

function randomMatrix(random, size) {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = random.uniform(-1, 1);
  return a;
}

/**
 * One product on `backend` and on the js reference. `worst` is the largest
 * |difference| over all elements, each divided by Σ_p |op(a)[i,p]·op(b)[p,j]|
 * (in float64): rounding error scales with that sum, not with the result,
 * which may cancel to near zero.
 */
function compareMatmul(backend, [m, k, n], transA, transB, random) {
  const a = randomMatrix(random, m * k);
  const b = randomMatrix(random, k * n);
  const out = new Float32Array(m * n);
  const reference = new Float32Array(m * n);
  backend.matmul(out, a, b, m, k, n, transA, transB, false);
  jsBackend.matmul(reference, a, b, m, k, n, transA, transB, false);
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let terms = 0;
      for (let p = 0; p < k; p++) terms += Math.abs((transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]));
      const diff = Math.abs(out[i * n + j] - reference[i * n + j]);
      if (diff > 0) worst = Math.max(worst, diff / terms);
    }
  }
  return { kernel: backend.relaxedSimd ? 'fma' : 'unfused', m, k, n, transA, transB, worst };
}

/** A 2-16-2 classifier trained on `circles` with `backend`, then scored on circles it has not seen. */
function train(backend) {
  setBackend(backend);
  const data = circles({ samples: 200, seed: 1 });
  const unseen = circles({ samples: 200, seed: 2 });
  const model = mlp([2, 16, 2], { activation: 'tanh', outputActivation: 'linear', seed: 3 });
  const start = performance.now();
  const result = fit(model, data.x, data.y, {
    loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.05 }), epochs: 200,
  });
  const ms = performance.now() - start;
  const { classification } = evaluate(model, unseen.x, unseen.y, { loss: 'softmaxCrossEntropy' });
  return { backend: getBackend().name, epochs: result.epochs, loss: result.loss, accuracy: classification.accuracy, ms };
}

function checks() {
  const selected = setBackend('wasm');
  const wasm = getBackend();
  const backend = { simd: wasmSimdSupported(), selected, active: wasm.name, relaxedSimd: wasm.relaxedSimd, crossOriginIsolated };
  const unfused = createWasmBackend({ relaxedSimd: false });
  const random = new Random(7);
  const matmuls = [wasm, unfused].flatMap((kernel) => SHAPES.flatMap((shape) => FLAGS.map(([transA, transB]) => (
    compareMatmul(kernel, shape, transA, transB, random)))));
  return { backend, matmuls, training: { wasm: train('wasm'), js: train('js') } };
}

run(checks, (table, { backend, matmuls, training }) => {
  table.section('backend');
  table.row('wasmSimdSupported()', backend.simd);
  table.row("setBackend('wasm')", backend.selected);
  table.row('getBackend().name', backend.active);
  table.row('getBackend().relaxedSimd (fused multiply-add)', backend.relaxedSimd);
  table.row('crossOriginIsolated', backend.crossOriginIsolated);
  table.section('float32 matmul, wasm vs js: worst |Δ| / Σ|terms|');
  for (const c of matmuls) {
    table.row(`${c.kernel}: ${c.m}×${c.k}·${c.k}×${c.n}  ${c.transA ? 'Aᵀ' : 'A'}·${c.transB ? 'Bᵀ' : 'B'}`, c.worst.toExponential(2));
  }
  table.section('fit: 2-16-2 on circles, Adam, softmax cross-entropy');
  for (const t of [training.wasm, training.js]) {
    table.row(`${t.backend}: final loss`, t.loss.toPrecision(10));
    table.row(`${t.backend}: accuracy on unseen points`, t.accuracy);
    table.row(`${t.backend}: ${t.epochs} epochs`, `${t.ms.toFixed(0)} ms`);
  }
});
