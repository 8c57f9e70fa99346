// Messy CSV files through the CLI: missing cells, semicolons, categorical columns, bad bytes.
import { describe, expect, it } from 'vitest';
import { glassnet } from './helpers/cli.js';
import { expectOneLineError, readModelJson, tempDir } from './helpers/cli-files.js';

const DATA = 'test/fixtures/data';

describe('glassnet on messy CSV files', () => {
  it('refuses missing cells by default, counting them and suggesting --missing', () => {
    expectOneLineError(glassnet('train', `${DATA}/messy.csv`), /^glassnet: test\/fixtures\/data\/messy\.csv:3:4 \(income; net\): expected a value \(4 missing cells in the file; .*--missing on the command line\), found ""$/);
  });

  it('trains with --missing mean, stores categories and fill values, and predicts with them', () => {
    const file = tempDir();
    const run = glassnet('train', `${DATA}/messy.csv`, '--missing', 'mean', '--epochs', '3', '--out', file('m.json'));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('5 rows (5 training), 6 features, target score; 1 row with missing cells left out, 3 missing cells filled in');
    const preprocessing = readModelJson(file('m.json')).preprocessing as Record<string, unknown>;
    expect(preprocessing['missing']).toBe('mean');
    expect(preprocessing['encoding']).toMatchObject({ columns: ['age', 'sex', 'city', 'income; net'], categories: [null, ['F', 'M'], ['Bergen', 'Oslo'], null] });
    expect(preprocessing['featureNames']).toEqual(['age', 'sex=F', 'sex=M', 'city=Bergen', 'city=Oslo', 'income; net']);
    // A missing cell at prediction gets the training fill value; an unseen category is an error.
    const predicted = glassnet('predict', file('m.json'), `${DATA}/messy.csv`);
    expect(predicted.status).toBe(1);
    expect(predicted.stderr).toMatch(/messy\.csv:5:3 \(city\): expected one of the categories seen in training: "Bergen", "Oslo", found "Trondheim"/);
    expectOneLineError(glassnet('predict', file('m.json'), `${DATA}/unseen-category.csv`), /unseen-category\.csv:3:2 \(sex\): expected one of the categories seen in training: "F", "M", found "X"$/);
    // Evaluation leaves out the row whose target is missing (Trondheim's), and fills the rest as in training.
    const evaluated = glassnet('evaluate', file('m.json'), `${DATA}/messy.csv`, '--json');
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ samples: 5 });
    expect(JSON.parse(glassnet('evaluate', file('m.json'), `${DATA}/messy.csv`, '--missing', 'drop', '--json').stdout)).toMatchObject({ samples: 2 });
  });

  it('reads a semicolon file without flags, and takes --delimiter and --task', () => {
    const run = glassnet('train', `${DATA}/semicolon.csv`, '--epochs', '2', '--json');
    expect(run.status).toBe(0);
    const forced = glassnet('train', `${DATA}/semicolon.csv`, '--delimiter', 'semicolon', '--task', 'regression', '--epochs', '2');
    expect(forced.stdout).toContain('task regression (set by --task)');
    expectOneLineError(glassnet('train', `${DATA}/semicolon.csv`, '--delimiter', ','), /^glassnet: /);
  });

  it('refuses a file that is not UTF-8 with line and column', () => {
    expectOneLineError(glassnet('train', `${DATA}/latin1.csv`), /^glassnet: test\/fixtures\/data\/latin1\.csv:2:4: expected UTF-8 text/);
  });
});
