/**
 * Plain-text rendering: formulas as one-line text (also used by the JSON
 * renderer) and the terminal layout of a whole explanation — aligned on
 * "=", wrapped to a width (80 by default), coloured only when asked.
 */
import type { Explanation } from './explain.js';
import { en } from './messages/en.js';
import { messagesFor, noteText, type Language, type Messages } from './messages/index.js';
import type { Expr, DerivationStep, Sym } from './derivation.js';
import type { FunctionName } from '../primitives/formula.js';

/** Options shared by the renderers. */
export interface RenderOptions {
  /** Decimals of displayed numbers (default 9, the article's). Full values stay in JSON `value` fields. */
  precision?: number;
  /** Language of the words around the numbers (default `"en"`); numbers and formulas are the same in every language. */
  lang?: Language;
}

/** The kinds of text {@link renderText} can style. */
export type TextStyle = 'heading' | 'quantity' | 'value' | 'warn' | 'dim';

/**
 * How to style each kind of text, e.g. with ANSI colours on a terminal.
 * The library has no runtime dependencies, so the caller brings the
 * colouring (the CLI uses picocolors); a missing style leaves text plain.
 */
export type Paint = Partial<Record<TextStyle, (text: string) => string>>;

/** Options of {@link renderText}. */
export interface TextOptions extends RenderOptions {
  /** Styles for headings, quantities, values, warnings and dim text (default: none, plain text). */
  paint?: Paint;
  /** Line width to wrap at (default 80). */
  width?: number;
}

/**
 * A number rounded to `precision` decimals without trailing zeros, as the
 * article prints them (0.25, 0.602286177). A nonzero value too small to
 * show a digit is printed in exponent form rather than as 0.
 */
export function formatNumber(value: number, precision = 9): string {
  if (value === 0) return '0';
  const fixed = value.toFixed(precision);
  if (Number(fixed) === 0) return trimZeros(value.toExponential(Math.max(precision - 1, 0)));
  return trimZeros(fixed);
}

function trimZeros(s: string): string {
  const [mantissa, exponent] = s.split('e');
  const trimmed = mantissa!.includes('.') ? mantissa!.replace(/\.?0+$/, '') : mantissa!;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

/** A symbol as text: NET(h1), OUT(o1)[2], w6, w6⁺, ∂E/∂OUT(o1), η. */
export function symText(s: Sym): string {
  const tag = (sample: number | null): string => (sample === null ? '' : `[${sample}]`);
  switch (s.kind) {
    case 'net':
      return `NET(${s.unit})${tag(s.sample)}`;
    case 'out':
      return `OUT(${s.unit})${tag(s.sample)}`;
    case 'target':
      return `t(${s.unit})${tag(s.sample)}`;
    case 'prob':
      return `p(${s.unit})${tag(s.sample)}`;
    case 'error':
      return `E${s.unit === null ? '' : `(${s.unit})`}${tag(s.sample)}`;
    case 'input':
      return `${s.name}${tag(s.sample)}`;
    case 'param':
      return s.updated ? `${s.name}⁺` : s.name;
    case 'total':
      return 'E_total';
    case 'lr':
      return 'η';
    case 'alpha':
      return 'α';
    case 'delta':
      return 'δ';
    case 'partial':
      return `∂${s.of.kind === 'total' ? 'E' : symText(s.of)}/∂${symText(s.wrt)}`;
    default:
      return s satisfies never;
  }
}

const MINUS = '−';

// Binding strength: sums 1, products and fractions 2, negation 3, atoms 4.
function precedence(e: Expr): number {
  switch (e.kind) {
    case 'sum':
    case 'diff':
      return 1;
    case 'prod':
    case 'frac':
      return 2;
    case 'neg':
      return 3;
    default:
      return 4;
  }
}

// Parenthesise a child binding weaker than `min`; a child that does not lead a
// sum or product keeps a negative number in parentheses: a + (−b)·c.
function wrapped(x: Expr, min: number, leading: boolean, precision: number): string {
  return precedence(x) < min ? `(${exprText(x, precision)})` : exprText(x, precision, leading);
}

/**
 * An expression as one line of text; numbers with `precision` decimals.
 * `leading` is false where a bare minus sign would read as an operator.
 */
export function exprText(e: Expr, precision = 9, leading = true): string {
  const t = (x: Expr): string => exprText(x, precision);
  const wrap = (x: Expr, min: number, lead = false): string => wrapped(x, min, lead, precision);
  switch (e.kind) {
    case 'sym':
      return symText(e.sym);
    case 'num': {
      const text = formatNumber(e.value, precision).replace('-', MINUS);
      return e.value < 0 && !leading ? `(${text})` : text;
    }
    case 'const':
      return String(e.value);
    case 'sum':
    case 'diff':
      return chunks(e, precision, leading).join(' ');
    case 'prod':
      return e.factors.map((x, i) => wrap(x, 2, leading && i === 0)).join('·');
    case 'frac':
      return `${wrap(e.num, 2, leading)}/${wrap(e.den, 4)}`;
    case 'neg':
      return leading ? `${MINUS}${wrap(e.arg, 3)}` : `(${MINUS}${wrap(e.arg, 3)})`;
    case 'square':
      return `${wrap(e.arg, 4)}²`;
    case 'exp':
      return `e^(${t(e.arg)})`;
    case 'ln':
      return `ln(${t(e.arg)})`;
    case 'pi':
      return 'π';
    case 'fn':
      return fnText(e.name, e.args.map(t));
    case 'ifPositive':
      return `(${t(e.then)} if ${t(e.test)} > 0, else ${t(e.otherwise)})`;
    default:
      return e satisfies never;
  }
}

/** A function applied, as text: |x|, σ(x), √(x), tanh(x). */
function fnText(name: FunctionName, args: string[]): string {
  const list = args.join(', ');
  switch (name) {
    case 'abs':
      return `|${list}|`;
    case 'sigmoid':
      return `σ(${list})`;
    case 'sqrt':
      return `√(${list})`;
    case 'tanh':
    case 'max':
    case 'erf':
      return `${name}(${list})`;
    default:
      return name satisfies never;
  }
}

/** The top-level terms of an expression, as pieces a long line may break between. */
function chunks(e: Expr, precision: number, leading = true): string[] {
  if (e.kind === 'sum') return e.terms.map((x, i) => (i === 0 ? wrapped(x, 1, leading, precision) : `+ ${wrapped(x, 1, false, precision)}`));
  if (e.kind === 'diff') return [wrapped(e.left, 1, leading, precision), `${MINUS} ${wrapped(e.right, 2, false, precision)}`];
  return [exprText(e, precision, leading)];
}

type Style = TextStyle;
type Piece = { text: string; style?: Style };
type Line = Piece[];

function lineLength(line: Line): number {
  return line.reduce((n, p) => n + p.text.length, 0);
}

/**
 * Lays out "lhs = form = form = numbers = value", packing segments onto a
 * line while they fit and breaking long segments between terms.
 */
function layoutStep(step: DerivationStep, lhsWidth: number, width: number, precision: number, m: Messages): Line[] {
  const indent = '  ';
  const lhs = symText(step.quantity);
  const segments = [...step.formulas.map((f) => chunks(f, precision)), chunks(step.withNumbers, precision)];
  const value = formatNumber(step.value, precision).replace('-', MINUS);
  const seen = new Set<string>();
  const unique = segments.filter((seg) => {
    const key = seg.join(' ');
    if (seen.has(key) || key === value) return false;
    seen.add(key);
    return true;
  });
  const lines: Line[] = [];
  const equalsAt = indent.length + lhsWidth;
  let line: Line = [{ text: indent }, { text: lhs.padEnd(lhsWidth), style: 'quantity' }];
  // A segment goes on the current line if it fits whole, else on a new "= " line, and wraps there between terms.
  const room = width - equalsAt - 5;
  const place = (seg: string[], style: Style | undefined, first: boolean): void => {
    if (!first && lineLength(line) + 3 + seg.join(' ').length > width) {
      lines.push(line);
      line = [{ text: ' '.repeat(equalsAt) }];
    }
    line.push({ text: ' = ' });
    // A term too long for any line breaks after a "·"; other pieces break between terms.
    const pieces = seg.flatMap((chunk, i) => {
      const parts = chunk.length > room ? chunk.split('·').map((part, k, all) => (k < all.length - 1 ? `${part}·` : part)) : [chunk];
      return parts.map((text, k) => ({ text, space: i > 0 && k === 0 }));
    });
    pieces.forEach((piece, i) => {
      const gap = piece.space ? 1 : 0;
      if (i > 0 && lineLength(line) + gap + piece.text.length > width) {
        lines.push(line);
        line = [{ text: ' '.repeat(equalsAt + 5) }];
      } else if (piece.space) line.push({ text: ' ' });
      line.push(style === undefined ? { text: piece.text } : { text: piece.text, style });
    });
  };
  unique.forEach((seg, index) => place(seg, undefined, index === 0));
  place([value], 'value', unique.length === 0);
  lines.push(line);
  if (step.article !== undefined && !step.article.agrees) {
    lines.push([{ text: ' '.repeat(equalsAt + 1) }, { text: m.articlePrints(step.article.printed, step.article.note === undefined ? undefined : step.article.note + 1), style: 'warn' }]);
  }
  return lines;
}

/** Pieces joined by `joiner` and wrapped to `width`; continuation lines start with `hang`. */
function wrapPieces(pieces: readonly string[], joiner: string, width: number, first: string, hang: string): string[] {
  const lines: string[] = [];
  let line = first;
  pieces.forEach((piece, i) => {
    const last = i === pieces.length - 1;
    const text = last ? piece : piece + joiner.trimEnd();
    if (i > 0 && line.length + 1 + text.length > width) {
      lines.push(line);
      line = hang + text;
    } else line += (i === 0 ? '' : ' ') + text;
  });
  lines.push(line);
  return lines;
}

function wrapWords(text: string, width: number, first: string, hang: string): string[] {
  return wrapPieces(text.split(' '), ' ', width, first, hang);
}

/** Rows of cells as columns padded to a common width (numbers right-aligned). */
function columns(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

/** The parameters the closing table lists: all of them, or those selected with `only`. */
export function shownParameters(expl: Explanation): string[] {
  return Object.keys(expl.tables.parameters).filter((p) => expl.only === null || expl.only.includes(p));
}

/** One line describing the network and the step, in `lang` (default English). */
export function describeExplanation(expl: Explanation, lang: Language = 'en'): string {
  const activations = expl.record.layers.map((l) => l.activation).join(', ');
  return messagesFor(lang).step(expl.iteration, expl.sizes.join('-'), activations, expl.record.loss.name, String(expl.record.lr), expl.record.samples);
}

// Past this many values per sample, inputs and targets are counted, not listed.
const LISTED_VALUES = 16;

function valueList(names: readonly string[], row: readonly number[], precision: number, m: Messages = en): string[] {
  if (names.length > LISTED_VALUES) return [m.values(names.length)];
  return names.map((n, j) => `${n} = ${formatNumber(row[j]!, precision)}`);
}

/**
 * The explanation as terminal text: header, the derivation section by
 * section, the parameters before/gradient/after, and the notes.
 */
export function renderText(expl: Explanation, options: TextOptions = {}): string {
  const precision = options.precision ?? 9;
  const width = options.width ?? 80;
  const m = messagesFor(options.lang);
  const styles = options.paint ?? {};
  const paint = (style: Style, s: string): string => styles[style]?.(s) ?? s;
  const out: Line[] = [];
  const text = (s: string, style?: Style): void => {
    out.push(style === undefined ? [{ text: s }] : [{ text: s, style }]);
  };
  wrapWords(describeExplanation(expl, options.lang), width, '', '  ').forEach((l, i) => text(l, i === 0 ? 'heading' : undefined));
  const outputs = expl.names.units[expl.names.units.length - 1]!;
  if (expl.detail !== 'summary') {
    expl.record.inputs.forEach((row, s) => {
      const lead = expl.record.samples === 1 ? '' : `${m.sample(s + 1)} `;
      wrapPieces(valueList(expl.names.inputs, row, precision, m), ', ', width, `${lead}${m.inputs}: `, '    ').forEach((l) => text(l));
      wrapPieces(valueList(outputs, expl.record.targets[s]!, precision, m), ', ', width, `${lead}${m.targets}: `, '    ').forEach((l) => text(l));
    });
    for (const section of ['forward', 'error', 'backward', 'update'] as const) {
      const steps = expl.steps.filter((s) => s.section === section);
      if (steps.length === 0) continue;
      text('');
      text(section === 'update' ? `${m.sections[section]} (η = ${expl.record.lr})` : m.sections[section], 'heading');
      const lhsWidth = Math.min(Math.max(...steps.map((s) => symText(s.quantity).length)), 24);
      for (const step of steps) out.push(...layoutStep(step, lhsWidth, width, precision, m));
    }
    const params = shownParameters(expl);
    if (params.length > 0) {
      text('');
      text(m.parameters, 'heading');
      const cell = (v: number | undefined): string => (v === undefined ? m.fixed : formatNumber(v, precision).replace('-', MINUS));
      columns([['', m.before, '∂E/∂p', m.after], ...params.map((p) => [p, cell(expl.tables.parameters[p]), cell(expl.tables.gradients[p]), cell(expl.tables.updated[p] ?? expl.tables.parameters[p])])]).forEach((l) => text(l));
    }
  } else {
    text('');
    text(m.summary, 'heading');
    text(`  E_total = ${formatNumber(expl.summary.loss, precision)}, ${m.parameterCount(expl.parameterCount)}`);
    const norm = (v: number | null): string => (v === null ? '-' : formatNumber(v, precision));
    columns([
      [...m.summaryColumns, '‖W‖', '‖∂E/∂W‖', '‖∂E/∂b‖'],
      ...expl.summary.layers.map((l) => [l.name, String(l.units), l.activation, norm(l.weightNorm), norm(l.weightGradNorm), norm(l.biasGradNorm)]),
    ]).forEach((l) => text(l));
  }
  if (expl.notes.length > 0) {
    text('');
    text(m.notes, 'heading');
    expl.notes.forEach((note, i) => {
      const first = `  ${i + 1}. `;
      wrapWords(noteText(m, note), width, first, ' '.repeat(first.length)).forEach((l) => text(l, expl.detail === 'summary' && i === expl.notes.length - 1 ? 'warn' : undefined));
    });
  }
  return out.map((line) => line.map((p) => (p.style === undefined ? p.text : paint(p.style, p.text))).join('')).join('\n');
}

/** One line per step for runs of many steps: the error and, for a single sample, the outputs. */
export function renderTextSummaryLine(expl: Explanation, options: TextOptions = {}): string {
  const precision = options.precision ?? 9;
  const outputs = expl.names.units[expl.names.units.length - 1]!;
  const last = expl.record.layers[expl.record.layers.length - 1]!;
  const shown = expl.record.samples === 1 && outputs.length <= 4 ? `; ${valueList(outputs.map((o) => `OUT(${o})`), last.out[0]!, precision).join(', ')}` : '';
  return `step ${expl.iteration}: E_total = ${formatNumber(expl.summary.loss, precision)}${shown}`;
}
