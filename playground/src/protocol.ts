/**
 * The messages between the page and the training worker. Everything is
 * structured-clonable data; the worker owns the model and the session, the
 * page only draws what it is sent.
 */
import type { SessionSnapshot, Task } from 'glassnet';
import type { Explanation, Language, Names } from 'glassnet/explain';
import type { Origin } from './i18n/index.js';
import type { Settings } from './settings.js';

export type ToWorker =
  | { type: 'configure'; settings: Settings; csv?: { name: string; text: string } }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'epoch' }
  /** Explain the next step again, focused on `select` (a unit or parameter name; '' for the default). */
  | { type: 'explain'; select: string; lang: Language }
  /** The current model as a glassnet model file. */
  | { type: 'export' }
  /** The page finished drawing the last snapshot: the worker may send the next. */
  | { type: 'ack' };

/** Labelled points in the plane, as the network sees them (scaled). */
export interface Points {
  x: Float32Array;
  y: Float32Array;
  label: Int32Array;
}

/** What stays fixed for a run: shapes, names, the data's points. */
export interface RunInfo {
  /** Layer sizes, inputs first. */
  sizes: number[];
  /** Activation of each Dense layer. */
  activations: string[];
  /** explain's names (null when explain cannot read the network, e.g. with Dropout layers). */
  names: Names | null;
  task: Task;
  classes: string[] | null;
  featureNames: string[];
  loss: string;
  optimizer: string;
  origin: Origin;
  testIsTrain: boolean;
  parameterCount: number;
  trainCount: number;
  testCount: number;
  /** For 2-D inputs: the points and the square of the plane drawn. */
  plane: { train: Points; test: Points; extent: [number, number, number, number] } | null;
  /** For digits: the first test images (raw pixels) and their classes. */
  images: { pixels: Float32Array[]; labels: number[]; side: number } | null;
  /** For an auto-encoder: the inputs (reconstructions come with each snapshot). */
  codes: number[][] | null;
}

/** Scores with the current weights. */
export interface Scores {
  steps: number;
  epoch: number;
  trainLoss: number;
  testLoss: number;
  trainAccuracy?: number;
  testAccuracy?: number;
}

/** A moment of training, drawn by the page. */
export interface Snapshot {
  session: SessionSnapshot;
  scores: Scores;
  /** For 2-D inputs: every unit's OUT over a `size × size` grid of the plane, layer by layer, and the drawn decision value. */
  grid: { size: number; units: Float32Array[][]; decision: Float32Array } | null;
  /** For digits: predicted class of each image of RunInfo.images, and the test confusion matrix (rows: actual). */
  predictions: number[] | null;
  confusion: number[][] | null;
  /** For an auto-encoder: the outputs (reconstructions) and the code layer's OUT, per input. */
  reconstructions: { outputs: number[][]; codes: number[][] } | null;
}

/** The explained next step (`pending`) and the step just taken (`last`), from explainStep on a copy of the model. */
export interface Explained {
  pending: Explanation | null;
  last: Explanation | null;
  /** The selected unit or parameter's part of the last step (or the next, before any), as explain's Markdown. */
  derivation: { name: string; which: 'last' | 'next'; markdown: string } | null;
  /** Why there is no explanation, or what it covers when it is partial. */
  note: string;
}

export type FromWorker =
  | { type: 'ready'; info: RunInfo; snapshot: Snapshot }
  | { type: 'snapshot'; snapshot: Snapshot; playing: boolean }
  | { type: 'explained'; explained: Explained }
  | { type: 'model'; text: string }
  | { type: 'error'; message: string };
