import { checkOneOf } from '../util/checks.js';
import type { Random } from '../util/random.js';

/**
 * Weight initialisers. The uniform forms draw from U(−limit, limit); the
 * normal forms from N(0, std²). Fan-in/out follow Glorot & Bengio (2010)
 * and He et al. (2015).
 */
export const INITIALIZERS = ['xavier', 'xavierNormal', 'he', 'heNormal'] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

/** Checks that `name` is a known initialiser; `argument` names it in the error. */
export function checkInitializer(name: unknown, argument = 'init'): InitializerName {
  return checkOneOf(INITIALIZERS, name, argument);
}

/** Fills `out` (a `fanOut × fanIn` weight matrix) from `random`. */
export function initialize(name: InitializerName, out: Float32Array | Float64Array, fanIn: number, fanOut: number, random: Random): void {
  switch (name) {
    case 'xavier':
      return fillUniform(out, Math.sqrt(6 / (fanIn + fanOut)), random);
    case 'xavierNormal':
      return fillNormal(out, Math.sqrt(2 / (fanIn + fanOut)), random);
    case 'he':
      return fillUniform(out, Math.sqrt(6 / fanIn), random);
    case 'heNormal':
      return fillNormal(out, Math.sqrt(2 / fanIn), random);
    default:
      name satisfies never;
  }
}

function fillUniform(out: Float32Array | Float64Array, limit: number, random: Random): void {
  for (let i = 0; i < out.length; i++) out[i] = random.uniform(-limit, limit);
}

function fillNormal(out: Float32Array | Float64Array, std: number, random: Random): void {
  for (let i = 0; i < out.length; i++) out[i] = random.normal() * std;
}
