/**
 * Recognising an activation written as several ONNX operators, as
 * exporters write the activations ONNX's opset has no operator for: GELU
 * as x·½(1 + erf(x/√2)), its tanh approximation, SiLU as x·σ(x). The forms
 * are the ones glassnet writes (`ACTIVATION_INTEROP`), matched node by node
 * in data-flow order (the importer sorts the nodes so, each after the nodes
 * whose outputs it reads: the file's own order does not matter; every step
 * of a form reads the step before it, so that order is the form's), with
 * the operands of Add and Mul in either
 * order (PyTorch writes `Mul(0.5, y)` where glassnet writes `Mul(y, 0.5)`)
 * and each constant a scalar equal to the form's constant: exactly in a
 * DOUBLE tensor, after rounding the form's value to float32 in a FLOAT one.
 */
import type { ActivationName } from '../nn/activations.js';
import { ACTIVATION_INTEROP, INTEROP_ACTIVATIONS, defaultAlpha, type OnnxStep } from './interop-activations.js';
import type { OnnxNode } from './onnx-schema.js';

/** A constant of the graph (an initializer or a Constant node's value), as float64 values. */
export interface OnnxConstant {
  dims: number[];
  values: Float64Array;
  dtype: 'float32' | 'float64';
}

/** An activation whose ONNX form is more than one operator applied to NET. */
interface Form {
  name: ActivationName;
  steps: readonly OnnxStep[];
}

/**
 * The activations written as several operators (or as one with constant
 * operands), longest first so that SiLU's Sigmoid + Mul is tried before a
 * lone Sigmoid. Their forms do not depend on an option (none of them takes
 * one), so the default form is the form.
 */
export const MULTI_NODE_FORMS: readonly Form[] = INTEROP_ACTIVATIONS
  .map((name) => ({ name, steps: ACTIVATION_INTEROP[name].onnx(defaultAlpha(name)) }))
  .filter(({ steps }) => steps.length > 1 || steps.some((s) => (s.inputs ?? ['x']).some((i) => i !== 'x')))
  .sort((a, b) => b.steps.length - a.steps.length);

/** The operators of a form, as the import's messages name it: `gelu (Div, Erf, Add, Mul, Mul)`. */
export function formName(form: Form): string {
  return `${form.name} (${form.steps.map((s) => s.op).join(', ')})`;
}

/** What {@link matchForm} found: the activation and the nodes it took, or how far a form got. */
type FormMatch =
  | { matched: true; name: ActivationName; nodes: number; output: string }
  | { matched: false; form: Form; step: number; expected: string; found: string };

/**
 * Tries each multi-node form on `nodes` from `start`, applied to `x`.
 * @param uses how many nodes read each value: a form's values (and `x`) must be read by the form alone.
 * @returns the match, or the form that matched the most steps before failing (null when no form's first operator is `nodes[start]`'s).
 */
export function matchForm(
  nodes: readonly OnnxNode[], start: number, x: string,
  constants: ReadonlyMap<string, OnnxConstant>, uses: ReadonlyMap<string, number>,
): FormMatch | null {
  let best: FormMatch | null = null;
  for (const form of MULTI_NODE_FORMS) {
    const result = matchOne(form, nodes, start, x, constants, uses);
    if (result.matched) return result;
    if (result.step > 0 || nodes[start]?.opType === form.steps[0]!.op) {
      if (best === null || (!best.matched && result.step > best.step)) best = result;
    }
  }
  return best;
}

function matchOne(form: Form, nodes: readonly OnnxNode[], start: number, x: string, constants: ReadonlyMap<string, OnnxConstant>, uses: ReadonlyMap<string, number>): FormMatch {
  const outputs: string[] = [];
  const reads = new Map<string, number>();
  const miss = (step: number, expected: string, found: string): FormMatch => ({ matched: false, form, step, expected, found });
  for (let k = 0; k < form.steps.length; k++) {
    const step = form.steps[k]!;
    const node = nodes[start + k];
    const wanted = (step.inputs ?? ['x']).map((input) => (typeof input === 'number' ? input : input === 'x' ? x : outputs[Number(input.slice(1))]!));
    const shown = `${step.op}(${wanted.map((w) => (typeof w === 'number' ? String(Math.fround(w)) : JSON.stringify(w))).join(', ')})`;
    if (node === undefined) return miss(k, shown, 'the end of the graph');
    if (node.opType !== step.op || (node.domain ?? '') !== '') return miss(k, shown, `op type "${node.opType ?? ''}"`);
    if (node.attribute.length > 0) return miss(k, `${shown} without attributes`, `attribute ${JSON.stringify(node.attribute[0]!.name ?? '')}`);
    const fits = (order: readonly string[]): boolean => order.length === wanted.length && wanted.every((w, j) => {
      const name = order[j]!;
      if (typeof w === 'string') return name === w;
      const c = constants.get(name);
      return c !== undefined && c.values.length === 1 && c.values[0] === (c.dtype === 'float32' ? Math.fround(w) : w);
    });
    // Add and Mul commute; exporters put a constant on either side.
    const commutes = (step.op === 'Add' || step.op === 'Mul') && node.input.length === 2;
    if (!fits(node.input) && !(commutes && fits([...node.input].reverse()))) return miss(k, shown, `${node.opType}(${node.input.map((i) => describeInput(i, constants)).join(', ')})`);
    if (node.output.length !== 1) return miss(k, `${shown} with one output`, `${node.output.length} outputs`);
    for (const w of wanted) if (typeof w === 'string') reads.set(w, (reads.get(w) ?? 0) + 1);
    outputs.push(node.output[0]!);
  }
  // A branch out of the middle of the form (or of x) would be lost: every value the form reads is read by it alone.
  for (const [value, count] of reads) {
    if ((uses.get(value) ?? 0) !== count) return miss(form.steps.length - 1, `${JSON.stringify(value)} read by the ${form.name} nodes only`, `${uses.get(value) ?? 0} reads`);
  }
  return { matched: true, name: form.name, nodes: form.steps.length, output: outputs[outputs.length - 1]! };
}

function describeInput(name: string, constants: ReadonlyMap<string, OnnxConstant>): string {
  const c = constants.get(name);
  if (c === undefined) return JSON.stringify(name);
  return c.values.length === 1 ? `${JSON.stringify(name)} = ${c.values[0]}` : `${JSON.stringify(name)} [${c.dims.join(', ')}]`;
}
