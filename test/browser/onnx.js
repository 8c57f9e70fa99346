// toOnnx in Chromium, and the file run by onnxruntime-web's single-threaded
// WebAssembly build (served from node_modules, no network): a scaled
// classifier with every activation and a softmax output, and a model with a
// categorical column fed as strings, compared with glassnet's own
// predictions. test/browser-onnx.test.ts judges.
import * as ort from '/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';
import { ACTIVATIONS, Dense, Random, Sequential, fitScaler, noGrad, softmax, toOnnx } from '/packages/glassnet/dist/index.js';

async function checks() {
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  const random = new Random(11);
  const raw = Array.from({ length: 16 }, () => [random.uniform(90, 110), random.uniform(-0.1, 0.1), random.uniform(-3, 3)]);
  const scaler = fitScaler('standard', raw);
  const layers = [];
  let width = 3;
  for (const activation of ACTIVATIONS) {
    layers.push(new Dense(width, 5, { activation, random }));
    width = 5;
  }
  layers.push(new Dense(width, 3, { random }));
  const model = new Sequential(layers);
  const bytes = toOnnx(model, { scaler, outputActivation: 'softmax' });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const output = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(raw.flat()), [raw.length, 3]) })).output;
  const ours = noGrad(() => softmax(model.predict(scaler.transform(raw))));
  let worst = 0;
  for (let i = 0; i < ours.data.length; i++) worst = Math.max(worst, Math.abs(output.data[i] - ours.data[i]));
  return { activations: [...ACTIVATIONS], rows: raw.length, dims: output.dims, worst, bytes: bytes.length, threads: ort.env.wasm.numThreads, categoricalWorst: await categorical(random) };
}

/** A model whose middle column is categorical: the file takes its cells as strings and one-hot encodes them (ai.onnx.ml OneHotEncoder). */
async function categorical(random) {
  const colors = ['blue', 'green', 'red'];
  const cells = Array.from({ length: 12 }, (_, i) => [random.uniform(0, 10), colors[i % 3], random.uniform(-5, 5)]);
  const encoded = cells.map(([a, color, b]) => [a, ...colors.map((c) => (c === color ? 1 : 0)), b]);
  const encoding = { columns: ['a', 'color', 'b'], categories: [null, colors, null], fill: [null, null, null] };
  const scaler = fitScaler('standard', encoded);
  const model = new Sequential([new Dense(5, 4, { activation: 'tanh', random }), new Dense(4, 2, { random })]);
  const session = await ort.InferenceSession.create(toOnnx(model, { scaler, encoding }), { executionProviders: ['wasm'] });
  const { output } = await session.run({
    input: new ort.Tensor('float32', Float32Array.from(cells.flatMap(([a, , b]) => [a, b])), [cells.length, 2]),
    color: new ort.Tensor('string', cells.map(([, color]) => color), [cells.length, 1]),
  });
  const ours = model.predict(scaler.transform(encoded));
  let worst = 0;
  for (let i = 0; i < ours.data.length; i++) worst = Math.max(worst, Math.abs(output.data[i] - ours.data[i]));
  return output.data.length === ours.data.length ? worst : Infinity;
}

const status = document.getElementById('status');
const table = document.getElementById('results');
checks().then((result) => {
  for (const [label, value] of Object.entries(result)) {
    const tr = table.insertRow();
    tr.insertCell().textContent = label;
    tr.insertCell().textContent = String(value);
  }
  status.textContent = 'done';
  window.__result = result;
}, (error) => {
  status.textContent = error instanceof Error ? error.stack ?? error.message : String(error);
  status.className = 'failed';
  window.__result = { error: status.textContent };
});
