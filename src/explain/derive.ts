/**
 * Turns a recorded training step into the ordered derivation a reader
 * follows: forward pass, error, backward pass, update. Every value is one
 * the trace recorded (a product is shown as its factors, but its value is
 * the one autograd produced); this module only arranges them, names them
 * and writes their formulas.
 */
import type { Names } from './naming.js';
import {
  TOTAL, chain, diff, exprFormula, frac, int, make, partial, prod, stepId, sum, sym, withFactor,
  type Expr, type Factor, type Leaf, type DerivationStep, type Sym,
} from './derivation.js';
import { ELEMENTWISE, isElementwise } from '../primitives/activations.js';
import { LOSS_RECORDS, POINT_LOSSES } from '../primitives/losses.js';
import type { LayerRecord, TrainingTrace } from './trace.js';
import { range } from '../util/range.js';

interface Context {
  record: TrainingTrace;
  names: Names;
  /** Sample tag for symbols and ids: null for a single sample. */
  tag: (s: number) => number | null;
}

/** Every step of the derivation in reading order. */
export function deriveSteps(record: TrainingTrace, names: Names): DerivationStep[] {
  const ctx: Context = { record, names, tag: (s) => (record.samples === 1 ? null : s + 1) };
  const steps: DerivationStep[] = [];
  record.layers.forEach((layer, k) => steps.push(...forwardSteps(ctx, layer, k)));
  steps.push(...errorSteps(ctx));
  for (let k = record.layers.length - 1; k >= 0; k--) steps.push(...backwardSteps(ctx, record.layers[k]!, k));
  record.layers.forEach((layer, k) => steps.push(...updateSteps(ctx, layer, k)));
  return steps;
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

function forwardSteps(ctx: Context, layer: LayerRecord, k: number): DerivationStep[] {
  const steps: DerivationStep[] = [];
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
      steps.push(make(stepId(`neurons.${u}.net`, sample), 'forward', netOf(j), build, layer.net[s]![j]!, [u]));
    });
    units.forEach((u, j) => {
      const activation = (leaf: Leaf): Expr => {
        const net = (i: number): Expr => leaf(netOf(i), layer.net[s]![i]!);
        const name = layer.activation;
        if (isElementwise(name)) return ELEMENTWISE[name].formula.out(exprFormula(leaf), net(j), optionLeaf(leaf, layer));
        if (name === 'linear') return net(j);
        return frac({ kind: 'exp', arg: net(j) }, sum(...units.map((_, i) => ({ kind: 'exp', arg: net(i) }) as Expr)));
      };
      steps.push(make(stepId(`neurons.${u}.out`, sample), 'forward', { kind: 'out', unit: u, sample }, activation, layer.out[s]![j]!, [u]));
    });
  }
  return steps;
}

function errorSteps(ctx: Context): DerivationStep[] {
  const { record, names } = ctx;
  const last = record.layers[record.layers.length - 1]!;
  const outputs = names.units[names.units.length - 1]!;
  const steps: DerivationStep[] = [];
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
        steps.push(make(stepId(`probabilities.${o}`, sample), 'error', { kind: 'prob', unit: o, sample }, build, record.loss.softmax![s]![j]!, [o]));
      });
      const e: Sym = { kind: 'error', unit: null, sample };
      const build = (leaf: Leaf): Expr => ({ kind: 'neg', arg: sum(...outputs.map((_, j) => prod(target(leaf, j), { kind: 'ln', arg: p(leaf, j) }))) });
      steps.push(make(stepId('errors.samples', sample), 'error', e, build, record.loss.terms[s]![0]!, [...outputs]));
      errorSyms.push([e, record.loss.terms[s]![0]!]);
      continue;
    }
    const point = POINT_LOSSES[LOSS_RECORDS[lossName].point];
    outputs.forEach((o, j) => {
      const build = (leaf: Leaf): Expr => point.formula.term(exprFormula(leaf), out(leaf, j), target(leaf, j), leaf({ kind: 'delta' }, record.loss.option));
      const e: Sym = { kind: 'error', unit: o, sample };
      steps.push(make(stepId(`errors.${o}`, sample), 'error', e, build, record.loss.terms[s]![j]!, [o]));
      errorSyms.push([e, record.loss.terms[s]![j]!]);
    });
  }
  const total = (leaf: Leaf): Expr => withFactor(record.loss.factor, sum(...errorSyms.map(([e, v]) => leaf(e, v))));
  steps.push(make('errors.total', 'error', TOTAL, total, record.loss.total, []));
  return steps;
}

function backwardSteps(ctx: Context, layer: LayerRecord, k: number): DerivationStep[] {
  const { record, names } = ctx;
  const units = names.units[k]!;
  const isLast = k === record.layers.length - 1;
  const steps: DerivationStep[] = [];
  for (let s = 0; s < record.samples; s++) {
    const sample = ctx.tag(s);
    units.forEach((u, j) => {
      const outSym: Sym = { kind: 'out', unit: u, sample };
      const netSym: Sym = { kind: 'net', unit: u, sample };
      const dEdOut = partial(TOTAL, outSym);
      const dOutdNet = partial(outSym, netSym);
      const dEdNet = partial(TOTAL, netSym);
      if (isLast) {
        steps.push(make(stepId(`dE_dout.${u}`, sample), 'backward', dEdOut, (leaf) => lossGradient(ctx, leaf, j, s), layer.dEdOut[s]![j]!, [u]));
      } else {
        const next = record.layers[k + 1]!;
        const terms = names.units[k + 1]!.map((v, p): Factor[] => [
          { sym: partial(TOTAL, { kind: 'net', unit: v, sample }), value: next.dEdNet[s]![p]! },
          { sym: partial({ kind: 'net', unit: v, sample }, outSym), equals: sym({ kind: 'param', name: names.weights[k + 1]![p]![j]!, updated: false }), value: next.weight[p]![j]! },
        ]);
        steps.push(chain(stepId(`dE_dout.${u}`, sample), 'backward', dEdOut, terms, layer.dEdOut[s]![j]!, [u]));
      }
      if (layer.dOutdNet === null) {
        // Softmax mixes its units: ∂E/∂NET(u) = OUT(u)·(∂E/∂OUT(u) − Σ_v ∂E/∂OUT(v)·OUT(v)).
        const build = (leaf: Leaf): Expr => prod(
          leaf(outSym, layer.out[s]![j]!),
          diff(leaf(dEdOut, layer.dEdOut[s]![j]!), sum(...units.map((v, i) => prod(
            leaf(partial(TOTAL, { kind: 'out', unit: v, sample }), layer.dEdOut[s]![i]!), leaf({ kind: 'out', unit: v, sample }, layer.out[s]![i]!),
          )))),
        );
        steps.push(make(stepId(`dE_dnet.${u}`, sample), 'backward', dEdNet, build, layer.dEdNet[s]![j]!, [u]));
        return;
      }
      steps.push(make(stepId(`dout_dnet.${u}`, sample), 'backward', dOutdNet, (leaf) => activationDerivative(layer, leaf, outSym, netSym, j, s), layer.dOutdNet[s]![j]!, [u]));
      steps.push(chain(stepId(`dE_dnet.${u}`, sample), 'backward', dEdNet, [[
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

function biasGradientSteps(ctx: Context, layer: LayerRecord, k: number): DerivationStep[] {
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
  const point = LOSS_RECORDS[record.loss.name].point;
  if (point === null) return withFactor(factor, diff(leaf({ kind: 'prob', unit, sample }, record.loss.softmax![s]![j]!), target));
  return withFactor(factor, POINT_LOSSES[point].formula.gradient(exprFormula(leaf), out, target, leaf({ kind: 'delta' }, record.loss.option)));
}

/** The layer's option (α) as a formula leaf: its symbol, or its value in the numeric form. */
function optionLeaf(leaf: Leaf, layer: LayerRecord): Expr {
  return leaf({ kind: 'alpha' }, layer.alpha);
}

function activationDerivative(layer: LayerRecord, leaf: Leaf, outSym: Sym, netSym: Sym, j: number, s: number): Expr {
  const out = leaf(outSym, layer.out[s]![j]!);
  const net = leaf(netSym, layer.net[s]![j]!);
  const name = layer.activation;
  // Softmax's ∂OUT/∂NET is a matrix: its step is written from dEdNet instead, and never reaches here.
  if (!isElementwise(name)) return int(1);
  return ELEMENTWISE[name].formula.derivative(exprFormula(leaf), net, out, optionLeaf(leaf, layer));
}

function updateSteps(ctx: Context, layer: LayerRecord, k: number): DerivationStep[] {
  const { record, names } = ctx;
  const update = (name: string, before: number, grad: number, after: number): DerivationStep => {
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
