/**
 * Turns a recorded training step into the ordered derivation a reader
 * follows: forward pass, error, backward pass, update. Every value is one
 * the trace recorded (a product is shown as its factors, but its value is
 * the one autograd produced); this module only arranges them, names them
 * and writes their formulas.
 */
import { ARTICLE, ARTICLE_PRINTED } from '../data/article.js';
import { GlassnetError, describe } from '../errors.js';
import type { Sequential } from '../nn/model.js';
import type { NestedNumbers, Tensor } from '../tensor/tensor.js';
import { allNames, namesFor, type Names, type UserNames } from './naming.js';
import { recordStep, type LayerRecord, type RecordOptions, type StepRecord } from './trace.js';

/** A named quantity. `sample` is the 1-based sample of a batch, null for a single sample. */
export type Sym =
  | { kind: 'net' | 'out' | 'target' | 'prob'; unit: string; sample: number | null }
  | { kind: 'error'; unit: string | null; sample: number | null }
  | { kind: 'input'; name: string; sample: number | null }
  | { kind: 'param'; name: string; updated: boolean }
  | { kind: 'total' }
  | { kind: 'lr' }
  | { kind: 'alpha' }
  | { kind: 'partial'; of: Sym; wrt: Sym };

/** A formula, kept as a tree so each renderer can print it its own way (text, LaTeX). */
export type Expr =
  | { kind: 'sym'; sym: Sym }
  | { kind: 'num'; value: number }
  /** An exact constant of the formula itself (the 1 in 1 − OUT), printed as written. */
  | { kind: 'const'; value: number }
  | { kind: 'sum'; terms: Expr[] }
  | { kind: 'diff'; left: Expr; right: Expr }
  | { kind: 'prod'; factors: Expr[] }
  | { kind: 'frac'; num: Expr; den: Expr }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'square'; arg: Expr }
  | { kind: 'exp'; arg: Expr }
  | { kind: 'ln'; arg: Expr }
  | { kind: 'fn'; name: 'tanh' | 'max'; args: Expr[] }
  | { kind: 'ifPositive'; test: Expr; then: Expr; otherwise: Expr };

/** One factor of a chain-rule product: its name in the chain, what it equals, and its recorded value. */
export interface Factor {
  sym: Sym;
  /** What the factor is in this network (e.g. ∂NET(o1)/∂w6 is OUT(h2)), when that differs from `sym`. */
  equals?: Expr;
  value: number;
}

export type Section = 'forward' | 'error' | 'backward' | 'update';

/** A printed article value held beside the computed one. */
export interface ArticleValue {
  printed: string;
  /** Whether the computed value, rounded to the printed decimals, is the printed one. */
  agrees: boolean;
  /** Index in `Explanation.notes` of the note that explains a disagreement. */
  note?: number;
}

/** One line of the derivation: quantity = formula(s) = formula with numbers = value. */
export interface Step {
  /** Stable key, e.g. `neurons.h1.net`, `dE_dout.o1`, `gradients.w6`, `updated.w6` (`[s]` appended per sample of a batch). */
  id: string;
  section: Section;
  quantity: Sym;
  /** Symbolic forms, from the general to the specific (e.g. ∂NET(o1)/∂w6, then OUT(h2)). */
  formulas: Expr[];
  withNumbers: Expr;
  /** The recorded value. */
  value: number;
  /** For chain-rule steps: the value is the sum over terms of the product of their factors, left to right. */
  terms?: Factor[][];
  /** Units and parameters this step is about (used by `only`). */
  about: string[];
  article?: ArticleValue;
}

/** How much an explanation shows. */
export type Detail = 'full' | 'selected' | 'summary';

/**
 * Past these sizes an explanation shows a summary instead of every step,
 * unless `only` picks quantities (parameters) — see docs/explain.md.
 */
export const DETAIL_LIMITS = { parameters: 200, samples: 8 } as const;

/** Per-layer overview, available at any size. */
export interface LayerSummary {
  name: string;
  units: number;
  activation: string;
  /** ‖W‖ before the update. */
  weightNorm: number;
  /** ‖∂E/∂W‖. */
  weightGradNorm: number;
  /** ‖∂E/∂b‖, null when the bias is absent or fixed. */
  biasGradNorm: number | null;
}

export interface Summary {
  loss: number;
  layers: LayerSummary[];
}

/** A value per sample: a number for one sample, an array for a batch. */
export type PerSample = number | number[];

/** The step's numbers by name, as the JSON renderer prints them. */
export interface Tables {
  inputs: Record<string, PerSample>;
  targets: Record<string, PerSample>;
  neurons: Record<string, { net: PerSample; out: PerSample }>;
  /** softmax(NET) of the outputs, when the loss applies it. */
  probabilities: Record<string, PerSample>;
  /** Per output (elementwise losses) or `samples` (softmaxCrossEntropy), and `total`. */
  errors: Record<string, PerSample>;
  dE_dout: Record<string, PerSample>;
  dout_dnet: Record<string, PerSample>;
  dE_dnet: Record<string, PerSample>;
  /** Every weight and bias before the update. */
  parameters: Record<string, number>;
  /** ∂E/∂p of every trainable parameter (fixed biases have none). */
  gradients: Record<string, number>;
  /** Trainable parameters after the update. */
  updated: Record<string, number>;
}

/** A training step, explained. */
export interface Explanation {
  /** Which step of a run this is (1-based). */
  iteration: number;
  /** Layer sizes, inputs first. */
  sizes: number[];
  names: Names;
  record: StepRecord;
  parameterCount: number;
  detail: Detail;
  only: string[] | null;
  /** The derivation, in reading order (only the selected steps when `only` is given; none in summary detail). */
  steps: Step[];
  tables: Tables;
  summary: Summary;
  notes: string[];
}

/** Options of {@link explainStep}. */
export interface ExplainOptions extends RecordOptions {
  /** Renames, default name → new name (e.g. `{ o1: "cat" }`). */
  names?: UserNames;
  /** Show only the steps about these units or parameters (and the chain-rule factors their gradients use). */
  only?: readonly string[];
  /** Step number to report (default 1). */
  iteration?: number;
}

/**
 * Runs ONE real SGD training step of `model` (it IS updated, as by
 * `trainStep`) and explains it: every neuron's NET and OUT, the errors,
 * every chain-rule factor and gradient, and the update, all read from the
 * library's own forward and backward pass.
 * @throws GlassnetError for bad arguments, before the model changes.
 */
export function explainStep(model: Sequential, x: NestedNumbers | Tensor, t: NestedNumbers | Tensor, options: ExplainOptions = {}): Explanation {
  const names = namesFor(model, options.names);
  const only = options.only === undefined ? null : checkOnly(names, options.only);
  const iteration = options.iteration ?? 1;
  if (!Number.isInteger(iteration) || iteration < 1) {
    throw new GlassnetError({ code: 'range', argument: 'options.iteration', expected: 'a positive integer', found: describe(iteration) });
  }
  const record = recordStep(model, x, t, options);
  const parameterCount = model.parameters().reduce((n, p) => n + p.size, 0);
  const tooBig = parameterCount > DETAIL_LIMITS.parameters;
  const detail: Detail = record.samples > DETAIL_LIMITS.samples || (tooBig && only === null) ? 'summary' : only === null ? 'full' : 'selected';

  const all = deriveSteps(record, names);
  const notes = generalNotes(record, names);
  if (isArticleStep(record, names, options.names ?? {})) notes.push(...compareWithArticle(all, notes.length));
  if (detail === 'summary') notes.push(refusal(parameterCount, record.samples));
  const inTables = tooBig ? new Set(only ?? []) : null;
  return {
    iteration,
    sizes: [record.inputs[0]!.length, ...record.layers.map((l) => l.out[0]!.length)],
    names,
    record,
    parameterCount,
    detail,
    only,
    steps: detail === 'summary' ? [] : only === null ? all : select(all, names, only),
    tables: tables(record, names, inTables),
    summary: summarize(record),
    notes,
  };
}

function checkOnly(names: Names, only: readonly string[]): string[] {
  const selectable = new Set(allNames(names).filter((n) => !names.inputs.includes(n)));
  for (const name of only) {
    if (!selectable.has(name)) {
      throw new GlassnetError({ code: 'unknown-name', argument: 'only', expected: 'names of units or parameters of this network (e.g. h1, o1, w6)', found: describe(name) });
    }
  }
  if (only.length === 0) throw new GlassnetError({ code: 'empty', argument: 'only', expected: 'at least one name', found: 'an empty list' });
  return [...only];
}

// ----------------------------------------------------------------- expressions

const sym = (s: Sym): Expr => ({ kind: 'sym', sym: s });
const num = (value: number): Expr => ({ kind: 'num', value });
const int = (value: number): Expr => ({ kind: 'const', value });
const sum = (...terms: Expr[]): Expr => (terms.length === 1 ? terms[0]! : { kind: 'sum', terms });
const prod = (...factors: Expr[]): Expr => (factors.length === 1 ? factors[0]! : { kind: 'prod', factors });
const diff = (left: Expr, right: Expr): Expr => ({ kind: 'diff', left, right });
const frac = (n: Expr, d: Expr): Expr => ({ kind: 'frac', num: n, den: d });
const partial = (of: Sym, wrt: Sym): Sym => ({ kind: 'partial', of, wrt });
const TOTAL: Sym = { kind: 'total' };

/** A leaf of a formula: the symbolic form prints the name, the numeric form the recorded value. */
type Leaf = (s: Sym, value: number) => Expr;
const symbolic: Leaf = (s) => sym(s);
const numeric: Leaf = (_, value) => num(value);

/** 1/n as written, for the averaging factors of the losses (n is a count, so exact). */
function reciprocal(factor: number): Expr {
  return factor === 1 ? int(1) : frac(int(1), int(Math.round(1 / factor)));
}

function withFactor(factor: number, e: Expr): Expr {
  return factor === 1 ? e : prod(reciprocal(factor), e);
}

// ----------------------------------------------------------------- steps

interface Context {
  record: StepRecord;
  names: Names;
  /** Sample tag for symbols and ids: null for a single sample. */
  tag: (s: number) => number | null;
}

/** Every step of the derivation in reading order. */
export function deriveSteps(record: StepRecord, names: Names): Step[] {
  const ctx: Context = { record, names, tag: (s) => (record.samples === 1 ? null : s + 1) };
  const steps: Step[] = [];
  record.layers.forEach((layer, k) => steps.push(...forwardSteps(ctx, layer, k)));
  steps.push(...errorSteps(ctx));
  for (let k = record.layers.length - 1; k >= 0; k--) steps.push(...backwardSteps(ctx, record.layers[k]!, k));
  record.layers.forEach((layer, k) => steps.push(...updateSteps(ctx, layer, k)));
  return steps;
}

function id(base: string, sample: number | null): string {
  return sample === null ? base : `${base}[${sample}]`;
}

function make(stepId: string, section: Section, quantity: Sym, build: (leaf: Leaf) => Expr, value: number, about: string[]): Step {
  return { id: stepId, section, quantity, formulas: [build(symbolic)], withNumbers: build(numeric), value, about };
}

/** A step whose value is Σ over terms of Π of factors: the chain rule's shape. */
function chain(stepId: string, section: Section, quantity: Sym, terms: Factor[][], value: number, about: string[]): Step {
  const general = sum(...terms.map((factors) => prod(...factors.map((f) => sym(f.sym)))));
  const specific = sum(...terms.map((factors) => prod(...factors.map((f) => f.equals ?? sym(f.sym)))));
  const formulas = terms.some((factors) => factors.some((f) => f.equals !== undefined)) ? [general, specific] : [general];
  const withNumbers = sum(...terms.map((factors) => prod(...factors.map((f) => num(f.value)))));
  return { id: stepId, section, quantity, formulas, withNumbers, value, terms, about };
}

/** The symbol and value of input i of layer k for sample s: a network input or the previous layer's OUT. */
function layerInput(ctx: Context, k: number, i: number, s: number): [Sym, number] {
  const sample = ctx.tag(s);
  const value = ctx.record.layers[k]!.input[s]![i]!;
  return k === 0
    ? [{ kind: 'input', name: ctx.names.inputs[i]!, sample }, value]
    : [{ kind: 'out', unit: ctx.names.units[k - 1]![i]!, sample }, value];
}

function biasName(ctx: Context, k: number, j: number): string | null {
  const biases = ctx.names.biases[k];
  return biases === null || biases === undefined ? null : biases[biases.length === 1 ? 0 : j]!;
}

function forwardSteps(ctx: Context, layer: LayerRecord, k: number): Step[] {
  const steps: Step[] = [];
  const units = ctx.names.units[k]!;
  for (let s = 0; s < ctx.record.samples; s++) {
    const sample = ctx.tag(s);
    const netOf = (j: number): Sym => ({ kind: 'net', unit: units[j]!, sample });
    units.forEach((u, j) => {
      const bias = biasName(ctx, k, j);
      const build = (leaf: Leaf): Expr => sum(
        ...layer.weight[j]!.map((w, i) => {
          const [inputSym, inputValue] = layerInput(ctx, k, i, s);
          return prod(leaf({ kind: 'param', name: ctx.names.weights[k]![j]![i]!, updated: false }, w), leaf(inputSym, inputValue));
        }),
        ...(bias === null ? [] : [leaf({ kind: 'param', name: bias, updated: false }, layer.bias!.values[layer.bias!.shared ? 0 : j]!)]),
      );
      steps.push(make(id(`neurons.${u}.net`, sample), 'forward', netOf(j), build, layer.net[s]![j]!, [u]));
    });
    units.forEach((u, j) => {
      const activation = (leaf: Leaf): Expr => {
        const net = (i: number): Expr => leaf(netOf(i), layer.net[s]![i]!);
        switch (layer.activation) {
          case 'sigmoid':
            return frac(int(1), sum(int(1), { kind: 'exp', arg: { kind: 'neg', arg: net(j) } }));
          case 'tanh':
            return { kind: 'fn', name: 'tanh', args: [net(j)] };
          case 'relu':
            return { kind: 'fn', name: 'max', args: [int(0), net(j)] };
          case 'leakyRelu':
            return { kind: 'ifPositive', test: net(j), then: net(j), otherwise: prod(sym({ kind: 'alpha' }), net(j)) };
          case 'linear':
            return net(j);
          case 'softmax':
            return frac({ kind: 'exp', arg: net(j) }, sum(...units.map((_, i) => ({ kind: 'exp', arg: net(i) }) as Expr)));
          default:
            return layer.activation satisfies never;
        }
      };
      steps.push(make(id(`neurons.${u}.out`, sample), 'forward', { kind: 'out', unit: u, sample }, activation, layer.out[s]![j]!, [u]));
    });
  }
  return steps;
}

function errorSteps(ctx: Context): Step[] {
  const { record, names } = ctx;
  const last = record.layers[record.layers.length - 1]!;
  const outputs = names.units[names.units.length - 1]!;
  const steps: Step[] = [];
  const errorSyms: [Sym, number][] = [];
  for (let s = 0; s < record.samples; s++) {
    const sample = ctx.tag(s);
    const out = (leaf: Leaf, j: number): Expr => leaf({ kind: 'out', unit: outputs[j]!, sample }, last.out[s]![j]!);
    const target = (leaf: Leaf, j: number): Expr => leaf({ kind: 'target', unit: outputs[j]!, sample }, record.targets[s]![j]!);
    const lossName = record.loss.name;
    if (lossName === 'softmaxCrossEntropy') {
      const p = (leaf: Leaf, j: number): Expr => leaf({ kind: 'prob', unit: outputs[j]!, sample }, record.loss.softmax![s]![j]!);
      outputs.forEach((o, j) => {
        const net = (leaf: Leaf, i: number): Expr => leaf({ kind: 'net', unit: outputs[i]!, sample }, last.net[s]![i]!);
        const build = (leaf: Leaf): Expr => frac({ kind: 'exp', arg: net(leaf, j) }, sum(...outputs.map((_, i) => ({ kind: 'exp', arg: net(leaf, i) }) as Expr)));
        steps.push(make(id(`probabilities.${o}`, sample), 'error', { kind: 'prob', unit: o, sample }, build, record.loss.softmax![s]![j]!, [o]));
      });
      const e: Sym = { kind: 'error', unit: null, sample };
      const build = (leaf: Leaf): Expr => ({ kind: 'neg', arg: sum(...outputs.map((_, j) => prod(target(leaf, j), { kind: 'ln', arg: p(leaf, j) }))) });
      steps.push(make(id('errors.samples', sample), 'error', e, build, record.loss.terms[s]![0]!, [...outputs]));
      errorSyms.push([e, record.loss.terms[s]![0]!]);
      continue;
    }
    outputs.forEach((o, j) => {
      const build = (leaf: Leaf): Expr => {
        const d = diff(target(leaf, j), out(leaf, j));
        switch (lossName) {
          case 'squaredError':
            return prod(frac(int(1), int(2)), { kind: 'square', arg: d });
          case 'mse':
            return { kind: 'square', arg: d };
          case 'binaryCrossEntropy':
            return { kind: 'neg', arg: sum(prod(target(leaf, j), { kind: 'ln', arg: out(leaf, j) }), prod(diff(int(1), target(leaf, j)), { kind: 'ln', arg: diff(int(1), out(leaf, j)) })) };
          default:
            return lossName satisfies never;
        }
      };
      const e: Sym = { kind: 'error', unit: o, sample };
      steps.push(make(id(`errors.${o}`, sample), 'error', e, build, record.loss.terms[s]![j]!, [o]));
      errorSyms.push([e, record.loss.terms[s]![j]!]);
    });
  }
  const total = (leaf: Leaf): Expr => withFactor(record.loss.factor, sum(...errorSyms.map(([e, v]) => leaf(e, v))));
  steps.push(make('errors.total', 'error', TOTAL, total, record.loss.total, []));
  return steps;
}

function backwardSteps(ctx: Context, layer: LayerRecord, k: number): Step[] {
  const { record, names } = ctx;
  const units = names.units[k]!;
  const isLast = k === record.layers.length - 1;
  const steps: Step[] = [];
  for (let s = 0; s < record.samples; s++) {
    const sample = ctx.tag(s);
    units.forEach((u, j) => {
      const outSym: Sym = { kind: 'out', unit: u, sample };
      const netSym: Sym = { kind: 'net', unit: u, sample };
      const dEdOut = partial(TOTAL, outSym);
      const dOutdNet = partial(outSym, netSym);
      const dEdNet = partial(TOTAL, netSym);
      if (isLast) {
        steps.push(make(id(`dE_dout.${u}`, sample), 'backward', dEdOut, (leaf) => lossGradient(ctx, leaf, j, s), layer.dEdOut[s]![j]!, [u]));
      } else {
        const next = record.layers[k + 1]!;
        const terms = names.units[k + 1]!.map((v, p): Factor[] => [
          { sym: partial(TOTAL, { kind: 'net', unit: v, sample }), value: next.dEdNet[s]![p]! },
          { sym: partial({ kind: 'net', unit: v, sample }, outSym), equals: sym({ kind: 'param', name: names.weights[k + 1]![p]![j]!, updated: false }), value: next.weight[p]![j]! },
        ]);
        steps.push(chain(id(`dE_dout.${u}`, sample), 'backward', dEdOut, terms, layer.dEdOut[s]![j]!, [u]));
      }
      if (layer.dOutdNet === null) {
        // Softmax mixes its units: ∂E/∂NET(u) = OUT(u)·(∂E/∂OUT(u) − Σ_v ∂E/∂OUT(v)·OUT(v)).
        const build = (leaf: Leaf): Expr => prod(
          leaf(outSym, layer.out[s]![j]!),
          diff(leaf(dEdOut, layer.dEdOut[s]![j]!), sum(...units.map((v, i) => prod(
            leaf(partial(TOTAL, { kind: 'out', unit: v, sample }), layer.dEdOut[s]![i]!), leaf({ kind: 'out', unit: v, sample }, layer.out[s]![i]!),
          )))),
        );
        steps.push(make(id(`dE_dnet.${u}`, sample), 'backward', dEdNet, build, layer.dEdNet[s]![j]!, [u]));
        return;
      }
      steps.push(make(id(`dout_dnet.${u}`, sample), 'backward', dOutdNet, (leaf) => activationDerivative(layer, leaf, outSym, netSym, j, s), layer.dOutdNet[s]![j]!, [u]));
      steps.push(chain(id(`dE_dnet.${u}`, sample), 'backward', dEdNet, [[
        { sym: dEdOut, value: layer.dEdOut[s]![j]! }, { sym: dOutdNet, value: layer.dOutdNet[s]![j]! },
      ]], layer.dEdNet[s]![j]!, [u]));
    });
  }
  units.forEach((u, j) => {
    layer.weight[j]!.forEach((_, i) => {
      const w = names.weights[k]![j]!;
      const terms = range(record.samples).map((s) => {
        const [inputSym, inputValue] = layerInput(ctx, k, i, s);
        return [...unitFactors(ctx, layer, u, j, s), { sym: partial({ kind: 'net', unit: u, sample: ctx.tag(s) }, { kind: 'param', name: w[i]!, updated: false }), equals: sym(inputSym), value: inputValue }];
      });
      steps.push(chain(`gradients.${w[i]}`, 'backward', partial(TOTAL, { kind: 'param', name: w[i]!, updated: false }), terms, layer.weightGrad[j]![i]!, [w[i]!]));
    });
  });
  steps.push(...biasGradientSteps(ctx, layer, k));
  return steps;
}

/** ∂E/∂OUT(u)·∂OUT(u)/∂NET(u), or ∂E/∂NET(u) alone for softmax (whose ∂OUT/∂NET is a matrix). */
function unitFactors(ctx: Context, layer: LayerRecord, u: string, j: number, s: number): Factor[] {
  const sample = ctx.tag(s);
  const outSym: Sym = { kind: 'out', unit: u, sample };
  const netSym: Sym = { kind: 'net', unit: u, sample };
  if (layer.dOutdNet === null) return [{ sym: partial(TOTAL, netSym), value: layer.dEdNet[s]![j]! }];
  return [{ sym: partial(TOTAL, outSym), value: layer.dEdOut[s]![j]! }, { sym: partial(outSym, netSym), value: layer.dOutdNet[s]![j]! }];
}

function biasGradientSteps(ctx: Context, layer: LayerRecord, k: number): Step[] {
  if (layer.bias === null || !layer.bias.trainable) return [];
  const units = ctx.names.units[k]!;
  const biasNames = ctx.names.biases[k]!;
  return biasNames.map((b, index) => {
    // A shared bias feeds every unit, so its gradient sums over units as well as samples (in autograd's order).
    const fed = layer.bias!.shared ? range(units.length) : [index];
    const terms = range(ctx.record.samples).flatMap((s) => fed.map((j) => [
      ...unitFactors(ctx, layer, units[j]!, j, s),
      { sym: partial({ kind: 'net', unit: units[j]!, sample: ctx.tag(s) }, { kind: 'param', name: b, updated: false }), equals: int(1), value: 1 },
    ]));
    return chain(`gradients.${b}`, 'backward', partial(TOTAL, { kind: 'param', name: b, updated: false }), terms, layer.biasGrad![index]!, [b]);
  });
}

function lossGradient(ctx: Context, leaf: Leaf, j: number, s: number): Expr {
  const { record, names } = ctx;
  const sample = ctx.tag(s);
  const unit = names.units[names.units.length - 1]![j]!;
  const last = record.layers[record.layers.length - 1]!;
  const out = leaf({ kind: 'out', unit, sample }, last.out[s]![j]!);
  const target = leaf({ kind: 'target', unit, sample }, record.targets[s]![j]!);
  const factor = record.loss.factor;
  switch (record.loss.name) {
    case 'squaredError':
      return withFactor(factor, { kind: 'neg', arg: diff(target, out) });
    case 'mse':
      return prod(frac(int(2), int(Math.round(1 / factor))), diff(out, target));
    case 'binaryCrossEntropy':
      return withFactor(factor, frac(diff(out, target), prod(out, diff(int(1), out))));
    case 'softmaxCrossEntropy':
      return withFactor(factor, diff(leaf({ kind: 'prob', unit, sample }, record.loss.softmax![s]![j]!), target));
    default:
      return record.loss.name satisfies never;
  }
}

function activationDerivative(layer: LayerRecord, leaf: Leaf, outSym: Sym, netSym: Sym, j: number, s: number): Expr {
  const out = leaf(outSym, layer.out[s]![j]!);
  const net = leaf(netSym, layer.net[s]![j]!);
  switch (layer.activation) {
    case 'sigmoid':
      return prod(out, diff(int(1), out));
    case 'tanh':
      return diff(int(1), { kind: 'square', arg: out });
    case 'relu':
      return { kind: 'ifPositive', test: net, then: int(1), otherwise: int(0) };
    case 'leakyRelu':
      return { kind: 'ifPositive', test: net, then: int(1), otherwise: sym({ kind: 'alpha' }) };
    case 'linear':
      return int(1);
    case 'softmax':
      throw new Error('unreachable: softmax has no elementwise derivative');
    default:
      return layer.activation satisfies never;
  }
}

function updateSteps(ctx: Context, layer: LayerRecord, k: number): Step[] {
  const { record, names } = ctx;
  const update = (name: string, before: number, grad: number, after: number): Step => {
    const param = (updated: boolean): Sym => ({ kind: 'param', name, updated });
    const build = (leaf: Leaf): Expr => diff(leaf(param(false), before), prod(leaf({ kind: 'lr' }, record.lr), leaf(partial(TOTAL, param(false)), grad)));
    return make(`updated.${name}`, 'update', param(true), build, after, [name]);
  };
  const steps = names.weights[k]!.flatMap((row, j) => row.map((w, i) => update(w, layer.weight[j]![i]!, layer.weightGrad[j]![i]!, layer.weightAfter[j]![i]!)));
  if (layer.bias !== null && layer.bias.trainable) {
    names.biases[k]!.forEach((b, i) => steps.push(update(b, layer.bias!.values[i]!, layer.biasGrad![i]!, layer.biasAfter![i]!)));
  }
  return steps;
}

// ----------------------------------------------------------------- selection, tables, notes

/**
 * The steps about the selected names, plus, for a selected parameter, the
 * chain-rule steps of the unit it feeds, and the total error for context.
 */
function select(steps: Step[], names: Names, only: readonly string[]): Step[] {
  const chosen = new Set(only);
  const chainUnits = new Set<string>();
  names.units.forEach((units, k) => units.forEach((u, j) => {
    const params = [...names.weights[k]![j]!, ...(names.biases[k] ?? [])];
    if (params.some((p) => chosen.has(p))) chainUnits.add(u);
  }));
  return steps.filter((step) => step.id === 'errors.total'
    || step.about.some((name) => chosen.has(name))
    || (step.section === 'backward' && !step.id.startsWith('gradients.') && step.about.some((u) => chainUnits.has(u))));
}

function perSample(values: number[]): PerSample {
  return values.length === 1 ? values[0]! : values;
}

function tables(record: StepRecord, names: Names, keep: Set<string> | null): Tables {
  const kept = (name: string): boolean => keep === null || keep.has(name);
  const column = (rows: number[][], j: number): PerSample => perSample(rows.map((row) => row[j]!));
  const byName = (list: readonly string[], rows: number[][], all = false): Record<string, PerSample> =>
    Object.fromEntries(list.flatMap((name, j) => (all || kept(name) ? [[name, column(rows, j)]] : [])));
  const outputs = names.units[names.units.length - 1]!;
  const t: Tables = {
    // The data is always listed in full; only the network's own quantities are limited.
    inputs: byName(names.inputs, record.inputs, true),
    targets: byName(outputs, record.targets, true),
    neurons: {},
    probabilities: record.loss.softmax === null ? {} : byName(outputs, record.loss.softmax),
    errors: record.loss.name === 'softmaxCrossEntropy' ? { samples: column(record.loss.terms, 0) } : byName(outputs, record.loss.terms),
    dE_dout: {},
    dout_dnet: {},
    dE_dnet: {},
    parameters: {},
    gradients: {},
    updated: {},
  };
  t.errors.total = record.loss.total;
  record.layers.forEach((layer, k) => {
    names.units[k]!.forEach((u, j) => {
      if (!kept(u)) return;
      t.neurons[u] = { net: column(layer.net, j), out: column(layer.out, j) };
      t.dE_dout[u] = column(layer.dEdOut, j);
      if (layer.dOutdNet !== null) t.dout_dnet[u] = column(layer.dOutdNet, j);
      t.dE_dnet[u] = column(layer.dEdNet, j);
    });
    names.weights[k]!.forEach((row, j) => row.forEach((w, i) => {
      if (!kept(w)) return;
      t.parameters[w] = layer.weight[j]![i]!;
      t.gradients[w] = layer.weightGrad[j]![i]!;
      t.updated[w] = layer.weightAfter[j]![i]!;
    }));
    names.biases[k]?.forEach((b, i) => {
      if (!kept(b)) return;
      t.parameters[b] = layer.bias!.values[i]!;
      if (!layer.bias!.trainable) return;
      t.gradients[b] = layer.biasGrad![i]!;
      t.updated[b] = layer.biasAfter![i]!;
    });
  });
  return t;
}

function norm(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v * v;
  return Math.sqrt(total);
}

function summarize(record: StepRecord): Summary {
  return {
    loss: record.loss.total,
    layers: record.layers.map((layer) => ({
      name: layer.name,
      units: layer.weight.length,
      activation: layer.activation,
      weightNorm: norm(layer.weight.flat()),
      weightGradNorm: norm(layer.weightGrad.flat()),
      biasGradNorm: layer.biasGrad === null ? null : norm(layer.biasGrad),
    })),
  };
}

function generalNotes(record: StepRecord, names: Names): string[] {
  const notes = ['Every value is read from glassnet\'s own forward and backward pass (autograd); a gradient shown as a product of factors has the value autograd computed.'];
  record.layers.forEach((layer, k) => {
    const biases = names.biases[k];
    if (layer.bias !== null && biases !== null && biases !== undefined) {
      const which = biases.join(', ');
      if (!layer.bias.trainable) notes.push(`${which} ${biases.length === 1 ? 'is' : 'are'} fixed (not trainable): no gradient, no update.`);
      else if (layer.bias.shared) notes.push(`${which} is shared by all units of ${layer.name}: its gradient sums ∂E/∂NET over them.`);
    }
    if (layer.activation === 'linear') notes.push(`${layer.name} is linear: OUT = NET, so ∂OUT/∂NET = 1.`);
  });
  if (record.loss.name === 'softmaxCrossEntropy') {
    notes.push('softmaxCrossEntropy applies softmax inside the loss: the output layer gives NET = OUT (logits), p = softmax(OUT), and ∂E/∂OUT = (p − t)/samples.');
  }
  if (record.samples > 1) notes.push(`The error is averaged over the ${record.samples} samples (the 1/${record.samples} is inside ∂E/∂OUT); a gradient sums its per-sample products.`);
  if (record.dtype === 'float32') notes.push('The model computes in float32: values carry float32 rounding (about 7 significant digits).');
  return notes;
}

function refusal(parameters: number, samples: number): string {
  const size = samples > DETAIL_LIMITS.samples
    ? `${samples} samples (limit ${DETAIL_LIMITS.samples}): explain fewer samples`
    : `${parameters} parameters (limit ${DETAIL_LIMITS.parameters} without a selection): pick units or parameters with only (--only), e.g. --only w1.1.1,h1.1`;
  return `Full detail refused for ${size}. Shown: the summary.`;
}

function isArticleStep(record: StepRecord, names: Names, userNames: UserNames): boolean {
  if (names.scheme !== 'article' || Object.keys(userNames).length > 0) return false;
  const [hidden, output] = record.layers;
  const same = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean =>
    a.length === b.length && a.every((row, i) => row.length === b[i]!.length && row.every((v, j) => v === b[i]![j]));
  const fixedShared = (layer: LayerRecord, value: number): boolean =>
    layer.bias !== null && layer.bias.shared && !layer.bias.trainable && layer.bias.values[0] === value;
  return record.samples === 1 && record.loss.name === 'squaredError' && record.lr === ARTICLE.learningRate
    && same(record.inputs, [ARTICLE.inputs]) && same(record.targets, [ARTICLE.targets])
    && hidden!.activation === 'sigmoid' && output!.activation === 'sigmoid'
    && same(hidden!.weight, ARTICLE.hiddenWeights) && same(output!.weight, ARTICLE.outputWeights)
    && fixedShared(hidden!, ARTICLE.hiddenBias) && fixedShared(output!, ARTICLE.outputBias);
}

/**
 * Holds each number the article prints beside the computed one, at the
 * article's own precision; marks the steps and returns a note for each
 * disagreement, with the reason recorded in ARTICLE_PRINTED.
 */
function compareWithArticle(steps: Step[], firstNote: number): string[] {
  const notes: string[] = [];
  for (const printed of ARTICLE_PRINTED) {
    const step = steps.find((s) => s.id === printed.path);
    if (step === undefined) continue;
    const decimals = printed.printed.split('.')[1]?.length ?? 0;
    const rounded = step.value.toFixed(decimals);
    const agrees = rounded === printed.printed;
    step.article = { printed: printed.printed, agrees, ...(agrees ? {} : { note: firstNote + notes.length }) };
    if (!agrees) {
      notes.push(`The article prints ${printed.quantity} = ${printed.printed}; glassnet computes ${step.value} (${rounded} at the article's ${decimals} decimals): ${printed.why ?? 'no reason recorded'}.`);
    }
  }
  return notes;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
