// The article's remark made real: when the target is the input, the network
// is an auto-encoder. The classic 8-3-8 task squeezes 8 one-hot codes
// through 3 hidden units, which learn a binary-like code.
import { describe, expect, it } from 'vitest';
import { AUTOENCODER_8_3_8, trainAutoencoder } from '../src/index.js';

describe('8-3-8 auto-encoder', () => {
  const result = trainAutoencoder();

  it('reaches the error threshold', () => {
    expect(result.fit.stoppedBy).toBe('threshold');
    expect(result.fit.loss).toBeLessThan(AUTOENCODER_8_3_8.errorThreshold);
  });

  it('reproduces all eight codes', () => {
    result.outputs.forEach((row, i) => {
      expect(row.indexOf(Math.max(...row))).toBe(i);
      row.forEach((v, j) => (j === i ? expect(v).toBeGreaterThan(0.8) : expect(v).toBeLessThan(0.2)));
    });
  });

  it('gives each code its own near-binary hidden code', () => {
    const bits = result.hidden.map((h) => h.map((v) => (v > 0.5 ? 1 : 0)).join(''));
    expect(new Set(bits).size).toBe(8);
    for (const h of result.hidden) for (const v of h) expect(Math.min(v, 1 - v)).toBeLessThan(0.2);
  });
});
