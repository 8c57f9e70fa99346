/**
 * One record per activation: everything glassnet knows about it, in one
 * place. The js backend loops over `forward` and `derivative`; the wasm
 * backend fuses `epilogue` into a Dense product where one exists; the
 * training engines run the same scalar functions (the tiny step calls them,
 * the plan and the recorded ops call the backend); explain prints
 * `formula`; layers take `init` and `option` from here; model files and the
 * CLI list `ACTIVATIONS`. Adding an activation is adding a record here
 * (and its tests): `Record<ElementwiseName, …>` and `satisfies never` make
 * every reader that needs a case fail to compile until it has one.
 *
 * Level: this folder sits between `errors.ts`/`util/` (level 0) and
 * `backend/` (level 1). It imports only level 0, so the backends, which
 * must not import upward, can loop over these functions.
 */
import { FINITE, POSITIVE, type Interval } from '../util/checks.js';
import { erf } from './erf.js';
import type { Formula, OptionSymbol } from './formula.js';

/**
 * A numeric option of an activation (leakyRelu's negative slope, ELU's
 * alpha): its formula symbol, PyTorch's default and what values it takes.
 */
export interface ActivationOption {
  symbol: OptionSymbol;
  /** PyTorch's default. */
  default: number;
  /** The values it takes. */
  range: Interval;
  /** What the value means, appended to the range in an error message. */
  meaning: string;
}

/** The initialiser a Dense layer uses by default before this activation. */
export type DefaultInit = 'he' | 'xavier';

/** An elementwise activation OUT = f(NET). `a` is its option's value (0 when it has none). */
export interface Elementwise {
  /** f(x): the scalar kernel every engine applies. */
  forward(x: number, a: number): number;
  /** f'(x), from the input x and the output y = f(x) (sigmoid and tanh need only y). */
  derivative(x: number, y: number, a: number): number;
  /**
   * The wasm backend's fused Dense epilogue for it (see
   * `backend/wasm/kernels.ts`), or null: the product is copied out and
   * `forward` runs in JavaScript.
   */
  epilogue: 'relu' | 'leakyRelu' | null;
  /** He for the relu family (it halves the variance), Xavier for the rest. */
  init: DefaultInit;
  option: ActivationOption | null;
  /** The formulas explain prints: OUT in terms of NET, and ∂OUT/∂NET in terms of NET and OUT. */
  formula: {
    out<E>(f: Formula<E>, net: E, a: E): E;
    derivative<E>(f: Formula<E>, net: E, out: E, a: E): E;
  };
}


/** √(2/π), the tanh-approximate GELU's scale. */
const SQRT_2_OVER_PI = 0.7978845608028654;
/** The tanh-approximate GELU's cubic coefficient. */
const GELU_KAPPA = 0.044715;
/** 1/√2. */
const SQRT_HALF = 0.7071067811865476;
/** 1/√(2π), the standard normal density's factor. */
const INV_SQRT_2PI = 0.3989422804014327;

/** The logistic function, taking e^v only of v ≤ 0 so that it never overflows. */
export function logistic(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** Every elementwise activation. */
export const ELEMENTWISE = {
  sigmoid: {
    forward: (x) => logistic(x),
    derivative: (_x, y) => y * (1 - y),
    epilogue: null,
    init: 'xavier',
    option: null,
    formula: {
      out: (f, net) => f.div(f.c(1), f.add(f.c(1), f.exp(f.neg(net)))),
      derivative: (f, _net, out) => f.mul(out, f.sub(f.c(1), out)),
    },
  },
  tanh: {
    forward: (x) => Math.tanh(x),
    derivative: (_x, y) => 1 - y * y,
    epilogue: null,
    init: 'xavier',
    option: null,
    formula: {
      out: (f, net) => f.fn('tanh', net),
      derivative: (f, _net, out) => f.sub(f.c(1), f.square(out)),
    },
  },
  // NOTE: the derivative at exactly 0 is taken as 0 (relu) and alpha (leakyRelu), as PyTorch does.
  relu: {
    forward: (x) => (x > 0 ? x : 0),
    derivative: (x) => (x > 0 ? 1 : 0),
    epilogue: 'relu',
    init: 'he',
    option: null,
    formula: {
      out: (f, net) => f.fn('max', f.c(0), net),
      derivative: (f, net) => f.ifPositive(net, f.c(1), f.c(0)),
    },
  },
  leakyRelu: {
    forward: (x, a) => (x > 0 ? x : a * x),
    derivative: (x, _y, a) => (x > 0 ? 1 : a),
    epilogue: 'leakyRelu',
    init: 'he',
    option: { symbol: 'alpha', default: 0.01, range: FINITE, meaning: 'the slope for NET ≤ 0' },
    formula: {
      out: (f, net, a) => f.ifPositive(net, net, f.mul(a, net)),
      derivative: (f, net, _out, a) => f.ifPositive(net, f.c(1), a),
    },
  },
  // expm1 keeps the digits of α(eˣ − 1) near 0, where eˣ − 1 would cancel.
  elu: {
    forward: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
    derivative: (x, _y, a) => (x > 0 ? 1 : a * Math.exp(x)),
    epilogue: null,
    init: 'he',
    option: { symbol: 'alpha', default: 1, range: POSITIVE, meaning: 'the value NET → −∞ approaches, negated' },
    formula: {
      out: (f, net, a) => f.ifPositive(net, net, f.mul(a, f.sub(f.exp(net), f.c(1)))),
      derivative: (f, net, _out, a) => f.ifPositive(net, f.c(1), f.mul(a, f.exp(net))),
    },
  },
  // GELU, exact: x·Φ(x) with Φ the standard normal CDF, written as PyTorch computes it.
  gelu: {
    forward: (x) => x * 0.5 * (1 + erf(x * SQRT_HALF)),
    derivative: (x) => 0.5 * (1 + erf(x * SQRT_HALF)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI,
    epilogue: null,
    init: 'he',
    option: null,
    formula: {
      out: (f, net) => f.mul(f.div(f.c(1), f.c(2)), net, f.add(f.c(1), f.fn('erf', f.div(net, f.fn('sqrt', f.c(2)))))),
      derivative: (f, net) => f.add(
        f.mul(f.div(f.c(1), f.c(2)), f.add(f.c(1), f.fn('erf', f.div(net, f.fn('sqrt', f.c(2)))))),
        f.div(f.mul(net, f.exp(f.neg(f.div(f.square(net), f.c(2))))), f.fn('sqrt', f.mul(f.c(2), f.pi()))),
      ),
    },
  },
  // GELU, tanh approximation (PyTorch's approximate='tanh').
  geluTanh: {
    forward: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_KAPPA * x * x * x))),
    derivative: (x) => {
      const inner = Math.tanh(SQRT_2_OVER_PI * (x + GELU_KAPPA * x * x * x));
      return 0.5 * (1 + inner) + 0.5 * x * (1 - inner * inner) * SQRT_2_OVER_PI * (1 + 3 * GELU_KAPPA * x * x);
    },
    epilogue: null,
    init: 'he',
    option: null,
    formula: {
      out: (f, net) => f.mul(f.div(f.c(1), f.c(2)), net, f.add(f.c(1), f.fn('tanh', geluTanhInner(f, net)))),
      derivative: (f, net) => f.add(
        f.mul(f.div(f.c(1), f.c(2)), f.add(f.c(1), f.fn('tanh', geluTanhInner(f, net)))),
        f.mul(
          f.div(f.c(1), f.c(2)), net, f.sub(f.c(1), f.square(f.fn('tanh', geluTanhInner(f, net)))),
          f.fn('sqrt', f.div(f.c(2), f.pi())), f.add(f.c(1), f.mul(f.c(3 * GELU_KAPPA), f.square(net))),
        ),
      ),
    },
  },
  // SiLU (swish): x·σ(x).
  silu: {
    forward: (x) => x * logistic(x),
    derivative: (x) => {
      const s = logistic(x);
      return s * (1 + x * (1 - s));
    },
    epilogue: null,
    init: 'he',
    option: null,
    formula: {
      out: (f, net) => f.mul(net, f.fn('sigmoid', net)),
      derivative: (f, net) => f.mul(f.fn('sigmoid', net), f.add(f.c(1), f.mul(net, f.sub(f.c(1), f.fn('sigmoid', net))))),
    },
  },
  // ln(1 + eˣ) as max(x, 0) + ln(1 + e^−|x|): no overflow, and no digits lost for large |x|.
  softplus: {
    forward: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    derivative: (x) => logistic(x),
    epilogue: null,
    init: 'he',
    option: null,
    formula: {
      out: (f, net) => f.ln(f.add(f.c(1), f.exp(net))),
      derivative: (f, net) => f.fn('sigmoid', net),
    },
  },
} as const satisfies Record<string, Elementwise>;

function geluTanhInner<E>(f: Formula<E>, net: E): E {
  return f.mul(f.fn('sqrt', f.div(f.c(2), f.pi())), f.add(net, f.mul(f.c(GELU_KAPPA), net, f.square(net))));
}

/** The names of the elementwise activations (the backend's `UnaryKind`). */
export type ElementwiseName = keyof typeof ELEMENTWISE;

/**
 * Every activation a layer can apply: the elementwise ones, plus `linear`
 * (OUT = NET: no operation at all) and `softmax` (a row operation, not
 * elementwise), which the code handles as the two cases they are.
 */
export type ActivationName = ElementwiseName | 'linear' | 'softmax';

/** Every activation name, in the order help texts list them. */
export const ACTIVATIONS = [...(Object.keys(ELEMENTWISE) as ElementwiseName[]), 'linear', 'softmax'] as const satisfies readonly ActivationName[];

/** Whether `name` is elementwise (has a record in {@link ELEMENTWISE}). */
export function isElementwise(name: ActivationName): name is ElementwiseName {
  return name !== 'linear' && name !== 'softmax';
}

/** The activation's option, or null when it takes none (linear and softmax take none). */
export function activationOption(name: ActivationName): ActivationOption | null {
  return isElementwise(name) ? ELEMENTWISE[name].option : null;
}

/** The initialiser a Dense layer defaults to before `name`. */
export function defaultInit(name: ActivationName): DefaultInit {
  return isElementwise(name) ? ELEMENTWISE[name].init : 'xavier';
}
