import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root. bench/tsconfig.json compiles this file to
 * `bench/results/build/bench/lib/paths.js`, five levels down: a build of
 * its own (git-ignored), so a concurrent `npm run build` cannot change the
 * library under a running benchmark.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

/** Git-ignored output: `latest.json`, `latest.md` and the prepared digits. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

/** The prepared MNIST digits every runner, JS or Python, reads. */
export const DIGITS_DIR = path.join(RESULTS_DIR, 'cache');

/** Compiled JS runners, one module per library. */
export const RUNNERS_DIR = fileURLToPath(new URL('../runners/', import.meta.url));

/** The PyTorch runner stays Python source. */
export const TORCH_RUNNER = path.join(REPO_ROOT, 'bench', 'torch_runner.py');

/** Debian's interpreter, the one with torch (the `python3` on PATH has none). */
export const PYTHON = '/usr/bin/python3';
