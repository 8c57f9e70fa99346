import { GlassnetError, describeValue } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { NON_NEGATIVE, POSITIVE, checkInteger, checkNumber, numberOption, checkOptions } from '../util/checks.js';

/**
 * A learning-rate schedule: a pure function of the step index. Keeping it
 * stateless means a resumed run needs only the optimizer's step count to
 * pick up the same rates.
 */
export interface LRSchedule {
  /** The rate for 0-based step `step` when the optimizer was built with `baseLr`. */
  lrAt(step: number, baseLr: number): number;
}

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Steps between decays (a positive integer). */
  stepSize: number;
  /** Factor γ > 0 applied at each decay (default 0.1). */
  gamma?: number;
}

/** η·γ^⌊t/stepSize⌋, as torch.optim.lr_scheduler.StepLR. */
export function stepDecay(options: StepDecayOptions): LRSchedule {
  const o = checkOptions(options, ['stepSize', 'gamma']);
  const stepSize = checkInteger(o.stepSize, 1, 'options.stepSize');
  const gamma = numberOption(o, 'gamma', 0.1, POSITIVE);
  return { lrAt: (step, baseLr) => checkArgs(step, baseLr) * gamma ** Math.floor(step / stepSize) };
}

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** Factor γ > 0 applied every step. */
  gamma: number;
}

/** η·γ^t, as torch.optim.lr_scheduler.ExponentialLR. */
export function exponentialDecay(options: ExponentialDecayOptions): LRSchedule {
  const o = checkOptions(options, ['gamma']);
  const gamma = checkNumber(o.gamma, POSITIVE, 'options.gamma');
  return { lrAt: (step, baseLr) => checkArgs(step, baseLr) * gamma ** step };
}

/** Options of {@link cosineAnnealing}. */
export interface CosineAnnealingOptions {
  /** Steps T from the base rate down to `etaMin` (a positive integer). */
  tMax: number;
  /** The floor η_min ≥ 0 (default 0). */
  etaMin?: number;
}

/**
 * η_min + (η − η_min)(1 + cos(πt/T))/2, as torch.optim.lr_scheduler.CosineAnnealingLR.
 * Like torch's, the curve rises again after T (period 2T), so pick T ≥ the run's length.
 */
export function cosineAnnealing(options: CosineAnnealingOptions): LRSchedule {
  const o = checkOptions(options, ['tMax', 'etaMin']);
  const tMax = checkInteger(o.tMax, 1, 'options.tMax');
  const etaMin = numberOption(o, 'etaMin', 0, NON_NEGATIVE);
  return {
    lrAt: (step, baseLr) => etaMin + (checkArgs(step, baseLr) - etaMin) * (1 + Math.cos((Math.PI * step) / tMax)) / 2,
  };
}

/** Options of {@link warmup}. */
export interface WarmupOptions {
  /** Warm-up length W (a positive integer). */
  steps: number;
  /** The schedule that takes over at step W, starting from its own step 0 (default: the constant base rate). */
  schedule?: LRSchedule;
}

/** η·(t+1)/W for t < W, then `schedule` at step t − W: a linear ramp that reaches η on its last step. */
export function warmup(options: WarmupOptions): LRSchedule {
  const o = checkOptions(options, ['steps', 'schedule']);
  const steps = checkInteger(o.steps, 1, 'options.steps');
  const after = o.schedule as LRSchedule | undefined;
  if (after !== undefined && typeof (after as Partial<LRSchedule> | null)?.lrAt !== 'function') {
    throw new GlassnetError({ code: 'type', argument: 'options.schedule', expected: 'a schedule (an object with lrAt)', found: describeValue(after) });
  }
  return {
    lrAt(step, baseLr) {
      checkArgs(step, baseLr);
      if (step < steps) return (baseLr * (step + 1)) / steps;
      return after === undefined ? baseLr : after.lrAt(step - steps, baseLr);
    },
  };
}

/**
 * Sets `optimizer.lr` for its next step, `schedule.lrAt(optimizer.steps,
 * optimizer.baseLr)`, and returns it. Call it before each `step()`.
 */
export function applySchedule(optimizer: Optimizer, schedule: LRSchedule): number {
  optimizer.lr = schedule.lrAt(optimizer.steps, optimizer.baseLr);
  return optimizer.lr;
}

/** Validates lrAt's arguments and returns `baseLr`. */
function checkArgs(step: number, baseLr: number): number {
  checkInteger(step, 0, 'step');
  return checkNumber(baseLr, POSITIVE, 'baseLr');
}
