/// <reference lib="webworker" />
/**
 * The training worker: owns the session, trains in slices of a few
 * milliseconds so messages (pause, step) are read between them, and posts
 * a snapshot only after the page has drawn the previous one. The update
 * rate therefore follows what the page and the network's size allow.
 */
import {
  DETAIL_LIMITS, explainStep, namesFor, renderMarkdown, type Explanation, type Names,
} from 'glassnet/explain';
import {
  Dense, LOSS_RECORDS, Tensor, classIndices, classOfRow, formatModelFile, modelFromJSON, modelToJSON, noGrad, sigmoid, softmax,
  type ModelFile, type Sequential,
} from 'glassnet';
import { selectBestBackend } from 'glassnet/backend';
import { DIGIT_SIDE, loadDataset } from './data.js';
import { UI, type UiText } from './i18n/index.js';
import type { Explained, FromWorker, Points, RunInfo, Snapshot, ToWorker } from './protocol.js';
import { buildRun, type Run } from './recipe.js';
import type { Settings } from './settings.js';

/** Milliseconds of training between looks at the message queue. */
const SLICE_MS = 12;
/** Images of the digits grid. */
const IMAGES = 40;

let run: Run | null = null;
let settings: Settings | null = null;
let info: RunInfo | null = null;
let playing = false;
/** Whether the page has drawn the last snapshot sent. */
let drawn = true;
let snapshotDue = false;
let lastSnapshotCost = 0;
let lastSnapshotAt = 0;
let last: Explanation | null = null;
/** Where the last single step started, to explain it again for another selection. */
let lastStart: StepStart | null = null;

selectBestBackend();

const post = (message: FromWorker, transfer: Transferable[] = []): void => (self as DedicatedWorkerGlobalScope).postMessage(message, transfer);

self.onmessage = (event: MessageEvent<ToWorker>) => {
  try {
    handle(event.data);
  } catch (error) {
    playing = false;
    post({ type: 'error', message: messageOf(error) });
  }
};

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'configure': {
      playing = false;
      settings = message.settings;
      const table = loadDataset(settings, message.csv);
      run = buildRun(settings, table);
      info = runInfo(run);
      last = null;
      lastStart = null;
      drawn = false;
      post({ type: 'ready', info, snapshot: snapshot(run) });
      explainAndPost();
      return;
    }
    case 'play':
      if (run === null || playing) return;
      playing = true;
      last = null;
      lastStart = null;
      setTimeout(loop, 0);
      return;
    case 'pause':
      if (!playing) return;
      playing = false;
      sendSnapshot();
      explainAndPost();
      return;
    case 'step': {
      if (run === null) return;
      playing = false;
      const start = info?.names ? nextStart(run) : null;
      let explained: Explanation | null = null;
      try {
        explained = start === null ? null : explainAt(start, defaultOnly(info!.names!));
      } catch {
        explained = null; // the step still runs; explainAndPost reports why there is no derivation
      }
      run.session.step();
      last = explained;
      lastStart = explained === null ? null : start;
      sendSnapshot();
      explainAndPost();
      return;
    }
    case 'epoch':
      if (run === null) return;
      playing = false;
      last = null;
      lastStart = null;
      run.session.epoch();
      sendSnapshot();
      explainAndPost();
      return;
    case 'explain':
      if (settings !== null) Object.assign(settings, { select: message.select, lang: message.lang });
      explainAndPost();
      return;
    case 'export':
      if (run !== null) post({ type: 'model', text: exportModel(run) });
      return;
    case 'ack':
      drawn = true;
      if (snapshotDue && !playing) sendSnapshot();
      return;
    default:
      message satisfies never;
  }
}

function loop(): void {
  if (!playing || run === null) return;
  const start = performance.now();
  try {
    do run.session.step(); while (performance.now() - start < SLICE_MS);
  } catch (error) {
    playing = false;
    post({ type: 'error', message: messageOf(error) });
    return;
  }
  // Snapshots cost time too: space them so they take at most a fifth of the worker's time.
  if (drawn && performance.now() - lastSnapshotAt >= Math.max(33, 5 * lastSnapshotCost)) sendSnapshot();
  setTimeout(loop, 0);
}

function sendSnapshot(): void {
  if (run === null) return;
  if (!drawn) {
    snapshotDue = true;
    return;
  }
  snapshotDue = false;
  drawn = false;
  const start = performance.now();
  const s = snapshot(run);
  lastSnapshotCost = performance.now() - start;
  lastSnapshotAt = performance.now();
  post({ type: 'snapshot', snapshot: s, playing });
}

// ----------------------------------------------------------------- explanations

/** Where a step starts: the weights (as a model file) and the batch it trains on. */
interface StepStart {
  model: ModelFile;
  x: number[][];
  t: number[][];
  lr: number;
  iteration: number;
  /** Rows of the batch (x and t hold all of them, or the first alone when there are more than explain's limit). */
  rows: number;
}

/** The start of the next step (the session's next batch and current weights). */
function nextStart(current: Run): StepStart {
  const rows = Array.from(current.session.nextBatch());
  // A whole batch when explain's limit allows (its gradients are then exactly the step's), else its first sample.
  const taken = rows.length <= DETAIL_LIMITS.samples ? rows : rows.slice(0, 1);
  return {
    model: modelToJSON(current.session.model), x: taken.map((r) => current.train.x[r]!), t: taken.map((r) => current.train.y[r]!),
    lr: current.session.optimizer.lr, iteration: current.session.steps + 1, rows: rows.length,
  };
}

/** explainStep on a copy of the start's weights (the session's model is untouched). */
function explainAt(start: StepStart, only: string[] | undefined): Explanation {
  const copy = modelFromJSON(start.model).model;
  return explainStep(copy, start.x, start.t, {
    loss: run!.loss, lr: start.lr, iteration: start.iteration, ...(only === undefined ? {} : { only }),
  });
}

/** Past explain's parameter limit, the whole step is shown for one name only. */
function defaultOnly(names: Names): string[] | undefined {
  if (info!.parameterCount <= DETAIL_LIMITS.parameters) return undefined;
  return [validName(names, settings?.select ?? '') ?? names.units[names.units.length - 1]![0]!];
}

function validName(names: Names, name: string): string | null {
  if (name === '') return null;
  const all = [...names.units.flat(), ...names.weights.flat(2), ...names.biases.flatMap((b) => b ?? [])];
  return all.includes(name) ? name : null;
}

function notesFor(start: StepStart, only: string[] | undefined): string {
  const t = words().notes;
  const notes: string[] = [];
  if (start.x.length < start.rows) notes.push(t.firstSample(start.rows, DETAIL_LIMITS.samples));
  if (only !== undefined) notes.push(t.selected(info!.parameterCount, only[0]!));
  if (settings !== null && (settings.optimizer !== 'sgd' || settings.l2 > 0 || settings.schedule !== 'none')) notes.push(t.notSgd(settings.optimizer, settings.l2 > 0));
  return notes.join(' ');
}

/** The interface's words in the page's language. */
function words(): UiText {
  return UI[settings?.lang ?? 'en'];
}

/** Explains the next step (and re-reads the last one for the selection) and posts both. */
function explainAndPost(): void {
  if (run === null) return;
  const names = info?.names ?? null;
  const empty: Explained = { pending: null, last: null, derivation: null, note: '' };
  if (names === null) {
    post({ type: 'explained', explained: { ...empty, note: words().notes.denseOnly } });
    return;
  }
  try {
    const start = nextStart(run);
    const only = defaultOnly(names);
    const pending = explainAt(start, only);
    const select = validName(names, settings?.select ?? '');
    const from = lastStart ?? start;
    const focus = select === null ? null : explainAt(from, [select]);
    const derivation = focus === null ? null : { name: select!, which: lastStart === null ? 'next' as const : 'last' as const, markdown: renderMarkdown(focus, { lang: settings?.lang ?? 'en' }) };
    post({ type: 'explained', explained: { pending, last, derivation, note: notesFor(from, only) } });
  } catch (error) {
    post({ type: 'explained', explained: { ...empty, note: messageOf(error) } });
  }
}

// ----------------------------------------------------------------- what the page draws

function runInfo(current: Run): RunInfo {
  const { session, table } = current;
  const model = session.model;
  const dense = model.layers.filter((l): l is Dense => l instanceof Dense);
  let names: Names | null = null;
  try {
    names = namesFor(model);
  } catch {
    names = null; // Dropout layers: explain cannot name them
  }
  // The plane says something only with points to separate (not for the article's single sample).
  const plane = model.inputSize === 2 && current.train.x.length >= 4 ? planeOf(current) : null;
  return {
    sizes: [model.inputSize, ...dense.map((l) => l.outputSize)],
    activations: dense.map((l) => l.activation),
    names,
    task: table.task,
    classes: table.classes ?? null,
    featureNames: table.featureNames,
    loss: current.loss,
    optimizer: settings?.optimizer ?? 'sgd',
    origin: current.origin,
    testIsTrain: current.testIsTrain,
    parameterCount: model.parameters().reduce((n, p) => n + p.size, 0),
    trainCount: current.train.x.length,
    testCount: current.test.x.length,
    plane,
    images: settings?.dataset === 'digits' ? {
      pixels: current.test.x.slice(0, IMAGES).map((row) => Float32Array.from(row)),
      labels: current.test.y.slice(0, IMAGES).map((row) => row.indexOf(Math.max(...row))),
      side: DIGIT_SIDE,
    } : null,
    codes: settings?.dataset === 'autoencoder' ? current.train.x : null,
  };
}

function planeOf(current: Run): RunInfo['plane'] {
  const points = (rows: number[][], targets: number[][]): Points => ({
    x: Float32Array.from(rows, (r) => r[0]!),
    y: Float32Array.from(rows, (r) => r[1]!),
    label: Int32Array.from(targets, (t) => classOfRow('outputs', t, 0, t.length)),
  });
  const all = [...current.train.x, ...current.test.x];
  let limit = 0;
  for (const row of all) limit = Math.max(limit, Math.abs(row[0]!), Math.abs(row[1]!));
  limit = limit === 0 ? 1 : limit * 1.1;
  return { train: points(current.train.x, current.train.y), test: points(current.test.x, current.test.y), extent: [-limit, limit, -limit, limit] };
}

function snapshot(current: Run): Snapshot {
  const { session } = current;
  const scores = session.evaluate();
  const test = scores.test ?? scores.train;
  const s: Snapshot = {
    session: session.snapshot(),
    scores: {
      steps: session.steps, epoch: session.epochs, trainLoss: scores.train.loss, testLoss: test.loss,
      ...(scores.train.classification === undefined ? {} : { trainAccuracy: scores.train.classification.accuracy }),
      ...(test.classification === undefined ? {} : { testAccuracy: test.classification.accuracy }),
    },
    grid: info?.plane ? grid(current, info.plane.extent) : null,
    predictions: null,
    confusion: test.classification?.confusion ?? null,
    reconstructions: null,
  };
  if (info?.images) {
    const outputs = session.model.predict(info.images.pixels.map((p) => Array.from(p)));
    s.predictions = Array.from(classIndices(outputs.data, info.images.pixels.length, session.model.outputSize, LOSS_RECORDS[current.loss].probabilities));
  }
  if (info?.codes) {
    const outs = layerOutputs(session.model, session.model.toInput(info.codes, 'codes'));
    const rows = (t: Tensor) => Array.from({ length: t.shape[0]! }, (_, r) => Array.from(t.data.subarray(r * t.shape[1]!, (r + 1) * t.shape[1]!)));
    s.reconstructions = { outputs: rows(outs[outs.length - 1]!), codes: rows(outs[Math.floor((outs.length - 1) / 2)]!) };
  }
  return s;
}

/** Each Dense layer's OUT for inputs `x`, from the layers' own forward pass (no recording, no dropout). */
function layerOutputs(model: Sequential, x: Tensor): Tensor[] {
  return noGrad(() => {
    const outs: Tensor[] = [];
    let h = x;
    for (const layer of model.layers) {
      h = layer.forward(h);
      if (layer instanceof Dense) outs.push(h);
    }
    return outs;
  });
}

/** Grid side: finer for small networks, coarser when a forward pass over it costs more. */
function gridSize(model: Sequential): number {
  const params = model.parameters().reduce((n, p) => n + p.size, 0);
  return params <= 200 ? 40 : params <= 2000 ? 32 : 24;
}

function grid(current: Run, extent: [number, number, number, number]): Snapshot['grid'] {
  const model = current.session.model;
  const size = gridSize(model);
  const [x0, x1, y0, y1] = extent;
  const points = model.dtype === 'float64' ? new Float64Array(size * size * 2) : new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const k = (r * size + c) * 2;
      points[k] = x0 + ((c + 0.5) / size) * (x1 - x0);
      points[k + 1] = y1 - ((r + 0.5) / size) * (y1 - y0); // row 0 at the top
    }
  }
  const outs = layerOutputs(model, new Tensor(points, [size * size, 2]));
  const units = outs.map((t) => {
    const width = t.shape[1]!;
    return Array.from({ length: width }, (_, j) => Float32Array.from({ length: size * size }, (_, p) => t.data[p * width + j]!));
  });
  const output = outs[outs.length - 1]!;
  const width = output.shape[1]!;
  let decision: Float32Array;
  const reading = LOSS_RECORDS[current.loss].probabilities;
  if (reading !== null && (width >= 2 || reading === 'sigmoid')) {
    // The probability of class 1 as the loss reads its outputs (softmax of logits, sigmoid of one logit, or the outputs).
    const probs = reading === 'softmax' ? noGrad(() => softmax(output)) : reading === 'sigmoid' ? noGrad(() => sigmoid(output)) : output;
    const column = width >= 2 ? 1 : 0;
    decision = Float32Array.from({ length: size * size }, (_, p) => probs.data[p * width + column]!);
  } else {
    decision = units[units.length - 1]![0]!;
  }
  return { size, units, decision };
}

function exportModel(current: Run): string {
  const { table, scaler, loss } = current;
  return formatModelFile(modelToJSON(current.session.model, {
    preprocessing: {
      scaler: scaler.toJSON() as never, featureNames: table.featureNames, targetName: table.targetName, task: table.task,
      ...(table.classes === undefined ? {} : { classes: table.classes }),
    },
    training: {
      loss, optimizer: { name: settings?.optimizer ?? 'sgd', lr: settings?.lr ?? 0 }, seed: settings?.seed ?? 0, steps: current.session.steps, epochs: current.session.epochs,
      ...(current.session.lossOptions.weight === undefined ? {} : { classWeights: [...current.session.lossOptions.weight] }),
    },
  }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
