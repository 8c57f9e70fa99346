// 2-D synthetic sets: determinism from the seed, class balance, the clean
// shapes (noise 0) checked against their definitions, and the noise level.
import { describe, expect, it } from 'vitest';
import { thrown as failure } from './helpers/errors.js';
import { SYNTHETIC, circles, gaussians, spirals, xor } from '../src/data/synthetic.js';

const classOf = (row: number[]): number => row.indexOf(1);

describe('synthetic sets', () => {
  it('are deterministic in the seed', () => {
    for (const [name, make] of Object.entries(SYNTHETIC)) {
      const a = make({ samples: 50, noise: 0.2, seed: 5 });
      expect(make({ samples: 50, noise: 0.2, seed: 5 }).x, name).toEqual(a.x);
      expect(make({ samples: 50, noise: 0.2, seed: 6 }).x, name).not.toEqual(a.x);
    }
  });

  it('have two one-hot classes, alternating, balanced within one', () => {
    for (const make of Object.values(SYNTHETIC)) {
      const data = make({ samples: 201 });
      expect(data.x).toHaveLength(201);
      expect(data.x.every((r) => r.length === 2)).toBe(true);
      expect(data.y.slice(0, 4)).toEqual([[1, 0], [0, 1], [1, 0], [0, 1]]);
      expect(data.y.filter((r) => r[0] === 1)).toHaveLength(101);
      expect(data.classes).toEqual(['0', '1']);
      expect(data.featureNames).toEqual(['x1', 'x2']);
    }
    expect(xor().x).toHaveLength(200); // the default size
  });

  it('xor without noise: class 1 exactly where the signs differ', () => {
    const data = xor({ samples: 400, noise: 0, seed: 1 });
    data.x.forEach(([a, b], i) => {
      expect(Math.abs(a!) <= 1 && Math.abs(b!) <= 1).toBe(true);
      expect(a! * b!, `point ${i}`).not.toBe(0);
      expect(classOf(data.y[i]!), `point ${i}`).toBe(a! * b! < 0 ? 1 : 0);
    });
    const quadrants = new Set(data.x.map(([a, b]) => `${Math.sign(a!)},${Math.sign(b!)}`));
    expect(quadrants.size).toBe(4);
  });

  it('circles without noise: class 0 on radius 0.5, class 1 on radius 1', () => {
    const data = circles({ samples: 100, noise: 0 });
    data.x.forEach(([a, b], i) => expect(Math.hypot(a!, b!)).toBeCloseTo(classOf(data.y[i]!) === 0 ? 0.5 : 1, 14));
  });

  it('spirals without noise: point k of n at radius k/n and angle 3πk/n (+π for class 1)', () => {
    const n = 50;
    const data = spirals({ samples: 2 * n, noise: 0 });
    data.x.forEach((p, i) => {
      const c = i % 2;
      const t = Math.floor(i / 2) / n;
      expect(p[0]).toBeCloseTo(t * Math.cos(3 * Math.PI * t + c * Math.PI), 14);
      expect(p[1]).toBeCloseTo(t * Math.sin(3 * Math.PI * t + c * Math.PI), 14);
    });
  });

  it('gaussians: noise is the standard deviation around the centres (-1,-1) and (1,1)', () => {
    expect(gaussians({ samples: 4, noise: 0 }).x).toEqual([[-1, -1], [1, 1], [-1, -1], [1, 1]]);
    const sigma = 0.3;
    const data = gaussians({ samples: 4000, noise: sigma, seed: 2 });
    const residuals = data.x.flatMap((p, i) => p.map((v) => v - (classOf(data.y[i]!) === 0 ? -1 : 1)));
    const mean = residuals.reduce((s, v) => s + v, 0) / residuals.length;
    const std = Math.sqrt(residuals.reduce((s, v) => s + (v - mean) ** 2, 0) / residuals.length);
    // 8000 draws: the standard error of the std is sigma/sqrt(16000) ≈ 0.0024.
    expect(Math.abs(mean)).toBeLessThan(0.015);
    expect(Math.abs(std - sigma)).toBeLessThan(0.012);
  });

  it('rejects bad sizes and noise levels', () => {
    for (const samples of [1, 2.5, Number.NaN]) expect(failure(() => circles({ samples })).argument).toBe('samples');
    for (const noise of [-0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = failure(() => spirals({ noise }));
      expect([error.code, error.argument]).toEqual(['range', 'noise']);
    }
  });
});
