import type { Intermediates, Node, Observer } from '../../src/index.js';
import type { FloatArray } from '../../src/backend/index.js';

/**
 * A test-only observer: values, gradients and derivatives keyed by tensor
 * label. Labels are attached after an op records, so they are read when
 * asked for, not when seen.
 */
export class Capture implements Observer {
  private readonly forwards: Node[] = [];
  private readonly backwards: { node: Node; gradOut: FloatArray; intermediates: Intermediates }[] = [];

  onForward(node: Node): void {
    this.forwards.push(node);
  }

  onBackward(node: Node, gradOut: FloatArray, _gradInputs: readonly (FloatArray | null)[], intermediates: Intermediates): void {
    this.backwards.push({ node, gradOut, intermediates });
  }

  value(label: string): FloatArray {
    return this.find(this.forwards.find((n) => n.output.label === label)?.output.data, label);
  }

  grad(label: string): FloatArray {
    return this.find(this.backwards.find((b) => b.node.output.label === label)?.gradOut, label);
  }

  derivative(label: string): FloatArray {
    return this.find(this.backwards.find((b) => b.node.output.label === label)?.intermediates.derivative, label);
  }

  private find(data: FloatArray | undefined, label: string): FloatArray {
    if (data === undefined) throw new Error(`nothing recorded for ${label}`);
    return data;
  }
}
