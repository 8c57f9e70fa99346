import pc from 'picocolors';
import type { Paint } from 'glassnet/explain';

/**
 * ANSI styles for explain's text, or none: colours only when `allowed`
 * (no `--no-color`), stdout is a terminal and NO_COLOR is unset.
 */
export function terminalPaint(allowed: boolean): Paint {
  if (!allowed || process.stdout.isTTY !== true || 'NO_COLOR' in process.env) return {};
  const c = pc.createColors(true);
  return { heading: (s) => c.bold(c.underline(s)), quantity: c.cyan, value: c.bold, warn: c.yellow, dim: c.dim };
}

/**
 * Characters that must not reach a terminal from a file: C0 controls
 * (escape sequences start with ESC), DEL, C1 controls (U+009B is a
 * one-character CSI) and the bidirectional overrides and isolates, which
 * reorder what is shown.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every unsafe character written as a visible escape (`\x1b`,
 * `\u202e`), so names read from files (columns, classes, paths) can be
 * printed without letting them move the cursor, recolour or retitle the
 * terminal. The one filter for everything the CLI prints from data.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
