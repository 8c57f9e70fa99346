import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { fromOnnx, type DType, type Preprocessing, type Sequential } from '../../src/index.js';
import { saveModel } from '../../src/io/node.js';
import { choiceFlag } from '../flags.js';

/** The formats `glassnet import` reads. */
export const IMPORT_FORMATS = ['onnx'] as const;
type ImportFormat = (typeof IMPORT_FORMATS)[number];
const DTYPES = ['float32', 'float64'] as const;

interface ImportFlags {
  out: string;
  from?: string;
  dtype?: string;
}

/** What a reader gives: the network, what it knows of the preprocessing, and where it came from. */
interface Imported {
  model: Sequential;
  preprocessing?: Preprocessing;
  source: string;
}

const readers: Record<ImportFormat, (path: string, dtype: DType | undefined) => Promise<Imported>> = {
  onnx: async (path, dtype) => {
    const { model, preprocessing, producer } = fromOnnx(await readFile(path), { file: path, ...(dtype === undefined ? {} : { dtype }) });
    return { model, ...(preprocessing === undefined ? {} : { preprocessing }), source: `onnx${producer === '' ? '' : ` (${producer})`}` };
  },
};

/** The format a file's name implies, when --from is not given. */
function formatOf(path: string, from: string | undefined): ImportFormat {
  if (from !== undefined) return choiceFlag('--from', from, IMPORT_FORMATS);
  return choiceFlag('--from (from the file name; give it explicitly)', path.endsWith('.onnx') ? 'onnx' : path, IMPORT_FORMATS);
}

/** `glassnet import FILE --out MODEL.json`: a network from another framework as a glassnet model file (docs/interop.md). */
export function importCommand(): Command {
  return new Command('import')
    .description('read a network from another format (onnx) into a glassnet model file, e.g. to explain a PyTorch-trained network')
    .argument('<file>', 'the file to read (.onnx)')
    .requiredOption('--out <model>', 'the glassnet model file to write (atomically)')
    .option('--from <format>', `${IMPORT_FORMATS.join('|')} (default: from the file name)`)
    .option('--dtype <dtype>', `${DTYPES.join('|')} (default: the file's)`)
    .action(async (path: string, flags: ImportFlags) => {
      const format = formatOf(path, flags.from);
      const dtype = flags.dtype === undefined ? undefined : choiceFlag('--dtype', flags.dtype, DTYPES);
      const { model, preprocessing, source } = await readers[format](path, dtype);
      await saveModel(flags.out, model, { ...(preprocessing === undefined ? {} : { preprocessing }), training: { importedFrom: source } });
    });
}
