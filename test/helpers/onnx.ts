import * as ort from 'onnxruntime-node';
import { Random, type OnnxInput } from '../../src/index.js';

/** Rows for one graph input: numbers become float32, strings a string tensor; `[rows, width]`. */
export type OnnxFeed = readonly (readonly number[])[] | readonly (readonly string[])[];

/** Runs ONNX bytes in ONNX Runtime (onnxruntime-node), one feed per named input; returns the rows of `output`. */
export async function runOnnxFeeds(bytes: Uint8Array, feeds: Readonly<Record<string, OnnxFeed>>): Promise<number[][]> {
  // Failures come back as exceptions; the native log would only repeat them on stderr.
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  const tensors: Record<string, ort.Tensor> = {};
  let count = 0;
  for (const [name, x] of Object.entries(feeds)) {
    count = x.length;
    const dims = [x.length, x[0]!.length];
    const flat = x.flat();
    tensors[name] = typeof flat[0] === 'string' ? new ort.Tensor('string', flat as string[], dims) : new ort.Tensor('float32', Float32Array.from(flat as number[]), dims);
  }
  const result = await session.run(tensors);
  const output = result['output']!;
  const cols = output.dims[1]!;
  const data = output.data as Float32Array;
  return Array.from({ length: count }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
}

/** Runs ONNX bytes in ONNX Runtime (onnxruntime-node) on float32 rows fed to `input`; returns the rows of `output`. */
export function runOnnx(bytes: Uint8Array, x: readonly (readonly number[])[]): Promise<number[][]> {
  return runOnnxFeeds(bytes, { input: x });
}

/** A CSV with text columns between numeric ones, so the file's inputs must be put back in the model's column order. */
export function shopCsv(count: number, seed: number): string {
  const random = new Random(seed);
  const colors = ['red', 'green', 'blue'];
  const lines = ['size,color,weight,shape,price band'];
  for (let i = 0; i < count; i++) {
    const size = random.uniform(1, 30);
    const color = colors[Math.floor(random.uniform(0, 3))]!;
    const shape = random.uniform(0, 1) < 0.5 ? 'round' : 'square';
    const weight = random.uniform(100, 900);
    const band = size * 10 + weight / 20 + (color === 'red' ? 40 : 0) > 180 ? 'high' : 'low';
    lines.push(`${size.toFixed(2)},${color},${weight.toFixed(1)},${shape},${band}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The raw CSV cells as the exported file's inputs take them: numbers in `input`, each categorical column's strings in an input of its own. */
export function feedsOf(csv: string, inputs: readonly OnnxInput[]): Record<string, OnnxFeed> {
  const [header, ...lines] = csv.trim().split('\n').map((l) => l.split(','));
  const column = (name: string): string[] => lines.map((cells) => cells[header!.indexOf(name)]!);
  return Object.fromEntries(inputs.map((input) => [input.name, input.type === 'string'
    ? column(input.column).map((c) => [c])
    : lines.map((_, r) => input.columns.map((name) => Number(column(name)[r])))]));
}
