// `glassnet train` as a user runs it: spawned processes on Iris and small CSV fixtures.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { glassnet } from './helpers/cli.js';
import { csvRows, expectOneLineError, readModelJson, tempDir } from './helpers/cli-files.js';
import { built } from './helpers/dist.js';

const IRIS = 'data/iris.csv';
const FIXTURES = 'test/fixtures/cli';
const MAIN = built('glassnet-cli', 'main.js');

describe('glassnet train', () => {
  it('trains Iris from a CSV and prints one JSON object with --json', () => {
    const file = tempDir();
    const run = glassnet('train', IRIS, '--target', 'species', '--layers', '8', '--lr', '0.05', '--epochs', '40', '--batch-size', '16',
      '--val-split', '0.2', '--seed', '1', '--out', file('model.json'), '--json');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!);
    expect(summary).toMatchObject({ epochs: 40, steps: 40 * Math.ceil(120 / 16), stoppedBy: 'epochs', samples: { train: 120, validation: 30 } });
    expect(summary.accuracy).toBeGreaterThan(0.9);
    expect(summary.valAccuracy).toBeGreaterThan(0.85);
    expect(summary.loss).toBeLessThan(0.3);
    expect(typeof summary.valLoss).toBe('number');

    const model = readModelJson(file('model.json'));
    expect(model['preprocessing']).toMatchObject({
      featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], targetName: 'species',
      classes: ['setosa', 'versicolor', 'virginica'], scaler: { kind: 'standard' },
    });
    const training = model['training'] as Record<string, unknown>;
    expect(training).toMatchObject({ loss: 'softmaxCrossEntropy', optimizer: { name: 'adam', lr: 0.05 }, epochs: 40, steps: summary.steps, seed: 1 });
    expect(training['metrics']).toEqual({ loss: summary.loss, accuracy: summary.accuracy, valLoss: summary.valLoss, valAccuracy: summary.valAccuracy });
    expect(Date.now() - Date.parse(training['date'] as string)).toBeLessThan(60_000);
    // Hidden relu, output linear (the default for softmaxCrossEntropy).
    expect(model.architecture.layers.map((l) => [l.type, l.units, l.activation])).toEqual([['dense', 8, 'relu'], ['dense', 3, 'linear']]);
  });

  it('fits the scaler to the training rows: with no validation split, the population mean and std of each column', () => {
    const file = tempDir();
    const run = glassnet('train', IRIS, '--epochs', '1', '--out', file('m.json'), '--quiet');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    const rows = csvRows(IRIS).slice(1).map((r) => r.slice(0, 4).map(Number));
    const mean = [0, 1, 2, 3].map((j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
    const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / rows.length));
    const scaler = readModelJson(file('m.json')).preprocessing!.scaler!;
    scaler.mean!.forEach((v, j) => expect(v).toBeCloseTo(mean[j]!, 12));
    scaler.std!.forEach((v, j) => expect(v).toBeCloseTo(std[j]!, 12));
  });

  it('prints plain progress lines without a TTY: every epoch for short runs, every N epochs for long ones', () => {
    const short = glassnet('train', 'iris', '--epochs', '5');
    expect(short.status).toBe(0);
    expect(short.stdout.split('\n').filter((l) => l.startsWith('epoch')).map((l) => l.split(/\s+/)[1])).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    expect(short.stdout).toMatch(/^epoch 5\/5 {2}loss \d\.\d+ {2}accuracy \d+\.\d% {2}\(/m);
    expect(short.stdout).toContain('stopped by epochs after 5 epochs (25 steps');
    expect(short.stdout).not.toContain('\u001b['); // no colour or cursor codes off a TTY

    const long = glassnet('train', 'iris', '--epochs', '60', '--batch-size', '150');
    const epochs = long.stdout.split('\n').filter((l) => l.startsWith('epoch')).map((l) => Number(/^epoch\s+(\d+)/.exec(l)![1]));
    expect(epochs).toEqual(Array.from({ length: 20 }, (_, i) => 3 * (i + 1)));
  });

  it('reaches every training option of the library: momentum, weight decay, schedule, gradient clipping, step limit', () => {
    const file = tempDir();
    const run = glassnet('train', 'iris', '--optimizer', 'momentum', '--lr', '0.1', '--momentum', '0.5', '--weight-decay', '0.001',
      '--schedule', 'stepDecay,steps=5,gamma=0.5', '--clip-norm', '1', '--batch-size', '150', '--epochs', '20', '--max-steps', '12',
      '--checkpoint', file('ck.json'), '--json');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ steps: 12, stoppedBy: 'maxSteps' });
    const saved = readModelJson(file('ck.json'));
    expect((saved.training as Record<string, unknown>)['optimizer']).toMatchObject({ name: 'momentum', lr: 0.1, momentum: 0.5, weightDecay: 0.001 });
    expect((saved.training as Record<string, unknown>)['settings']).toMatchObject({ schedule: 'stepDecay,steps=5,gamma=0.5', clipNorm: 1, maxSteps: 12 });
    // One step per epoch: epoch e's last step is step e - 1, at 0.1 * 0.5^floor((e - 1) / 5).
    const history = (saved as unknown as { optimizerState: { fit: { history: { lr: number }[] } } }).optimizerState.fit.history;
    expect(history.map((h) => h.lr)).toEqual(Array.from({ length: 12 }, (_, i) => 0.1 * 0.5 ** Math.floor(i / 5)));
    expectOneLineError(glassnet('train', 'iris', '--momentum', '0.5'), /--momentum/, 2);
    expectOneLineError(glassnet('train', 'iris', '--schedule', 'cosine'), /--schedule/, 2);
    expectOneLineError(glassnet('train', 'iris', '--schedule', 'stepDecay,gamma=0'), /--schedule/, 2);
    expectOneLineError(glassnet('train', 'iris', '--min-delta', '0.1'), /--min-delta/, 2);
  });

  it('stops on --error-threshold and --time-limit, and says so', () => {
    const threshold = JSON.parse(glassnet('train', 'iris', '--lr', '0.05', '--epochs', '500', '--error-threshold', '0.2', '--json').stdout);
    expect(threshold.stoppedBy).toBe('threshold');
    expect(threshold.loss).toBeLessThan(0.2);
    expect(threshold.epochs).toBeLessThan(500);
    const timed = JSON.parse(glassnet('train', 'iris', '--epochs', '1000000', '--time-limit', '0.3', '--json').stdout);
    expect(timed.stoppedBy).toBe('timeLimit');
    expect(timed.seconds).toBeGreaterThanOrEqual(0.3);
    expect(timed.seconds).toBeLessThan(5);
  });

  it('stops early when validation loss stops improving and restores the best epoch', () => {
    const run = JSON.parse(glassnet('train', 'iris', '--optimizer', 'sgd', '--lr', '0.5', '--epochs', '300', '--val-split', '0.3', '--early-stopping', '3', '--json').stdout);
    expect(run.stoppedBy).toBe('earlyStopping');
    expect(run.epochs).toBe(run.bestEpoch + 3);
  });

  it('trains a two-class CSV with binaryCrossEntropy through one sigmoid output', () => {
    const file = tempDir();
    const run = glassnet('train', `${FIXTURES}/fruit.csv`, '--loss', 'binaryCrossEntropy', '--lr', '0.05', '--epochs', '60', '--batch-size', '8', '--out', file('m.json'), '--json');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).accuracy).toBeGreaterThan(0.8);
    const model = readModelJson(file('m.json'));
    expect(model.architecture.layers.at(-1)).toMatchObject({ units: 1, activation: 'sigmoid' });
    expect(model['preprocessing']).toMatchObject({ classes: ['apple', 'pear'], targetName: 'fruit' });
  });

  it('trains a two-class CSV with binaryCrossEntropyWithLogits through one linear output (sigmoid fused into the loss)', () => {
    const file = tempDir();
    const run = glassnet('train', `${FIXTURES}/fruit.csv`, '--loss', 'binaryCrossEntropyWithLogits', '--lr', '0.05', '--epochs', '60', '--batch-size', '8', '--out', file('m.json'), '--json');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).accuracy).toBeGreaterThan(0.8);
    const model = readModelJson(file('m.json'));
    expect(model.architecture.layers.at(-1)).toMatchObject({ units: 1, activation: 'linear' });
  });

  it('trains a regression CSV with mse and a linear output', () => {
    const file = tempDir();
    const run = glassnet('train', `${FIXTURES}/regression.csv`, '--layers', 'none', '--lr', '0.05', '--epochs', '200', '--batch-size', '30', '--out', file('m.json'), '--json');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.accuracy).toBeUndefined();
    expect(summary.loss).toBeLessThan(0.01);
    const model = readModelJson(file('m.json'));
    expect(model['training']).toMatchObject({ loss: 'mse' });
    expect(model['preprocessing']).toMatchObject({ task: 'regression', targetName: 'y' });
  });

  it('reads JSON data: one-hot targets are classes "0", "1", ... by position', () => {
    const file = tempDir();
    writeFileSync(file('xor.json'), JSON.stringify({ x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[1, 0], [0, 1], [0, 1], [1, 0]] }));
    const run = glassnet('train', file('xor.json'), '--layers', '8', '--activation', 'tanh', '--lr', '0.05', '--epochs', '300', '--out', file('m.json'), '--json');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).accuracy).toBe(1);
    expect(readModelJson(file('m.json'))['preprocessing']).toMatchObject({ classes: ['0', '1'], featureNames: ['x1', 'x2'] });
  });

  it('writes a self-contained HTML report with curves, the per-epoch numbers and the confusion matrix', () => {
    const file = tempDir();
    const run = glassnet('train', 'iris', '--epochs', '7', '--val-split', '0.2', '--report', file('r.html'), '--quiet');
    expect(run.status).toBe(0);
    const html = readFileSync(file('r.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // nothing fetched
    const data = JSON.parse(/<script type="application\/json" id="glassnet-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(data.history.every((h: Record<string, number>) => typeof h['valAccuracy'] === 'number')).toBe(true);
    expect(html).toContain('Confusion matrix (validation data');
    for (const name of ['setosa', 'versicolor', 'virginica']) expect(html).toContain(`<th class="label">${name}</th>`);
    // uplot is installed in node_modules, so its code is inlined and the charts are drawn.
    expect(html).toContain('new uPlot(');
    expect(html).toContain('id="loss-chart"');
  });

  it('continues from a checkpoint to the same weights as an uninterrupted run (6 epochs vs 3 + resume to 6)', () => {
    const file = tempDir();
    const recipe = ['iris', '--layers', '12', '--dropout', '0.25', '--val-split', '0.2', '--lr', '0.02', '--batch-size', '16', '--seed', '5', '--optimizer', 'adamw', '--l2', '0.001'];
    expect(glassnet('train', ...recipe, '--epochs', '6', '--out', file('whole.json'), '--quiet').status).toBe(0);
    expect(glassnet('train', ...recipe, '--epochs', '3', '--checkpoint', file('ck.json'), '--quiet').status).toBe(0);

    const checkpoint = readModelJson(file('ck.json'));
    const state = checkpoint['optimizerState'] as { optimizer: { kind: string; steps: number }; fit: { epoch: number; steps: number; history: unknown[] } };
    expect(state.optimizer).toMatchObject({ kind: 'adamw', steps: 24 });
    expect(state.fit).toMatchObject({ epoch: 3, steps: 24 });
    expect(state.fit.history).toHaveLength(3);
    expect(checkpoint['training']).toMatchObject({ epochs: 3, plannedEpochs: 3, settings: { dropout: 0.25, layers: [12], seed: 5 } });

    // Without repeating the recipe: the checkpoint's settings are used.
    const resumed = glassnet('train', 'iris', '--resume', file('ck.json'), '--epochs', '6', '--out', file('resumed.json'));
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain('resuming after epoch 3 (24 steps)');
    const whole = readModelJson(file('whole.json'));
    const continued = readModelJson(file('resumed.json'));
    expect(continued.weights).toEqual(whole.weights);
    expect(continued['training']).toEqual({ ...(whole['training'] as object), date: (continued['training'] as { date: string }).date });
  });

  it('accepts the same recipe flags when resuming but refuses a changed one', () => {
    const file = tempDir();
    expect(glassnet('train', 'iris', '--lr', '0.02', '--epochs', '2', '--checkpoint', file('ck.json'), '--quiet').status).toBe(0);
    expect(glassnet('train', 'iris', '--lr', '0.02', '--epochs', '3', '--resume', file('ck.json'), '--quiet').status).toBe(0);
    expectOneLineError(glassnet('train', 'iris', '--lr', '0.1', '--resume', file('ck.json')), /^glassnet: --lr: expected 0\.02 as in the checkpoint .*ck\.json.*found 0\.1$/, 2);
    expectOneLineError(glassnet('train', 'iris', '--resume', `${FIXTURES}/fruit.csv`), /^glassnet: test\/fixtures\/cli\/fruit\.csv: expected /);
  });

  it('stops on a loss that becomes infinite, naming epoch and batch, and keeps the last good checkpoint', () => {
    const file = tempDir();
    const run = glassnet('train', `${FIXTURES}/diverge.csv`, '--layers', 'none', '--scale', 'none', '--optimizer', 'sgd', '--lr', '0.01',
      '--epochs', '100', '--checkpoint', file('ck.json'), '--checkpoint-every', '1', '--out', file('never.json'));
    expectOneLineError(run, /^glassnet: loss at epoch (\d+), batch 1: expected a finite loss .*found (Infinity|NaN) \(the checkpoint .*ck\.json holds epoch (\d+)\)$/);
    const [, failed, , kept] = /epoch (\d+), batch 1: .*found (Infinity|NaN).* holds epoch (\d+)/.exec(run.stderr)!;
    expect(Number(kept)).toBe(Number(failed) - 1);
    expect(existsSync(file('never.json'))).toBe(false);
    const info = glassnet('info', file('ck.json'), '--json');
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout).checkpoint.epoch).toBe(Number(kept));
  });

  it('stops after the current batch on SIGINT, keeps the last checkpoint, and exits 130', async () => {
    const file = tempDir();
    const child = spawn(process.execPath, [MAIN, 'train', 'iris', '--epochs', '1000000', '--batch-size', '8', '--checkpoint', file('ck.json'), '--checkpoint-every', '1', '--out', file('never.json')], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!existsSync(file('ck.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(file('ck.json'))).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const [, epoch, , kept] = /^glassnet: interrupted at epoch (\d+), batch (\d+); the checkpoint .*ck\.json holds epoch (\d+)$/.exec(lines[0]!)!;
    expect(Number(kept)).toBe(Number(epoch) - 1);
    expect(existsSync(file('never.json'))).toBe(false);
    const state = (readModelJson(file('ck.json'))['optimizerState'] as { fit: { epoch: number } }).fit;
    expect(state.epoch).toBe(Number(kept));
    // The kept checkpoint is a whole epoch's state: it resumes.
    const resumed = glassnet('train', 'iris', '--resume', file('ck.json'), '--epochs', String(Number(kept) + 1), '--json');
    expect(resumed.status).toBe(0);
    expect(JSON.parse(resumed.stdout).epochs).toBe(Number(kept) + 1);
  }, 30_000);

  it('rejects bad data and flags with one line naming the file position or the flag', () => {
    expectOneLineError(glassnet('train', `${FIXTURES}/bad-cell.csv`), /^glassnet: test\/fixtures\/cli\/bad-cell\.csv:3:2 \(b\): expected a number, found "abc"$/);
    expectOneLineError(glassnet('train', `${FIXTURES}/ragged.csv`), /^glassnet: test\/fixtures\/cli\/ragged\.csv:3: expected 3 fields .*found 2 fields$/);
    expectOneLineError(glassnet('train', `${FIXTURES}/empty.csv`), /^glassnet: test\/fixtures\/cli\/empty\.csv: expected at least one row, found an empty file$/);
    expectOneLineError(glassnet('train', `${FIXTURES}/fruit.csv`, '--target', 'colour'), /^glassnet: --target: expected one of the columns "weight", "sweetness", "fruit".*found "colour"$/);
    expectOneLineError(glassnet('train', `${FIXTURES}/missing.csv`), /^glassnet: test\/fixtures\/cli\/missing\.csv: expected a readable data file, found no such file$/);
    expectOneLineError(glassnet('train', 'iris', '--epochs', '0'), /^glassnet: --epochs: expected an integer >= 1, found "0"$/, 2);
    expectOneLineError(glassnet('train', 'iris', '--val-split', '1'), /^glassnet: --val-split: expected a number in \[0, 1\), found "1"$/, 2);
    expectOneLineError(glassnet('train', 'iris', '--optimizer', 'sgd'), /^glassnet: --lr: expected a learning rate for sgd \(it has no default\), found none$/, 2);
    expectOneLineError(glassnet('train', 'iris', '--optimizer', 'lbfgs'), /^glassnet: --optimizer: expected one of "sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad", found "lbfgs"$/, 2);
    expectOneLineError(glassnet('train', `${FIXTURES}/regression.csv`, '--loss', 'softmaxCrossEntropy'), /^glassnet: --loss: expected squaredError, mse, mae, huber for a regression target/, 2);
    expectOneLineError(glassnet('train', 'iris', '--out', '/nonexistent-dir/m.json'), /^glassnet: --out: expected a file in an existing directory, found "\/nonexistent-dir\/m\.json": no directory/, 2);
  });

  it('shows the stack of an error only with --verbose', () => {
    const run = glassnet('--verbose', 'train', `${FIXTURES}/bad-cell.csv`);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bad-cell\.csv:3:2/);
    expect(run.stderr).toMatch(/\n\s+at /);
  });
});
