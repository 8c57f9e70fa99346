/**
 * The step's numbers by name, as the JSON renderer prints them, and a
 * per-layer summary that stays small at any network size.
 */
import type { Names } from './naming.js';
import type { TrainingTrace } from './trace.js';

/** Per-layer overview, available at any size. */
export interface LayerSummary {
  name: string;
  units: number;
  activation: string;
  /** ‖W‖ before the update. */
  weightNorm: number;
  /** ‖∂E/∂W‖. */
  weightGradNorm: number;
  /** ‖∂E/∂b‖, null when the bias is absent or fixed. */
  biasGradNorm: number | null;
}

/** What an explanation shows at any size: the loss and a line per layer. */
export interface Summary {
  loss: number;
  layers: LayerSummary[];
}

/** A value per sample: a number for one sample, an array for a batch. */
export type PerSample = number | number[];

/** The step's numbers by name, as the JSON renderer prints them. */
export interface Tables {
  inputs: Record<string, PerSample>;
  targets: Record<string, PerSample>;
  neurons: Record<string, { net: PerSample; out: PerSample }>;
  /** softmax(NET) of the outputs, when the loss applies it. */
  probabilities: Record<string, PerSample>;
  /** Per output (elementwise losses) or `samples` (softmaxCrossEntropy), and `total`. */
  errors: Record<string, PerSample>;
  dE_dout: Record<string, PerSample>;
  dout_dnet: Record<string, PerSample>;
  dE_dnet: Record<string, PerSample>;
  /** Every weight and bias before the update. */
  parameters: Record<string, number>;
  /** ∂E/∂p of every trainable parameter (fixed biases have none). */
  gradients: Record<string, number>;
  /** Trainable parameters after the update. */
  updated: Record<string, number>;
}

function perSample(values: number[]): PerSample {
  return values.length === 1 ? values[0]! : values;
}

/**
 * Every recorded number of the step by its name. With `keep`, the
 * network's own quantities are limited to those names (the data is always
 * listed in full); null keeps everything.
 */
export function tables(record: TrainingTrace, names: Names, keep: Set<string> | null): Tables {
  const kept = (name: string): boolean => keep === null || keep.has(name);
  const column = (rows: number[][], j: number): PerSample => perSample(rows.map((row) => row[j]!));
  const byName = (list: readonly string[], rows: number[][], all = false): Record<string, PerSample> =>
    Object.fromEntries(list.flatMap((name, j) => (all || kept(name) ? [[name, column(rows, j)]] : [])));
  const outputs = names.units[names.units.length - 1]!;
  const t: Tables = {
    // The data is always listed in full; only the network's own quantities are limited.
    inputs: byName(names.inputs, record.inputs, true),
    targets: byName(outputs, record.targets, true),
    neurons: {},
    probabilities: record.loss.softmax === null ? {} : byName(outputs, record.loss.softmax),
    errors: record.loss.name === 'softmaxCrossEntropy' ? { samples: column(record.loss.terms, 0) } : byName(outputs, record.loss.terms),
    dE_dout: {},
    dout_dnet: {},
    dE_dnet: {},
    parameters: {},
    gradients: {},
    updated: {},
  };
  t.errors.total = record.loss.total;
  record.layers.forEach((layer, k) => {
    names.units[k]!.forEach((u, j) => {
      if (!kept(u)) return;
      t.neurons[u] = { net: column(layer.net, j), out: column(layer.out, j) };
      t.dE_dout[u] = column(layer.dEdOut, j);
      if (layer.dOutdNet !== null) t.dout_dnet[u] = column(layer.dOutdNet, j);
      t.dE_dnet[u] = column(layer.dEdNet, j);
    });
    names.weights[k]!.forEach((row, j) => row.forEach((w, i) => {
      if (!kept(w)) return;
      t.parameters[w] = layer.weight[j]![i]!;
      t.gradients[w] = layer.weightGrad[j]![i]!;
      t.updated[w] = layer.weightAfter[j]![i]!;
    }));
    names.biases[k]?.forEach((b, i) => {
      if (!kept(b)) return;
      t.parameters[b] = layer.bias!.values[i]!;
      if (!layer.bias!.trainable) return;
      t.gradients[b] = layer.biasGrad![i]!;
      t.updated[b] = layer.biasAfter![i]!;
    });
  });
  return t;
}

function norm(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v * v;
  return Math.sqrt(total);
}

/** The loss and, per layer, the norms of its weights and gradients. */
export function summarize(record: TrainingTrace): Summary {
  return {
    loss: record.loss.total,
    layers: record.layers.map((layer) => ({
      name: layer.name,
      units: layer.weight.length,
      activation: layer.activation,
      weightNorm: norm(layer.weight.flat()),
      weightGradNorm: norm(layer.weightGrad.flat()),
      biasGradNorm: layer.biasGrad === null ? null : norm(layer.biasGrad),
    })),
  };
}
