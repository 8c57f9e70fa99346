import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import {
  ACTIVATIONS, GlassnetError, torchArchitectureFromJSON, type ActivationName, type DType, type LossName, type Preprocessing, type Sequential,
} from 'glassnet';
import { loadOnnx, loadTfjs, loadTorchStateDict, saveModel } from 'glassnet/node';
import { choiceFlag, listFlag } from '../flags.js';
import { checkPaths, named } from '../paths.js';

/** The formats `glassnet import` reads. */
export const IMPORT_FORMATS = ['onnx', 'torch', 'tfjs'] as const;
type ImportFormat = (typeof IMPORT_FORMATS)[number];
const DTYPES = ['float32', 'float64'] as const satisfies readonly DType[];

interface ImportFlags {
  out: string;
  from?: string;
  dtype?: string;
  activations?: string;
  architecture?: string;
}

/** What a reader gives: the network, what it knows of the preprocessing, and where it came from. */
interface Imported {
  model: Sequential;
  preprocessing?: Preprocessing;
  source: string;
  /** The loss the file records (glassnet's own exports). */
  loss?: LossName;
}

const readers: Record<ImportFormat, (path: string, dtype: DType | undefined, flags: ImportFlags) => Promise<Imported>> = {
  onnx: async (path, dtype) => {
    const { model, preprocessing, producer, loss } = await loadOnnx(path, dtype === undefined ? {} : { dtype });
    return { model, ...(preprocessing === undefined ? {} : { preprocessing }), ...(loss === undefined ? {} : { loss }), source: `onnx${producer === '' ? '' : ` (${producer})`}` };
  },
  torch: async (path, dtype, flags) => {
    const given = await torchActivations(flags);
    try {
      const model = await loadTorchStateDict(path, { ...(given === undefined ? {} : { activations: given }), ...(dtype === undefined ? {} : { dtype }) });
      return { model, source: 'torch state dict' };
    } catch (error) {
      // Without activations the library names its argument; the user gives them with a flag.
      if (error instanceof GlassnetError && error.argument === 'options.activations') {
        throw new GlassnetError({ code: error.code, argument: '--activations', expected: 'one activation per Linear layer (or --architecture FILE.json)', found: error.found });
      }
      throw error;
    }
  },
  tfjs: async (path, dtype) => ({ model: await loadTfjs(path, dtype === undefined ? {} : { dtype }), source: 'tfjs layers model' }),
};

/** The activations from --activations, or from --architecture's JSON `{ "activations": [...] }`. */
async function torchActivations(flags: ImportFlags): Promise<ActivationName[] | undefined> {
  if (flags.activations !== undefined && flags.architecture !== undefined) {
    throw new GlassnetError({ code: 'state', argument: '--architecture', expected: 'either --activations or --architecture', found: 'both' });
  }
  if (flags.activations !== undefined) return listFlag('--activations', flags.activations).map((a) => choiceFlag('--activations', a, ACTIVATIONS));
  if (flags.architecture === undefined) return undefined;
  return [...torchArchitectureFromJSON(await readFile(flags.architecture, 'utf8'), flags.architecture).activations];
}

/** The format a file's name implies, when --from is not given. */
function formatOf(path: string, from: string | undefined): ImportFormat {
  if (from !== undefined) return choiceFlag('--from', from, IMPORT_FORMATS);
  const implied = path.endsWith('.onnx') ? 'onnx' : path.endsWith('.safetensors') ? 'torch' : path.endsWith('.json') ? 'tfjs' : path;
  return choiceFlag('--from (from the file name; give it explicitly)', implied, IMPORT_FORMATS);
}

/** `glassnet import FILE --out MODEL.json`: a network from another framework as a glassnet model file (docs/interop.md). */
export function importCommand(): Command {
  return new Command('import')
    .description('read a network from another format (onnx, torch, tfjs) into a glassnet model file, e.g. to explain a PyTorch-trained network')
    .argument('<file>', 'the file to read: .onnx, a PyTorch state dict .safetensors, or a TF.js model.json')
    .requiredOption('--out <model>', 'the glassnet model file to write (atomically)')
    .option('--from <format>', `${IMPORT_FORMATS.join('|')} (default: from the file name)`)
    .option('--dtype <dtype>', `${DTYPES.join('|')} (default: the file's)`)
    .option('--activations <list>', "torch: one activation per Linear layer, e.g. tanh,relu,linear (default: the file's metadata when glassnet wrote it)")
    .option('--architecture <file>', 'torch: a JSON file { "activations": [...] }, instead of --activations')
    .action(async (path: string, flags: ImportFlags) => {
      const format = formatOf(path, flags.from);
      const dtype = flags.dtype === undefined ? undefined : choiceFlag('--dtype', flags.dtype, DTYPES);
      await checkPaths({ inputs: named([['FILE', path], ['--architecture', flags.architecture]]), outputs: named([['--out', flags.out]]) });
      const { model, preprocessing, source, loss } = await readers[format](path, dtype, flags);
      await saveModel(flags.out, model, { ...(preprocessing === undefined ? {} : { preprocessing }), training: { importedFrom: source, ...(loss === undefined ? {} : { loss }) } });
    });
}
