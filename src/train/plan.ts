/**
 * The planned training step: one recorded step, replayed.
 *
 * A {@link TrainingPlan} runs one forward pass and loss through the
 * ordinary ops (`tensor/ops.ts`) at the planned batch size, on zeros, with
 * an observer collecting the tape: the same recording `explain` reads.
 * Each tape node carries its op's {@link Kernel}, the one place where that
 * op's forward and backward are written. The plan gives every tensor of
 * the tape a buffer once (the recording's own arrays for values; planned
 * arrays for gradients, each parameter's `.grad` for a parameter), then
 * every step replays the kernels: forward in tape order, backward in
 * reverse. No arithmetic is written here.
 *
 * Two rules over tape nodes keep the replay as lean as the hand-written
 * step it replaced:
 * - **Dense fusion.** `matmul(x, W, transB)`, then an optional bias `add`,
 *   then an optional elementwise activation, each the only reader of the
 *   previous one's output, run forward as one `denseForward` call, which
 *   the backend contract defines as those calls bit for bit. Their
 *   backward kernels run one by one as recorded.
 * - **Shared gradients.** Where a kernel says an input's gradient is the
 *   output's gradient unchanged (`Kernel.passes`: a bias add's first
 *   operand), the two share one array and the copy is skipped. A
 *   parameter's gradient is written straight into its `.grad`, where
 *   autograd adds it to zeros: the same bits, because the kernels that
 *   write a Dense layer's parameter gradients (the product and
 *   `sumRepeats`) start their sums from +0.
 *
 * So a step issues the backend calls the recorded path issues (but for the
 * fused forward and the skipped copies) and is bit-identical to it (tests
 * hold it to that with `toEqual`); a steady-state step allocates nothing
 * and builds no graph. A batch of fewer rows than planned runs on
 * prefixes: every tensor computed from the batch whose first dimension
 * is the planned rows has a view whose `shape[0]` follows the rows, and
 * kernels read sizes from shapes.
 * Dropout masks come from the layers' generators in tape order, as
 * recorded; the recording's draws are undone.
 */
import { getBackend, type Backend, type FloatArray } from '../backend/index.js';
import { Dense, Dropout } from '../nn/layers.js';
import type { LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { withGrad, withObserver, type Intermediates, type Node } from '../tensor/autograd.js';
import { BinaryKernel, ElementwiseKernel, MatmulKernel, applyLoss, type LossOptions } from '../tensor/ops.js';
import { Tensor, allocate, zeros } from '../tensor/tensor.js';

/** A tensor of the tape as the replay sees it: a planned array under a shape whose first dimension may follow the batch. */
interface PlannedView {
  data: FloatArray;
  shape: number[];
}

/** One call of the replay. */
type Call = () => void;

/**
 * One recorded step with the rules applied: what a {@link TrainingPlan}
 * replays and what the tiny step compiles (`tiny.ts`).
 */
export interface PlannedTape {
  /** The rows the step was recorded at: the most a replay takes. */
  readonly batchSize: number;
  /** The recorded nodes, in the order they ran. */
  readonly nodes: readonly Node[];
  /** The recording's batch inputs and targets (zeros), and its loss. */
  readonly x: Tensor;
  readonly y: Tensor;
  readonly loss: Tensor;
  /** The network's output: the loss's first operand. */
  readonly output: Tensor;
  /** The forward pass in order: a node run by its own kernel, or a Dense group run as one `denseForward`. */
  readonly forward: readonly (Node | DenseGroup)[];
  /** The nodes whose backward runs, in tape order (a step runs them in reverse), with their gradient arrays. */
  readonly backward: readonly BackwardStep[];
}

/** A node's backward in a planned tape: ∂L/∂out and the arrays its kernel writes the inputs' gradients into. */
export interface BackwardStep {
  readonly node: Node;
  readonly gradOut: FloatArray;
  /** Per input: a planned array, the parameter's `.grad` array, `gradOut` itself (see `Kernel.passes`), or null. */
  readonly grads: readonly (FloatArray | null)[];
}

/**
 * A training step for a Sequential of Dense and Dropout layers, replayed
 * from its recorded tape into buffers planned once (see the module
 * comment).
 */
export class TrainingPlan {
  readonly batchSize: number;
  /** The network's output of the last step, `rows × outputs` (a prefix of the planned array). */
  readonly outputs: FloatArray;
  private readonly forwards: Call[];
  private readonly backwards: Call[];
  /** Views of the batch's inputs and targets: their arrays are the caller's, set per step. */
  private readonly x: PlannedView;
  private readonly y: PlannedView;
  /** Every view whose first dimension is the batch's. */
  private readonly batched: PlannedView[];
  private readonly loss: FloatArray;
  private rows: number;

  /** The replay of `tape`. */
  constructor(tape: PlannedTape) {
    const { batchSize } = tape;
    this.batchSize = batchSize;
    const views = new Map<Tensor, PlannedView>();
    this.batched = [];
    const view = (t: Tensor, isBatched: boolean): PlannedView => {
      let found = views.get(t);
      if (found === undefined) {
        found = { data: t.data, shape: t.shape.slice() };
        views.set(t, found);
        if (isBatched) this.batched.push(found);
      }
      return found;
    };
    this.x = view(tape.x, true);
    this.y = view(tape.y, true);
    const inputViews = new Map<Node, PlannedView[]>();
    for (const node of tape.nodes) {
      const inputs = node.inputs.map((input) => view(input, false));
      inputViews.set(node, inputs);
      view(node.output, inputs.some((input) => this.batched.includes(input)) && node.output.shape[0] === batchSize);
    }
    const backend = getBackend();
    this.forwards = tape.forward.map((item): Call => {
      if ('members' in item) return denseCall(backend, item, views);
      const { kernel } = item;
      const out = views.get(item.output)!;
      const inputs = inputViews.get(item)!;
      return () => kernel.forward(out, inputs);
    });
    const intermediates: Intermediates = {};
    this.backwards = tape.backward.map(({ node, gradOut, grads }): Call => {
      const { kernel } = node;
      const out = views.get(node.output)!;
      const inputs = inputViews.get(node)!;
      return () => kernel.backward(gradOut, out, inputs, grads, intermediates);
    });
    this.loss = tape.loss.data;
    this.outputs = tape.output.data;
    this.rows = batchSize;
  }

  /**
   * Forward and backward on the first `rows` samples of `x` (`rows ×
   * inputs`) and `y`: each parameter's `.grad` is overwritten with ∂L/∂p, as
   * zeroGrad + backward would leave it. Returns the loss; when it is not
   * finite, returns it without touching any gradient. The update is the
   * caller's (optimizer.step(), after any clipping).
   */
  gradients(x: FloatArray, y: FloatArray, rows: number): number {
    this.x.data = x;
    this.y.data = y;
    if (rows !== this.rows) {
      for (let i = 0; i < this.batched.length; i++) this.batched[i]!.shape[0] = rows;
      this.rows = rows;
    }
    // Index loops, not for-of: the iterator would be an allocation per step.
    for (let i = 0; i < this.forwards.length; i++) this.forwards[i]!();
    const loss = this.loss[0]!;
    if (Number.isFinite(loss)) for (let i = this.backwards.length - 1; i >= 0; i--) this.backwards[i]!();
    return loss;
  }
}

/**
 * Records one step of `model` with `loss` at `batchSize` rows and applies
 * the rules (see the module comment); allocates every gradient array,
 * including each parameter's `.grad`. The Trainer records once and hands
 * the tape to the tiny step and, when that refuses, to a
 * {@link TrainingPlan}. Null when the model has a layer the plan does not
 * know (only Dense and Dropout), or the tape has a tensor whose gradient
 * has two readers (it would need accumulating).
 * @throws GlassnetError for a loss option the loss refuses, from the recording, before any `.grad` is allocated (the Trainer checks the options first, under its own argument name).
 */
export function planTape(model: Sequential, loss: LossName, batchSize: number, options: LossOptions = {}): PlannedTape | null {
  if (!model.layers.every((layer) => layer instanceof Dense || layer instanceof Dropout)) return null;
  const { nodes, x, y, loss: value } = recordStep(model, loss, batchSize, options);
  if (value.node === null) return null; // nothing to train: the recorded path reports it
  // Each tensor's readers in tape order (the map keeps first-read order), in one pass over the nodes.
  const readers = new Map<Tensor, Node[]>();
  for (const node of nodes) {
    for (const input of node.inputs) {
      const list = readers.get(input);
      if (list === undefined) readers.set(input, [node]);
      else list.push(node);
    }
  }
  // One reader per gradient: then each gradient is written once, never accumulated.
  for (const [tensor, list] of readers) if (tensor.requiresGrad && list.length > 1) return null;

  const forward: (Node | DenseGroup)[] = [];
  const fusedAway = new Set<Node>();
  for (const node of nodes) {
    if (fusedAway.has(node)) continue;
    const dense = node.kernel instanceof MatmulKernel ? denseGroup(node, readers) : null;
    if (dense !== null) for (const member of dense.members) fusedAway.add(member);
    forward.push(dense ?? node);
  }

  const backward: BackwardStep[] = [];
  const grads = new Map<Tensor, FloatArray>();
  const seed = allocate(value.dtype, 1);
  seed[0] = 1;
  grads.set(value, seed);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    const gradOut = grads.get(node.output);
    if (gradOut === undefined) continue; // nothing downstream needs it
    const gradInputs = node.inputs.map((input, k) => {
      if (!input.requiresGrad) return null;
      const grad = input.node === null ? parameterGrad(input) : node.kernel.passes?.(k) === true ? gradOut : allocate(input.dtype, input.size);
      grads.set(input, grad);
      return grad;
    });
    if (gradInputs.some((grad) => grad !== null)) backward.unshift({ node, gradOut, grads: gradInputs });
  }
  return { batchSize, nodes, x, y, loss: value, output: value.node.inputs[0]!, forward, backward };
}

/** One forward pass and loss, recorded at `batchSize` rows of zeros. */
interface Recording {
  nodes: Node[];
  x: Tensor;
  y: Tensor;
  loss: Tensor;
}

/**
 * Records the model's training forward pass and the loss through the
 * ordinary ops, collecting the nodes in the order they ran. The dropout
 * generators' states are restored afterwards, so the recording draws
 * nothing from the streams training uses.
 */
function recordStep(model: Sequential, loss: LossName, batchSize: number, options: LossOptions): Recording {
  const x = zeros([batchSize, model.inputSize], model.dtype);
  const y = zeros([batchSize, model.outputSize], model.dtype);
  const dropouts = model.layers.filter((layer): layer is Dropout => layer instanceof Dropout);
  const states = dropouts.map((layer) => layer.random.getState());
  const nodes: Node[] = [];
  try {
    // Recorded with grad on even inside noGrad: a Trainer built there still gets its plan (the replay itself never asks).
    const value = withGrad(() => withObserver({ onForward: (node) => nodes.push(node), onBackward: () => undefined }, () => applyLoss(loss, model.forward(x, true), y, options)));
    return { nodes, x, y, loss: value };
  } finally {
    dropouts.forEach((layer, k) => layer.random.setState(states[k]!));
  }
}

/** A parameter's `.grad` array, allocated once: the replay overwrites it, as zeroGrad + backward would leave it. */
function parameterGrad(p: Tensor): FloatArray {
  p.grad ??= new Tensor(allocate(p.dtype, p.size), p.shape.slice());
  return p.grad.data;
}

/** A Dense layer's forward as tape nodes: the product, the bias add and the activation that follow it. */
export interface DenseGroup {
  /** The nodes the one call replaces. */
  members: Node[];
  x: Tensor;
  weight: Tensor;
  bias: Tensor | null;
  /** NET: the product, or the bias add's output. */
  net: Tensor;
  /** OUT: the activation's output, or NET for a linear layer. */
  out: Tensor;
  activation: ElementwiseKernel | null;
}

/**
 * The fusion rule: `matmul(x, W)` with W transposed, then (if the only
 * reader of the product) an add of a one-dimensional bias that no node
 * computes (a parameter: it exists when the product runs, where the one
 * call takes the group's place), then (if the only reader of NET) an
 * elementwise activation. Null when `node` is not such a product.
 */
function denseGroup(node: Node, readers: ReadonlyMap<Tensor, Node[]>): DenseGroup | null {
  const kernel = node.kernel as MatmulKernel;
  if (kernel.transA || !kernel.transB) return null;
  const only = (t: Tensor): Node | null => {
    const list = readers.get(t);
    return list !== undefined && list.length === 1 ? list[0]! : null;
  };
  const [x, weight] = node.inputs as [Tensor, Tensor];
  const group: DenseGroup = { members: [node], x, weight, bias: null, net: node.output, out: node.output, activation: null };
  const add = only(group.net);
  const bias = add?.inputs[1];
  if (add !== null && add.kernel instanceof BinaryKernel && add.kernel.kind === 'add' && add.inputs[0] === group.net
    && bias !== undefined && bias.node === null && bias.shape.length === 1 && weight.shape[0]! % bias.size === 0) {
    group.members.push(add);
    group.bias = bias;
    group.net = group.out = add.output;
  }
  const activation = only(group.net);
  if (activation !== null && activation.kernel instanceof ElementwiseKernel) {
    group.members.push(activation);
    group.activation = activation.kernel;
    group.out = activation.output;
  }
  return group;
}

/** The one `denseForward` call of a {@link DenseGroup}, over the replay's views. */
function denseCall(backend: Backend, group: DenseGroup, views: ReadonlyMap<Tensor, PlannedView>): Call {
  const x = views.get(group.x)!;
  const weight = group.weight.data;
  const bias = group.bias?.data ?? null;
  const net = views.get(group.net)!.data;
  const out = views.get(group.out)!.data;
  const [units, k] = group.weight.shape as [number, number];
  const biasSize = group.bias?.size ?? units;
  const kind = group.activation?.kind ?? 'linear';
  const alpha = group.activation?.alpha ?? 0;
  return () => backend.denseForward(net, out, x.data, weight, bias, biasSize, x.shape[0]!, k, units, kind, alpha);
}
