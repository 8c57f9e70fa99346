import { getBackend } from '../backend/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { POSITIVE, checkNumber } from '../util/checks.js';

/**
 * Rescales the gradients of `params` together so their global L2 norm
 * (over all elements of all gradients) is at most about `maxNorm`, as
 * torch.nn.utils.clip_grad_norm_: when ‖g‖ + 10⁻⁶ > maxNorm every gradient
 * is multiplied by maxNorm / (‖g‖ + 10⁻⁶). Parameters without a gradient
 * are skipped. A non-finite norm is returned with the gradients left as
 * they are, so the caller can detect the divergence instead of training on
 * NaNs.
 * @returns the global norm before clipping.
 * @throws GlassnetError unless `maxNorm` is a finite number > 0.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  checkNumber(maxNorm, POSITIVE, 'maxNorm');
  let total = 0;
  for (const p of params) {
    if (p.grad === null) continue;
    const g = p.grad.data;
    let squares = 0;
    for (let i = 0; i < g.length; i++) squares += g[i]! * g[i]!;
    total += squares;
  }
  const norm = Math.sqrt(total);
  const coefficient = maxNorm / (norm + 1e-6);
  if (Number.isFinite(norm) && coefficient < 1) {
    const backend = getBackend();
    for (const p of params) if (p.grad !== null) backend.scale(p.grad.data, p.grad.data, coefficient, p.size);
  }
  return norm;
}
