/**
 * Every setting of the playground, in ONE table: its URL key, the control
 * that edits it, its help text, its default and how it reads and writes as
 * text. The control panel, the URL hash and the worker's recipe are all
 * driven by this table, so a setting is added in one place.
 */
import {
  ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, SCALER_KINDS, SCHEDULES,
  type ActivationName, type InitializerName, type LossName, type OptimizerName, type ScalerKind, type ScheduleName,
} from 'glassnet';
import { LANGUAGES, type Language } from 'glassnet/explain';

/** The data sets the playground offers. */
export const DATASETS = ['article', 'xor', 'circles', 'spirals', 'gaussians', 'iris', 'digits', 'autoencoder', 'csv'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** `auto`: settled by the data's task, as the CLI does. */
export const AUTO = 'auto';
export type Auto = typeof AUTO;

/**
 * Where the initial weights come from: `auto` (the Dense layer's default
 * per activation, He for relu-type and Xavier otherwise, as glassnet train
 * does), an initialiser for every layer, or given weights (the article's,
 * an imported model file).
 */
export const INITS = [AUTO, ...INITIALIZERS, 'given'] as const;
export type InitName = Auto | InitializerName | 'given';

export interface Settings {
  dataset: DatasetName;
  samples: number;
  noise: number;
  dataSeed: number;
  testRatio: number;
  scale: ScalerKind;
  layers: number[];
  activation: ActivationName;
  outputActivation: ActivationName | Auto;
  init: InitName;
  loss: LossName | Auto;
  optimizer: OptimizerName;
  lr: number;
  schedule: ScheduleName;
  scheduleSteps: number;
  gamma: number;
  batchSize: number;
  l2: number;
  dropout: number;
  seed: number;
  chartScale: 'linear' | 'log';
  /** Language of the derivations (explain's message tables). */
  lang: Language;
  /** The unit or parameter whose derivation is shown (a name from explain's naming). */
  select: string;
  /** Given weights: a glassnet model file (JSON text); empty for none. */
  model: string;
}

export type Key = keyof Settings;
export type Group = 'data' | 'network' | 'training' | 'view';

/** How a setting is edited on screen. */
export type Control =
  | { kind: 'select'; options: readonly string[] }
  | { kind: 'number'; min: number; max: number; step: number }
  | { kind: 'layers' }
  | { kind: 'none' };

export interface Prop<K extends Key> {
  /** Key in the URL hash (short, stable). */
  url: string;
  label: string;
  help: string;
  group: Group;
  control: Control;
  default: Settings[K];
  /** Text (from the URL or a control) to value; undefined when the text is not a valid value. */
  parse: (text: string) => Settings[K] | undefined;
  format: (value: Settings[K]) => string;
}

const choice = <T extends string>(options: readonly T[]) => ({
  control: { kind: 'select', options } as Control,
  parse: (t: string): T | undefined => ((options as readonly string[]).includes(t) ? (t as T) : undefined),
  format: (v: T): string => v,
});

const number = (min: number, max: number, step: number, integer = false) => ({
  control: { kind: 'number', min, max, step } as Control,
  parse: (t: string): number | undefined => {
    const v = t.trim() === '' ? NaN : Number(t);
    return Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v)) ? v : undefined;
  },
  format: (v: number): string => String(v),
});

const text = {
  control: { kind: 'none' } as Control,
  parse: (t: string): string => t,
  format: (v: string): string => v,
};

/** The table. Order is the order of the controls. */
export const PROPS: { [K in Key]: Prop<K> } = {
  dataset: {
    url: 'data', label: 'Data set', group: 'data', default: 'article', ...choice(DATASETS),
    help: 'article: the seed article\'s one sample (inputs 0.02, 0.04, targets 0.5, 0.9). xor, circles, spirals, gaussians: two classes in the plane. iris: 150 flowers, 4 features, 3 classes. digits: 1000 handwritten digits of 8×8 pixels. autoencoder: the 8 one-hot codes as inputs and targets. csv: your own file.',
  },
  samples: { url: 'n', label: 'Samples', group: 'data', default: 200, ...number(4, 2000, 1, true), help: 'Points generated for the 2-D data sets.' },
  noise: { url: 'noise', label: 'Noise', group: 'data', default: 0.1, ...number(0, 1, 0.01), help: 'Standard deviation of the Gaussian noise added to each coordinate of the 2-D data sets.' },
  dataSeed: { url: 'dseed', label: 'Data seed', group: 'data', default: 0, ...number(0, 2 ** 31 - 1, 1, true), help: 'Seed of the generated points: change it for a new draw of the same data set.' },
  testRatio: {
    url: 'test', label: 'Test share', group: 'data', default: 0, ...number(0, 0.9, 0.05),
    help: 'Share of the samples held out as test data (split with the seed, stratified by class, as glassnet train --val-split does). 0: test on the training data.',
  },
  scale: { url: 'scale', label: 'Scaling', group: 'data', default: 'none', ...choice(SCALER_KINDS), help: 'Feature scaling fitted on the training rows (glassnet train --scale).' },
  layers: {
    url: 'layers', label: 'Hidden layers', group: 'network', default: [2], control: { kind: 'layers' },
    help: 'Units per hidden layer. Add or remove layers and units with the + and − buttons.',
    parse: (t) => {
      if (t === '' || t === 'none') return [];
      const sizes = t.split(',').map(Number);
      return sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 256) && sizes.length <= 6 ? sizes : undefined;
    },
    format: (v) => (v.length === 0 ? 'none' : v.join(',')),
  },
  activation: { url: 'act', label: 'Activation', group: 'network', default: 'sigmoid', ...choice(ACTIVATIONS), help: 'Activation function of the hidden layers: OUT = f(NET).' },
  outputActivation: {
    url: 'oact', label: 'Output activation', group: 'network', default: 'sigmoid', ...choice([AUTO, ...ACTIVATIONS] as const),
    help: 'Activation of the output layer. auto: linear for softmax cross-entropy and mse, sigmoid for binary cross-entropy (as glassnet train).',
  },
  init: {
    url: 'init', label: 'Initial weights', group: 'network', default: 'given', ...choice(INITS),
    help: 'auto: He for relu-type layers, Xavier for the others (as glassnet train). xavier/xavierNormal: uniform/normal scaled by fan-in and fan-out; he/heNormal: by fan-in. given: the weights of an imported model file, a link, or the article\'s own.',
  },
  loss: {
    url: 'loss', label: 'Loss', group: 'training', default: 'squaredError', ...choice([AUTO, ...LOSSES] as const),
    help: 'The error to minimise. squaredError is the article\'s E = Σ ½(t − o)². auto: softmax cross-entropy for classes, mse otherwise.',
  },
  optimizer: { url: 'opt', label: 'Optimizer', group: 'training', default: 'sgd', ...choice(OPTIMIZERS), help: 'How gradients become updates: sgd is the article\'s w ← w − η·∂E/∂w.' },
  lr: { url: 'lr', label: 'Learning rate η', group: 'training', default: 0.1, ...number(1e-6, 10, 0.001), help: 'Step size η of the optimizer.' },
  schedule: { url: 'sched', label: 'Schedule', group: 'training', default: 'none', ...choice(SCHEDULES), help: 'How η changes with the step count: stepDecay multiplies by γ every N steps, exponentialDecay by γ every step, cosineAnnealing falls to 0 over N steps.' },
  scheduleSteps: { url: 'sstep', label: 'Schedule N', group: 'training', default: 100, ...number(1, 1e6, 1, true), help: 'N of the schedule: steps between decays (stepDecay) or to the bottom (cosineAnnealing).' },
  gamma: { url: 'gamma', label: 'Schedule γ', group: 'training', default: 0.5, ...number(1e-6, 1, 0.01), help: 'Decay factor γ of stepDecay and exponentialDecay.' },
  batchSize: { url: 'batch', label: 'Batch size', group: 'training', default: 1, ...number(1, 10000, 1, true), help: 'Samples per step; the gradient is averaged over them.' },
  l2: { url: 'l2', label: 'L2', group: 'training', default: 0, ...number(0, 1, 0.0001), help: 'L2 penalty λ on the weights (not biases): adds λ·w to their gradients.' },
  dropout: { url: 'drop', label: 'Dropout', group: 'training', default: 0, ...number(0, 0.9, 0.05), help: 'Share of each hidden layer\'s outputs zeroed at random during training (a Dropout layer after each hidden layer).' },
  seed: { url: 'seed', label: 'Seed', group: 'training', default: 0, ...number(0, 2 ** 31 - 1, 1, true), help: 'One seed for the initial weights, the train/test split, the shuffling and dropout: the same seed and settings give the same run here, in the library and in glassnet train.' },
  chartScale: { url: 'chart', label: 'Loss axis', group: 'view', default: 'linear', ...choice(['linear', 'log'] as const), help: 'Linear or logarithmic loss axis in the chart.' },
  lang: { url: 'lang', label: 'Language', group: 'view', default: 'en', ...choice(LANGUAGES), help: 'Language of the derivations: en, or zh in the article\'s own terms (前向传播, 反向传播, 权值更新, ...).' },
  select: { url: 'sel', label: 'Derivation of', group: 'view', default: '', ...text, help: 'The unit or weight whose chain rule is shown.' },
  model: { url: 'model', label: 'Given weights', group: 'network', default: '', ...text, help: 'A glassnet model file whose weights the network starts from.' },
};

export const KEYS = Object.keys(PROPS) as Key[];

/** The defaults: the first screen, the article's network and step. */
export function defaults(): Settings {
  const s = {} as Record<Key, unknown>;
  for (const key of KEYS) s[key] = structuredClone(PROPS[key].default);
  return s as unknown as Settings;
}

/**
 * Settings that suit each data set, applied when the user picks one on
 * screen (never when a link is read: a link is the whole state).
 */
export const PRESETS: Record<DatasetName, Partial<Settings>> = {
  article: { layers: [2], activation: 'sigmoid', outputActivation: 'sigmoid', loss: 'squaredError', optimizer: 'sgd', lr: 0.1, batchSize: 1, init: 'given', testRatio: 0, scale: 'none' },
  xor: { layers: [8, 8], activation: 'tanh', outputActivation: AUTO, loss: AUTO, optimizer: 'adam', lr: 0.01, batchSize: 10, init: AUTO, testRatio: 0.3, noise: 0, scale: 'none' },
  circles: { layers: [8], activation: 'tanh', outputActivation: AUTO, loss: AUTO, optimizer: 'adam', lr: 0.03, batchSize: 10, init: AUTO, testRatio: 0.3, noise: 0.1, scale: 'none' },
  spirals: { layers: [16, 16], activation: 'tanh', outputActivation: AUTO, loss: AUTO, optimizer: 'adam', lr: 0.01, batchSize: 10, init: AUTO, testRatio: 0.3, noise: 0.05, scale: 'none' },
  gaussians: { layers: [2], activation: 'tanh', outputActivation: AUTO, loss: AUTO, optimizer: 'adam', lr: 0.03, batchSize: 10, init: AUTO, testRatio: 0.3, noise: 0.5, scale: 'none' },
  iris: { layers: [8], activation: 'tanh', outputActivation: AUTO, loss: AUTO, optimizer: 'adam', lr: 0.01, batchSize: 16, init: AUTO, testRatio: 0.3, scale: 'standard' },
  digits: { layers: [32], activation: 'relu', outputActivation: AUTO, loss: AUTO, optimizer: 'adam', lr: 0.003, batchSize: 32, init: AUTO, testRatio: 0.2, scale: 'none' },
  autoencoder: { layers: [3], activation: 'sigmoid', outputActivation: 'sigmoid', loss: 'squaredError', optimizer: 'adam', lr: 0.05, batchSize: 8, init: AUTO, testRatio: 0, scale: 'none' },
  csv: { layers: [8], activation: 'tanh', outputActivation: AUTO, loss: AUTO, optimizer: 'adam', lr: 0.01, batchSize: 16, init: AUTO, testRatio: 0.2, scale: 'standard' },
};

// ----------------------------------------------------------------- the URL hash

/**
 * The settings as a URL hash: `key=value` pairs for the values that differ
 * from the defaults, so the first screen's link is just the page.
 */
export function toHash(settings: Settings): string {
  const parts: string[] = [];
  for (const key of KEYS) {
    const prop = PROPS[key] as Prop<Key>;
    const text = prop.format(settings[key]);
    if (text !== prop.format(prop.default)) parts.push(`${prop.url}=${encodeURIComponent(text)}`);
  }
  return parts.join('&');
}

/**
 * Settings from a URL hash: every key the hash does not give keeps its
 * default. Unknown keys and invalid values are reported, not applied.
 */
export function fromHash(hash: string): { settings: Settings; problems: string[] } {
  const settings = defaults() as unknown as Record<Key, unknown>;
  const problems: string[] = [];
  const byUrl = new Map(KEYS.map((key) => [PROPS[key].url, key]));
  for (const pair of hash.replace(/^#/, '').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    const key = byUrl.get(name);
    let raw: string;
    try {
      raw = decodeURIComponent(at < 0 ? '' : pair.slice(at + 1));
    } catch {
      problems.push(`${name}: not valid URL text`);
      continue;
    }
    if (key === undefined) {
      problems.push(`${name}: not a setting`);
      continue;
    }
    const value = (PROPS[key] as Prop<Key>).parse(raw);
    if (value === undefined) problems.push(`${name}: ${JSON.stringify(raw)} is not a valid ${PROPS[key].label.toLowerCase()}`);
    else settings[key] = value;
  }
  return { settings: settings as unknown as Settings, problems };
}
