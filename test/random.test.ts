// One seed, one stream: the generator matches an independent Python model of
// the same algorithm, and seeded initialisation repeats bit for bit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random, mlp, type Dense } from '../src/index.js';

const reference = JSON.parse(readFileSync(new URL('./fixtures/random.json', import.meta.url), 'utf8'));

describe('Random', () => {
  it.each(Object.keys(reference.uint32))('seed %s gives the reference uint32 stream', (seed) => {
    const random = new Random(Number(seed));
    expect(Array.from({ length: 8 }, () => random.uint32())).toEqual(reference.uint32[seed]);
  });

  it.each(Object.keys(reference.float))('seed %s gives the reference 53-bit floats', (seed) => {
    const random = new Random(Number(seed));
    expect(Array.from({ length: 8 }, () => random.float())).toEqual(reference.float[seed]);
  });

  it('resumes exactly from a saved state', () => {
    const a = new Random(5);
    a.float();
    const saved = a.getState();
    const expected = [a.float(), a.float()];
    const b = new Random(99);
    b.setState(saved);
    expect([b.float(), b.float()]).toEqual(expected);
  });
});

describe('seeded initialisation', () => {
  const weights = (seed: number, init: 'xavier' | 'he' | 'xavierNormal' | 'heNormal') =>
    mlp([4, 5, 3], { seed, init }).layers.map((l) => Array.from((l as Dense).weight.data));

  it.each(['xavier', 'he', 'xavierNormal', 'heNormal'] as const)('%s: one seed gives identical weights, another seed different ones', (init) => {
    expect(weights(3, init)).toEqual(weights(3, init));
    expect(weights(3, init)).not.toEqual(weights(4, init));
  });

  it('draws Xavier-uniform weights within ±sqrt(6 / (fanIn + fanOut))', () => {
    const limit = Math.sqrt(6 / (4 + 5));
    const first = weights(1, 'xavier')[0]!;
    expect(Math.max(...first.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...first.map(Math.abs))).toBeGreaterThan(limit / 2);
  });
});
