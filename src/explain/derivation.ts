/**
 * What a derivation step is (one line of an explanation: NET(h1) = ... =
 * 0.3775; not a training step, which `train/step.ts` performs): named quantities, formulas kept as trees so
 * each renderer prints them its own way, and the constructors that build a
 * step's symbolic and numeric forms from one description, so the two can
 * never disagree.
 */

import type { Formula, FunctionName } from '../primitives/formula.js';

/** A named quantity. `sample` is the 1-based sample of a batch, null for a single sample. */
export type Sym =
  | { kind: 'net' | 'out' | 'target' | 'prob'; unit: string; sample: number | null }
  | { kind: 'error'; unit: string | null; sample: number | null }
  | { kind: 'input'; name: string; sample: number | null }
  | { kind: 'param'; name: string; updated: boolean }
  | { kind: 'total' }
  | { kind: 'lr' }
  | { kind: 'alpha' }
  | { kind: 'delta' }
  | { kind: 'partial'; of: Sym; wrt: Sym };

/** A formula, kept as a tree so each renderer can print it its own way (text, LaTeX). */
export type Expr =
  | { kind: 'sym'; sym: Sym }
  | { kind: 'num'; value: number }
  /** An exact constant of the formula itself (the 1 in 1 − OUT), printed as written. */
  | { kind: 'const'; value: number }
  | { kind: 'sum'; terms: Expr[] }
  | { kind: 'diff'; left: Expr; right: Expr }
  | { kind: 'prod'; factors: Expr[] }
  | { kind: 'frac'; num: Expr; den: Expr }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'square'; arg: Expr }
  | { kind: 'exp'; arg: Expr }
  | { kind: 'ln'; arg: Expr }
  | { kind: 'pi' }
  | { kind: 'fn'; name: FunctionName; args: Expr[] }
  | { kind: 'ifPositive'; test: Expr; then: Expr; otherwise: Expr };

/** One factor of a chain-rule product: its name in the chain, what it equals, and its recorded value. */
export interface Factor {
  sym: Sym;
  /** What the factor is in this network (e.g. ∂NET(o1)/∂w6 is OUT(h2)), when that differs from `sym`. */
  equals?: Expr;
  value: number;
}

export type Section = 'forward' | 'error' | 'backward' | 'update';

/** A printed article value held beside the computed one. */
export interface ArticleValue {
  printed: string;
  /** Whether the computed value, rounded to the printed decimals, is the printed one. */
  agrees: boolean;
  /** Index in `Explanation.notes` of the note that explains a disagreement. */
  note?: number;
}

/** One line of the derivation: quantity = formula(s) = formula with numbers = value. */
export interface DerivationStep {
  /** Stable key, e.g. `neurons.h1.net`, `dE_dout.o1`, `gradients.w6`, `updated.w6` (`[s]` appended per sample of a batch). */
  id: string;
  section: Section;
  quantity: Sym;
  /** Symbolic forms, from the general to the specific (e.g. ∂NET(o1)/∂w6, then OUT(h2)). */
  formulas: Expr[];
  withNumbers: Expr;
  /** The recorded value. */
  value: number;
  /** For chain-rule steps: the value is the sum over terms of the product of their factors, left to right. */
  terms?: Factor[][];
  /** Units and parameters this step is about (used by `only`). */
  about: string[];
  article?: ArticleValue;
}

// ----------------------------------------------------------------- expressions

/** The quantity `s` as a formula leaf. */
export const sym = (s: Sym): Expr => ({ kind: 'sym', sym: s });
/** A recorded value as a formula leaf. */
export const num = (value: number): Expr => ({ kind: 'num', value });
/** A constant of the formula itself, printed as written. */
export const int = (value: number): Expr => ({ kind: 'const', value });
/** Σ terms; a single term stands alone so no renderer prints a one-term sum. */
export const sum = (...terms: Expr[]): Expr => (terms.length === 1 ? terms[0]! : { kind: 'sum', terms });
/** Π factors; a single factor stands alone, as in {@link sum}. */
export const prod = (...factors: Expr[]): Expr => (factors.length === 1 ? factors[0]! : { kind: 'prod', factors });
/** left − right. */
export const diff = (left: Expr, right: Expr): Expr => ({ kind: 'diff', left, right });
/** n / d. */
export const frac = (n: Expr, d: Expr): Expr => ({ kind: 'frac', num: n, den: d });
/** ∂of/∂wrt, itself a quantity. */
export const partial = (of: Sym, wrt: Sym): Sym => ({ kind: 'partial', of, wrt });
/** The total error E. */
export const TOTAL: Sym = { kind: 'total' };

/** A leaf of a formula: the symbolic form prints the name, the numeric form the recorded value. */
export type Leaf = (s: Sym, value: number) => Expr;
const symbolic: Leaf = (s) => sym(s);
const numeric: Leaf = (_, value) => num(value);

/** 1/n as written, for the averaging factors of the losses (n is a count, so exact). */
function reciprocal(factor: number): Expr {
  return factor === 1 ? int(1) : frac(int(1), int(Math.round(1 / factor)));
}

/** `e` scaled by a loss's averaging factor, written as 1/n·e (or `e` alone when the factor is 1). */
export function withFactor(factor: number, e: Expr): Expr {
  return factor === 1 ? e : prod(reciprocal(factor), e);
}

/**
 * The formula vocabulary of `primitives/` as expression trees: a record's
 * formula written with it gives the symbolic form with the symbolic leaf
 * and the numeric form with the numeric one. Options (α, δ) are leaves too.
 */
export function exprFormula(leaf: Leaf): Formula<Expr> {
  return {
    c: int,
    option: (name, value) => leaf({ kind: name }, value),
    pi: () => ({ kind: 'pi' }),
    add: (...terms) => sum(...terms),
    sub: diff,
    mul: (...factors) => prod(...factors),
    div: frac,
    neg: (arg) => ({ kind: 'neg', arg }),
    square: (arg) => ({ kind: 'square', arg }),
    exp: (arg) => ({ kind: 'exp', arg }),
    ln: (arg) => ({ kind: 'ln', arg }),
    fn: (name, ...args) => ({ kind: 'fn', name, args }),
    ifPositive: (test, then, otherwise) => ({ kind: 'ifPositive', test, then, otherwise }),
  };
}

// ----------------------------------------------------------------- steps

/** A step id, tagged with its sample when the batch has several. */
export function stepId(base: string, sample: number | null): string {
  return sample === null ? base : `${base}[${sample}]`;
}

/** A step whose formula `build` writes once, with names (symbolic) and with the recorded values (numeric). */
export function make(id: string, section: Section, quantity: Sym, build: (leaf: Leaf) => Expr, value: number, about: string[]): DerivationStep {
  return { id, section, quantity, formulas: [build(symbolic)], withNumbers: build(numeric), value, about };
}

/** A step whose value is Σ over terms of Π of factors: the chain rule's shape. */
export function chain(id: string, section: Section, quantity: Sym, terms: Factor[][], value: number, about: string[]): DerivationStep {
  const general = sum(...terms.map((factors) => prod(...factors.map((f) => sym(f.sym)))));
  const specific = sum(...terms.map((factors) => prod(...factors.map((f) => f.equals ?? sym(f.sym)))));
  const formulas = terms.some((factors) => factors.some((f) => f.equals !== undefined)) ? [general, specific] : [general];
  const withNumbers = sum(...terms.map((factors) => prod(...factors.map((f) => num(f.value)))));
  return { id, section, quantity, formulas, withNumbers, value, terms, about };
}
