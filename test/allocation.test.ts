// "A steady-state training step allocates nothing": no buffers, no objects,
// measured in spawned processes (helpers/allocation.ts).
import { describe, expect, it } from 'vitest';
import { ALLOCATION_BOUND, leastBytesPerStep } from './helpers/allocation.js';

describe('the planned training step', () => {
  it.each([
    ['js', 16], ['js-fast', 16], ['wasm', 16], ['wasm', 1],
  ])('allocates no buffers in steady state on %s, batch %i', (backend, batch) => {
    const { path, bytesPerStep } = leastBytesPerStep(backend as string, batch as number, 'classifier');
    expect(path).toBe('planned');
    expect(bytesPerStep).toBeLessThan(ALLOCATION_BOUND);
  }, 120_000);

  // Each stage of the update runs every step: the L2 penalty, clipping, the schedule, Adam's moments.
  it('allocates no buffers with Adam, L2, clipping and a schedule', () => {
    const { path, bytesPerStep } = leastBytesPerStep('wasm', 16, 'classifier', 'adam');
    expect(path).toBe('planned');
    expect(bytesPerStep).toBeLessThan(ALLOCATION_BOUND);
  }, 120_000);
});
