import { Command } from 'commander';
import {
  GlassnetError, MISSING_POLICIES, Tensor, applyFill, targetsForLoss, type ClassificationReport, type FeatureEncoding, type JsonObject, type Matrix, type RegressionReport,
} from 'glassnet';
import { hasNamedColumns, loadMatrices } from '../data-source.js';
import { choiceFlag, delimiterFlag } from '../flags.js';
import { formatLoss, percent } from '../progress.js';
import { safeText } from '../paint.js';
import { fixed } from '../report.js';
import { loadTrained } from '../trained.js';

/** `glassnet evaluate MODEL DATA`: loss; for classifiers accuracy, confusion matrix and per-class precision/recall; for regression R², RMSE, MAE and the mean baseline. */
export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('measure a trained model on labelled data: loss; for classifiers accuracy, confusion matrix, precision and recall per class; '
      + 'for regression R², RMSE and MAE in target units beside predicting the training mean')
    .argument('<model>', 'model file written by glassnet train (or saved from the library)')
    .argument('<data>', 'a labelled .csv/.json file or built-in set')
    .option('--missing <policy>', `missing CSV cells: ${MISSING_POLICIES.join('|')} (default: as in training; mean/median use the training values)`)
    .option('--delimiter <char>', 'CSV field separator (default: detected)')
    .option('--json', 'print one JSON object')
    .action(async (modelPath: string, source: string, flags: { json?: boolean; missing?: string; delimiter?: string }) => {
      const trained = await loadTrained(modelPath);
      const missing = flags.missing === undefined ? trained.missing : choiceFlag('--missing', flags.missing, MISSING_POLICIES);
      const targets = trained.targetNames;
      // The model's classes are passed so that a label it never saw is an error, not a new class.
      // Read into flat matrices (numbers only), as train reads its data; missing cells under mean/median are filled with the model's values below.
      const table = await loadMatrices(source, {
        task: trained.task,
        names: { target: `target (${modelPath}: preprocessing.targetName)`, features: `features (${modelPath}: preprocessing.featureNames)` },
        ...(missing === undefined ? {} : { missing }),
        ...(flags.delimiter === undefined ? {} : { delimiter: delimiterFlag('--delimiter', flags.delimiter) }),
        ...(trained.classes === undefined ? {} : { classes: trained.classes }),
        ...(hasNamedColumns(source) && targets !== undefined ? { target: targets } : {}),
        ...(hasNamedColumns(source) && trained.encoding !== undefined ? { encoding: trained.encoding } : {}),
        ...(hasNamedColumns(source) && trained.encoding === undefined && trained.featureNames !== undefined ? { features: trained.featureNames } : {}),
      });
      if (table.encoding !== undefined && (missing === 'mean' || missing === 'median')) fillFromModel(table.encoding, table.x, source);
      const rows = table.x.rows;
      const y = trained.task === 'regression' ? table.y : targetsForLoss(trained.loss, table.y);
      const result = trained.evaluate(tensorOf(table.x), tensorOf(y));
      const report = result.classification;
      const regression = result.regression;
      if (flags.json === true) {
        const classes = trained.classes ?? [];
        process.stdout.write(`${JSON.stringify({
          samples: rows, lossName: trained.loss, loss: result.loss,
          ...(report === undefined ? {} : {
            accuracy: report.accuracy, classes, confusion: report.confusion,
            // NaN (a class never predicted or never present) becomes null in JSON.
            perClass: report.perClass.map((c, i) => ({ class: classes[i], ...c })),
          }),
          ...(regression === undefined ? {} : regressionJson(regression)),
        })}\n`);
      } else {
        const lines = [`${source}: ${rows} rows`, `loss (${trained.loss}${regression !== undefined && trained.targetScaler.kind !== 'none' ? ', on scaled targets' : ''}) ${formatLoss(result.loss)}`];
        if (report !== undefined) lines.push(...classificationLines(report, trained.classes!));
        if (regression !== undefined) lines.push(...regressionLines(regression));
        // Class and column names come from files: escaped, so they cannot drive the terminal.
        process.stdout.write(`${lines.map(safeText).join('\n')}\n`);
      }
      if (regression?.worseThanBaseline === true) {
        process.stderr.write(`glassnet: warning: the model does worse on ${source} than predicting the training mean (RMSE ${fixed(regression.rmse)} vs ${fixed(regression.baseline.rmse)})\n`);
      }
    });
}

/** A float64 tensor over a matrix's numbers (no copy). */
function tensorOf(m: Matrix): Tensor {
  return new Tensor(m.data, [m.rows, m.cols]);
}

/**
 * Fills the missing cells the flat load left NaN with the encoding's values
 * (the model's, or the file's own for a model saved without one).
 * @throws GlassnetError naming the file and column when the model has no fill value for it.
 */
function fillFromModel(encoding: FeatureEncoding, x: Matrix, source: string): void {
  try {
    applyFill(encoding, [x]);
  } catch (error) {
    if (!(error instanceof GlassnetError)) throw error;
    throw new GlassnetError({
      code: error.code, argument: `${source}: column ${error.argument}`, expected: 'a value (the model has no fill value for this column: it was trained without --missing mean or median)',
      found: 'missing cells', cause: error,
    });
  }
}

function regressionJson(report: RegressionReport): JsonObject {
  return { r2: report.r2, rmse: report.rmse, mae: report.mae, baseline: report.baseline, worseThanBaseline: report.worseThanBaseline };
}

function regressionLines(report: RegressionReport): string[] {
  return [
    `R² ${report.r2.toFixed(4)}  RMSE ${fixed(report.rmse)}  MAE ${fixed(report.mae)}`,
    `predicting the training mean: R² ${report.baseline.r2.toFixed(4)}  RMSE ${fixed(report.baseline.rmse)}  MAE ${fixed(report.baseline.mae)}`,
  ];
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
