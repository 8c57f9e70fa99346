// The three renderers on the article's step (values from the PyTorch fixture)
// and on a 3-4-3-2 softmax cross-entropy network.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARTICLE, ARTICLE_PRINTED, articleNetwork, mlp } from '../src/index.js';
import {
  explainStep, formatNumber, messagesFor, renderMarkdown, renderText, toJSON, type Explanation,
} from '../src/explain/index.js';
import { EXPLAIN_SCHEMA } from '../src/explain/render-json.js';

const article = JSON.parse(readFileSync(new URL('./fixtures/article.json', import.meta.url), 'utf8'));
const ANSI = /\u001b\[/;
// The fixture's value as the article prints it: 9 decimals, trailing zeros dropped.
const nine = (v: number): string => v.toFixed(9).replace(/\.?0+$/, '').replace('-', '−');

function articleStep(): Explanation {
  return explainStep(articleNetwork(), [ARTICLE.inputs], [ARTICLE.targets], { lr: ARTICLE.learningRate });
}

function deepStep(): Explanation {
  const model = mlp([3, 4, 3, 2], { activation: 'tanh', outputActivation: 'linear', seed: 7, dtype: 'float64' });
  return explainStep(model, [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]], [[1, 0], [0, 1]], { loss: 'softmaxCrossEntropy' });
}

describe('formatNumber', () => {
  it('rounds to the given decimals and drops trailing zeros, as the article prints', () => {
    expect(formatNumber(0.25)).toBe('0.25');
    expect(formatNumber(0.6022861768886306)).toBe('0.602286177');
    expect(formatNumber(0.41500000000000004)).toBe('0.415');
    expect(formatNumber(-0.025596571932925357, 4)).toBe('-0.0256');
    expect(formatNumber(3, 9)).toBe('3');
    expect(formatNumber(0)).toBe('0');
  });

  it('keeps a tiny nonzero value visible in exponent form', () => {
    expect(formatNumber(1.25e-12)).toBe('1.25e-12');
    expect(formatNumber(-4e-10, 9)).toBe('-4e-10');
  });
});

describe('text', () => {
  const text = renderText(articleStep());
  const lines = text.split('\n');

  it("writes the article's formulas with its numbers", () => {
    expect(text).toContain('NET(h1) = w1·i1 + w2·i2 + b1 = 0.25·0.02 + 0.25·0.04 + 0.4 = 0.415');
    expect(text).toContain(`OUT(h1) = 1/(1 + e^(−NET(h1))) = 1/(1 + e^(−0.415)) = ${nine(article.neurons.h1.out)}`);
    expect(text).toContain(`= ${nine(article.dE_dout.o1)}·${nine(article.dout_dnet.o1)}·${nine(article.neurons.h2.out)} = ${nine(article.gradients.w6)}`);
    expect(text).toContain(`w6⁺ = w6 − η·∂E/∂w6 = 0.35 − 0.1·${nine(article.gradients.w6)} = ${nine(article.updated.w6)}`);
    expect(text).toContain(`= 0.4 − 0.1·(${nine(article.gradients.w7)}) = ${nine(article.updated.w7)}`);
    for (let k = 1; k <= 8; k++) expect(text).toContain(`= ${nine(article.gradients[`w${k}`])}`);
  });

  it('fits 80 columns, has no colour unless asked, aligns "=" within a section', () => {
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(text).not.toMatch(ANSI);
    expect(renderText(articleStep(), { paint: { heading: (h) => `\u001b[1m${h}\u001b[22m` } })).toMatch(ANSI);
    const forward = lines.slice(lines.indexOf('Forward pass') + 1, lines.indexOf('Error') - 1);
    expect(new Set(forward.filter((l) => /^ {2}\S/.test(l)).map((l) => l.indexOf(' = '))).size).toBe(1);
    expect(renderText(deepStep()).split('\n').every((l) => l.length <= 80)).toBe(true);
  });

  it("marks each value that differs from the article's print and explains it in the notes", () => {
    for (const printed of ARTICLE_PRINTED.filter((p) => p.slip !== undefined)) {
      expect(text).toContain(`≠ the article prints ${printed.printed}`);
      expect(text.replace(/\s+/g, ' ')).toContain(messagesFor('en').slips[printed.slip!]);
    }
  });

  it('follows --precision', () => {
    const text = renderText(articleStep(), { precision: 4 });
    expect(text).toContain('NET(o1) = w5·OUT(h1) + w6·OUT(h2) + b2 = 0.3·0.6023 + 0.35·0.6013 + 0.7\n');
    expect(text).toContain(`w6⁺ = w6 − η·∂E/∂w6 = 0.35 − 0.1·0.0281 = ${article.updated.w6.toFixed(4)}`);
  });
});

describe('markdown', () => {
  const md = renderMarkdown(articleStep());

  it('writes LaTeX that GitHub and KaTeX render: $$ blocks with balanced braces', () => {
    expect(md).toContain('$$\\mathrm{NET}_{h1} = w_{1}\\,i_{1} + w_{2}\\,i_{2} + b_{1} = 0.25\\cdot 0.02 + 0.25\\cdot 0.04 + 0.4 = 0.415$$');
    expect(md).toContain('\\frac{\\partial E}{\\partial w_{6}}');
    const blocks = md.split('$$').filter((_, i) => i % 2 === 1);
    expect(blocks.length).toBeGreaterThan(30);
    for (const block of blocks) {
      let depth = 0;
      for (const ch of block) {
        depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
        expect(depth).toBeGreaterThanOrEqual(0);
      }
      expect(depth, block).toBe(0);
      expect(block).not.toMatch(/[∂·−⁺η]/);
    }
  });

  it('has headings, the parameter table and the notes', () => {
    expect(md.startsWith('## Step 1: network 2-2-2')).toBe(true);
    expect(md).toContain('### Backward pass (chain rule)');
    expect(md).toContain(`| $w_{6}$ | 0.35 | ${nine(article.gradients.w6)} | ${nine(article.updated.w6)} |`);
    expect(md).toContain('> The article prints 0.01545028 here');
    expect(md).toMatch(/### Notes\n\n1\. /);
  });
});

describe('json', () => {
  it(`follows schema ${EXPLAIN_SCHEMA} with the article's numbers`, () => {
    const json = JSON.parse(JSON.stringify(toJSON(articleStep())));
    expect(json.schema).toBe('glassnet.explain/1');
    expect(json.network).toEqual({ sizes: [2, 2, 2], activations: ['sigmoid', 'sigmoid'], loss: 'squaredError', dtype: 'float64', parameters: 8, naming: 'article' });
    for (const unit of ['h1', 'h2', 'o1', 'o2']) expect(json.neurons[unit].out).toBeCloseTo(article.neurons[unit].out, 14);
    expect(json.errors.total).toBeCloseTo(article.errors.total, 14);
    expect(Object.keys(json.gradients)).toEqual(['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8']);
    const w6 = json.steps.find((s: { id: string }) => s.id === 'gradients.w6');
    expect(w6).toMatchObject({
      section: 'backward', quantity: '∂E/∂w6',
      formula: '∂E/∂OUT(o1)·∂OUT(o1)/∂NET(o1)·∂NET(o1)/∂w6', expanded: '∂E/∂OUT(o1)·∂OUT(o1)/∂NET(o1)·OUT(h2)',
      withNumbers: `${nine(article.dE_dout.o1)}·${nine(article.dout_dnet.o1)}·${nine(article.neurons.h2.out)}`,
    });
    expect(w6.terms[0].map((f: { factor: string }) => f.factor)).toEqual(['∂E/∂OUT(o1)', '∂OUT(o1)/∂NET(o1)', '∂NET(o1)/∂w6']);
    expect(json.steps.find((s: { id: string }) => s.id === 'errors.o1').article).toEqual({ printed: '0.01545028', agrees: false, note: expect.any(Number) });
    expect(json.notes.length).toBeGreaterThan(3);
  });

  it('per-sample arrays for a batch, probabilities for softmax cross-entropy', () => {
    const json = toJSON(deepStep());
    expect(json.network.naming).toBe('systematic');
    expect(json.samples).toBe(2);
    expect(json.neurons['h2.3']!.out).toHaveLength(2);
    expect(Object.keys(json.probabilities)).toEqual(['o1', 'o2']);
    expect(Object.keys(json.errors)).toEqual(['samples', 'total']);
    expect(json.steps.some((s) => s.id === 'probabilities.o2[2]')).toBe(true);
  });
});
