import pc from 'picocolors';
import type { Paint } from '../src/explain/index.js';

/**
 * ANSI styles for explain's text, or none: colours only when `allowed`
 * (no `--no-color`), stdout is a terminal and NO_COLOR is unset.
 */
export function terminalPaint(allowed: boolean): Paint {
  if (!allowed || process.stdout.isTTY !== true || 'NO_COLOR' in process.env) return {};
  const c = pc.createColors(true);
  return { heading: (s) => c.bold(c.underline(s)), quantity: c.cyan, value: c.bold, warn: c.yellow, dim: c.dim };
}
