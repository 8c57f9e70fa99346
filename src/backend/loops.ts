/**
 * The loops the js backend runs over a record's scalar kernel
 * (`primitives/`), one compiled loop per kernel.
 *
 * Why not one shared loop: a loop calling `f(x[i])` for whichever record it
 * is given sees every record's function at one call site, V8 stops inlining
 * it, and relu over 64×128 float32 took 324 µs instead of 23 µs
 * (measured, Node 20). A loop compiled per kernel from a constant source
 * (below: no value from outside this module reaches `new Function`) has a
 * call site of its own, so V8 inlines the record's function as it would in a
 * loop written by hand. Where code generation is forbidden (a
 * Content-Security-Policy without 'unsafe-eval'), the shared loops run: the
 * same float operations in the same order, so the same results, slower.
 */
import type { FloatArray } from './backend.js';

type Forward = (x: number, a: number) => number;
type Derivative = (x: number, y: number, a: number) => number;
type Term = (o: number, t: number, p: number) => number;
type Gradient = (o: number, t: number, s: number, p: number) => number;

export type ForwardLoop = (out: FloatArray, x: FloatArray, n: number, a: number) => void;
export type DerivativeLoop = (out: FloatArray, x: FloatArray, y: FloatArray, n: number, a: number) => void;
export type TermLoop = (out: FloatArray, o: FloatArray, t: FloatArray, n: number, p: number) => void;
export type GradientLoop = (out: FloatArray, o: FloatArray, t: FloatArray, n: number, s: number, p: number) => void;

const SOURCES = {
  forward: 'return function loop(out, x, n, a) { for (let i = 0; i < n; i++) out[i] = f(x[i], a); };',
  derivative: 'return function loop(out, x, y, n, a) { for (let i = 0; i < n; i++) out[i] = f(x[i], y[i], a); };',
  term: 'return function loop(out, o, t, n, p) { for (let i = 0; i < n; i++) out[i] = f(o[i], t[i], p); };',
  gradient: 'return function loop(out, o, t, n, s, p) { for (let i = 0; i < n; i++) out[i] = f(o[i], t[i], s, p); };',
} as const;

/** The shared loops: the definition of the compiled ones' results, and the fallback. */
const SHARED = {
  forward: (f: Forward): ForwardLoop => (out, x, n, a) => {
    for (let i = 0; i < n; i++) out[i] = f(x[i]!, a);
  },
  derivative: (f: Derivative): DerivativeLoop => (out, x, y, n, a) => {
    for (let i = 0; i < n; i++) out[i] = f(x[i]!, y[i]!, a);
  },
  term: (f: Term): TermLoop => (out, o, t, n, p) => {
    for (let i = 0; i < n; i++) out[i] = f(o[i]!, t[i]!, p);
  },
  gradient: (f: Gradient): GradientLoop => (out, o, t, n, s, p) => {
    for (let i = 0; i < n; i++) out[i] = f(o[i]!, t[i]!, s, p);
  },
};

type Shape = keyof typeof SOURCES;
const compiled = new Map<unknown, unknown>();
let codeGeneration = true;

// No closure is made per call (a training step must not allocate): the shared loop is built only on a miss.
function loopOf<L>(shape: Shape, f: Forward | Derivative | Term | Gradient): L {
  let loop = compiled.get(f) as L | undefined;
  if (loop === undefined) {
    loop = (SHARED[shape] as (f: unknown) => L)(f);
    if (codeGeneration) {
      try {
        loop = (new Function('f', SOURCES[shape]) as (f: unknown) => L)(f);
      } catch {
        codeGeneration = false; // forbidden here: every kernel keeps its shared loop
      }
    }
    compiled.set(f, loop);
  }
  return loop;
}

/** `out[i] = f(x[i], a)` for `i < n`. */
export const forwardLoop = (f: Forward): ForwardLoop => loopOf('forward', f);
/** `out[i] = f(x[i], y[i], a)` for `i < n`. */
export const derivativeLoop = (f: Derivative): DerivativeLoop => loopOf('derivative', f);
/** `out[i] = f(o[i], t[i], p)` for `i < n`. */
export const termLoop = (f: Term): TermLoop => loopOf('term', f);
/** `out[i] = f(o[i], t[i], s, p)` for `i < n`. */
export const gradientLoop = (f: Gradient): GradientLoop => loopOf('gradient', f);
