import { Command } from 'commander';
import { writeFileAtomic } from '../../src/io/node.js';
import { loadInputs } from '../data-source.js';
import { choiceFlag } from '../flags.js';
import type { TrainedModel } from '../../src/index.js';
import { loadTrained, predictRows, type Predictions } from '../trained.js';

const FORMATS = ['csv', 'json'] as const;

/** `glassnet predict MODEL DATA`: the model's predictions for each row, as CSV or JSON. */
export function predictCommand(): Command {
  return new Command('predict')
    .description("predict with a trained model: class label and per-class probabilities, or the regression output (the model's scaling is applied)")
    .argument('<model>', 'model file written by glassnet train')
    .argument('<data>', 'a .csv/.json file or built-in set; a CSV target column is ignored')
    .option('--format <format>', FORMATS.join('|'), 'csv')
    .option('--out <file>', 'write the predictions here (atomically) instead of to stdout')
    .action(async (modelPath: string, source: string, flags: { format: string; out?: string }) => {
      const format = choiceFlag('--format', flags.format, FORMATS);
      const trained = await loadTrained(modelPath);
      const { x } = await loadInputs(source, {
        inputSize: trained.model.inputSize,
        ...(trained.featureNames === undefined ? {} : { featureNames: [...trained.featureNames] }),
        ...(trained.encoding === undefined ? {} : { encoding: trained.encoding }),
        // Every row gets a prediction: without fill values a missing cell is an error.
        ...(trained.missing === 'mean' || trained.missing === 'median' ? { missing: trained.missing } : {}),
      });
      const predictions = predictRows(trained, x);
      const text = format === 'csv' ? toCsv(trained, predictions) : `${JSON.stringify(toJson(trained, predictions), null, 2)}\n`;
      if (flags.out === undefined) process.stdout.write(text);
      else await writeFileAtomic(flags.out, text);
    });
}

/** Column names of the regression outputs: the target's name, or `output1`, `output2`, ... */
function outputNames(trained: TrainedModel, count: number): string[] {
  return trained.targetNames?.length === count ? [...trained.targetNames] : Array.from({ length: count }, (_, i) => `output${i + 1}`);
}

function toCsv(trained: TrainedModel, { outputs, labels, probabilities }: Predictions): string {
  const header = labels === undefined ? outputNames(trained, outputs[0]?.length ?? 0) : ['label', ...trained.classes!.map((c) => `p_${c}`)];
  const rows = labels === undefined ? outputs.map((row) => row.map(String)) : labels.map((label, r) => [label, ...probabilities![r]!.map(String)]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

function toJson(trained: TrainedModel, { outputs, labels, probabilities }: Predictions): object[] {
  if (labels === undefined) {
    const names = outputNames(trained, outputs[0]?.length ?? 0);
    return outputs.map((row) => Object.fromEntries(row.map((v, i) => [names[i]!, v])));
  }
  return labels.map((label, r) => ({ label, probabilities: Object.fromEntries(trained.classes!.map((c, i) => [c, probabilities![r]![i]!])) }));
}

/** RFC 4180 quoting for a cell that holds a delimiter, quote or line break. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
