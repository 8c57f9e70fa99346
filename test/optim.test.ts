// Optimizers, learning-rate schedules and gradient clipping, checked step by
// step against PyTorch float64 trajectories (scripts/make-optim-fixtures.py
// wrote the fixture: torch.optim, torch.optim.lr_scheduler and
// torch.nn.utils.clip_grad_norm_ are the oracle).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../src/index.js';
import { Adagrad } from '../src/optim/adagrad.js';
import { Adam, AdamW } from '../src/optim/adam.js';
import { clipGradNorm } from '../src/optim/clip.js';
import { OPTIMIZERS, createOptimizer, type OptimizerName } from '../src/optim/factory.js';
import type { Optimizer, OptimizerState } from '../src/optim/optimizer.js';
import { RMSProp } from '../src/optim/rmsprop.js';
import {
  applySchedule, cosineAnnealing, exponentialDecay, stepDecay, warmup, type LRSchedule,
} from '../src/optim/schedules.js';
import { SGD } from '../src/optim/sgd.js';
import { thrown as glassnetError } from './helpers/errors.js';

type Grads = (number[] | null)[];
interface OptimCase {
  name: string;
  optimizer: OptimizerName;
  options: Record<string, unknown>;
  shapes: number[][];
  initial: number[][];
  steps: { grads: Grads; params: number[][] }[];
  state: { step: number | null; buffers: Record<string, number[]> }[];
}
interface ScheduleSpec { kind: 'step' | 'exponential' | 'cosine' | 'warmup'; options: Record<string, unknown> }
interface ScheduleCase extends ScheduleSpec { name: string; baseLr: number; lrs: number[]; then?: ScheduleSpec }
interface ClipCase { name: string; maxNorm: number; grads: Grads; norm: number; clipped: Grads }

const oracle = JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8')) as {
  optimizers: OptimCase[];
  schedules: ScheduleCase[];
  clipping: ClipCase[];
};
const SHAPES = [[3, 4], [4]];

/** Relative 1e-12, or 1e-15 absolute for values near zero. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    const allowed = Math.max(1e-12 * Math.abs(expected[i]!), 1e-15);
    expect(error, `${what}[${i}]: ${actual[i]} vs oracle ${expected[i]}`).toBeLessThanOrEqual(allowed);
  }
}

function makeParams(values: readonly number[][], dtype: 'float32' | 'float64' = 'float64'): Tensor[] {
  return values.map((v, k) => new Tensor(dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v), SHAPES[k]!, true));
}

function setGrads(params: readonly Tensor[], grads: Grads): void {
  params.forEach((p, k) => {
    const g = grads[k]!;
    p.grad = g === null ? null : new Tensor(p.dtype === 'float64' ? Float64Array.from(g) : Float32Array.from(g), p.shape);
  });
}

function build(c: OptimCase, params: Tensor[]): Optimizer {
  return createOptimizer(c.optimizer, params, c.options as never);
}

function stepWith(optimizer: Optimizer, grads: Grads, schedule?: LRSchedule): void {
  setGrads(optimizer.params, grads);
  if (schedule !== undefined) applySchedule(optimizer, schedule);
  optimizer.step();
}

describe('optimizers against PyTorch trajectories', () => {
  it('covers every optimizer kind', () => {
    expect(new Set(oracle.optimizers.map((c) => c.optimizer))).toEqual(new Set(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad']));
  });

  for (const c of oracle.optimizers) {
    it(`${c.name}: parameters after each of ${c.steps.length} steps and the final moment buffers`, () => {
      const params = makeParams(c.initial);
      const optimizer = build(c, params);
      c.steps.forEach((step, t) => {
        stepWith(optimizer, step.grads);
        params.forEach((p, k) => expectClose(p.data, step.params[k]!, `step ${t + 1} param ${k}`));
      });
      const state = optimizer.getState();
      expect(state.steps).toBe(c.steps.length);
      c.state.forEach((expected, k) => {
        if (expected.step !== null) expect(state.params[k]!.step, `param ${k} update count`).toBe(expected.step);
        expect(Object.keys(state.params[k]!.buffers).sort()).toEqual(Object.keys(expected.buffers).sort());
        for (const [name, values] of Object.entries(expected.buffers)) expectClose(state.params[k]!.buffers[name]!, values, `param ${k} ${name}`);
      });
    });
  }

  it('plain SGD is exactly w + g·(−η), the article rule', () => {
    const c = oracle.optimizers.find((o) => o.name === 'sgd plain')!;
    const params = makeParams(c.initial);
    const optimizer = new SGD(params, c.options.lr as number);
    const before = params.map((p) => Array.from(p.data));
    stepWith(optimizer, c.steps[0]!.grads);
    params.forEach((p, k) => {
      const g = c.steps[0]!.grads[k]!;
      expect(Array.from(p.data)).toEqual(before[k]!.map((w, i) => w + g[i]! * -(c.options.lr as number)));
    });
  });

  it('"momentum" is SGD with momentum 0.9 unless told otherwise', () => {
    const c = oracle.optimizers.find((o) => o.name === 'sgd momentum')!;
    expect(c.options.momentum).toBe(0.9);
    const params = makeParams(c.initial);
    const optimizer = createOptimizer('momentum', params, { lr: c.options.lr as number });
    expect(optimizer.kind).toBe('sgd');
    for (const step of c.steps) stepWith(optimizer, step.grads);
    params.forEach((p, k) => expectClose(p.data, c.steps.at(-1)!.params[k]!, `param ${k}`));
    expect(createOptimizer('momentum', makeParams(c.initial), { lr: 0.1, momentum: 0.5 }).options.momentum).toBe(0.5);
  });

  it('uses the documented defaults', () => {
    const p = makeParams(oracle.optimizers[0]!.initial);
    expect(new SGD(p, 0.1).options).toEqual({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false });
    expect(new Adam(p).options).toEqual({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(new AdamW(p).options).toEqual({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false });
    expect(new RMSProp(p).options).toEqual({ lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 });
    expect(new Adagrad(p).options).toEqual({ lr: 0.01, lrDecay: 0, eps: 1e-10, weightDecay: 0, initialAccumulatorValue: 0 });
  });
});

describe('getState / setState', () => {
  // A schedule too, so the resumed run must also recover the step index it reads.
  const schedule = warmup({ steps: 2, schedule: cosineAnnealing({ tMax: 10, etaMin: 1e-4 }) });

  for (const c of oracle.optimizers) {
    it(`${c.name}: a run split by a JSON round trip of the state ends bit-identical`, () => {
      const whole = makeParams(c.initial);
      const uninterrupted = build(c, whole);
      for (const step of c.steps) stepWith(uninterrupted, step.grads, schedule);

      const first = makeParams(c.initial);
      const before = build(c, first);
      const split = 3;
      for (const step of c.steps.slice(0, split)) stepWith(before, step.grads, schedule);
      const saved = JSON.parse(JSON.stringify(before.getState())) as OptimizerState;
      // A fresh process: new parameter tensors holding the checkpointed values, an optimizer rebuilt from the state.
      const resumedParams = makeParams(first.map((p) => Array.from(p.data)));
      const resumed = createOptimizer(saved.kind, resumedParams, saved.options as never);
      resumed.setState(saved);
      for (const step of c.steps.slice(split)) stepWith(resumed, step.grads, schedule);

      resumedParams.forEach((p, k) => expect(Array.from(p.data)).toEqual(Array.from(whole[k]!.data)));
      expect(resumed.getState()).toEqual(uninterrupted.getState());
    });
  }

  it('round-trips float32 parameters exactly', () => {
    const c = oracle.optimizers.find((o) => o.name === 'adam amsgrad')!;
    const a = new Adam(makeParams(c.initial, 'float32'), c.options);
    for (const step of c.steps.slice(0, 2)) stepWith(a, step.grads);
    const b = new Adam(makeParams(c.initial, 'float32'), c.options);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    expect(b.getState()).toEqual(a.getState());
  });

  it('refuses a mismatched state with a named error and changes nothing', () => {
    const c = oracle.optimizers.find((o) => o.name === 'rmsprop centered momentum weight decay')!;
    const optimizer = build(c, makeParams(c.initial));
    stepWith(optimizer, c.steps[0]!.grads);
    const good = optimizer.getState();
    const cases: [unknown, string, string][] = [
      [null, 'type', 'state'],
      [{ ...good, kind: 'adam' }, 'state', 'state.kind'],
      [{ ...good, options: { ...good.options, alpha: 0.5 } }, 'state', 'state.options.alpha'],
      [{ ...good, options: { ...good.options, beta: 1 } }, 'state', 'state.options.beta'],
      [{ ...good, lr: -1 }, 'range', 'state.lr'],
      [{ ...good, steps: 1.5 }, 'range', 'state.steps'],
      [{ ...good, params: good.params.slice(1) }, 'shape', 'state.params'],
      [{ ...good, params: [good.params[0], { ...good.params[1], step: -1 }] }, 'range', 'state.params[1].step'],
      [{ ...good, params: [good.params[0], { step: 1, buffers: { squareAvg: [0, 0, 0, 0] } }] }, 'state', 'state.params[1].buffers'],
      [{ ...good, params: [{ ...good.params[0], buffers: { ...good.params[0]!.buffers, squareAvg: [1, 2] } }, good.params[1]] }, 'shape', 'state.params[0].buffers.squareAvg'],
      [{ ...good, params: [good.params[0], { ...good.params[1], buffers: { ...good.params[1]!.buffers, gradAvg: [0, null, 0, 0] } }] }, 'type', 'state.params[1].buffers.gradAvg[1]'],
    ];
    const fresh = build(c, makeParams(c.initial));
    const untouched = fresh.getState();
    for (const [state, code, argument] of cases) {
      const error = glassnetError(() => fresh.setState(state as OptimizerState));
      expect({ code: error.code, argument: error.argument }).toEqual({ code, argument });
      expect(fresh.getState()).toEqual(untouched);
    }
    fresh.setState(good);
    expect(fresh.getState()).toEqual(good);
  });
});

describe('option validation', () => {
  const p = () => makeParams(oracle.optimizers[0]!.initial);
  const cases: [string, () => unknown, string, string][] = [
    ['SGD lr shorthand', () => new SGD(p(), 0), 'range', 'lr'],
    ['SGD missing lr', () => new SGD(p(), {} as never), 'range', 'options.lr'],
    ['SGD NaN lr', () => new SGD(p(), { lr: NaN }), 'range', 'options.lr'],
    ['SGD negative momentum', () => new SGD(p(), { lr: 0.1, momentum: -0.1 }), 'range', 'options.momentum'],
    ['SGD dampening above 1', () => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 2 }), 'range', 'options.dampening'],
    ['SGD infinite weight decay', () => new SGD(p(), { lr: 0.1, weightDecay: Infinity }), 'range', 'options.weightDecay'],
    ['SGD nesterov without momentum', () => new SGD(p(), { lr: 0.1, nesterov: true }), 'range', 'options.nesterov'],
    ['SGD nesterov with dampening', () => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), 'range', 'options.nesterov'],
    ['SGD nesterov not boolean', () => new SGD(p(), { lr: 0.1, momentum: 0.9, nesterov: 1 as never }), 'type', 'options.nesterov'],
    ['SGD misspelt option', () => new SGD(p(), { lr: 0.1, momemtum: 0.9 } as never), 'unknown-name', 'options.momemtum'],
    ['SGD params not an array', () => new SGD(null as never, 0.1), 'type', 'params'],
    ['SGD params holding a non-tensor', () => new SGD([p()[0]!, [1, 2] as never], 0.1), 'type', 'params[1]'],
    ['Adam negative lr', () => new Adam(p(), { lr: -0.001 }), 'range', 'options.lr'],
    ['Adam beta2 of 1', () => new Adam(p(), { betas: [0.9, 1] }), 'range', 'options.betas[1]'],
    ['Adam betas not a pair', () => new Adam(p(), { betas: [0.9] as never }), 'type', 'options.betas'],
    ['Adam negative eps', () => new Adam(p(), { eps: -1e-8 }), 'range', 'options.eps'],
    ['AdamW amsgrad not boolean', () => new AdamW(p(), { amsgrad: 'yes' as never }), 'type', 'options.amsgrad'],
    ['AdamW options not an object', () => new AdamW(p(), 0.1 as never), 'type', 'options'],
    ['RMSProp alpha above 1', () => new RMSProp(p(), { alpha: 1.5 }), 'range', 'options.alpha'],
    ['RMSProp negative momentum', () => new RMSProp(p(), { momentum: -1 }), 'range', 'options.momentum'],
    ['Adagrad negative accumulator', () => new Adagrad(p(), { initialAccumulatorValue: -1 }), 'range', 'options.initialAccumulatorValue'],
    ['Adagrad negative lr decay', () => new Adagrad(p(), { lrDecay: -0.1 }), 'range', 'options.lrDecay'],
    ['unknown optimizer name', () => createOptimizer('adamax' as OptimizerName, p(), {}), 'unknown-name', 'name'],
  ];
  for (const [what, fn, code, argument] of cases) {
    it(`${what}: ${code} error naming ${argument}`, () => {
      const error = glassnetError(fn);
      expect({ code: error.code, argument: error.argument }).toEqual({ code, argument });
      expect(error.message.startsWith(`${argument}: expected `)).toBe(true);
    });
  }

  it('lists the valid names for an unknown optimizer', () => {
    const error = glassnetError(() => createOptimizer('adamax' as OptimizerName, []));
    for (const name of OPTIMIZERS) expect(error.expected).toContain(`"${name}"`);
    expect(error.found).toBe('"adamax"');
  });
});

describe('learning-rate schedules against torch.optim.lr_scheduler', () => {
  function make(spec: ScheduleSpec, then?: ScheduleSpec): LRSchedule {
    const o = spec.options as never;
    switch (spec.kind) {
      case 'step': return stepDecay(o);
      case 'exponential': return exponentialDecay(o);
      case 'cosine': return cosineAnnealing(o);
      case 'warmup': return warmup(then === undefined ? o : { ...spec.options as { steps: number }, schedule: make(then) });
    }
  }

  for (const c of oracle.schedules) {
    it(`${c.name}: the rate at each of ${c.lrs.length} steps`, () => {
      const schedule = make(c, c.then);
      expectClose(c.lrs.map((_, t) => schedule.lrAt(t, c.baseLr)), c.lrs, c.name);
    });
  }

  it('applySchedule sets the rate for the optimizer\'s next step from its base rate', () => {
    const optimizer = new SGD(makeParams(oracle.optimizers[0]!.initial), 0.5);
    const schedule = stepDecay({ stepSize: 2, gamma: 0.5 });
    const seen: number[] = [];
    for (let t = 0; t < 5; t++) {
      seen.push(applySchedule(optimizer, schedule));
      expect(optimizer.lr).toBe(seen[t]);
      optimizer.step();
    }
    expect(seen).toEqual([0.5, 0.5, 0.25, 0.25, 0.125]);
    expect(optimizer.baseLr).toBe(0.5);
  });

  const invalid: [string, () => unknown, string, string][] = [
    ['stepSize 0', () => stepDecay({ stepSize: 0 }), 'range', 'options.stepSize'],
    ['fractional stepSize', () => stepDecay({ stepSize: 2.5 }), 'range', 'options.stepSize'],
    ['gamma 0', () => exponentialDecay({ gamma: 0 }), 'range', 'options.gamma'],
    ['missing gamma', () => exponentialDecay({} as never), 'range', 'options.gamma'],
    ['tMax 0', () => cosineAnnealing({ tMax: 0 }), 'range', 'options.tMax'],
    ['negative etaMin', () => cosineAnnealing({ tMax: 5, etaMin: -1 }), 'range', 'options.etaMin'],
    ['warm-up of 0 steps', () => warmup({ steps: 0 }), 'range', 'options.steps'],
    ['warm-up handing over to a non-schedule', () => warmup({ steps: 2, schedule: {} as never }), 'type', 'options.schedule'],
    ['misspelt option', () => cosineAnnealing({ tmax: 5 } as never), 'unknown-name', 'options.tmax'],
    ['negative step', () => stepDecay({ stepSize: 2 }).lrAt(-1, 0.1), 'range', 'step'],
    ['zero base rate', () => exponentialDecay({ gamma: 0.9 }).lrAt(1, 0), 'range', 'baseLr'],
  ];
  for (const [what, fn, code, argument] of invalid) {
    it(`${what}: ${code} error naming ${argument}`, () => {
      const error = glassnetError(fn);
      expect({ code: error.code, argument: error.argument }).toEqual({ code, argument });
    });
  }
});

describe('clipGradNorm against torch.nn.utils.clip_grad_norm_', () => {
  for (const c of oracle.clipping) {
    it(`${c.name}: returns the norm before clipping and scales as torch does`, () => {
      const params = makeParams([new Array(12).fill(0), new Array(4).fill(0)]);
      setGrads(params, c.grads);
      const norm = clipGradNorm(params, c.maxNorm);
      expectClose([norm], [c.norm], 'norm');
      params.forEach((p, k) => {
        const expected = c.clipped[k]!;
        if (expected === null) expect(p.grad).toBeNull();
        else expectClose(p.grad!.data, expected, `gradient ${k}`);
      });
    });
  }

  it('leaves gradients alone when their norm is not finite', () => {
    const params = makeParams([new Array(12).fill(0), new Array(4).fill(0)]);
    setGrads(params, [new Array(12).fill(1), [Infinity, 0, 0, 0]]);
    expect(clipGradNorm(params, 1)).toBe(Infinity);
    expect(Array.from(params[0]!.grad!.data)).toEqual(new Array(12).fill(1));
  });

  it('refuses a max norm that is not a finite number > 0', () => {
    const params = makeParams([new Array(12).fill(0), new Array(4).fill(0)]);
    setGrads(params, [new Array(12).fill(1), [1, 1, 1, 1]]);
    for (const bad of [0, -1, NaN, Infinity]) {
      const error = glassnetError(() => clipGradNorm(params, bad));
      expect({ code: error.code, argument: error.argument }).toEqual({ code: 'range', argument: 'maxNorm' });
    }
    expect(Array.from(params[1]!.grad!.data)).toEqual([1, 1, 1, 1]);
  });
});
