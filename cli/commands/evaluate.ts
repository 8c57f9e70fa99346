import { Command } from 'commander';
import { evaluate, type ClassificationReport } from '../../src/index.js';
import { hasNamedColumns, loadData } from '../data-source.js';
import { formatLoss, percent } from '../progress.js';
import { safeText } from '../paint.js';
import { loadTrained, targetRows } from '../trained.js';

/** `glassnet evaluate MODEL DATA`: loss, and for classifiers accuracy, confusion matrix and per-class precision/recall. */
export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('measure a trained model on labelled data: loss; for classifiers accuracy, confusion matrix, precision and recall per class')
    .argument('<model>', 'model file written by glassnet train')
    .argument('<data>', 'a labelled .csv/.json file or built-in set')
    .option('--json', 'print one JSON object')
    .action(async (modelPath: string, source: string, flags: { json?: boolean }) => {
      const trained = await loadTrained(modelPath);
      // The model's classes are passed so that a label it never saw is an error, not a new class.
      const table = await loadData(source, {
        task: trained.task,
        names: { target: `target (${modelPath}: preprocessing.targetName)`, features: `features (${modelPath}: preprocessing.featureNames)` },
        ...(trained.classes === undefined ? {} : { classes: trained.classes }),
        ...(hasNamedColumns(source) && trained.targetName !== undefined ? { target: trained.targetName } : {}),
        ...(hasNamedColumns(source) && trained.featureNames !== undefined ? { features: trained.featureNames } : {}),
      });
      const x = trained.scaler.transform(table.x);
      const result = evaluate(trained.model, x, targetRows(table.y, trained.model.outputSize), { loss: trained.loss });
      const report = result.classification;
      if (flags.json === true) {
        const classes = trained.classes ?? [];
        process.stdout.write(`${JSON.stringify({
          samples: x.length, lossName: trained.loss, loss: result.loss,
          ...(report === undefined ? {} : {
            accuracy: report.accuracy, classes, confusion: report.confusion,
            // NaN (a class never predicted or never present) becomes null in JSON.
            perClass: report.perClass.map((c, i) => ({ class: classes[i], ...c })),
          }),
        })}\n`);
        return;
      }
      const lines = [`${source}: ${x.length} rows`, `loss (${trained.loss}) ${formatLoss(result.loss)}`];
      if (report !== undefined) lines.push(...classificationLines(report, trained.classes!));
      process.stdout.write(`${lines.map(safeText).join('\n')}\n`);
    });
}

function classificationLines(report: ClassificationReport, classes: readonly string[]): string[] {
  const correct = report.confusion.reduce((sum, row, i) => sum + row[i]!, 0);
  const total = report.perClass.reduce((sum, c) => sum + c.support, 0);
  const width = Math.max(...classes.map((c) => c.length), 'precision'.length) + 2;
  const cell = (text: string | number): string => String(text).padStart(width);
  const label = (text: string): string => text.padEnd(width);
  const ratio = (v: number): string => (Number.isNaN(v) ? '-' : v.toFixed(3));
  return [
    `accuracy ${percent(report.accuracy)} (${correct} of ${total})`,
    '',
    'confusion matrix (rows: actual, columns: predicted)',
    label('') + classes.map(cell).join(''),
    ...report.confusion.map((row, i) => label(classes[i]!) + row.map(cell).join('')),
    '',
    label('class') + ['precision', 'recall', 'support'].map(cell).join(''),
    ...report.perClass.map((c, i) => label(classes[i]!) + [ratio(c.precision), ratio(c.recall), c.support].map(cell).join('')),
  ];
}
