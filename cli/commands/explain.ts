import { Command } from 'commander';
import {
  ACTIVATIONS, ARTICLE, Dense, LOSSES, LOSS_RECORDS, Random, articleNetwork, checkLoss, mlp, oneHot, scalerFromJSON,
  type ActivationName, type LossName, type Sequential,
} from 'glassnet';
import { loadModel } from 'glassnet/node';
import {
  LANGUAGES, explainStep, formatNumber, renderMarkdown, renderText, renderTextSummaryLine, toJSON, type Explanation, type Language, type Paint,
} from 'glassnet/explain';
import { UsageError, checkBudget, choiceFlag, integerFlag, listFlag, numberFlag, parameterCount, sizesFlag } from '../flags.js';
import { terminalPaint } from '../paint.js';

const FORMATS = ['text', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface ExplainFlags {
  input?: string;
  target?: string;
  lr: string;
  loss?: string;
  steps: string;
  summary?: boolean;
  only?: string;
  names?: string;
  format: string;
  lang: string;
  precision: string;
  sizes?: string;
  model?: string;
  activation: string;
  outputActivation?: string;
  seed: string;
  color: boolean;
}

/**
 * Numbers one explained step may show at most: every parameter, and every
 * unit's net input, output and delta per sample, is written out with its
 * formula, so the text grows far faster than the network.
 */
const EXPLAIN_BUDGET = 2 ** 17;

/** "0.1,0.2;0.3,0.4" → two samples of width `width`. */
function parseRows(flag: string, text: string, width: number): number[][] {
  return text.split(';').map((sample, s) => {
    const row = sample.split(',').map((v) => numberFlag(flag, v));
    if (row.length !== width) {
      throw new UsageError({ code: 'shape', argument: `${flag} (sample ${s + 1})`, expected: `${width} comma-separated numbers`, found: `${row.length}` });
    }
    return row;
  });
}

/** "i1=x,o1=y" → { i1: "x", o1: "y" }. */
function parseNames(text: string): Record<string, string> {
  return Object.fromEntries(text.split(',').map((pair) => {
    const [from, to, ...rest] = pair.split('=');
    if (from === undefined || to === undefined || rest.length > 0 || from === '' || to === '') {
      throw new UsageError({ code: 'type', argument: '--names', expected: 'name=newName pairs separated by commas', found: JSON.stringify(pair) });
    }
    return [from.trim(), to.trim()];
  }));
}

/** The network to explain, the loss it was trained with (from a model file) and how it scales inputs. */
interface Subject {
  model: Sequential;
  trainedLoss?: LossName;
  scale: (x: number[][]) => number[][];
}

async function loadSubject(flags: ExplainFlags, seed: number): Promise<Subject> {
  if (flags.model === undefined) return { model: buildModel(flags, seed), scale: (x) => x };
  if (flags.sizes !== undefined) {
    throw new UsageError({ code: 'state', argument: '--model', expected: 'either --model or --sizes', found: 'both' });
  }
  const loaded = await loadModel(flags.model);
  const scaler = loaded.preprocessing?.scaler === undefined ? null : scalerFromJSON(loaded.preprocessing.scaler, `${flags.model}: preprocessing.scaler`);
  const subject: Subject = { model: loaded.model, scale: (x) => (scaler === null ? x : scaler.transform(x)) };
  const trained = loaded.training?.loss;
  if (trained !== undefined) subject.trainedLoss = checkLoss(trained, `${flags.model}: training.loss`);
  return subject;
}

function buildModel(flags: ExplainFlags, seed: number): Sequential {
  if (flags.sizes === undefined) return articleNetwork();
  const sizes = sizesFlag('--sizes', flags.sizes);
  const activation = choiceFlag<ActivationName>('--activation', flags.activation, ACTIVATIONS);
  const outputActivation = choiceFlag<ActivationName>('--output-activation', flags.outputActivation ?? activation, ACTIVATIONS);
  return mlp(sizes, { activation, outputActivation, seed, dtype: 'float64' });
}

/** Inputs and targets: given, the article's, or (for --sizes) drawn from the seed. */
function data(flags: ExplainFlags, model: Sequential, loss: LossName, seed: number): { x: number[][]; t: number[][] } {
  const random = new Random(seed + 1);
  const article = flags.sizes === undefined && flags.model === undefined;
  const x = flags.input !== undefined ? parseRows('--input', flags.input, model.inputSize)
    : article ? [[...ARTICLE.inputs]] : [Array.from({ length: model.inputSize }, () => random.uniform(-1, 1))];
  let t: number[][];
  if (flags.target !== undefined) t = parseRows('--target', flags.target, model.outputSize);
  else if (article && flags.input === undefined) t = [[...ARTICLE.targets]];
  else if (loss === 'softmaxCrossEntropy') t = x.map(() => oneHot(random.int(model.outputSize), model.outputSize));
  // A binary cross-entropy's targets are class labels, 0 or 1 per output, as training gives them.
  else if (LOSS_RECORDS[loss].task === 'binary') t = x.map(() => Array.from({ length: model.outputSize }, () => random.int(2)));
  else t = x.map(() => Array.from({ length: model.outputSize }, () => random.float()));
  if (t.length !== x.length) {
    throw new UsageError({ code: 'shape', argument: '--target', expected: `${x.length} samples (one per --input sample)`, found: `${t.length}` });
  }
  return { x, t };
}

/** `glassnet explain`: one (or more) training steps, written out with formulas and numbers. */
export function explainCommand(): Command {
  return new Command('explain')
    .description("show one training step with every formula and number (default: the article's 2-2-2 network)")
    .option('--input <values>', 'inputs, comma-separated; ";" separates the samples of a batch (default: the article\'s 0.02,0.04)')
    .option('--target <values>', 'targets, same form as --input (default: the article\'s 0.5,0.9)')
    .option('--lr <rate>', 'learning rate η of the SGD step', '0.1')
    .option('--loss <name>', `loss: ${LOSSES.join(', ')} (default: the model file's, else squaredError)`)
    .option('--steps <n>', 'explain n successive steps', '1')
    .option('--summary', 'with --steps: after the first step, one summary line per step')
    .option('--only <names>', 'show only these units/parameters, comma-separated (e.g. w6,w1)')
    .option('--names <pairs>', 'rename, e.g. i1=x,o1=cat')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('--precision <decimals>', 'decimals of displayed numbers', '9')
    .option('--lang <language>', `language of the words around the numbers (text, markdown, and the notes in json): ${LANGUAGES.join(', ')}`, 'en')
    .option('--model <file>', 'explain a saved model (glassnet train --out); inputs are scaled as it was trained')
    .option('--sizes <sizes>', 'explain a seeded random MLP of these layer sizes instead, e.g. 3,4,3,2')
    .option('--activation <name>', 'hidden activation for --sizes', 'sigmoid')
    .option('--output-activation <name>', 'output activation for --sizes (default: --activation)')
    .option('--seed <n>', 'seed of the --sizes weights and default data', '0')
    .option('--no-color', 'no ANSI colours (they are used only on a terminal anyway)')
    .action(async (flags: ExplainFlags) => {
      // Every flag is checked before a model file is read or a network built.
      const format = choiceFlag<Format>('--format', flags.format, FORMATS);
      const lang = choiceFlag<Language>('--lang', flags.lang, LANGUAGES);
      const seed = integerFlag('--seed', flags.seed, 0, 2 ** 32 - 1);
      const givenLoss = flags.loss === undefined ? undefined : choiceFlag<LossName>('--loss', flags.loss, LOSSES);
      const lr = numberFlag('--lr', flags.lr);
      const steps = integerFlag('--steps', flags.steps, 1, 1_000_000);
      const precision = integerFlag('--precision', flags.precision, 0, 17);
      const only = flags.only === undefined ? undefined : listFlag('--only', flags.only);
      const names = flags.names === undefined ? undefined : parseNames(flags.names);
      if (flags.sizes !== undefined) explainBudget('--sizes', sizesFlag('--sizes', flags.sizes), 1, steps);
      const subject = await loadSubject(flags, seed);
      const model = subject.model;
      const loss = givenLoss ?? choiceFlag<LossName>('--loss', subject.trainedLoss ?? 'squaredError', LOSSES);
      const { x: raw, t } = data(flags, model, loss, seed);
      explainBudget(flags.sizes === undefined ? '--steps' : '--sizes', layerSizes(model), raw.length, steps);
      const x = subject.scale(raw);
      const options = { loss, lr, ...(only === undefined ? {} : { only }), ...(names === undefined ? {} : { names }) };
      const explanations: Explanation[] = [];
      for (let k = 1; k <= steps; k++) explanations.push(explainStep(model, x, t, { ...options, iteration: k }));
      console.log(render(explanations, format, { precision, lang, paint: terminalPaint(flags.color), summary: flags.summary === true }));
    });
}

/** Input size, then each Dense layer's units. */
function layerSizes(model: Sequential): number[] {
  return [model.inputSize, ...model.layers.flatMap((layer) => (layer instanceof Dense ? [layer.outputSize] : []))];
}

/** Refuses explanations that would not fit in memory: parameters plus three numbers per unit and sample, per step. */
function explainBudget(flag: string, sizes: readonly number[], samples: number, steps: number): void {
  const units = sizes.reduce((sum, n) => sum + n, 0);
  checkBudget(flag, (parameterCount(sizes) + 3 * units * samples) * steps, EXPLAIN_BUDGET, 'numbers explained ((parameters + 3 × units × samples) × steps)');
}

function render(explanations: Explanation[], format: Format, options: { precision: number; lang: Language; paint: Paint; summary: boolean }): string {
  const [first, ...rest] = explanations;
  const { precision, lang, paint, summary } = options;
  switch (format) {
    case 'json': {
      const objects = explanations.map((e) => toJSON(e, { precision, lang }));
      return JSON.stringify(objects.length === 1 ? objects[0] : objects, null, 2);
    }
    case 'markdown':
      if (!summary) return explanations.map((e) => renderMarkdown(e, { precision, lang })).join('\n\n');
      return [renderMarkdown(first!, { precision, lang }), '', '| step | $E_{\\mathrm{total}}$ |', '| --- | ---: |',
        ...rest.map((e) => `| ${e.iteration} | ${formatNumber(e.summary.loss, precision)} |`)].join('\n');
    case 'text':
      if (!summary) return explanations.map((e) => renderText(e, { precision, lang, paint })).join('\n\n');
      return [renderText(first!, { precision, lang, paint }), '', ...rest.map((e) => renderTextSummaryLine(e, { precision }))].join('\n');
    default:
      return format satisfies never;
  }
}
