import { Command } from 'commander';
import { FRACTION, GlassnetError, formatCsvRow, loadTable, parseCsv, trainTestSplit } from 'glassnet';
import { writeFileAtomic } from 'glassnet/node';
import { readDataText } from '../data-source.js';
import { checkPaths, named } from '../paths.js';
import { choiceFlag, delimiterFlag, intervalFlag, integerFlag } from '../flags.js';

const STRATIFY = ['auto', 'yes', 'no'] as const;

/** `glassnet split DATA`: seeded, stratified train and test files, the rows copied as they are. */
export function splitCommand(): Command {
  return new Command('split')
    .description('split a CSV file into train and test files: rows shuffled by the seed, each class keeping its share (stratified) for a class target')
    .argument('<data>', 'a .csv file')
    .requiredOption('--train-out <file>', 'write the training rows here')
    .requiredOption('--test-out <file>', 'write the test rows here')
    .option('--test <fraction>', 'share of rows for the test file', '0.2')
    .option('--seed <n>', 'seed of the shuffle', '0')
    .option('--target <column>', 'the column whose classes are stratified (default: the last)')
    .option('--stratify <when>', `${STRATIFY.join('|')}; auto: when the target is a classification`, 'auto')
    .option('--delimiter <char>', 'CSV field separator (default: detected)')
    .addHelpText('after', '\nExample:\n  glassnet split data.csv --test 0.2 --seed 1 --train-out train.csv --test-out test.csv\n')
    .action(async (source: string, flags: Record<string, string>) => {
      const testFraction = intervalFlag('--test', flags['test']!, FRACTION);
      const seed = integerFlag('--seed', flags['seed']!, 0);
      const stratify = choiceFlag('--stratify', flags['stratify']!, STRATIFY);
      const delimiter = flags['delimiter'] === undefined ? 'auto' : delimiterFlag('--delimiter', flags['delimiter']);
      await checkPaths({ inputs: named([['DATA', source]]), outputs: named([['--train-out', flags['trainOut']], ['--test-out', flags['testOut']]]) });
      const text = await readDataText(source);
      const csv = parseCsv(text, { file: source, delimiter });
      // Stratifying needs the classes; a regression target (or --stratify no) is split at random.
      const table = stratify === 'no' ? null : loadTable(text, {
        file: source, delimiter, missing: 'drop', ...(flags['target'] === undefined ? {} : { target: flags['target'] }),
        ...(stratify === 'yes' ? { task: 'classification' as const } : {}),
      });
      // Stratifying pairs each row with its class; rows with a missing cell have none in the loaded table.
      const incomplete = table?.task === 'classification' ? table.droppedRows : 0;
      if (stratify === 'yes' && incomplete > 0) {
        throw new GlassnetError({
          code: 'range', argument: '--stratify yes', expected: 'a file without missing cells (every row is split, and each needs its class)',
          found: `${incomplete} rows with missing cells (use --stratify no, or fill them first)`,
        });
      }
      const classes = table?.task === 'classification' && incomplete === 0 ? table.y : null;
      const rows = csv.rows.map((_, i) => [i]);
      const { train, test } = trainTestSplit({ x: rows, y: classes ?? rows.map(() => [0]) }, { testFraction, seed, stratify: classes !== null });
      const write = (path: string, picked: number[][]): Promise<void> => writeFileAtomic(path, [
        ...(csv.header ? [formatCsvRow(csv.columns, csv.delimiter)] : []),
        ...picked.map(([i]) => formatCsvRow(csv.rows[i!]!, csv.delimiter)),
      ].join(''));
      await write(flags['trainOut']!, train.x);
      await write(flags['testOut']!, test.x);
      console.log(`${source}: ${train.x.length} rows to ${flags['trainOut']}, ${test.x.length} to ${flags['testOut']}${classes !== null ? ' (stratified by class)' : incomplete > 0 ? ` (not stratified: ${incomplete} rows have missing cells)` : ''}, seed ${seed}`);
    });
}
