import pc from 'picocolors';
import type { Paint } from '../src/explain/index.js';

/** ANSI styles for glassnet explain's text when `enabled` (a terminal without NO_COLOR), none otherwise. */
export function terminalPaint(enabled: boolean): Paint {
  if (!enabled) return {};
  const c = pc.createColors(true);
  return { heading: (s) => c.bold(c.underline(s)), quantity: c.cyan, value: c.bold, warn: c.yellow, dim: c.dim };
}
