import * as ort from 'onnxruntime-node';

/** Runs ONNX bytes in ONNX Runtime (onnxruntime-node) on float32 rows fed to `input`; returns the rows of `output`. */
export async function runOnnx(bytes: Uint8Array, x: readonly (readonly number[])[]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes);
  const width = x[0]!.length;
  const result = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, width]) });
  const output = result['output']!;
  const cols = output.dims[1]!;
  const data = output.data as Float32Array;
  return x.map((_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
}
