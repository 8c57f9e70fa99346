// TrainedModel.predictAll: labels and probabilities (or regression outputs)
// from one forward pass, the same numbers as classify, predictProba and predict.
import { describe, expect, it, vi } from 'vitest';
import { TrainedModel, fitScaler, mlp, type LossName } from '../src/index.js';
import { predictRows } from '../cli/trained.js';

const x = [[0.5, -1], [2, 0.25], [-1.5, 1], [0, 0], [3, -2]];

/** A classifier over `outputs` outputs, its weights seeded (untrained: the rule, not the fit, is under test). */
function classifier(loss: LossName, outputs: number, outputActivation: 'linear' | 'sigmoid'): TrainedModel {
  const model = mlp([2, 4, outputs], { activation: 'tanh', outputActivation, seed: 3 });
  return new TrainedModel(model, { loss, classes: outputs === 1 ? ['no', 'yes'] : ['a', 'b', 'c'], scaler: fitScaler('standard', x) });
}

describe('predictAll', () => {
  it.each([
    ['softmaxCrossEntropy', 3, 'linear'],
    ['binaryCrossEntropy', 1, 'sigmoid'],
    ['binaryCrossEntropyWithLogits', 1, 'linear'],
  ] as const)('for %s: classify and predictProba from one forward pass', (loss, outputs, activation) => {
    const trained = classifier(loss, outputs, activation);
    const labels = trained.classify(x);
    const probabilities = trained.predictProba(x);
    const forward = vi.spyOn(trained.model, 'predict');
    expect(trained.predictAll(x)).toEqual({ labels, probabilities });
    expect(forward).toHaveBeenCalledTimes(1);
    // Both kinds of label occur, so the comparison says something about the rule.
    expect(new Set(labels).size).toBeGreaterThan(1);
  });

  it('for regression: predict, in target units, from one forward pass', () => {
    const model = mlp([2, 3, 2], { activation: 'tanh', outputActivation: 'linear', seed: 4 });
    const targetScaler = fitScaler('standard', [[10, -5], [30, 5], [20, 0]]);
    const trained = new TrainedModel(model, { loss: 'mse', targetScaler });
    const outputs = trained.predict(x);
    const forward = vi.spyOn(trained.model, 'predict');
    expect(trained.predictAll(x)).toEqual({ outputs });
    expect(forward).toHaveBeenCalledTimes(1);
  });
});

describe("the CLI's predictions", () => {
  it('run the network once per batch', () => {
    const trained = classifier('softmaxCrossEntropy', 3, 'linear');
    const expected = { labels: trained.classify(x), probabilities: trained.predictProba(x) };
    const forward = vi.spyOn(trained.model, 'predict');
    expect(predictRows(trained, x)).toMatchObject(expected);
    expect(forward).toHaveBeenCalledTimes(1);
  });
});
