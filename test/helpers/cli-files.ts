// Shared by the CLI tests: temporary directories, one-line error checks, and
// a float64 forward pass over a saved model file, written independently of
// the library so that predictions can be checked against it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/** A new empty directory; returns a function giving paths inside it. */
export function tempDir(): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'glassnet-cli-'));
  return (name) => join(dir, name);
}

/** The run failed with exit code `status` (1: data or runtime, 2: usage) and exactly one line on stderr, without a stack trace. */
export function expectOneLineError(result: { status: number | null; stderr: string }, pattern: RegExp, status = 1): void {
  expect(result.status).toBe(status);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^glassnet: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

interface FileLayer {
  type: 'dense' | 'dropout';
  inputSize: number;
  units: number;
  activation: string;
}

type ScalerFields = { kind: string; mean?: number[]; std?: number[]; min?: number[]; max?: number[] };

interface ModelJson {
  architecture: { layers: FileLayer[] };
  weights: { weight?: number[]; bias?: number[] }[];
  preprocessing?: { scaler?: ScalerFields; targetScaler?: ScalerFields };
}

/** Reads a model file as plain JSON. */
export function readModelJson(path: string): ModelJson & Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as ModelJson & Record<string, unknown>;
}

/** Network outputs for one row, in float64: scaling, then Dense layers (relu, sigmoid, tanh, linear); Dropout passes through. */
export function forward(model: ModelJson, row: readonly number[]): number[] {
  const scaler = model.preprocessing?.scaler;
  let values = row.map((v, j) => {
    if (scaler?.kind === 'standard') return (v - scaler.mean![j]!) / (scaler.std![j]! > 0 ? scaler.std![j]! : 1);
    if (scaler?.kind === 'minmax') return (v - scaler.min![j]!) / (scaler.max![j]! - scaler.min![j]! > 0 ? scaler.max![j]! - scaler.min![j]! : 1);
    return v;
  });
  model.architecture.layers.forEach((layer, l) => {
    if (layer.type === 'dropout') return;
    const { weight, bias } = model.weights[l]!;
    values = Array.from({ length: layer.units }, (_, u) => {
      let net = bias === undefined ? 0 : bias[bias.length === 1 ? 0 : u]!;
      for (let i = 0; i < layer.inputSize; i++) net += weight![u * layer.inputSize + i]! * values[i]!;
      switch (layer.activation) {
        case 'relu': return Math.max(0, net);
        case 'sigmoid': return 1 / (1 + Math.exp(-net));
        case 'tanh': return Math.tanh(net);
        case 'linear': return net;
        default: throw new Error(`activation ${layer.activation} not covered by this oracle`);
      }
    });
  });
  return values;
}

/** Softmax in float64. */
export function softmax(logits: readonly number[]): number[] {
  const top = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Rows of a simple CSV (no quoting) as string cells, header first. */
export function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => line.split(','));
}
