import { Command } from 'commander';
import { FRACTION, GlassnetError, columnIndex, formatCsvRow, loadTable, parseCsv, trainTestSplit, type CsvTable, type Task } from 'glassnet';
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
      // The file is parsed once; the classes come from its target column alone, so a missing feature cell does not stop a row being stratified.
      const csv = parseCsv(await readDataText(source), { file: source, delimiter });
      const classes = stratify === 'no' ? null : targetClasses(csv, source, flags['target'], stratify === 'yes');
      // Stratifying pairs each row with its class; a row with a missing target has none.
      const incomplete = classes?.task === 'classification' ? csv.rows.length - classes.y.length : 0;
      if (stratify === 'yes' && incomplete > 0) {
        throw new GlassnetError({
          code: 'range', argument: '--stratify yes', expected: 'a class in every row (every row is split, and each needs its class)',
          found: `${incomplete} rows with a missing target (use --stratify no, or fill them first)`,
        });
      }
      const stratified = classes?.task === 'classification' && incomplete === 0;
      const rows = csv.rows.map((_, i) => [i]);
      const { train, test } = trainTestSplit({ x: rows, y: stratified ? classes.y : rows.map(() => [0]) }, { testFraction, seed, stratify: stratified });
      const write = (path: string, picked: number[][]): Promise<void> => writeFileAtomic(path, [
        ...(csv.header ? [formatCsvRow(csv.columns, csv.delimiter)] : []),
        ...picked.map(([i]) => formatCsvRow(csv.rows[i!]!, csv.delimiter)),
      ].join(''));
      await write(flags['trainOut']!, train.x);
      await write(flags['testOut']!, test.x);
      console.log(`${source}: ${train.x.length} rows to ${flags['trainOut']}, ${test.x.length} to ${flags['testOut']}${stratified ? ' (stratified by class)' : incomplete > 0 ? ` (not stratified: ${incomplete} rows have no target)` : ''}, seed ${seed}`);
    });
}

/**
 * The task and one-hot classes of the target column (default: the last),
 * read from the parsed cells: the library's table loader sees that column
 * alone, so the file is not parsed again. Rows with a missing target are left out.
 * @throws GlassnetError `unknown-name` for a target that is not a column.
 */
function targetClasses(csv: CsvTable, source: string, target: string | undefined, force: boolean): { task: Task; y: number[][] } {
  const column = target === undefined ? csv.columns.length - 1 : columnIndex(csv.columns, target, `--target (${source})`);
  const text = [...(csv.header ? [[csv.columns[column]!]] : []), ...csv.rows.map((row) => [row[column]!])].map((cells) => formatCsvRow(cells)).join('');
  const table = loadTable(text, { file: source, header: csv.header, delimiter: ',', missing: 'drop', ...(force ? { task: 'classification' as const } : {}) });
  return { task: table.task, y: table.y };
}
