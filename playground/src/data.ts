/**
 * The playground's data sets as glassnet tables, every one from the
 * library's own generators and loaders (the 8×8 digits are the library's
 * MNIST digits shrunk by scripts/make-digits8.mjs).
 */
import { ARTICLE, IRIS_CSV, SYNTHETIC, loadTable, oneHot, oneHotCodes, type Table } from 'glassnet';
import { DIGITS8_LABELS, DIGITS8_PIXELS } from './data/digits8.js';
import { UI } from './i18n/index.js';
import type { DatasetName, Settings } from './settings.js';

/** Side of a digit image. */
export const DIGIT_SIDE = 8;

/** The table a data set setting describes; `csv` needs the file's text (and its name for error positions). */
export function loadDataset(settings: Settings, csv?: { name: string; text: string }): Table {
  const name: DatasetName = settings.dataset;
  switch (name) {
    case 'article':
      return {
        x: [[...ARTICLE.inputs]], y: [[...ARTICLE.targets]], featureNames: ['i1', 'i2'], targetName: 'target', task: 'regression',
      };
    case 'xor':
    case 'circles':
    case 'spirals':
    case 'gaussians':
      return SYNTHETIC[name]({ samples: settings.samples, noise: settings.noise, seed: settings.dataSeed });
    case 'iris':
      return loadTable(IRIS_CSV, { file: 'iris', target: 'species', task: 'classification' });
    case 'digits':
      return digits8();
    case 'autoencoder': {
      const codes = oneHotCodes(8);
      return { ...codes, featureNames: codes.x.map((_, i) => `x${i + 1}`), targetName: 'code', task: 'regression' };
    }
    case 'csv':
      if (csv === undefined) throw new Error(UI[settings.lang].errors.chooseCsv);
      return loadTable(csv.text, { file: csv.name });
    default:
      return name satisfies never;
  }
}

function digits8(): Table {
  const pixels = DIGIT_SIDE * DIGIT_SIDE;
  const count = DIGITS8_LABELS.length;
  const x: number[][] = [];
  const y: number[][] = [];
  for (let n = 0; n < count; n++) {
    const row: number[] = [];
    for (let p = 0; p < pixels; p++) row.push(parseInt(DIGITS8_PIXELS[n * pixels + p]!, 17) / 16);
    x.push(row);
    y.push(oneHot(Number(DIGITS8_LABELS[n]), 10));
  }
  return {
    x, y, featureNames: Array.from({ length: pixels }, (_, i) => `px_${Math.floor(i / DIGIT_SIDE)}_${i % DIGIT_SIDE}`),
    targetName: 'digit', task: 'classification', classes: Array.from({ length: 10 }, (_, d) => String(d)),
  };
}
