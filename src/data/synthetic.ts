import { NON_NEGATIVE, checkInteger, checkNumber } from '../util/checks.js';
import { Random } from '../util/random.js';
import type { Table } from './table.js';
import { oneHot } from './encode.js';

/** Options shared by the 2-D synthetic sets. */
export interface SyntheticOptions {
  /** Number of points, at least 2 (default 200); classes alternate, so they differ in size by at most one. */
  samples?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0.1; 0.5 for `gaussians`). */
  noise?: number;
  /** Seed (default 0): one seed, one data set. */
  seed?: number;
}

/** A clean point of class `c`, the `k`-th of `perClass` in its class. */
type Shape = (c: 0 | 1, k: number, perClass: number, random: Random) => [number, number];

function generate(options: SyntheticOptions, defaultNoise: number, shape: Shape): Table {
  const { samples = 200, noise = defaultNoise, seed = 0 } = options;
  checkInteger(samples, 2, 'samples');
  checkNumber(noise, NON_NEGATIVE, 'noise');
  const random = new Random(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < samples; i++) {
    const c = (i % 2) as 0 | 1;
    const perClass = c === 0 ? Math.ceil(samples / 2) : Math.floor(samples / 2);
    const [px, py] = shape(c, Math.floor(i / 2), perClass, random);
    x.push([px + noise * random.normal(), py + noise * random.normal()]);
    y.push(oneHot(c, 2));
  }
  return { x, y, featureNames: ['x1', 'x2'], targetName: 'class', task: 'classification', classes: ['0', '1'] };
}

/** Points uniform in the square [-1, 1]²; class 1 where the coordinates' signs differ (exclusive or), class 0 where they agree. */
export function xor(options: SyntheticOptions = {}): Table {
  return generate(options, 0.1, (c, _k, _n, random) => {
    const sign = random.int(2) === 0 ? 1 : -1;
    const a = random.float();
    const b = random.float();
    return [sign * a, (c === 0 ? sign : -sign) * b];
  });
}

/** Two centred circles: class 0 on radius 0.5, class 1 on radius 1, at uniform angles. */
export function circles(options: SyntheticOptions = {}): Table {
  return generate(options, 0.1, (c, _k, _n, random) => {
    const radius = c === 0 ? 0.5 : 1;
    const angle = random.uniform(0, 2 * Math.PI);
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
}

/** Two interleaved spirals from the origin to radius 1, 1.5 turns each; class 1 is class 0 turned by half a turn. */
export function spirals(options: SyntheticOptions = {}): Table {
  return generate(options, 0.1, (c, k, perClass) => {
    const t = k / perClass;
    const angle = 3 * Math.PI * t + c * Math.PI;
    return [t * Math.cos(angle), t * Math.sin(angle)];
  });
}

/** Two Gaussian blobs centred at (-1, -1) (class 0) and (1, 1) (class 1); `noise` is their standard deviation. */
export function gaussians(options: SyntheticOptions = {}): Table {
  return generate(options, 0.5, (c) => (c === 0 ? [-1, -1] : [1, 1]));
}

/** The synthetic sets by name, e.g. for a `--data spirals` flag. */
export const SYNTHETIC = { xor, circles, spirals, gaussians } as const;

/** Name of a synthetic set. */
export type SyntheticName = keyof typeof SYNTHETIC;
