import { Command } from 'commander';
import { ARTICLE, Dense, articleNetwork, fit, type EpochInfo } from 'glassnet';
import { explainStep, formatNumber, namesFor, renderText } from 'glassnet/explain';
import { terminalPaint } from '../paint.js';
import { positiveFlag } from '../flags.js';
import { LiveLine, REDRAW_MS, bar } from '../progress.js';

interface DemoFlags {
  threshold: string;
  color: boolean;
}

// Lines printed when stdout is not a terminal: one every this many steps.
const PLAIN_EVERY = 1000;

/** Reports training progress: a live line on a terminal (train's, from progress.ts), a few plain lines otherwise. */
function progress(tty: boolean, threshold: number): { update: (info: EpochInfo) => void; stop: () => void } {
  // The explained step came first, so fit's step k is the run's step k + 1.
  if (!tty) {
    return {
      update: (info) => {
        if ((info.steps + 1) % PLAIN_EVERY === 0) console.log(`  step ${info.steps + 1}: E_total = ${formatNumber(info.loss)}`);
      },
      stop: () => undefined,
    };
  }
  const line = new LiveLine(process.stdout);
  let start = NaN;
  let drawn = -Infinity;
  return {
    update: (info) => {
      // A step takes microseconds: the line is redrawn at most every REDRAW_MS, as train's is.
      const now = performance.now();
      if (now - drawn < REDRAW_MS) return;
      drawn = now;
      // The error falls roughly geometrically, so progress is measured in orders of magnitude.
      if (Number.isNaN(start)) start = Math.log(info.loss);
      const done = (start - Math.log(info.loss)) / (start - Math.log(threshold));
      line.show([`  training ${bar(done)}`, `step ${info.steps + 1}`, `E_total ${formatNumber(info.loss)}`]);
    },
    stop: () => line.erase(),
  };
}

/**
 * `glassnet demo` (what `npm start` runs): the article's training step
 * explained, then training to the article's targets, then the result.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description("explain the article's training step, then train its network until the outputs reach the targets")
    .option('--threshold <error>', 'train until E_total is below this', '1e-6')
    .option('--no-color', 'no ANSI colours (they are used only on a terminal anyway)')
    .action((flags: DemoFlags) => {
      const threshold = positiveFlag('--threshold', flags.threshold);
      const tty = process.stdout.isTTY === true;
      const model = articleNetwork();
      const x = [[...ARTICLE.inputs]];
      const t = [[...ARTICLE.targets]];
      console.log(renderText(explainStep(model, x, t, { lr: ARTICLE.learningRate }), { paint: terminalPaint(flags.color) }));

      console.log(`\nTraining on, step by step, until E_total < ${threshold} (η = ${ARTICLE.learningRate}):`);
      const report = progress(tty, threshold);
      const result = fit(model, x, t, {
        lr: ARTICLE.learningRate, errorThreshold: threshold, epochs: 1_000_000, onEpochEnd: report.update,
      });
      report.stop();

      const names = namesFor(model);
      const outputs = Array.from(model.predict(x).data);
      const reached = result.stoppedBy === 'threshold' ? 'reached' : `not reached (stopped by ${result.stoppedBy})`;
      console.log(`\nTarget error ${reached} after ${result.steps + 1} iterations (the explained step included).`);
      names.units[names.units.length - 1]!.forEach((o, j) => {
        console.log(`  OUT(${o}) = ${formatNumber(outputs[j]!)}   target ${ARTICLE.targets[j]}`);
      });
      console.log(`  E_total = ${formatNumber(result.loss, 12)}`);
      console.log('Weights:');
      model.layers.forEach((layer, k) => {
        if (!(layer instanceof Dense)) return;
        const values = Array.from(layer.weight.data);
        console.log(`  ${names.weights[k]!.flat().map((w, i) => `${w} = ${formatNumber(values[i]!)}`).join('   ')}`);
      });
    });
}
