// "A steady-state training step allocates nothing": no buffers, no objects.
// Measured in a separate process (see helpers/steady-state.mjs). What
// remains is V8 boxing a returned double (about 20 bytes a step); one
// extra typed array of any size per step measures over 200 bytes (its
// object alone), so the bound of 128 bytes catches it. About one process
// in ten keeps some function in V8's baseline tier, where double
// arithmetic allocates (~380 bytes a step): an allocation in our code shows
// in every process, so the least of up to three processes is what counts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./helpers/steady-state.mjs', import.meta.url));

describe('the planned training step', () => {
  it.each([
    ['js', 16], ['js-fast', 16], ['wasm', 16], ['wasm', 1],
  ])('allocates no buffers in steady state on %s, batch %i', (backend, batch) => {
    const measure = (): number => {
      const run = spawnSync(process.execPath, ['--expose-gc', script, backend, '1000', String(batch)], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { bytesPerStep: number }).bytesPerStep;
    };
    let least = measure();
    for (let attempt = 1; attempt < 3 && least >= 128; attempt++) least = Math.min(least, measure());
    expect(least).toBeLessThan(128);
  }, 120_000);
});
