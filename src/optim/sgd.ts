import { getBackend } from '../backend/index.js';
import { Optimizer } from './optimizer.js';

/** Plain gradient descent, the article's rule: w ← w − η · ∂E/∂w. */
export class SGD extends Optimizer {
  step(): void {
    const backend = getBackend();
    for (const p of this.params) {
      if (p.grad !== null) backend.axpy(p.data, p.grad.data, -this.lr, p.size);
    }
  }
}
