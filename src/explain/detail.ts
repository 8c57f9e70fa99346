/**
 * How much of a derivation an explanation shows: all of it, the steps
 * about selected names, or only a summary once the network or the batch is
 * too large to read step by step.
 */
import type { Names } from './naming.js';
import type { DerivationStep } from './derivation.js';

/** How much an explanation shows. */
export type Detail = 'full' | 'selected' | 'summary';

/**
 * Past these sizes an explanation shows a summary instead of every step,
 * unless `only` picks quantities (parameters) — see docs/explain.md.
 */
export const DETAIL_LIMITS = { parameters: 200, samples: 8 } as const;

/**
 * The steps about the selected names, plus, for a selected parameter, the
 * chain-rule steps of the unit it feeds, and the total error for context.
 */
export function select(steps: DerivationStep[], names: Names, only: readonly string[]): DerivationStep[] {
  const chosen = new Set(only);
  const chainUnits = new Set<string>();
  names.units.forEach((units, k) => units.forEach((u, j) => {
    const params = [...names.weights[k]![j]!, ...(names.biases[k] ?? [])];
    if (params.some((p) => chosen.has(p))) chainUnits.add(u);
  }));
  return steps.filter((step) => step.id === 'errors.total'
    || step.about.some((name) => chosen.has(name))
    || (step.section === 'backward' && !step.id.startsWith('gradients.') && step.about.some((u) => chainUnits.has(u))));
}
