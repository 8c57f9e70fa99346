// TrainingSession: step-wise training that a UI or worker drives. It must
// land on exactly fit's weights, build exactly mlp's network, and refuse
// bad options before changing anything.
import { describe, expect, it } from 'vitest';
import {
  GlassnetError, SCHEDULES, createOptimizer, TrainingSession, createSession, evaluate, fit, mlp, networkFrom, scheduleFrom, xor, circles, Dropout,
} from '../src/index.js';

const weights = (model: { parameters(): { data: ArrayLike<number> }[] }) => model.parameters().map((p) => Array.from(p.data));

describe('TrainingSession', () => {
  const data = xor({ samples: 40, seed: 3 });
  const spec = { sizes: [2, 5, 2], activation: 'tanh', outputActivation: 'linear', seed: 11 } as const;
  const options = { loss: 'softmaxCrossEntropy', optimizerName: 'adam', lr: 0.02, batchSize: 7, seed: 5, l2: 0.001 } as const;

  it('steps to the same weights as fit, bit for bit, epoch by epoch', () => {
    const reference = networkFrom(spec);
    const optimizer = createOptimizer('adam', reference.parameters(), { lr: options.lr });
    const result = fit(reference, data.x, data.y, { loss: options.loss, batchSize: options.batchSize, seed: options.seed, l2: options.l2, epochs: 3, optimizer });
    const session = createSession(spec, data, options);
    const ends: number[] = [];
    for (let i = 0; i < 18; i++) {
      const s = session.step();
      if (s.epochEnd !== undefined) ends.push(s.steps);
    }
    expect(ends).toEqual([6, 12, 18]); // 40 samples in batches of 7: 6 per epoch
    expect(session.epochs).toBe(3);
    expect(weights(session.model)).toEqual(weights(reference));
    expect(session.history.map((h) => [h.loss, h.accuracy])).toEqual(result.history.map((h) => [h.loss, h.accuracy]));
  });

  it('takes the loss options as fit does: class weights train and score the same, bit for bit', () => {
    const lossOptions = { weight: [1, 3] };
    const reference = networkFrom(spec);
    const optimizer = createOptimizer('adam', reference.parameters(), { lr: options.lr });
    const result = fit(reference, data.x, data.y, { loss: options.loss, lossOptions, batchSize: options.batchSize, seed: options.seed, l2: options.l2, epochs: 2, optimizer });
    const session = createSession(spec, data, { ...options, lossOptions });
    session.epoch();
    session.epoch();
    expect(weights(session.model)).toEqual(weights(reference));
    expect(session.history.map((h) => h.loss)).toEqual(result.history.map((h) => h.loss));
    // The weights change the training: unweighted, the same run ends elsewhere.
    const plain = createSession(spec, data, options);
    plain.epoch();
    plain.epoch();
    expect(weights(plain.model)).not.toEqual(weights(reference));
    expect(session.evaluate().train.loss).toBe(evaluate(session.model, data.x, data.y, { loss: options.loss, lossOptions }).loss);
    expect(() => createSession(spec, data, { ...options, lossOptions: { weight: [1] } })).toThrow(/^options\.lossOptions\.weight: expected 2 finite weights/);
  });

  it('epoch() finishes the epoch under way; nextBatch() names the rows the next step uses', () => {
    const session = createSession(spec, data, options);
    const first = Array.from(session.nextBatch());
    expect(first).toHaveLength(7);
    session.step();
    session.step();
    const info = session.epoch();
    expect(info.epoch).toBe(1);
    expect(session.steps).toBe(6);
    expect(Array.from(session.nextBatch())).toHaveLength(7);
    expect(session.nextBatch()).not.toEqual(first); // epoch 2 is shuffled anew
  });

  it('snapshot copies weights and last gradients; evaluate scores train and test', () => {
    const test = circles({ samples: 10, seed: 9 });
    const session = createSession(spec, data, { ...options, test });
    const before = session.snapshot();
    expect(before.steps).toBe(0);
    expect(before.lastLoss).toBeNaN();
    const s = session.step();
    const after = session.snapshot();
    const dense = session.model.parameters();
    expect(Array.from(after.layers[0]!.weight!)).toEqual(Array.from(dense[0]!.data));
    expect(Array.from(after.layers[1]!.weightGrad!)).toEqual(Array.from(dense[2]!.grad!.data));
    expect(after.lastLoss).toBe(s.loss);
    after.layers[0]!.weight![0] = 123; // a copy
    expect(dense[0]!.data[0]).not.toBe(123);
    const scores = session.evaluate();
    expect(scores.test?.classification?.accuracy).toBeGreaterThanOrEqual(0);
    expect(scores.train.loss).toBeGreaterThan(0);
  });

  it('trains xor below a test loss of 0.05 within 200 epochs', () => {
    const train = xor({ samples: 200, seed: 1, noise: 0 });
    const test = xor({ samples: 100, seed: 2, noise: 0 });
    const session = createSession({ sizes: [2, 8, 8, 2], activation: 'tanh', outputActivation: 'linear', seed: 0 }, train,
      { loss: 'softmaxCrossEntropy', optimizerName: 'adam', lr: 0.01, batchSize: 10, test });
    let epochs = 0;
    while (session.evaluate().test!.loss >= 0.05 && epochs < 200) {
      session.epoch();
      epochs++;
    }
    expect(session.evaluate().test!.loss).toBeLessThan(0.05);
  });

  it('networkFrom is mlp without dropout, and adds seeded Dropout layers with it', () => {
    expect(weights(networkFrom({ sizes: [3, 4, 2], activation: 'relu', outputActivation: 'linear', seed: 4, init: 'xavier' })))
      .toEqual(weights(mlp([3, 4, 2], { activation: 'relu', outputActivation: 'linear', seed: 4, init: 'xavier' })));
    const dropped = networkFrom({ sizes: [3, 4, 4, 2], seed: 4, dropout: 0.25 });
    expect(dropped.layers.map((l) => l.constructor.name)).toEqual(['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
    expect(dropped.layers[1]).toBeInstanceOf(Dropout);
  });

  it('schedules as data: every name builds, and the rate follows the schedule', () => {
    for (const kind of SCHEDULES) expect(() => scheduleFrom({ kind })).not.toThrow();
    const session = createSession(spec, data, { ...options, optimizerName: 'sgd', lr: 0.1, schedule: { kind: 'stepDecay', steps: 2, gamma: 0.5 } });
    session.step();
    session.step();
    session.step();
    expect(session.optimizer.lr).toBeCloseTo(0.05, 15);
  });

  it('refuses bad options before changing the model', () => {
    const model = networkFrom(spec);
    const before = weights(model);
    const bad = (f: () => unknown, argument: string) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(GlassnetError);
        expect((error as GlassnetError).argument).toBe(argument);
        return;
      }
      throw new Error('no error');
    };
    bad(() => new TrainingSession(model, data, { batchSize: 0 }), 'options.batchSize');
    bad(() => new TrainingSession(model, data, { loss: 'nope' as never }), 'options.loss');
    bad(() => new TrainingSession(model, { x: data.x, y: data.y.slice(1) }, {}), 'y');
    bad(() => new TrainingSession(model, data, { schedule: { kind: 'linear' as never } }), 'schedule.kind');
    bad(() => networkFrom({ sizes: [2] }), 'sizes');
    bad(() => networkFrom({ sizes: [2, 2], dropout: 1 }), 'dropout');
    expect(weights(model)).toEqual(before);
  });
});

