import type { FloatArray } from '../backend/index.js';
import { GlassnetError, describeValue } from '../errors.js';
import { Tensor, allocate } from '../tensor/tensor.js';
import { NON_NEGATIVE, POSITIVE, checkFinite, checkInteger, checkNumber } from '../util/checks.js';

/** The optimizer classes, as recorded in {@link OptimizerState.kind}. */
export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

/** A resolved hyperparameter: a number, a flag, or a pair such as Adam's betas. */
export type OptionValue = number | boolean | readonly number[];

/** One parameter's part of {@link OptimizerState}. */
export interface ParamState {
  /** Updates applied to this parameter (a step where its gradient was `null` does not count). */
  step: number;
  /** Moment buffers by name, one number per parameter element. */
  buffers: Record<string, number[]>;
}

/**
 * Everything an optimizer carries between steps, as plain JSON-ready data.
 * `setState` on an optimizer built the same way continues bit-identically.
 */
export interface OptimizerState {
  kind: OptimizerKind;
  /** The settings it was built with (`lr` is the base rate): `createOptimizer(kind, params, options)` rebuilds it. */
  options: Record<string, OptionValue>;
  /** The current learning rate, which a schedule may have moved away from `options.lr`. */
  lr: number;
  /** Calls to `step()` so far. */
  steps: number;
  /** Per parameter, in `params` order. */
  params: ParamState[];
}

/** Per-parameter state: its update count and buffers, allocated once. */
export interface Slot {
  step: number;
  readonly buffers: Readonly<Record<string, FloatArray>>;
}

/**
 * Updates parameters from their accumulated gradients. Optimizers see
 * tensors only, never layers. Subclasses write the per-parameter rule in
 * `update`; the base class owns the step loop, the buffers and their
 * serialisation, so every optimizer checkpoints the same way.
 */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** Learning rate η of the next step; schedules may change it between steps. */
  lr: number;
  /** The learning rate the optimizer was built with, which schedules scale. */
  readonly baseLr: number;
  /** Calls to `step()` so far (the step index schedules read). */
  steps = 0;
  abstract readonly kind: OptimizerKind;
  /** Resolved settings, defaults filled in. */
  abstract readonly options: Readonly<Record<string, OptionValue>>;
  /** One per parameter, in `params` order. */
  protected readonly slots: readonly Slot[];

  /**
   * @param buffers name → initial value of each per-parameter buffer the subclass needs.
   * @throws GlassnetError unless `params` is an array of tensors and `lr` a finite number > 0.
   */
  protected constructor(params: readonly Tensor[], lr: number, buffers: Readonly<Record<string, number>>, lrArgument: string) {
    if (!Array.isArray(params)) throw new GlassnetError({ code: 'type', argument: 'params', expected: 'an array of tensors', found: describeValue(params) });
    params.forEach((p: unknown, i) => {
      if (!(p instanceof Tensor)) throw new GlassnetError({ code: 'type', argument: `params[${i}]`, expected: 'a Tensor', found: describeValue(p) });
    });
    checkLearningRate(lr, lrArgument);
    this.params = params;
    this.lr = lr;
    this.baseLr = lr;
    this.slots = params.map((p) => {
      const arrays: Record<string, FloatArray> = {};
      for (const [name, initial] of Object.entries(buffers)) {
        arrays[name] = allocate(p.dtype, p.size);
        if (initial !== 0) arrays[name].fill(initial);
      }
      return { step: 0, buffers: arrays };
    });
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k]!;
      if (p.grad === null) continue;
      const slot = this.slots[k]!;
      slot.step += 1;
      this.update(p.data, p.grad.data, slot, p.size);
    }
    this.steps += 1;
  }

  /**
   * Counts one step whose update the caller has already applied, exactly
   * as {@link step} would have applied it (a training step with the update
   * fused in, for an optimizer with no buffers): afterwards the counters,
   * and so schedules and `getState`, are as if `step()` had run.
   */
  countStep(): void {
    for (let k = 0; k < this.params.length; k++) {
      if (this.params[k]!.grad !== null) this.slots[k]!.step += 1;
    }
    this.steps += 1;
  }

  /** Updates one parameter's `n` values `p` in place from its gradient `g`; `slot.step` already counts this update. */
  protected abstract update(p: FloatArray, g: FloatArray, slot: Slot, n: number): void;

  /** Clears gradients before the next backward pass (they accumulate with +=). */
  zeroGrad(): void {
    for (const p of this.params) p.grad?.data.fill(0);
  }

  /** A JSON-ready copy of everything needed to continue training later. */
  getState(): OptimizerState {
    const options: Record<string, OptionValue> = {};
    for (const [key, value] of Object.entries(this.options)) options[key] = Array.isArray(value) ? value.slice() : value;
    return {
      kind: this.kind,
      options,
      lr: this.lr,
      steps: this.steps,
      params: this.slots.map((slot) => {
        const buffers: Record<string, number[]> = {};
        for (const [name, array] of Object.entries(slot.buffers)) buffers[name] = Array.from(array);
        return { step: slot.step, buffers };
      }),
    };
  }

  /**
   * Restores what {@link getState} returned (possibly after a JSON round
   * trip). The state must come from an optimizer of the same kind and
   * settings over parameters of the same sizes.
   * @throws GlassnetError (codes `type`, `state`, `shape`, `range`) before changing anything.
   */
  setState(state: OptimizerState): void {
    const s = asObject(state, 'state');
    if (s.kind !== this.kind) {
      throw new GlassnetError({ code: 'state', argument: 'state.kind', expected: JSON.stringify(this.kind), found: describeValue(s.kind) });
    }
    this.checkOptions(asObject(s.options, 'state.options'));
    // 0 is allowed: a schedule may have annealed the rate to its floor.
    const lr = checkNumber(s.lr, NON_NEGATIVE, 'state.lr');
    const steps = checkInteger(s.steps, 0, 'state.steps');
    const saved = s.params;
    if (!Array.isArray(saved) || saved.length !== this.slots.length) {
      throw new GlassnetError({ code: 'shape', argument: 'state.params', expected: `an array of ${this.slots.length} parameter states`, found: describeValue(saved) });
    }
    const checked = saved.map((entry: unknown, k) => this.checkParamState(entry, k));
    this.lr = lr;
    this.steps = steps;
    checked.forEach(({ step, buffers }, k) => {
      const slot = this.slots[k]!;
      slot.step = step;
      for (const [name, values] of Object.entries(buffers)) slot.buffers[name]!.set(values);
    });
  }

  private checkOptions(saved: Record<string, unknown>): void {
    const keys = Object.keys(this.options);
    for (const key of new Set([...keys, ...Object.keys(saved)])) {
      const mine = this.options[key];
      if (mine === undefined || !sameOption(mine, saved[key])) {
        throw new GlassnetError({
          code: 'state', argument: `state.options.${key}`,
          expected: mine === undefined ? 'no such setting' : `${JSON.stringify(mine)} (this optimizer's setting)`, found: describeValue(saved[key]),
        });
      }
    }
  }

  private checkParamState(entry: unknown, k: number): ParamState {
    const argument = `state.params[${k}]`;
    const e = asObject(entry, argument);
    const step = checkInteger(e.step, 0, `${argument}.step`);
    const buffers = asObject(e.buffers, `${argument}.buffers`);
    const slot = this.slots[k]!;
    const names = Object.keys(slot.buffers);
    const expectedNames = names.length === 0 ? 'no buffers' : `buffers ${names.map((n) => `"${n}"`).join(', ')}`;
    const savedNames = Object.keys(buffers);
    if (savedNames.length !== names.length || !names.every((n) => n in buffers)) {
      throw new GlassnetError({ code: 'state', argument: `${argument}.buffers`, expected: expectedNames, found: savedNames.length === 0 ? 'none' : savedNames.join(', ') });
    }
    const size = this.params[k]!.size;
    for (const name of names) {
      const values = buffers[name];
      if (!Array.isArray(values) || values.length !== size) {
        throw new GlassnetError({ code: 'shape', argument: `${argument}.buffers.${name}`, expected: `an array of ${size} numbers`, found: describeValue(values) });
      }
      checkFinite(values, `${argument}.buffers.${name}`);
    }
    return { step, buffers: buffers as Record<string, number[]> };
  }
}

/** @throws GlassnetError unless `lr` is a finite number > 0. */
export function checkLearningRate(lr: unknown, argument = 'lr'): number {
  return checkNumber(lr, POSITIVE, argument);
}

function asObject(value: unknown, argument: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GlassnetError({ code: 'type', argument, expected: 'an object', found: describeValue(value) });
  }
  return value as Record<string, unknown>;
}

function sameOption(a: OptionValue, b: unknown): boolean {
  if (!Array.isArray(a)) return a === b;
  return Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
}
