import { Command } from 'commander';
import { AUTOENCODER_8_3_8, NON_NEGATIVE, trainAutoencoder, type AutoencoderRecipe } from 'glassnet';
import { intervalFlag, integerFlag, positiveFlag } from '../flags.js';

/** `glassnet autoencoder`: trains an n-k-n auto-encoder (by default the classic 8-3-8) and shows the code it found. */
export function autoencoderCommand(): Command {
  const d = AUTOENCODER_8_3_8;
  return new Command('autoencoder')
    .description('train the n-k-n auto-encoder (target = input; default 8-3-8) and show the k-unit code it learns')
    .option('--codes <n>', 'one-hot codes, the input and output size', String(d.sizes[0]))
    .option('--hidden <k>', 'hidden units', String(d.sizes[1]))
    .option('--seed <n>', 'initialisation seed', String(d.seed))
    .option('--lr <rate>', 'SGD learning rate (full batch)', String(d.lr))
    .option('--epochs <n>', 'most epochs to train', String(d.maxEpochs))
    .option('--error-threshold <loss>', 'stop once the error is below this', String(d.errorThreshold))
    .action((flags: Record<string, string>) => {
      const codes = integerFlag('--codes', flags['codes']!, 2);
      const recipe: AutoencoderRecipe = {
        sizes: [codes, integerFlag('--hidden', flags['hidden']!, 1), codes],
        seed: integerFlag('--seed', flags['seed']!, 0),
        lr: positiveFlag('--lr', flags['lr']!),
        maxEpochs: integerFlag('--epochs', flags['epochs']!, 1),
        errorThreshold: intervalFlag('--error-threshold', flags['errorThreshold']!, NON_NEGATIVE),
      };
      const { fit, hidden, outputs } = trainAutoencoder(recipe);
      console.log(`${recipe.sizes.join('-')} sigmoid auto-encoder, seed ${recipe.seed}, lr ${recipe.lr}, full batch`);
      console.log(`stopped by ${fit.stoppedBy} after ${fit.steps} steps, error ${fit.loss.toExponential(3)}\n`);
      console.log(`${'input'.padEnd(codes)}  hidden OUT (${hidden[0]!.map((_, j) => `h${j + 1}`).join(' ')})  code  output argmax`);
      hidden.forEach((h, i) => {
        const output = outputs[i]!;
        const code = h.map((v) => (v > 0.5 ? '1' : '0')).join('');
        const argmax = output.indexOf(Math.max(...output));
        const onehot = Array.from({ length: output.length }, (_, j) => (j === i ? '1' : '0')).join('');
        console.log(`${onehot}  ${h.map((v) => v.toFixed(3)).join('  ')}     ${code}  ${argmax === i ? `${i} (ok)` : `${argmax} (wrong)`}`);
      });
    });
}
