import { describe, expect, it } from 'vitest';
import {
  Dense, Dropout, GlassnetError, LOSS_RECORDS, SGD, Sequential, Trainer, TrainedModel, TrainingSession, classIndices, classOfRow, defaultLoss, evaluate, mlp, networkFrom, outputColumns, targetsForLoss,
  type DType, type LossName,
} from 'glassnet';

/** A network whose every output is `value`: one linear unit with zero weight and bias `value`. */
function constant(value: number, dtype: DType): Sequential {
  return new Sequential([new Dense(1, 1, { activation: 'linear', weights: [[0]], bias: [value], dtype })]);
}

describe('one rule for which class an output is', () => {
  // σ(z) rounds to exactly ½ for |z| < ~1e-16: a rule that took the sigmoid first would call -1e-17 class 1.
  const cases: [number, DType][] = [[0, 'float32'], [1e-17, 'float32'], [-1e-17, 'float32'], [1e-300, 'float64'], [-1e-300, 'float64'], [-1e-30, 'float32']];
  const expected = (z: number): number => (z >= 0 ? 1 : 0);

  it('classOfRow decides a logit by its sign and a probability from ½', () => {
    for (const [z] of cases) {
      expect(classOfRow('sigmoid', [z], 0, 1), `logit ${z}`).toBe(expected(z));
      expect(classOfRow('outputs', [0.5 + z], 0, 1), `probability ½ + ${z}`).toBe(0.5 + z >= 0.5 ? 1 : 0);
    }
    // Several columns: the raw logits, the first of equal largest ones.
    expect(classOfRow('softmax', [1, 1 + 1e-15, 0], 0, 3)).toBe(1);
    expect(classOfRow('softmax', [2, 2], 0, 2)).toBe(0);
    expect(Array.from(classIndices(new Float64Array([0.2, 0.7, 0.5]), 3, 1))).toEqual([0, 1, 1]);
  });

  for (const loss of ['binaryCrossEntropyWithLogits', 'binaryCrossEntropy'] as LossName[]) {
    it(`training accuracy, evaluate and classify agree for ${loss}`, () => {
      for (const [v, dtype] of cases) {
        // For binaryCrossEntropy the output is a probability: put it at ½ + v.
        const out = loss === 'binaryCrossEntropy' ? 0.5 + v : v;
        const rule = classOfRow(LOSS_RECORDS[loss].probabilities, [dtype === 'float32' ? Math.fround(out) : out], 0, 1);
        const target = [[rule]];
        // Training: the accuracy of an epoch counts the outputs of the step, before its update.
        const model = constant(out, dtype);
        const session = new TrainingSession(model, { x: [[1]], y: target }, { loss, optimizer: new SGD(model.parameters(), 1e-30) });
        expect(session.step().epochEnd?.accuracy, `training, ${v} (${dtype})`).toBe(1);
        const fresh = constant(out, dtype);
        expect(evaluate(fresh, [[1]], target, { loss }).classification?.accuracy, `evaluate, ${v} (${dtype})`).toBe(1);
        expect(evaluate(fresh, [[1]], [[1 - rule]], { loss }).classification?.accuracy, `evaluate, other class, ${v}`).toBe(0);
        expect(new TrainedModel(fresh, { loss, classes: ['no', 'yes'] }).classify([[1]]), `classify, ${v} (${dtype})`).toEqual([rule === 1 ? 'yes' : 'no']);
        if (loss === 'binaryCrossEntropyWithLogits') expect(rule, `logit ${v}`).toBe(expected(v));
      }
    });
  }
});

describe('the default loss and its outputs', () => {
  it('binary cross-entropy on one logit for two classes, softmax for more, mse for none', () => {
    expect([0, 1, 2, 3, 10].map(defaultLoss)).toEqual(['mse', 'softmaxCrossEntropy', 'binaryCrossEntropyWithLogits', 'softmaxCrossEntropy', 'softmaxCrossEntropy']);
    expect(outputColumns('binaryCrossEntropyWithLogits', 2)).toBe(1);
    expect(outputColumns('binaryCrossEntropy', 2)).toBe(1);
    expect(outputColumns('binaryCrossEntropyWithLogits', 3)).toBe(3); // several labels, one logit each
    expect(outputColumns('softmaxCrossEntropy', 2)).toBe(2);
  });

  it('shapes targets as the outputs: two one-hot classes under a binary loss become the second class\'s column', () => {
    const y = { rows: 3, cols: 2, data: Float64Array.from([1, 0, 0, 1, 1, 0]) };
    expect(targetsForLoss('binaryCrossEntropyWithLogits', y)).toEqual({ rows: 3, cols: 1, data: Float64Array.from([0, 1, 0]) });
    expect(targetsForLoss('softmaxCrossEntropy', y)).toBe(y);
    const three = { rows: 1, cols: 3, data: Float64Array.from([0, 0, 1]) };
    expect(targetsForLoss('binaryCrossEntropy', three)).toBe(three);
  });

  it('refuses what is not a count or a loss, naming it', () => {
    expect(() => defaultLoss(-1)).toThrow(/^classes: expected an integer >= 0, found -1$/);
    expect(() => defaultLoss(Number.NaN)).toThrow(/^classes: /);
    expect(() => outputColumns('constructor' as LossName, 2)).toThrow(/^loss: expected one of /);
    expect(() => outputColumns('mse', 0)).toThrow(/^columns: expected an integer >= 1, found 0$/);
  });
});

describe('networkFrom builds on mlp', () => {
  const spec = { activation: 'leakyRelu', alpha: 0.2, outputActivation: 'linear', seed: 7, dropout: 0.25, dtype: 'float64' } as const;

  it('gives bit-identical weights and the same layers as mlp', () => {
    const a = networkFrom({ sizes: [3, 5, 4, 2], ...spec });
    const b = mlp([3, 5, 4, 2], spec);
    expect(a.layers.map((l) => l.constructor.name)).toEqual(['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
    expect(b.layers.map((l) => l.constructor.name)).toEqual(a.layers.map((l) => l.constructor.name));
    const pa = a.parameters();
    const pb = b.parameters();
    expect(pa.length).toBe(6);
    pa.forEach((p, i) => expect(Array.from(p.data), `parameter ${i}`).toEqual(Array.from(pb[i]!.data)));
    // Dropout draws nothing from the weights' generator: the weights are those of the network without it.
    mlp([3, 5, 4, 2], { ...spec, dropout: 0 }).parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(pa[i]!.data)));
    expect(a.layers.filter((l): l is Dropout => l instanceof Dropout).map((l) => l.rate)).toEqual([0.25, 0.25]);
  });

  it('passes alpha to the hidden layers, not the output layer', () => {
    const model = networkFrom({ sizes: [2, 3, 3, 1], activation: 'elu', alpha: 0.5, outputActivation: 'linear' });
    const dense = model.layers.filter((l): l is Dense => l instanceof Dense);
    expect(dense.map((l) => [l.activation, l.alpha])).toEqual([['elu', 0.5], ['elu', 0.5], ['linear', 0]]);
  });

  it('keeps its own checks and errors', () => {
    expect(() => networkFrom({ sizes: [2] })).toThrow(/sizes/);
    expect(() => networkFrom({ sizes: [2, 1.5] })).toThrow(/sizes\[1\]/);
    expect(() => networkFrom({ sizes: [2, 3, 1], dropout: 1 })).toThrow(/dropout/);
    expect(() => networkFrom({ sizes: [2, 1], activaton: 'relu' } as never)).toThrow(/activaton/);
    expect(() => mlp([2, 3, 1], { dropout: -0.1 })).toThrow(/options\.dropout/);
  });
});

describe('the Trainer checks l2 and clipNorm', () => {
  const model = (): Sequential => mlp([2, 2, 1], { seed: 1 });
  it.each([
    [{ l2: -1 }, 'options.l2'], [{ l2: Number.NaN }, 'options.l2'], [{ clipNorm: 0 }, 'options.clipNorm'], [{ clipNorm: -2 }, 'options.clipNorm'],
  ])('refuses %j naming %s', (options, argument) => {
    let error: unknown;
    try {
      new Trainer(model(), options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlassnetError);
    expect((error as GlassnetError).argument).toBe(argument);
  });

  it('fit and TrainingSession get the check through it', async () => {
    const { fit } = await import('glassnet');
    const m = model();
    const before = m.parameters().map((p) => Array.from(p.data));
    expect(() => fit(m, [[0, 1]], [[1]], { l2: -1, epochs: 1 })).toThrow(/options\.l2/);
    expect(() => new TrainingSession(m, { x: [[0, 1]], y: [[1]] }, { clipNorm: 0, lr: 0.1 })).toThrow(/options\.clipNorm/);
    expect(m.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });
});

describe('TrainedModel class weights', () => {
  it('weighs the loss of evaluate, is stored in training, and is checked against the outputs', () => {
    const model = mlp([2, 3], { seed: 2, outputActivation: 'linear' });
    const x = [[0.1, 0.2], [0.5, -1], [2, 0.3]];
    const y = [[1, 0, 0], [0, 0, 1], [0, 0, 1]];
    const weighted = new TrainedModel(model, { loss: 'softmaxCrossEntropy', classWeights: [2, 1, 0.5] });
    expect(weighted.toExtras().training?.['classWeights']).toEqual([2, 1, 0.5]);
    // Σ_r w_c(r)·(−ln p_c(r)) / Σ_r w_c(r), from the probabilities the model gives.
    const p = weighted.predictProba(x);
    const expected = (2 * -Math.log(p[0]![0]!) + 0.5 * -Math.log(p[1]![2]!) + 0.5 * -Math.log(p[2]![2]!)) / 3;
    expect(Math.abs(weighted.evaluate(x, y).loss - expected)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(new TrainedModel(model, { loss: 'softmaxCrossEntropy' }).evaluate(x, y).loss - expected)).toBeGreaterThan(1e-3);
    expect(() => new TrainedModel(model, { loss: 'softmaxCrossEntropy', classWeights: [1, 2] })).toThrow(/^options\.classWeights: expected 3 finite weights >= 0/);
    expect(() => new TrainedModel(model, { loss: 'softmaxCrossEntropy', classWeights: [0, 0, 0] })).toThrow(/^options\.classWeights: expected 3 finite weights >= 0, not all 0/);
    expect(() => new TrainedModel(model, { loss: 'mse', classWeights: [1, 2, 3] })).toThrow(/^options\.classWeights: /);
  });
});
