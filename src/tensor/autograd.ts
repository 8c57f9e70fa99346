import type { FloatArray } from '../backend/index.js';
import { getBackend } from '../backend/index.js';
import { GlassnetError } from '../errors.js';
import { formatShape } from '../util/shape.js';
import { Tensor, allocate } from './tensor.js';

/**
 * One recorded operation: its inputs, its output, and the rule that turns
 * the output's gradient into the inputs' gradients.
 */
export interface Node {
  /** Operation name, e.g. `"matmul"` or `"sigmoid"`. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  /**
   * Returns ∂L/∂input for each input (null where the input needs none).
   * `intermediates` receives named arrays the rule computed on the way
   * (e.g. an activation's derivative), so observers can show the very
   * numbers that were multiplied.
   */
  readonly backward: (gradOut: FloatArray, intermediates: Intermediates) => (FloatArray | null)[];
  /** Values computed in the forward pass that observers may read (e.g. per-element loss terms). */
  readonly saved: Readonly<Record<string, FloatArray | number>>;
}

/** Named arrays a backward rule exposes to observers. */
export type Intermediates = Record<string, FloatArray>;

/**
 * Sees every recorded operation and every backward step. Installed for the
 * duration of one call with {@link withObserver}; costs one null check per
 * operation when absent.
 */
export interface Observer {
  onForward(node: Node): void;
  onBackward(node: Node, gradOut: FloatArray, gradInputs: readonly (FloatArray | null)[], intermediates: Intermediates): void;
}

let gradEnabled = true;
let observer: Observer | null = null;

/** Runs `fn` with recording off: the inference path builds no graph. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` with `obs` watching every recorded operation. */
export function withObserver<T>(obs: Observer, fn: () => T): T {
  const previous = observer;
  observer = obs;
  try {
    return fn();
  } finally {
    observer = previous;
  }
}

/** True when an op with these inputs must be recorded. */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!gradEnabled) return false;
  for (const input of inputs) if (input.requiresGrad) return true;
  return false;
}

/**
 * The single choke point of every differentiable op: links `output` to its
 * inputs when a gradient is wanted, and tells the observer. Returns `output`.
 */
export function record(
  op: string,
  inputs: readonly Tensor[],
  output: Tensor,
  backward: Node['backward'],
  saved: Node['saved'] = {},
): Tensor {
  if (!needsGrad(inputs)) return output;
  const node: Node = { op, inputs, output, backward, saved };
  output.node = node;
  output.requiresGrad = true;
  if (observer !== null) observer.onForward(node);
  return output;
}

/** Names a tensor for observers; free (returns at once) when none is installed. */
export function label(t: Tensor, name: string): Tensor {
  if (observer !== null) t.label = name;
  return t;
}

/**
 * Reverse-mode sweep from `loss`: accumulates ∂loss/∂p into `p.grad` (with
 * +=) for every leaf `p` that requires a gradient. Clear gradients between
 * steps with `zeroGrad` (optimizers do).
 * @param seed ∂L/∂loss; defaults to ones, so a scalar loss needs none.
 */
export function backward(loss: Tensor, seed?: Tensor): void {
  if (!loss.requiresGrad) {
    throw new GlassnetError({
      code: 'state', argument: 'loss', expected: 'a tensor computed from parameters that require gradients', found: 'a tensor with no gradient graph',
    });
  }
  if (seed !== undefined && seed.size !== loss.size) {
    throw new GlassnetError({ code: 'shape', argument: 'seed', expected: `shape ${formatShape(loss.shape)}`, found: `shape ${formatShape(seed.shape)}` });
  }
  const backend = getBackend();
  const grads = new Map<Tensor, FloatArray>();
  const initial = allocate(loss.dtype, loss.size);
  if (seed === undefined) initial.fill(1);
  else initial.set(seed.data);
  grads.set(loss, initial);

  const order = topologicalOrder(loss);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const gradOut = grads.get(node.output);
    if (gradOut === undefined) continue;
    const intermediates: Intermediates = {};
    const gradInputs = node.backward(gradOut, intermediates);
    if (observer !== null) observer.onBackward(node, gradOut, gradInputs, intermediates);
    node.inputs.forEach((input, k) => {
      const g = gradInputs[k];
      if (g === null || g === undefined || !input.requiresGrad) return;
      if (input.node !== null) {
        const existing = grads.get(input);
        if (existing === undefined) grads.set(input, g);
        else backend.axpy(existing, g, 1, g.length);
        return;
      }
      if (input.grad === null) input.grad = new Tensor(allocate(input.dtype, input.size), input.shape.slice());
      backend.axpy(input.grad.data, g, 1, g.length);
    });
  }
}

/** Nodes reachable from `root`, each after all nodes that produce its inputs. */
function topologicalOrder(root: Tensor): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>();
  // Iterative depth-first search: deep networks must not overflow the call stack.
  const stack: [Node, number][] = [[root.node!, 0]];
  visited.add(root.node!);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    if (next < node.inputs.length) {
      top[1] = next + 1;
      const child = node.inputs[next]!.node;
      if (child !== null && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}
