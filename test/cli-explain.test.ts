// `glassnet explain` and `glassnet demo` as users run them: the built CLI in
// a child process (run `npm run build` first; `npm test` does). Values are
// checked against the PyTorch float64 fixture.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { glassnet } from './helpers/cli.js';

const article = JSON.parse(readFileSync(new URL('./fixtures/article.json', import.meta.url), 'utf8'));
const REL = 1e-12;

const run = glassnet;

function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected) / Math.abs(expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(REL);
}

describe('glassnet explain --format json (the article network, lr 0.1, one step)', () => {
  const { stdout, status } = run('explain', '--format', 'json');
  const json = JSON.parse(stdout);

  it('prints neurons, errors, gradients, updated, steps and notes with the oracle\'s values', () => {
    expect(status).toBe(0);
    expect(json.schema).toBe('glassnet.explain/1');
    for (const unit of ['h1', 'h2', 'o1', 'o2']) {
      expectClose(json.neurons[unit].net, article.neurons[unit].net, `NET(${unit})`);
      expectClose(json.neurons[unit].out, article.neurons[unit].out, `OUT(${unit})`);
    }
    for (const e of ['o1', 'o2', 'total']) expectClose(json.errors[e], article.errors[e], `E(${e})`);
    for (let k = 1; k <= 8; k++) {
      expectClose(json.gradients[`w${k}`], article.gradients[`w${k}`], `dE/dw${k}`);
      expectClose(json.updated[`w${k}`], article.updated[`w${k}`], `new w${k}`);
    }
    // b1, b2 are fixed in the article: no gradient, no update.
    expect(Object.keys(json.gradients)).toHaveLength(8);
    expect(json.steps.length).toBeGreaterThan(30);
    for (const step of json.steps) expect(Object.keys(step)).toEqual(expect.arrayContaining(['quantity', 'formula', 'withNumbers', 'value']));
    expect(json.notes.some((n: string) => n.includes('halved twice'))).toBe(true);
  });
});

describe('glassnet explain (text)', () => {
  it('prints the trace readable at 80 columns, without colour when not a terminal', () => {
    const { stdout, status } = run('explain');
    expect(status).toBe(0);
    expect(stdout).not.toMatch(/\u001b\[/);
    expect(Math.max(...stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(stdout).toContain(`∂E/∂w6`);
    expect(stdout).toContain(`= ${article.updated.w6.toFixed(9)}`);
    expect(stdout).toContain('≠ the article prints 0.025283526');
  });

  it('--only w6,w1 focuses on those weights', () => {
    const { stdout } = run('explain', '--only', 'w6,w1', '--format', 'json');
    const json = JSON.parse(stdout);
    expect(json.detail).toBe('selected');
    expect(json.steps.filter((s: { id: string }) => s.id.startsWith('gradients.')).map((s: { id: string }) => s.id)).toEqual(['gradients.w6', 'gradients.w1']);
  });

  it('--steps 3 explains three successive steps; --summary gives one line per step after the first', () => {
    const steps = JSON.parse(run('explain', '--steps', '3', '--format', 'json').stdout);
    expect(steps.map((s: { iteration: number }) => s.iteration)).toEqual([1, 2, 3]);
    expectClose(steps[1].errors.total, article.training.losses['1'], 'E_total at step 2');
    expectClose(steps[2].errors.total, article.training.losses['2'], 'E_total at step 3');
    const text = run('explain', '--steps', '3', '--summary').stdout.trimEnd().split('\n');
    expect(text.at(-2)).toBe(`step 2: E_total = ${article.training.losses['1'].toFixed(9)}; OUT(o1) = ${article.after_step.neurons.o1.out.toFixed(9)}, OUT(o2) = ${article.after_step.neurons.o2.out.toFixed(9)}`);
    expect(text.at(-1)).toMatch(/^step 3: E_total = /);
  });

  it('--format markdown writes headings and LaTeX', () => {
    const { stdout } = run('explain', '--format', 'markdown', '--precision', '3');
    expect(stdout.startsWith('## Step 1: network 2-2-2')).toBe(true);
    expect(stdout).toContain('$$\\mathrm{NET}_{h1} = w_{1}\\,i_{1} + w_{2}\\,i_{2} + b_{1} = 0.25\\cdot 0.02 + 0.25\\cdot 0.04 + 0.4 = 0.415$$');
  });

  it('explains other networks and data: a 3-4-3-2 tanh network with softmax cross-entropy on a batch', () => {
    const { stdout, status } = run('explain', '--sizes', '3,4,3,2', '--activation', 'tanh', '--output-activation', 'linear',
      '--loss', 'softmaxCrossEntropy', '--input', '0.1,0.2,0.3;0.5,-0.4,0.2', '--target', '1,0;0,1', '--format', 'json');
    expect(status).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.network).toMatchObject({ sizes: [3, 4, 3, 2], naming: 'systematic', parameters: 39 });
    expect(json.samples).toBe(2);
    expect(json.gradients['w2.3.4']).toEqual(expect.any(Number));
  });

  it('summarises past the size limit and says how to get detail', () => {
    const { stdout, status } = run('explain', '--sizes', '20,20,20');
    expect(status).toBe(0);
    expect(stdout).toContain('Summary');
    expect(stdout.replace(/\s+/g, ' ')).toContain('Full detail refused for 840 parameters (limit 200 without a selection)');
    expect(stdout).not.toContain('Backward pass');
    expect(stdout.split('\n').length).toBeLessThan(25);
  });

  it.each([
    [['--format', 'xml'], 'glassnet: --format: expected one of "text", "markdown", "json", found "xml"'],
    [['--precision', '2.5'], 'glassnet: --precision: expected an integer from 0 to 17, found "2.5"'],
    [['--lr', 'fast'], 'glassnet: --lr: expected a finite decimal number, found "fast"'],
    [['--input', '0.1,0.2,0.3'], 'glassnet: --input (sample 1): expected 2 comma-separated numbers, found 3'],
    [['--only', 'w9'], 'glassnet: only: expected names of units or parameters of this network (e.g. h1, o1, w6), found "w9"'],
    [['--loss', 'hinge'], 'glassnet: --loss: expected one of "squaredError", "mse", "mae", "huber", "binaryCrossEntropy", "binaryCrossEntropyWithLogits", "softmaxCrossEntropy", found "hinge"'],
  ])('%j fails with one line', (args, message) => {
    const { stdout, stderr, status } = run('explain', ...args);
    // Flags are usage errors (2); a name the network does not have is found by the library (1).
    expect(status).toBe(args[0] === '--only' ? 1 : 2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd()).toBe(message);
  });
});

describe('glassnet demo (npm start)', () => {
  it("explains the article's step, trains to the targets and reports iterations, outputs and weights", () => {
    const { stdout, status } = run('demo');
    expect(status).toBe(0);
    expect(stdout).toContain('NET(h1) = w1·i1 + w2·i2 + b1 = 0.25·0.02 + 0.25·0.04 + 0.4 = 0.415');
    // The oracle counts the first step whose error is below 1e-6.
    expect(stdout).toContain(`after ${article.training.first_step_below['1e-6']} iterations`);
    expect(stdout).toMatch(/OUT\(o1\) = 0\.49\d+ {3}target 0\.5/);
    expect(stdout).toMatch(/w1 = 0\.2\d+ {3}w2 = /);
    expect(stdout).toMatch(/step 5000: E_total = /);
  });
});

describe('glassnet explain --model', () => {
  it('explains a saved model with the loss and input scaling it was trained with', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { mlp, fitScaler } = await import('../src/index.js');
    const { saveModel } = await import('../src/io/node.js');
    const file = join(mkdtempSync(join(tmpdir(), 'glassnet-explain-')), 'model.json');
    const model = mlp([2, 3, 2], { activation: 'tanh', outputActivation: 'linear', seed: 5, dtype: 'float64' });
    const scaler = fitScaler('standard', [[0, 10], [2, 30]]); // mean [1, 20], std [1, 10]
    await saveModel(file, model, { preprocessing: { scaler: scaler.toJSON() as never }, training: { loss: 'softmaxCrossEntropy' } as never });
    const { stdout, status } = run('explain', '--model', file, '--input', '2,40', '--target', '0,1', '--format', 'json');
    expect(status).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.network.loss).toBe('softmaxCrossEntropy');
    expect(json.network.sizes).toEqual([2, 3, 2]);
    expect(json.inputs).toEqual({ i1: 1, i2: 2 }); // (2 − 1)/1, (40 − 20)/10
  });

  it('fails with one line for a missing model file', () => {
    const { status, stderr } = run('explain', '--model', '/nonexistent/model.json');
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
