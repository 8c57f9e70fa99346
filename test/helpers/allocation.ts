import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const script = fileURLToPath(new URL('./steady-state.mjs', import.meta.url));

/** Above this, a step allocated: one extra typed array of any size measures over 200 bytes (its object alone). */
export const ALLOCATION_BOUND = 128;

/**
 * Bytes a steady-state Trainer step allocates (see steady-state.mjs; run
 * after `npm run build`), and the path it took. V8 boxes a returned double
 * (about 20 bytes a step); about one process in ten also keeps a function
 * in its baseline tier, where double arithmetic allocates (~380 bytes a
 * step). An allocation in our code shows in every process, so this takes
 * the least of up to three.
 */
export function leastBytesPerStep(
  backend: string, batch: number, network: 'classifier' | 'tiny', update: 'sgd' | 'adam' = 'sgd',
): { path: string; bytesPerStep: number } {
  const measure = (): { path: string; bytesPerStep: number } => {
    const run = spawnSync(process.execPath, ['--expose-gc', script, backend, '1000', String(batch), network, update], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as { path: string; bytesPerStep: number };
  };
  let least = measure();
  for (let attempt = 1; attempt < 3 && least.bytesPerStep >= ALLOCATION_BOUND; attempt++) {
    const next = measure();
    if (next.bytesPerStep < least.bytesPerStep) least = next;
  }
  return least;
}
