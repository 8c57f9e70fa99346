// Served with a Content-Security-Policy that forbids eval and WebAssembly
// compilation. The default backend selection must pick a backend that runs,
// and training (the tiny path at batch size 1, which would generate code, and
// the plan at larger batches) must work; every failure must be a
// GlassnetError. The page only measures; test/browser-csp.test.ts judges.
import { GlassnetError, circles, fit, mlp } from '/packages/glassnet/dist/index.js';
import { getBackend, setBackend, wasmSimdSupported } from '/packages/glassnet/dist/backend/index.js';

const result = {};
try {
  let evalAllowed = true;
  try {
    new Function('return 1');
  } catch {
    evalAllowed = false;
  }
  result.evalAllowed = evalAllowed;
  result.simdValidates = wasmSimdSupported();
  result.backend = getBackend().name;
  result.wasmRequested = setBackend('wasm');
  const data = circles({ samples: 120, seed: 3 });
  for (const batchSize of [1, 16]) {
    const model = mlp([2, 8, 2], { seed: 1 });
    const run = fit(model, data.x, data.y, { loss: 'mse', epochs: 3, batchSize, seed: 1 });
    result[`batch${batchSize}`] = { loss: run.loss, finite: Number.isFinite(run.loss) };
  }
  try {
    fit(mlp([2, 2], { seed: 1 }), [[1, 2]], [[1, 0, 0]], { epochs: 1 });
    result.badInput = 'accepted';
  } catch (error) {
    result.badInput = error instanceof GlassnetError ? `GlassnetError ${error.code}` : `${error?.constructor?.name}: ${error}`;
  }
} catch (error) {
  result.error = `${error?.constructor?.name}: ${error?.message ?? error}`;
}
document.getElementById('status').textContent = JSON.stringify(result);
window.__result = result;
