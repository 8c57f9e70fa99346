import type { FloatArray } from '../backend/index.js';
import { getBackend } from '../backend/index.js';
import { GlassnetError } from '../errors.js';
import { formatShape } from '../util/shape.js';
import { Tensor, allocate } from './tensor.js';

/**
 * What a kernel reads and writes: a tensor's elements and shape. A
 * {@link Tensor} is one; a training plan's replay passes views of its own
 * buffers whose first dimension follows the batch, so kernels take every
 * size from `shape`, never from `data.length`.
 */
export interface View {
  readonly data: FloatArray;
  readonly shape: readonly number[];
}

/** The number of elements a view's shape holds (a loop: a replayed step must not allocate). */
export function elementsOf(view: View): number {
  const shape = view.shape;
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/**
 * One operation's arithmetic, written once: its forward and backward as
 * backend calls over views. The op in `ops.ts` runs `forward` when called
 * and `backward` when autograd sweeps back; a `TrainingPlan` replays the
 * very same kernel objects into its planned buffers. A kernel keeps its
 * op's settings (flags, an activation's option, a dropout mask, the loss's
 * scratch) and allocates nothing after its first backward.
 */
export interface Kernel {
  /** Writes `out` from `inputs`. */
  forward(out: View, inputs: readonly View[]): void;
  /**
   * Writes ∂L/∂input k into `grads[k]` (overwriting it) wherever that is
   * not null, from `gradOut` = ∂L/∂out. `intermediates` receives named
   * arrays computed on the way (e.g. an activation's derivative), so
   * observers can show the very numbers that were multiplied.
   */
  backward(gradOut: FloatArray, out: View, inputs: readonly View[], grads: readonly (FloatArray | null)[], intermediates: Intermediates): void;
  /**
   * True when ∂L/∂input k is ∂L/∂out unchanged (add's first operand): a
   * replay may then pass `gradOut` itself as `grads[k]`, and the kernel
   * skips the copy.
   */
  passes?(k: number): boolean;
}

/**
 * One recorded operation: its inputs, its output, and the kernel that
 * computed the output and turns the output's gradient into the inputs'
 * gradients.
 */
export interface Node {
  /** Operation name, e.g. `"matmul"` or `"sigmoid"`. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  /** The op's forward and backward (see {@link Kernel}). */
  readonly kernel: Kernel;
  /**
   * Returns ∂L/∂input for each input (null where the input needs none), in
   * new arrays: the kernel's backward with gradients allocated for it.
   */
  backward(gradOut: FloatArray, intermediates: Intermediates): (FloatArray | null)[];
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
  return recording(false, fn);
}

/**
 * Runs `fn` with recording on, also inside {@link noGrad}: for the code
 * that must record whatever its caller does (a training plan records one
 * step to replay it).
 */
export function withGrad<T>(fn: () => T): T {
  return recording(true, fn);
}

/** Runs `fn` with recording switched `on` or off, and the caller's setting back afterwards, also when `fn` throws. */
function recording<T>(on: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = on;
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
 * inputs and the kernel that computed it when a gradient is wanted, and
 * tells the observer. Returns `output`.
 */
export function record(
  op: string,
  inputs: readonly Tensor[],
  output: Tensor,
  kernel: Kernel,
  saved: Node['saved'] = {},
): Tensor {
  if (!needsGrad(inputs)) return output;
  const node = new RecordedNode(op, inputs, output, kernel, saved);
  output.node = node;
  output.requiresGrad = true;
  if (observer !== null) observer.onForward(node);
  return output;
}

class RecordedNode implements Node {
  constructor(
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly output: Tensor,
    readonly kernel: Kernel,
    readonly saved: Node['saved'],
  ) {}

  backward(gradOut: FloatArray, intermediates: Intermediates): (FloatArray | null)[] {
    // Fresh arrays: the sweep keeps and accumulates into them.
    const grads = this.inputs.map((input) => (input.requiresGrad ? allocate(input.dtype, input.size) : null));
    this.kernel.backward(gradOut, this.output, this.inputs, grads, intermediates);
    return grads;
  }
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
