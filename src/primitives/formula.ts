/**
 * The vocabulary a primitive's record writes its formula in. A record
 * writes each formula once, as a function of a `Formula<E>`; each reader
 * supplies its own `E`. explain builds expression trees from it (and
 * renders them as text and LaTeX), so the formula a reader sees and the
 * kernel beside it in the same record cannot drift apart unnoticed.
 */

/** Named functions a formula may apply. */
export type FunctionName = 'tanh' | 'max' | 'erf' | 'sigmoid' | 'sqrt' | 'abs';

/** The options a primitive may take, as formula symbols (α, δ). */
export type OptionSymbol = 'alpha' | 'delta';

/** Constructors of one formula representation `E`. */
export interface Formula<E> {
  /** A constant of the formula itself (the 1 in 1 − OUT), printed as written. */
  c(value: number): E;
  /** The option's symbol (α, δ) with its value. */
  option(name: OptionSymbol, value: number): E;
  /** π. */
  pi(): E;
  add(...terms: E[]): E;
  sub(left: E, right: E): E;
  mul(...factors: E[]): E;
  div(numerator: E, denominator: E): E;
  neg(arg: E): E;
  square(arg: E): E;
  exp(arg: E): E;
  ln(arg: E): E;
  fn(name: FunctionName, ...args: E[]): E;
  /** `then` where `test` > 0, `otherwise` elsewhere. */
  ifPositive(test: E, then: E, otherwise: E): E;
}
