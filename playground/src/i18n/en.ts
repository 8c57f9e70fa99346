/**
 * Every word of the playground's interface in English. The Chinese table
 * (`zh.ts`) has the type of this one, so the compiler asks it for every
 * entry; a third language is one more file of that type. Numbers are
 * never in a table, and derivations come from explain's own tables.
 */
import type { Key } from '../settings.js';

/** Where the network's first weights came from (see `recipe.ts`). */
export type Origin = { kind: 'file' } | { kind: 'article' } | { kind: 'init'; init: string; seed: number };

/** The facts the status line states about a new run. */
export interface RunFacts {
  shape: string;
  activations: string;
  parameters: number;
  loss: string;
  optimizer: string;
  train: number;
  /** null when the model is tested on its training data. */
  test: number | null;
  origin: Origin;
}

export const en = {
  /** `<html lang>`. */
  htmlLang: 'en',
  page: {
    title: 'glassnet playground: watch backpropagation happen',
    description: 'Build, train and take apart a neural network in the browser, down to every derivative.',
    brand: 'playground',
    tagline: 'Every number of forward and backward propagation, computed by the library itself.',
    skip: 'Skip to the math',
    footer: 'glassnet computes every number here; the page only draws them. Drop a CSV or a model file anywhere on the page.',
    dropHint: 'Drop a CSV data file or a glassnet model file',
  },
  transport: {
    group: 'Training',
    reset: { text: '⟲ Reset', title: 'Rebuild the network from its settings and seed (the same seed gives the same start)' },
    play: { text: '▶ Play', title: 'Train continuously in a background worker; press again to pause' },
    pause: '❚❚ Pause',
    step: { text: 'Step', title: 'Train on one batch (one optimizer step)' },
    epoch: { text: 'Epoch', title: 'Train to the end of the current epoch (one pass over the training data)' },
    phaseTitle: 'Follow the next step one phase at a time: forward layer by layer, error, backward layer by layer, update',
    nextPhase: (phase: string) => `Next phase: ${phase}`,
    takeStep: 'Take the step',
  },
  counters: {
    title: 'Where training stands, scored with the current weights',
    epoch: 'epoch',
    steps: 'steps',
    trainLoss: 'train loss',
    testLoss: 'test loss',
    trainAcc: 'train acc',
    testAcc: 'test acc',
    lrNow: 'η now',
  },
  files: {
    group: 'Share and keep',
    share: { text: 'Copy link', title: 'Put every setting in the address and copy the link' },
    shareWeights: { text: 'Link with weights', title: 'A link that also carries the current weights as the start' },
    export: { text: 'Export model', title: 'Download the model as a glassnet model file (works with glassnet predict)' },
    import: { text: 'Import model', title: 'Open a glassnet model file, e.g. one written by glassnet train --out' },
    csv: { text: 'Open CSV', title: 'Your own data: a CSV file whose last column is the target (or drop it on the page)' },
    help: { text: '? Help', title: 'What everything on this page shows' },
    linkLabel: 'link to this state',
    linkCopied: (withWeights: boolean) => `Link copied${withWeights ? ' (with the current weights as the start)' : ''}.`,
    linkInBox: 'The link is in the box: copy it from there.',
  },
  help: {
    title: 'How to read this page',
    /** Each entry is one paragraph; `<b>` and `<i>` are the only markup. */
    items: [
      '<b>Settings</b> (left): data, network and training. Each has its explanation under it. Changing one rebuilds the network from the seed.',
      '<b>Network</b>: boxes are units (for 2-D data each shows its OUT over the input plane), lines are weights: blue positive, orange negative, thicker larger. Under each unit: its NET and OUT for the explained sample. Hover a weight for its value, last gradient and formula; click a unit or weight for its chain rule. With the keyboard: Tab to the diagram, arrow keys move between weights, Enter shows the derivation.',
      '<b>Phases</b>: <i>Next phase</i> walks the coming step: forward layer by layer, the error, backward layer by layer, the update; the last click takes the step.',
      '<b>Output</b>: the decision value over the plane with training points (filled) and test points (ringed); loss and accuracy over the steps; weight and gradient histograms per layer; for digits, predictions and the confusion matrix; for the auto-encoder, codes and reconstructions.',
      '<b>The math</b>: the chain rule of the selected unit or weight with every number, from glassnet\'s explain trace of the same computation; for the article\'s step, its printed values beside glassnet\'s.',
      'Training runs in a Web Worker, so the page stays responsive. Everything is in the address: <i>Copy link</i> reproduces this run. <b>Language</b> (under View) switches the page and the derivations between English and Chinese.',
    ],
  },
  panels: {
    settings: 'Settings',
    network: 'Network',
    networkTitle: 'Units and weights; hover a weight, click a unit or weight',
    phases: 'Phases of the next step',
    phasesTitle: 'The coming step, phase by phase, as explain derives it',
    parameters: 'Parameters',
    parametersTitle: 'Every weight and bias with its current value and last gradient; click a name for its derivation',
    output: 'Output',
    planeLabel: 'decision value over the input plane with training and test points',
    planeTitle: 'Decision value over the input plane (blue: class 1, orange: class 0); filled dots: training data, ringed dots: test data',
    chartTitle: 'Loss (left axis) and accuracy (right axis) on training and test data over the steps',
    histograms: 'Weights and gradients',
    math: 'The math',
  },
  groups: { data: 'Data', network: 'Network', training: 'Training', view: 'View' },
  settings: {
    dataset: {
      label: 'Data set',
      help: 'article: the seed article\'s one sample (inputs 0.02, 0.04, targets 0.5, 0.9). xor, circles, spirals, gaussians: two classes in the plane. iris: 150 flowers, 4 features, 3 classes. digits: 1000 handwritten digits of 8×8 pixels. autoencoder: the 8 one-hot codes as inputs and targets. csv: your own file.',
    },
    samples: { label: 'Samples', help: 'Points generated for the 2-D data sets.' },
    noise: { label: 'Noise', help: 'Standard deviation of the Gaussian noise added to each coordinate of the 2-D data sets.' },
    dataSeed: { label: 'Data seed', help: 'Seed of the generated points: change it for a new draw of the same data set.' },
    testRatio: { label: 'Test share', help: 'Share of the samples held out as test data (split with the seed, stratified by class, as glassnet train --val-split does). 0: test on the training data.' },
    scale: { label: 'Scaling', help: 'Feature scaling fitted on the training rows (glassnet train --scale).' },
    layers: { label: 'Hidden layers', help: 'Units per hidden layer. Add or remove layers and units with the + and − buttons.' },
    activation: { label: 'Activation', help: 'Activation function of the hidden layers: OUT = f(NET).' },
    outputActivation: { label: 'Output activation', help: 'Activation of the output layer. auto: linear for softmax cross-entropy and mse, sigmoid for binary cross-entropy (as glassnet train).' },
    init: {
      label: 'Initial weights',
      help: 'auto: He for relu-type layers, Xavier for the others (as glassnet train). xavier/xavierNormal: uniform/normal scaled by fan-in and fan-out; he/heNormal: by fan-in. given: the weights of an imported model file, a link, or the article\'s own.',
    },
    loss: { label: 'Loss', help: 'The error to minimise. squaredError is the article\'s E = Σ ½(t − o)². auto: softmax cross-entropy for classes, mse otherwise.' },
    optimizer: { label: 'Optimizer', help: 'How gradients become updates: sgd is the article\'s w ← w − η·∂E/∂w.' },
    lr: { label: 'Learning rate η', help: 'Step size η of the optimizer.' },
    schedule: { label: 'Schedule', help: 'How η changes with the step count: stepDecay multiplies by γ every N steps, exponentialDecay by γ every step, cosineAnnealing falls to 0 over N steps.' },
    scheduleSteps: { label: 'Schedule N', help: 'N of the schedule: steps between decays (stepDecay) or to the bottom (cosineAnnealing).' },
    gamma: { label: 'Schedule γ', help: 'Decay factor γ of stepDecay and exponentialDecay.' },
    batchSize: { label: 'Batch size', help: 'Samples per step; the gradient is averaged over them.' },
    l2: { label: 'L2', help: 'L2 penalty λ on the weights (not biases): adds λ·w to their gradients.' },
    dropout: { label: 'Dropout', help: 'Share of each hidden layer\'s outputs zeroed at random during training (a Dropout layer after each hidden layer).' },
    seed: { label: 'Seed', help: 'One seed for the initial weights, the train/test split, the shuffling and dropout: the same seed and settings give the same run here, in the library and in glassnet train.' },
    chartScale: { label: 'Loss axis', help: 'Linear or logarithmic loss axis in the chart.' },
    lang: { label: 'Language', help: 'Language of the page and of the derivations: en (English) or zh (中文, in the article\'s own terms: 前向传播, 反向传播, 权值更新, ...).' },
    select: { label: 'Derivation of', help: 'The unit or weight whose chain rule is shown.' },
    model: { label: 'Given weights', help: 'A glassnet model file whose weights the network starts from.' },
  } satisfies Record<Key, { label: string; help: string }> as Record<Key, { label: string; help: string }>,
  layersEditor: {
    removeUnit: (layer: number) => `remove a unit from hidden layer ${layer}`,
    addUnit: (layer: number) => `add a unit to hidden layer ${layer}`,
    units: (layer: number, units: number) => `hidden layer ${layer}: ${units} units`,
    addLayer: { text: '+ layer', title: 'add a hidden layer' },
    removeLayer: { text: '− layer', title: 'remove the last hidden layer' },
  },
  status: {
    building: 'Building the network…',
    ready: (r: RunFacts) => `${r.shape} network (${r.activations}), ${r.parameters} parameters, ${r.loss}, ${r.optimizer}; `
      + `${r.train} training and ${r.test === null ? 'no separate test' : `${r.test} test`} samples; weights: ${en.origin(r.origin)}.`,
  },
  origin: (o: Origin): string => (o.kind === 'file' ? 'the given model file'
    : o.kind === 'article' ? 'the article\'s weights (w1…w8, fixed shared biases b1, b2)' : `${o.init}, seed ${o.seed}`),
  errors: {
    worker: (message: string) => `The training worker failed: ${message}`,
    link: (problems: string[]) => `Some of the link's settings were not understood and kept their defaults: ${problems.join('; ')}.`,
    notUrlText: (key: string) => `${key}: not valid URL text`,
    notSetting: (key: string) => `${key}: not a setting`,
    badValue: (key: string, raw: string, label: string) => `${key}: ${JSON.stringify(raw)} is not a valid ${label.toLowerCase()}`,
    modelNotJson: (message: string) => `The model file is not JSON: ${message}`,
    chooseCsv: 'Choose a CSV file (or drop one on the page) for the csv data set.',
    givenNeedsModel: 'Initial weights "given": import a model file first, or pick an initialiser (xavier, he, ...).',
  },
  phases: {
    forward: (layer: string) => `Forward: ${layer}`,
    error: 'Error',
    backward: (layer: string) => `Backward: ${layer}`,
    update: 'Update',
    outputLayer: 'output layer',
    hiddenLayer: 'hidden layer',
    hiddenLayerN: (n: number) => `hidden layer ${n}`,
    end: 'take the step',
    unavailable: 'Phase stepping needs an explained step (see the notes in "The math").',
  },
  network: {
    input: (name: string) => `Input ${name}`,
    inputAria: (name: string) => `input ${name}`,
    unit: (name: string, activation: string) => `Unit ${name}: NET = Σ w·input + b, OUT = ${activation}(NET). Click for its chain rule.`,
    unitAria: (name: string) => `unit ${name}, show its derivation`,
    more: (n: number) => `+${n} more`,
    positive: ' positive weight ',
    negative: ' negative weight; thicker is larger. ',
    hover: 'Hover a weight for its value, gradient and formula; click a unit or weight for its derivation.',
    weights: 'weights: Tab here, then the arrow keys pick a weight and Enter shows its derivation',
    value: 'value',
    lastGradient: 'last',
    noStep: '— (no step yet)',
    clickForDerivation: 'click (or Enter) for the derivation',
  },
  derivation: {
    prompt: 'Click a unit or a weight',
    promptChain: 'Click a unit or a weight for its chain rule',
    title: (name: string, which: 'last' | 'next') => `${name}: ${which === 'last' ? 'the step just taken' : 'the next step'}`,
    copy: { text: 'Copy as Markdown', title: 'Copy this derivation as Markdown with LaTeX (GitHub and KaTeX render it).' },
    copied: 'copied',
    copyBlocked: 'copying is blocked here: select the text below',
    markdownLabel: 'derivation as Markdown',
    article: 'Beside the article',
    articleIntro: 'Every number the article prints for its step, next to glassnet\'s (compared at the article\'s decimals). Three differ; the reason for each was found by redoing the article\'s arithmetic.',
    articleColumns: ['quantity', 'article', 'glassnet', ''] as readonly string[],
    agrees: '✓ agrees',
  },
  parameters: {
    tooMany: (limit: number) => `The parameter table is shown for networks of up to ${limit} parameters; in the diagram, click a weight or use the arrow keys instead.`,
    columns: ['parameter', 'value', 'last ∂E/∂p'] as readonly string[],
    show: (name: string) => `Show the chain rule of ${name}`,
    fixed: 'fixed',
  },
  chart: {
    step: 'step', steps: 'steps', loss: 'loss', accuracy: 'accuracy',
    trainLoss: 'train loss', testLoss: 'test loss', trainAcc: 'train acc', testAcc: 'test acc',
  },
  histograms: {
    layer: (k: number) => `layer ${k}`,
    weights: 'weights',
    gradients: 'gradients',
    aria: (k: number, what: string) => `layer ${k} ${what} histogram`,
    title: (k: number, weights: boolean) => `Histogram of layer ${k}'s ${weights ? 'weights' : 'last ∂E/∂w'}; faint bars are earlier snapshots.`,
  },
  digits: {
    gridTitle: 'Test images with the predicted digit: ✓ right, ✗ wrong.',
    image: (digit: number) => `a handwritten ${digit}`,
    images: 'Test images and predictions',
    matrixTitle: 'Confusion matrix on the test data: row = actual class, column = predicted class; the diagonal is right.',
    matrix: 'Confusion matrix (test)',
    corner: 'actual \\ predicted',
  },
  autoencoder: {
    title: 'Each input (left), the middle layer\'s OUT (its code) and the reconstruction (right); dark cells are near 1.',
    columns: ['input', 'code', 'reconstruction'] as readonly string[],
    heading: 'Inputs, codes, reconstructions',
  },
  notes: {
    firstSample: (rows: number, limit: number) => `The batch has ${rows} samples, more than explain shows in full (${limit}): the derivation follows its first sample, so its gradients are that sample's, not the batch average the step uses.`,
    selected: (parameters: number, name: string) => `${parameters} parameters: the step is shown for ${name} (click a unit or weight to choose).`,
    notSgd: (optimizer: string, l2: boolean) => `The update shown is plain SGD (w − η·∂E/∂w); ${optimizer}${l2 ? ' with L2' : ''} applies its own rule to the same gradient.`,
    denseOnly: 'explain reads networks of Dense layers only: set dropout to 0 to see the derivation.',
  },
};

/** The type every language's table has. */
export type UiText = typeof en;
