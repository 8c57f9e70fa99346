import type { NestedNumbers, Tensor } from '../tensor/tensor.js';
import type { LossName } from '../nn/losses.js';
import type { LossOptions } from '../tensor/ops.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRSchedule } from '../optim/schedules.js';
import type { Evaluation } from './evaluate.js';

/** One epoch's figures, as callbacks see them and the history keeps them. */
export interface EpochInfo {
  /** 1-based epoch number. */
  epoch: number;
  /** Optimizer steps taken so far. */
  steps: number;
  /** Mean of the batch losses seen during the epoch (each before its batch's update). */
  loss: number;
  /** Share of training samples classified right during the epoch (classification losses). */
  accuracy?: number;
  /** Loss on the validation data after the epoch. */
  valLoss?: number;
  valAccuracy?: number;
  /** The learning rate of the epoch's last step. */
  lr: number;
  /** Seconds since training started. */
  seconds: number;
}

/** What a batch callback learns. */
export interface BatchInfo {
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  steps: number;
  /** This batch's loss, before its update. */
  loss: number;
}

/** Early stopping: stop when the monitored loss has not improved for `patience` epochs. */
export interface EarlyStoppingOptions {
  /** Epochs without improvement to tolerate. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
  /** `"valLoss"` (default when there is validation data) or `"loss"`. */
  monitor?: 'loss' | 'valLoss';
  /** Put back the weights of the best epoch when stopping early (default true). */
  restoreBestWeights?: boolean;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** Loss to minimise (default `"squaredError"`, the article's ½Σ(t−o)²). */
  loss?: LossName;
  /** The loss's options (class weights, Huber's δ; see docs/losses.md), used in training and in every reported loss. */
  lossOptions?: LossOptions;
  /** Learning rate for the default optimizer, plain SGD (default 0.1). */
  lr?: number;
  /** An optimizer over `model.parameters()`; overrides `lr`. */
  optimizer?: Optimizer;
  /** Maximum passes over the data (default 1000). */
  epochs?: number;
  /** Maximum optimizer steps, across epochs (default unlimited). */
  maxSteps?: number;
  /** Samples per step (default: all samples, i.e. full-batch gradient descent). */
  batchSize?: number;
  /** Shuffle samples each epoch (default true when batches are smaller than the data). */
  shuffle?: boolean;
  /** Seed for shuffling (default 0). */
  seed?: number;
  /**
   * Stop as soon as the loss over all training data, evaluated with the
   * current weights, is below this value (the article's "until the outputs
   * are close to the targets"). Checked before training and after every epoch.
   */
  errorThreshold?: number;
  /** Stop after the step during which this many seconds have passed. */
  timeLimit?: number;
  /**
   * Hold out this fraction of the samples (rounded) for validation, chosen
   * at random from `seed`; for class targets (one-hot rows or a 0/1
   * column) each class keeps its share. The same rows as `trainTestSplit`
   * with `testFraction` and `stratify`, and as the CLI's `--val-split`.
   */
  validationSplit?: number;
  /** Validation data; overrides `validationSplit`. */
  validationData?: { x: NestedNumbers | Tensor; y: NestedNumbers | Tensor };
  earlyStopping?: EarlyStoppingOptions;
  /** L2 penalty λ on weights (not biases): adds λ·w to their gradients. Reported losses exclude it. */
  l2?: number;
  /** Learning rate per step (the optimizer's own step count drives it). */
  schedule?: LRSchedule;
  /**
   * Threads for the wasm backends' large products, counting the caller
   * (an integer ≥ 1), or `'auto'` (the default): every core, up to
   * `defaultWasmThreads()`, when the active backend is `'wasm'` or
   * `'wasm-mt'` and a batch times the largest parameter reaches
   * `THREADED_MATMUL_WORK` multiply-adds; otherwise the active backend as it
   * is. Results are bit for bit those of one thread. The js backends have
   * no threads and ignore it.
   */
  threads?: number | 'auto';
  /** Scale gradients down so their global norm is at most this (PyTorch's clip_grad_norm_). */
  clipNorm?: number;
  /** Continue a run from a checkpoint's state (restore the optimizer's own state first, with `setState`). */
  resume?: FitState;
  /** Receives the run's state every `checkpointEvery` epochs, to be saved with the model and optimizer. */
  onCheckpoint?: (state: FitState) => void;
  /** Epochs between checkpoints (default 1). */
  checkpointEvery?: number;
  /** Called after every step; return `false` to stop. */
  onBatchEnd?: (info: BatchInfo) => void | boolean;
  /** Called after every epoch; return `false` to stop. */
  onEpochEnd?: (info: EpochInfo) => void | boolean;
}

/**
 * Where a run stands between epochs: with the model's weights and the
 * optimizer's state, enough to continue it exactly as if never stopped.
 */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  steps: number;
  /** The shuffling generator's state. */
  random: [number, number, number, number];
  history: EpochInfo[];
  /** Early stopping's memory, when the run uses it (the time limit, by contrast, counts per run). */
  earlyStopping?: EarlyStoppingState;
}

/** What early stopping remembers between epochs. */
export interface EarlyStoppingState {
  /** The best monitored loss so far. */
  best: number;
  bestEpoch: number;
  /** Epochs since the best one. */
  waited: number;
  /** The best epoch's parameters (`model.parameters()` order), when best weights are restored. */
  weights: number[][] | null;
}

/** Why training stopped. */
export type StopReason = 'threshold' | 'epochs' | 'maxSteps' | 'callback' | 'earlyStopping' | 'timeLimit';

/** Outcome of {@link fit}. */
export interface FitResult {
  epochs: number;
  steps: number;
  stoppedBy: StopReason;
  /** Loss over all training data with the final weights. */
  loss: number;
  /** Evaluation on the validation data with the final weights, when there was any. */
  validation?: Evaluation;
  /** The epoch whose weights were restored by early stopping. */
  bestEpoch?: number;
  history: EpochInfo[];
}
