import { Command } from 'commander';
import { LOSSES, LOSS_RECORDS, torchSource, type LossName, type TrainedModel } from 'glassnet';
import { saveOnnx, saveTfjs, saveTorchStateDict } from 'glassnet/node';
import { choiceFlag } from '../flags.js';
import { checkPaths, named } from '../paths.js';
import { loadTrained } from '../trained.js';

/** The formats `glassnet export` writes. */
export const EXPORT_FORMATS = ['onnx', 'torch', 'tfjs'] as const;
type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface ExportFlags {
  format: string;
  out: string;
  raw?: boolean;
}

/**
 * The softmax or sigmoid a loss keeps inside itself, as its record says:
 * the network then gives logits, and this activation of them is the
 * probabilities `glassnet predict` reports. The ONNX export appends it,
 * the other exports say it is missing, and `glassnet info` names it.
 * Undefined for a loss whose outputs are read as they are, or for a value
 * (from a model file) that names no loss.
 */
export function appendedActivation(loss: unknown): 'softmax' | 'sigmoid' | undefined {
  if (!(LOSSES as readonly unknown[]).includes(loss)) return undefined;
  const probabilities = LOSS_RECORDS[loss as LossName].probabilities;
  return probabilities === 'softmax' || probabilities === 'sigmoid' ? probabilities : undefined;
}

const writers: Record<ExportFormat, (trained: TrainedModel, flags: ExportFlags) => Promise<void>> = {
  onnx: async (trained, flags) => {
    const { scaler, targetScaler, featureNames, classes, targetNames, encoding } = trained;
    const appended = flags.raw === true ? undefined : appendedActivation(trained.loss);
    await saveOnnx(flags.out, trained.model, {
      scaler, targetScaler, loss: trained.loss,
      ...(trained.missing === undefined ? {} : { missing: trained.missing }),
      ...(encoding === undefined ? {} : { encoding }),
      ...(appended === undefined ? {} : { outputActivation: appended }),
      ...(featureNames === undefined ? {} : { featureNames }),
      ...(classes === undefined ? {} : { classes }),
      ...(targetNames === undefined ? {} : { targetName: targetNames.join(',') }),
    });
  },
  torch: async (trained, flags) => {
    await saveTorchStateDict(flags.out, trained.model);
    // The module the state dict fits, ready to paste.
    process.stdout.write(`${torchSource(trained.model)}\n`);
  },
  tfjs: async (trained, flags) => {
    await saveTfjs(flags.out, trained.model);
  },
};

/**
 * A state dict or TF.js model holds the network alone: said on stderr when
 * it gives logits (the loss keeps the softmax or sigmoid), and when it takes
 * inputs after encoding and scaling, not the raw columns (`glassnet info`
 * lists the inputs).
 */
function noteNetworkOnly(trained: TrainedModel, format: ExportFormat): void {
  const appended = appendedActivation(trained.loss);
  if (appended !== undefined) {
    process.stderr.write(`note: the ${format} export gives the network's logits (${trained.loss}): apply ${appended} for the class probabilities glassnet predict reports\n`);
  }
  const categorical = trained.encoding?.categories.some((c) => c !== null) === true;
  const scaled = trained.scaler.kind !== 'none';
  if (!categorical && !scaled) return;
  const what = [categorical ? 'one-hot encoded' : null, scaled ? `${trained.scaler.kind}-scaled` : null].filter((s) => s !== null).join(' and ');
  process.stderr.write(`note: the ${format} export holds the network only: it takes the ${trained.model.inputSize} ${what} inputs glassnet info lists, not the raw rows; --format onnx carries the preprocessing\n`);
}

/** `glassnet export MODEL --format onnx --out FILE`: the model in another framework's format (docs/interop.md). */
export function exportCommand(): Command {
  return new Command('export')
    .description('write a model in another format: onnx (with its scaling and one-hot encoding, for ONNX Runtime), torch (a safetensors state dict for torch.nn.Sequential), tfjs (a TensorFlow.js layers model: --out is a directory)')
    .argument('<model>', 'model file written by glassnet train (or import)')
    .requiredOption('--format <format>', EXPORT_FORMATS.join('|'))
    .requiredOption('--out <path>', 'the file to write (atomically); for tfjs the directory for model.json and weights.bin')
    .option('--raw', 'onnx: the network outputs (logits), without the softmax or sigmoid a softmaxCrossEntropy or binaryCrossEntropyWithLogits model gets appended')
    .action(async (path: string, flags: ExportFlags) => {
      const format = choiceFlag('--format', flags.format, EXPORT_FORMATS);
      // tfjs writes a directory of its own (created when missing); the other formats write one file, checked like every output.
      if (format !== 'tfjs') await checkPaths({ inputs: named([['MODEL', path]]), outputs: named([['--out', flags.out]]) });
      const trained = await loadTrained(path);
      await writers[format](trained, flags);
      if (format !== 'onnx') noteNetworkOnly(trained, format);
    });
}
