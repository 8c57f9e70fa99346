// explain writes every activation and its derivative from the activation's
// record, and the value it shows is the derivative the backward pass used.
import { describe, expect, it } from 'vitest';
import { Dense, Sequential } from '../src/index.js';
import { ELEMENTWISE, type ElementwiseName } from '../src/backend/index.js';
import { exprLatex, exprText, explainStep } from '../src/explain/index.js';

/** OUT(h1) and ∂OUT(h1)/∂NET(h1) as explain prints them (text), written out by hand. */
const WRITTEN: Record<ElementwiseName, [out: string, derivative: string]> = {
  sigmoid: ['1/(1 + e^(−NET(h1)))', 'OUT(h1)·(1 − OUT(h1))'],
  tanh: ['tanh(NET(h1))', '1 − OUT(h1)²'],
  relu: ['max(0, NET(h1))', '(1 if NET(h1) > 0, else 0)'],
  leakyRelu: ['(NET(h1) if NET(h1) > 0, else α·NET(h1))', '(1 if NET(h1) > 0, else α)'],
  elu: ['(NET(h1) if NET(h1) > 0, else α·(e^(NET(h1)) − 1))', '(1 if NET(h1) > 0, else α·e^(NET(h1)))'],
  gelu: ['1/2·NET(h1)·(1 + erf(NET(h1)/√(2)))', '1/2·(1 + erf(NET(h1)/√(2))) + NET(h1)·e^(−(NET(h1)²/2))/√(2·π)'],
  geluTanh: [
    '1/2·NET(h1)·(1 + tanh(√(2/π)·(NET(h1) + 0.044715·NET(h1)·NET(h1)²)))',
    '1/2·(1 + tanh(√(2/π)·(NET(h1) + 0.044715·NET(h1)·NET(h1)²))) + 1/2·NET(h1)·(1 − tanh(√(2/π)·(NET(h1) + 0.044715·NET(h1)·NET(h1)²))²)·√(2/π)·(1 + 0.134145·NET(h1)²)',
  ],
  silu: ['NET(h1)·σ(NET(h1))', 'σ(NET(h1))·(1 + NET(h1)·(1 − σ(NET(h1))))'],
  softplus: ['ln(1 + e^(NET(h1)))', 'σ(NET(h1))'],
};

describe('explain shows every activation with its derivative', () => {
  it.each(Object.keys(ELEMENTWISE) as ElementwiseName[])('%s', (name) => {
    const option = ELEMENTWISE[name].option;
    const model = new Sequential([
      new Dense(2, 2, { activation: name, weights: [[0.4, -0.9], [0.3, 0.8]], bias: 0.1, dtype: 'float64', ...(option === null ? {} : { alpha: 0.3 }) }),
      new Dense(2, 1, { weights: [[0.5, -0.6]], dtype: 'float64' }),
    ]);
    const explanation = explainStep(model, [[0.5, 0.7]], [[0.2]], { loss: 'mse' });
    const step = (id: string) => explanation.steps.find((s) => s.id === id)!;
    const [out, derivative] = WRITTEN[name];
    expect(exprText(step('neurons.h1.out').formulas[0]!)).toBe(out);
    expect(exprText(step('dout_dnet.h1').formulas[0]!)).toBe(derivative);
    // The numbers form carries the option's value where the symbolic form has α.
    if (option !== null) expect(exprText(step('dout_dnet.h1').withNumbers)).not.toContain('α');
    expect(exprLatex(step('dout_dnet.h1').formulas[0]!)).not.toContain('undefined');
    // The value shown is the derivative the backward pass multiplied, so the chain-rule product is dE/dNET exactly.
    const dEdNet = step('dE_dnet.h1');
    expect(step('dE_dout.h1').value * step('dout_dnet.h1').value).toBe(dEdNet.value);
    const net = step('neurons.h1.net').value;
    const y = step('neurons.h1.out').value;
    expect(step('dout_dnet.h1').value).toBe(ELEMENTWISE[name].derivative(net, y, option === null ? 0 : 0.3));
  });
});
