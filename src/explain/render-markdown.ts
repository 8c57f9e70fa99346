/**
 * Markdown rendering with LaTeX math: `$...$` inline and `$$...$$` blocks,
 * restricted to commands both GitHub's math and KaTeX support.
 */
import type { Explanation } from './explain.js';
import type { Expr, DerivationStep, Sym } from './derivation.js';
import { messagesFor, noteText } from './messages/index.js';
import { describeExplanation, formatNumber, shownParameters, type RenderOptions } from './render-text.js';
import type { FunctionName } from '../primitives/formula.js';

// i1 → i_{1}, w2.1.3 → w_{2.1.3}; any other name is set upright.
function latexName(name: string): string {
  const match = /^([A-Za-z]+)(\d+(?:\.\d+)*)$/.exec(name);
  return match === null ? upright(name) : `${match[1]}_{${match[2]}}`;
}

function upright(text: string): string {
  return `\\mathrm{${text.replace(/_/g, '\\_')}}`;
}

function unit(name: string): string {
  return /^[A-Za-z0-9.]+$/.test(name) ? name : upright(name);
}

/** A symbol in LaTeX: \mathrm{NET}_{h1}, w_{6}^{+}, \frac{\partial E}{\partial w_{6}}. */
export function symLatex(s: Sym): string {
  const tag = (sample: number | null): string => (sample === null ? '' : `^{(${sample})}`);
  switch (s.kind) {
    case 'net':
      return `\\mathrm{NET}_{${unit(s.unit)}}${tag(s.sample)}`;
    case 'out':
      return `\\mathrm{OUT}_{${unit(s.unit)}}${tag(s.sample)}`;
    case 'target':
      return `t_{${unit(s.unit)}}${tag(s.sample)}`;
    case 'prob':
      return `p_{${unit(s.unit)}}${tag(s.sample)}`;
    case 'error':
      return `E${s.unit === null ? '' : `_{${unit(s.unit)}}`}${tag(s.sample)}`;
    case 'input':
      return `${latexName(s.name)}${tag(s.sample)}`;
    case 'param':
      return s.updated ? `${latexName(s.name)}^{+}` : latexName(s.name);
    case 'total':
      return 'E_{\\mathrm{total}}';
    case 'lr':
      return '\\eta';
    case 'alpha':
      return '\\alpha';
    case 'delta':
      return '\\delta';
    case 'partial':
      return `\\frac{\\partial ${s.of.kind === 'total' ? 'E' : symLatex(s.of)}}{\\partial ${symLatex(s.wrt)}}`;
    default:
      return s satisfies never;
  }
}

function precedence(e: Expr): number {
  if (e.kind === 'sum' || e.kind === 'diff') return 1;
  if (e.kind === 'prod') return 2;
  if (e.kind === 'neg') return 3;
  return 4;
}

/** An expression in LaTeX; numbers with `precision` decimals. */
export function exprLatex(e: Expr, precision = 9, leading = true): string {
  const t = (x: Expr): string => exprLatex(x, precision);
  const wrap = (x: Expr, min: number, lead = false): string =>
    precedence(x) < min ? `(${t(x)})` : exprLatex(x, precision, lead);
  switch (e.kind) {
    case 'sym':
      return symLatex(e.sym);
    case 'num': {
      const text = formatNumber(e.value, precision).replace(/e(.*)$/, '\\times 10^{$1}');
      return e.value < 0 && !leading ? `(${text})` : text;
    }
    case 'const':
      return String(e.value);
    case 'sum':
      return e.terms.map((x, i) => (i === 0 ? wrap(x, 1, leading) : ` + ${wrap(x, 1)}`)).join('');
    case 'diff':
      return `${wrap(e.left, 1, leading)} - ${wrap(e.right, 2)}`;
    case 'prod': {
      // Symbols multiply by juxtaposition (w_1 i_1), numbers with a dot (0.25\cdot 0.02).
      const numeric = e.factors.some((x) => x.kind === 'num');
      return e.factors.map((x, i) => wrap(x, 2, leading && i === 0)).join(numeric ? '\\cdot ' : '\\,');
    }
    case 'frac':
      return e.num.kind === 'const' && e.den.kind === 'const' ? `\\tfrac{${e.num.value}}{${e.den.value}}` : `\\frac{${t(e.num)}}{${t(e.den)}}`;
    case 'neg':
      return leading ? `-${wrap(e.arg, 3)}` : `(-${wrap(e.arg, 3)})`;
    case 'square':
      return `${wrap(e.arg, 4)}^{2}`;
    case 'exp':
      return `e^{${t(e.arg)}}`;
    case 'ln':
      return `\\ln(${t(e.arg)})`;
    case 'pi':
      return '\\pi';
    case 'fn':
      return fnLatex(e.name, e.args.map(t).join(', '));
    case 'ifPositive':
      return `\\left(${t(e.then)} \\text{ if } ${t(e.test)} > 0 \\text{, else } ${t(e.otherwise)}\\right)`;
    default:
      return e satisfies never;
  }
}

/** A function applied, in LaTeX. */
function fnLatex(name: FunctionName, args: string): string {
  switch (name) {
    case 'abs':
      return `\\left|${args}\\right|`;
    case 'sigmoid':
      return `\\sigma\\left(${args}\\right)`;
    case 'sqrt':
      return `\\sqrt{${args}}`;
    case 'erf':
      return `\\operatorname{erf}\\left(${args}\\right)`;
    case 'tanh':
    case 'max':
      return `\\${name}\\left(${args}\\right)`;
    default:
      return name satisfies never;
  }
}

// Past this many characters a display equation is split into aligned lines.
const ONE_LINE = 110;

function stepLatex(step: DerivationStep, precision: number): string {
  const value = formatNumber(step.value, precision);
  const parts: string[] = [];
  for (const e of [...step.formulas, step.withNumbers]) {
    const latex = exprLatex(e, precision);
    if (!parts.includes(latex) && latex !== value) parts.push(latex);
  }
  parts.push(value);
  const lhs = symLatex(step.quantity);
  const line = `${lhs} = ${parts.join(' = ')}`;
  if (line.length <= ONE_LINE) return `$$${line}$$`;
  return `$$\n\\begin{aligned}\n${lhs} &= ${parts.join(' \\\\\n&= ')}\n\\end{aligned}\n$$`;
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** The explanation as Markdown: headings, tables and LaTeX math that GitHub and KaTeX render. */
export function renderMarkdown(expl: Explanation, options: RenderOptions = {}): string {
  const precision = options.precision ?? 9;
  const m = messagesFor(options.lang);
  const n = (v: number | undefined): string => (v === undefined ? m.fixed : formatNumber(v, precision));
  const lines: string[] = [`## ${describeExplanation(expl, options.lang).replace(/η = ([^,，]+)/, (_, lr: string) => `$\\eta = ${lr}$`)}`, ''];
  if (expl.detail === 'summary') {
    lines.push(`$E_{\\mathrm{total}} = ${n(expl.summary.loss)}$, ${expl.parameterCount} parameters.`, '');
    lines.push(...table(['layer', 'units', 'activation', '$\\lVert W\\rVert$', '$\\lVert \\partial E/\\partial W\\rVert$', '$\\lVert \\partial E/\\partial b\\rVert$'],
      expl.summary.layers.map((l) => [l.name, String(l.units), l.activation, n(l.weightNorm), n(l.weightGradNorm), l.biasGradNorm === null ? '-' : n(l.biasGradNorm)])));
  } else {
    const outputs = expl.names.units[expl.names.units.length - 1]!;
    lines.push(...table([m.samples, ...expl.names.inputs.map((i) => `$${latexName(i)}$`), ...outputs.map((o) => `$t_{${unit(o)}}$`)],
      expl.record.inputs.map((row, s) => [String(s + 1), ...row.map((v) => n(v)), ...expl.record.targets[s]!.map((v) => n(v))])));
    for (const section of ['forward', 'error', 'backward', 'update'] as const) {
      const steps = expl.steps.filter((s) => s.section === section);
      if (steps.length === 0) continue;
      lines.push('', `### ${section === 'update' ? `${m.sections[section]} ($\\eta = ${expl.record.lr}$)` : m.sections[section]}`);
      for (const step of steps) {
        lines.push('', stepLatex(step, precision));
        if (step.article !== undefined && !step.article.agrees) {
          lines.push('', `> ${m.articlePrintsHere(step.article.printed, step.article.note === undefined ? undefined : step.article.note + 1)}`);
        }
      }
    }
    const params = shownParameters(expl);
    if (params.length > 0) {
      lines.push('', `### ${m.parameters}`, '');
      lines.push(...table([m.parameter, m.before, '$\\partial E/\\partial p$', m.after],
        params.map((p) => [`$${latexName(p)}$`, n(expl.tables.parameters[p]), n(expl.tables.gradients[p]), n(expl.tables.updated[p] ?? expl.tables.parameters[p])])));
    }
  }
  if (expl.notes.length > 0) {
    lines.push('', `### ${m.notes}`, '');
    expl.notes.forEach((note, i) => lines.push(`${i + 1}. ${noteText(m, note)}`));
  }
  return lines.join('\n');
}
