import type { Writable } from 'node:stream';
import { Command } from 'commander';
import { GlassnetError, Tensor, formatCsvRow, matrixFromRows, rowRange, type TrainedModel } from 'glassnet';
import { writeFileAtomic } from 'glassnet/node';
import { csvInputBatches, loadInputs, type InputSpec } from '../data-source.js';
import { choiceFlag, delimiterFlag } from '../flags.js';
import { loadTrained, predictRows, type Predictions } from '../trained.js';
import { checkPaths, named } from '../paths.js';

const FORMATS = ['csv', 'json'] as const;

/** `glassnet predict MODEL DATA`: the model's predictions for each row, as CSV or JSON. */
export function predictCommand(): Command {
  return new Command('predict')
    .description("predict with a trained model: class label and per-class probabilities, or the regression output (the model's scaling is applied)")
    .argument('<model>', 'model file written by glassnet train')
    .argument('<data>', 'a .csv/.json file or built-in set; a CSV target column is ignored')
    .option('--format <format>', FORMATS.join('|'), 'csv')
    .option('--out <file>', 'write the predictions here (atomically) instead of to stdout')
    .option('--delimiter <char>', 'CSV field separator (default: detected)')
    .action(async (modelPath: string, source: string, flags: { format: string; out?: string; delimiter?: string }) => {
      const format = choiceFlag('--format', flags.format, FORMATS);
      await checkPaths({ inputs: named([['MODEL', modelPath], ['DATA', source]]), outputs: named([['--out', flags.out]]) });
      const trained = await loadTrained(modelPath);
      const spec: InputSpec = {
        inputSize: trained.model.inputSize,
        ...(trained.featureNames === undefined ? {} : { featureNames: [...trained.featureNames] }),
        ...(trained.encoding === undefined ? {} : { encoding: trained.encoding }),
        // Every row gets a prediction: without fill values a missing cell is an error.
        ...(trained.missing === 'mean' || trained.missing === 'median' ? { missing: trained.missing } : {}),
        ...(flags.delimiter === undefined ? {} : { delimiter: delimiterFlag('--delimiter', flags.delimiter) }),
      };
      const pieces = output(trained, format, inputBatches(source, spec));
      if (flags.out === undefined) await writeAll(process.stdout, pieces);
      else await writeFileAtomic(flags.out, pieces);
    });
}

/**
 * Rows in the batches the model predicts on: a CSV file with named columns
 * is streamed; other data is read whole into one flat matrix (the numbers
 * only), then predicted a batch at a time, so neither the scaled copies
 * nor the output text ever hold every row.
 */
async function* inputBatches(source: string, spec: InputSpec): AsyncGenerator<number[][] | Tensor> {
  if (source.toLowerCase().endsWith('.csv') && (spec.encoding !== undefined || spec.featureNames !== undefined)) {
    for await (const batch of csvInputBatches(source, spec, BATCH_ROWS)) {
      checkWidth(source, batch[0]?.length ?? spec.inputSize, spec.inputSize);
      yield batch;
    }
    return;
  }
  const x = matrixFromRows((await loadInputs(source, spec)).x);
  for (let from = 0; from < x.rows; from += BATCH_ROWS) {
    const part = rowRange(x, from, Math.min(x.rows, from + BATCH_ROWS));
    yield new Tensor(part.data, [part.rows, part.cols]);
  }
}

/** Rows predicted at a time: large enough for fast matrix products, small enough that memory does not grow with the file. */
const BATCH_ROWS = 4096;

function checkWidth(source: string, width: number, inputSize: number): void {
  if (width !== inputSize) {
    throw new GlassnetError({ code: 'shape', argument: source, expected: `${inputSize} model inputs (as the model was trained on)`, found: `${width}` });
  }
}

/** The output text, piece by piece: a header (CSV) or an opening bracket (JSON), then the rows of each batch. */
async function* output(trained: TrainedModel, format: (typeof FORMATS)[number], batches: AsyncIterable<number[][] | Tensor>): AsyncGenerator<string> {
  let first = true;
  for await (const x of batches) {
    const predictions = predictRows(trained, x);
    if (format === 'csv') {
      const text = toCsv(trained, predictions, first);
      if (text !== '') yield text;
    } else {
      const items = toJson(trained, predictions).map((item) => JSON.stringify(item, null, 2).replace(/^/gm, '  '));
      if (items.length > 0) yield `${first ? '[\n' : ',\n'}${items.join(',\n')}`;
      if (items.length > 0) first = false;
      continue;
    }
    first = false;
  }
  if (format === 'json') yield first ? '[]\n' : '\n]\n';
}

/** Writes every piece to a stream, waiting whenever its buffer is full, so memory does not grow with the output. */
async function writeAll(stream: Writable, pieces: AsyncIterable<string>): Promise<void> {
  for await (const piece of pieces) {
    // A reader that closed the pipe early (`| head`) leaves nothing to write to: the output ends quietly (main.ts drops the EPIPE).
    if (stream.destroyed) return;
    if (!stream.write(piece)) await writable(stream);
  }
}

/** Resolves when `stream` drains, or errs or closes (an error is main.ts's to report). */
function writable(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      for (const event of ['drain', 'error', 'close'] as const) stream.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'error', 'close'] as const) stream.on(event, done);
  });
}

/** Column names of the regression outputs: the target's name, or `output1`, `output2`, ... */
function outputNames(trained: TrainedModel, count: number): string[] {
  return trained.targetNames?.length === count ? [...trained.targetNames] : Array.from({ length: count }, (_, i) => `output${i + 1}`);
}

function toCsv(trained: TrainedModel, { outputs, labels, probabilities }: Predictions, withHeader: boolean): string {
  const header = labels === undefined ? outputNames(trained, trained.model.outputSize) : ['label', ...trained.classes!.map((c) => `p_${c}`)];
  const rows = labels === undefined ? outputs.map((row) => row.map(String)) : labels.map((label, r) => [label, ...probabilities![r]!.map(String)]);
  const lines = withHeader ? [header, ...rows] : rows;
  return lines.map((row) => formatCsvRow(row)).join('');
}

function toJson(trained: TrainedModel, { outputs, labels, probabilities }: Predictions): object[] {
  if (labels === undefined) {
    const names = outputNames(trained, trained.model.outputSize);
    return outputs.map((row) => Object.fromEntries(row.map((v, i) => [names[i]!, v])));
  }
  return labels.map((label, r) => ({ label, probabilities: Object.fromEntries(trained.classes!.map((c, i) => [c, probabilities![r]![i]!])) }));
}
