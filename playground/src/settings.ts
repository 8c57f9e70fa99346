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
import { ui } from './i18n/index.js';

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
  /** Language of the page (`i18n/`) and of the derivations (explain's message tables). */
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
  /** Its label and help text are in each language's table (`i18n/`). */
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
  dataset: { url: 'data', group: 'data', default: 'article', ...choice(DATASETS) },
  samples: { url: 'n', group: 'data', default: 200, ...number(4, 2000, 1, true) },
  noise: { url: 'noise', group: 'data', default: 0.1, ...number(0, 1, 0.01) },
  dataSeed: { url: 'dseed', group: 'data', default: 0, ...number(0, 2 ** 31 - 1, 1, true) },
  testRatio: { url: 'test', group: 'data', default: 0, ...number(0, 0.9, 0.05) },
  scale: { url: 'scale', group: 'data', default: 'none', ...choice(SCALER_KINDS) },
  layers: {
    url: 'layers', group: 'network', default: [2], control: { kind: 'layers' },
    parse: (t) => {
      if (t === '' || t === 'none') return [];
      const sizes = t.split(',').map(Number);
      return sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 256) && sizes.length <= 6 ? sizes : undefined;
    },
    format: (v) => (v.length === 0 ? 'none' : v.join(',')),
  },
  activation: { url: 'act', group: 'network', default: 'sigmoid', ...choice(ACTIVATIONS) },
  outputActivation: { url: 'oact', group: 'network', default: 'sigmoid', ...choice([AUTO, ...ACTIVATIONS] as const) },
  init: { url: 'init', group: 'network', default: 'given', ...choice(INITS) },
  loss: { url: 'loss', group: 'training', default: 'squaredError', ...choice([AUTO, ...LOSSES] as const) },
  optimizer: { url: 'opt', group: 'training', default: 'sgd', ...choice(OPTIMIZERS) },
  lr: { url: 'lr', group: 'training', default: 0.1, ...number(1e-6, 10, 0.001) },
  schedule: { url: 'sched', group: 'training', default: 'none', ...choice(SCHEDULES) },
  scheduleSteps: { url: 'sstep', group: 'training', default: 100, ...number(1, 1e6, 1, true) },
  gamma: { url: 'gamma', group: 'training', default: 0.5, ...number(1e-6, 1, 0.01) },
  batchSize: { url: 'batch', group: 'training', default: 1, ...number(1, 10000, 1, true) },
  l2: { url: 'l2', group: 'training', default: 0, ...number(0, 1, 0.0001) },
  dropout: { url: 'drop', group: 'training', default: 0, ...number(0, 0.9, 0.05) },
  seed: { url: 'seed', group: 'training', default: 0, ...number(0, 2 ** 31 - 1, 1, true) },
  chartScale: { url: 'chart', group: 'view', default: 'linear', ...choice(['linear', 'log'] as const) },
  lang: { url: 'lang', group: 'view', default: 'en', ...choice(LANGUAGES) },
  select: { url: 'sel', group: 'view', default: '', ...text },
  model: { url: 'model', group: 'network', default: '', ...text },
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
      problems.push(ui().errors.notUrlText(name));
      continue;
    }
    if (key === undefined) {
      problems.push(ui().errors.notSetting(name));
      continue;
    }
    const value = (PROPS[key] as Prop<Key>).parse(raw);
    if (value === undefined) problems.push(ui().errors.badValue(name, raw, ui().settings[key].label));
    else settings[key] = value;
  }
  return { settings: settings as unknown as Settings, problems };
}
