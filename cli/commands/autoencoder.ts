import { Command } from 'commander';
import { AUTOENCODER_8_3_8, trainAutoencoder } from '../../src/index.js';

/** `glassnet autoencoder`: trains the classic 8-3-8 auto-encoder and shows the code it found. */
export function autoencoderCommand(): Command {
  return new Command('autoencoder')
    .description('train the 8-3-8 auto-encoder (target = input) and show the 3-unit code it learns')
    .action(() => {
      const recipe = AUTOENCODER_8_3_8;
      const { fit, hidden, outputs } = trainAutoencoder(recipe);
      console.log(`8-3-8 sigmoid auto-encoder, seed ${recipe.seed}, lr ${recipe.lr}, full batch`);
      console.log(`stopped by ${fit.stoppedBy} after ${fit.steps} steps, error ${fit.loss.toExponential(3)}\n`);
      console.log('input     hidden OUT (h1 h2 h3)     code  output argmax');
      hidden.forEach((h, i) => {
        const output = outputs[i]!;
        const code = h.map((v) => (v > 0.5 ? '1' : '0')).join('');
        const argmax = output.indexOf(Math.max(...output));
        const onehot = Array.from({ length: output.length }, (_, j) => (j === i ? '1' : '0')).join('');
        console.log(`${onehot}  ${h.map((v) => v.toFixed(3)).join('  ')}     ${code}  ${argmax === i ? `${i} (ok)` : `${argmax} (wrong)`}`);
      });
    });
}
