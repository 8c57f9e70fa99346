/**
 * Shows explain's Markdown (renderMarkdown) as HTML with KaTeX: headings,
 * tables, display math, quotes and numbered notes, which is all that
 * renderer writes. The Markdown stays the source, so "copy as Markdown"
 * copies exactly what is shown.
 */
import katex from 'katex';
import 'katex/dist/katex.min.css';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function math(tex: string, display: boolean): string {
  return katex.renderToString(tex, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' });
}

/** Text with `$…$` spans typeset and everything else escaped. */
function inline(text: string): string {
  return text.split(/(\$[^$]+\$)/).map((part) => (part.length > 2 && part.startsWith('$') && part.endsWith('$') ? math(part.slice(1, -1), false) : escape(part))).join('');
}

function cellsOf(line: string): string[] {
  return line.replace(/^\|/, '').replace(/\|$/, '').split(' | ').map((c) => c.trim());
}

/** HTML for the Markdown explain writes. */
export function markdownToHtml(markdown: string): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('$$')) {
      if (line.length > 4 && line.endsWith('$$')) {
        out.push(`<div class="eq">${math(line.slice(2, -2), true)}</div>`);
        continue;
      }
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== '$$') body.push(lines[i]!);
      out.push(`<div class="eq">${math(body.join('\n'), true)}</div>`);
    } else if (line.startsWith('### ')) {
      out.push(`<h4>${inline(line.slice(4))}</h4>`);
    } else if (line.startsWith('## ')) {
      out.push(`<h3>${inline(line.slice(3))}</h3>`);
    } else if (line.startsWith('|')) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(cellsOf(lines[i]!));
      i--;
      const [head, , ...body] = rows;
      out.push(`<table class="md"><thead><tr>${head!.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${
        body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
    } else if (line.startsWith('> ')) {
      out.push(`<blockquote>${inline(line.slice(2))}</blockquote>`);
    } else if (/^\d+\. /.test(line)) {
      const items: string[] = [];
      for (; i < lines.length && /^\d+\. /.test(lines[i]!); i++) items.push(`<li>${inline(lines[i]!.replace(/^\d+\. /, ''))}</li>`);
      i--;
      out.push(`<ol>${items.join('')}</ol>`);
    } else if (line.trim() !== '') {
      out.push(`<p>${inline(line)}</p>`);
    }
  }
  return out.join('\n');
}
