import { Command } from 'commander';
import { GlassnetError, encodingFromJSON, modelToJSON, onnxInputs, type JsonObject, type FeatureEncoding, type LayerSpec, type OnnxInput } from 'glassnet';
import { loadModel } from 'glassnet/node';
import { safeText } from '../paint.js';
import { EXPORT_FORMATS, appendedActivation } from './export.js';

/** A layer as info shows it. */
interface LayerSummary {
  spec: LayerSpec;
  /** Numbers stored for the layer (weights and biases, trainable or not). */
  parameters: number;
}

/** `glassnet info MODEL`: what a model file holds, without the weights. */
export function infoCommand(): Command {
  return new Command('info')
    .description('summarise a model file: format version, layers, parameter count, dtype, input and output columns, preprocessing, training metadata, export formats')
    .argument('<model>', 'model (or checkpoint) file')
    .option('--json', 'print one JSON object')
    .action(async (path: string, flags: { json?: boolean }) => {
      const loaded = await loadModel(path);
      const version = loaded.version;
      const file = modelToJSON(loaded.model);
      const layers: LayerSummary[] = file.architecture.layers.map((spec, i) => ({
        spec, parameters: (file.weights[i]!.weight?.length ?? 0) + (file.weights[i]!.bias?.length ?? 0),
      }));
      const total = layers.reduce((sum, l) => sum + l.parameters, 0);
      const trainable = loaded.model.parameters().reduce((sum, p) => sum + p.size, 0);
      const fit = (loaded.optimizerState?.['fit'] ?? null) as JsonObject | null;
      const checkpoint = fit === null ? undefined : { epoch: fit['epoch'], steps: fit['steps'] };
      const pre = loaded.preprocessing;
      const inputs = { count: loaded.model.inputSize, ...(pre?.featureNames === undefined ? {} : { names: [...pre.featureNames] }) };
      const outputs = { count: loaded.model.outputSize, names: outputNames(loaded.model.outputSize, pre?.classes, pre?.targetName) };
      const encoding = pre?.encoding === undefined ? undefined : encodingFromJSON(pre.encoding, `${path}: preprocessing.encoding`);
      const onnx = exportedInputs(loaded.model.inputSize, encoding, pre?.featureNames);
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify({
          file: path, format: file.format, version, dtype: file.dtype,
          layers: layers.map((l) => ({ ...l.spec, parameters: l.parameters })),
          parameters: total, trainableParameters: trainable, inputs, outputs, exportFormats: [...EXPORT_FORMATS], onnxInputs: onnx,
          ...(loaded.preprocessing === undefined ? {} : { preprocessing: loaded.preprocessing }),
          ...(loaded.training === undefined ? {} : { training: loaded.training }),
          ...(checkpoint === undefined ? {} : { checkpoint }),
        })}\n`);
        return;
      }
      const lines = [`${path}: ${file.format} ${version}, ${file.dtype}`, 'layers:', ...layers.map(layerLine)];
      lines.push(`parameters: ${total} (${trainable} trainable)`);
      lines.push(`inputs (${inputs.count}): ${inputs.names === undefined ? 'unnamed columns' : abbreviate(inputs.names)}`);
      lines.push(`outputs (${outputs.count}): ${abbreviate(outputs.names)}`);
      if (pre !== undefined) {
        const scaler = (pre.scaler as { kind?: string } | undefined)?.kind ?? 'none';
        const targetScaler = (pre.targetScaler as { kind?: string } | undefined)?.kind ?? 'none';
        lines.push('preprocessing:', `  scaler ${scaler}`);
        if (targetScaler !== 'none') lines.push(`  target scaler ${targetScaler} (undone on the outputs)`);
        const oneHot = encoding?.columns.flatMap((column, j) => (encoding.categories[j] ? [`${column} (${encoding.categories[j]!.length})`] : [])) ?? [];
        if (oneHot.length > 0) lines.push(`  one-hot ${abbreviate(oneHot)}`);
        // Fill values apply in glassnet predict; an exported file takes complete rows.
        if (pre.missing === 'mean' || pre.missing === 'median') lines.push(`  missing cells filled with the training ${pre.missing} (glassnet only; exports take complete rows)`);
        if (pre.targetName !== undefined) lines.push(`  target ${pre.targetName}${pre['task'] === undefined ? '' : ` (${String(pre['task'])})`}`);
        if (pre.classes !== undefined) lines.push(`  classes (${pre.classes.length}) ${abbreviate(pre.classes.map(String))}`);
      }
      const training = loaded.training;
      if (training !== undefined) {
        lines.push('training:');
        if (training.loss !== undefined) lines.push(`  loss ${lossLine(training.loss, training['classWeights'])}`);
        if (training.optimizer !== undefined) {
          const { name, ...options } = training.optimizer;
          lines.push(`  optimizer ${name} ${Object.entries(options).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
        }
        const run = [
          training.epochs === undefined ? null : `${training.epochs} epochs`,
          training.steps === undefined ? null : `${training.steps} steps`,
          training.seed === undefined ? null : `seed ${training.seed}`,
          training['stoppedBy'] === undefined ? null : `stopped by ${String(training['stoppedBy'])}`,
        ].filter((s) => s !== null);
        if (run.length > 0) lines.push(`  ${run.join(', ')}`);
        if (training.metrics !== undefined) lines.push(`  metrics ${Object.entries(training.metrics).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}`);
        if (training.date !== undefined) lines.push(`  date ${training.date}`);
        if (typeof training['importedFrom'] === 'string') lines.push(`  imported from ${training['importedFrom']}`);
      }
      lines.push(`exports to: ${EXPORT_FORMATS.join(', ')} (glassnet export MODEL --format FORMAT --out PATH)`);
      lines.push(...(typeof onnx === 'string' ? [`onnx inputs: none (${onnx})`] : ['onnx inputs:', ...onnx.map(onnxInputLine)]));
      if (checkpoint !== undefined) lines.push(`checkpoint: after epoch ${String(checkpoint.epoch)} (${String(checkpoint.steps)} steps); continue with glassnet train DATA --resume ${path}`);
      // Names, labels and strings come from the file: escaped, so they cannot drive the terminal.
      process.stdout.write(`${lines.map(safeText).join('\n')}\n`);
    });
}

function layerLine({ spec, parameters }: LayerSummary): string {
  if (spec.type === 'dropout') return `  ${spec.name.padEnd(8)} dropout ${String(spec.size).padStart(5)} -> ${String(spec.size).padEnd(5)} rate ${spec.rate}`;
  const bias = spec.bias === 'none' ? 'no bias' : `bias ${spec.bias}${spec.biasTrainable === true ? '' : ' (fixed)'}`;
  return `  ${spec.name.padEnd(8)} dense   ${String(spec.inputSize).padStart(5)} -> ${String(spec.units).padEnd(5)} ${spec.activation.padEnd(9)} ${bias.padEnd(18)} ${parameters} parameters`;
}

/**
 * The loss, what the network's outputs are under it (logits, when the loss
 * keeps an activation inside itself: {@link appendedActivation}) and its
 * class weights.
 */
function lossLine(loss: unknown, classWeights: unknown): string {
  const reading = appendedActivation(loss);
  const outputs = reading === undefined ? '' : ` (the network gives logits; the probabilities are their ${reading})`;
  const weights = Array.isArray(classWeights) ? `, class weights ${classWeights.join(', ')}` : '';
  return `${String(loss)}${outputs}${weights}`;
}

/**
 * What each output column means: a class probability (`p_<label>`; one
 * sigmoid output is the second of two classes), the target, or `outputN`.
 */
function outputNames(count: number, classes: readonly (string | number)[] | undefined, target: string | undefined): string[] {
  if (classes !== undefined) return count === 1 && classes.length === 2 ? [`p_${classes[1]}`] : classes.map((c) => `p_${c}`);
  if (count === 1 && target !== undefined) return [target];
  return Array.from({ length: count }, (_, i) => `output${i + 1}`);
}

/** The inputs `glassnet export --format onnx` gives the file (raw columns, categorical ones as strings), or why it refuses. */
function exportedInputs(inputSize: number, encoding: FeatureEncoding | undefined, featureNames: readonly string[] | undefined): OnnxInput[] | string {
  try {
    return onnxInputs(inputSize, { ...(encoding === undefined ? {} : { encoding }), ...(featureNames === undefined ? {} : { featureNames }) });
  } catch (error) {
    if (error instanceof GlassnetError) return error.message;
    throw error;
  }
}

function onnxInputLine(input: OnnxInput): string {
  return input.type === 'string'
    ? `  ${input.name} [batch, 1] string, one of ${abbreviate(input.categories.map((c) => JSON.stringify(c)))}`
    : `  ${input.name} [batch, ${input.width}] float32${input.columns.length === 0 ? '' : `: ${abbreviate(input.columns)}`}`;
}

/** A long list cut to its first few items. */
function abbreviate(items: readonly string[], max = 8): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, ... (${items.length - max} more)`;
}
