import { Command } from 'commander';
import { GlassnetError, LOSS_RECORDS, torchSource, type ActivationName, type LossName, type TrainedModel } from 'glassnet';
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
 * The activation the ONNX file applies after the network, so that it gives
 * the probabilities `glassnet predict` reports: a loss that keeps the
 * softmax or sigmoid inside itself (linear outputs) gets it appended, as
 * its record says.
 */
function appendedActivation(loss: LossName): ActivationName | undefined {
  const probabilities = LOSS_RECORDS[loss].probabilities;
  return probabilities === 'softmax' || probabilities === 'sigmoid' ? probabilities : undefined;
}

const writers: Record<ExportFormat, (trained: TrainedModel, flags: ExportFlags) => Promise<void>> = {
  onnx: async (trained, flags) => {
    const { scaler, targetScaler, featureNames, classes, targetNames } = trained;
    const appended = flags.raw === true ? undefined : appendedActivation(trained.loss);
    await saveOnnx(flags.out, trained.model, {
      scaler, targetScaler,
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

/** `glassnet export MODEL --format onnx --out FILE`: the model in another framework's format (docs/interop.md). */
export function exportCommand(): Command {
  return new Command('export')
    .description('write a model in another format: onnx (with its scaling, for ONNX Runtime), torch (a safetensors state dict for torch.nn.Sequential), tfjs (a TensorFlow.js layers model: --out is a directory)')
    .argument('<model>', 'model file written by glassnet train (or import)')
    .requiredOption('--format <format>', EXPORT_FORMATS.join('|'))
    .requiredOption('--out <path>', 'the file to write (atomically); for tfjs the directory for model.json and weights.bin')
    .option('--raw', 'onnx: the network outputs, without the softmax a softmaxCrossEntropy model gets appended')
    .action(async (path: string, flags: ExportFlags) => {
      const format = choiceFlag('--format', flags.format, EXPORT_FORMATS);
      // tfjs writes a directory of its own (created when missing); the other formats write one file, checked like every output.
      if (format !== 'tfjs') await checkPaths({ inputs: named([['MODEL', path]]), outputs: named([['--out', flags.out]]) });
      const trained = await loadTrained(path);
      const categorical = trained.encoding?.columns.find((_, i) => trained.encoding!.categories[i] !== null);
      if (categorical !== undefined) {
        // The exported graph takes numbers; the one-hot encoding of text columns would have to happen before it.
        throw new GlassnetError({
          code: 'state', argument: path, expected: 'a model whose feature columns are all numeric (categorical columns do not export yet)', found: `the text column ${JSON.stringify(categorical)}`,
        });
      }
      await writers[format](trained, flags);
    });
}
