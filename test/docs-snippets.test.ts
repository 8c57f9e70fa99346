// Every TypeScript snippet in the README and in docs/ type-checks against
// the built package, imported the way a user imports it ('glassnet',
// 'glassnet/backend', 'glassnet/explain', 'glassnet/node' through
// packages/glassnet/package.json's exports, linked into node_modules). A
// snippet that uses a value it does not build says so with a `declare`
// line, which readers see too. (test/readme.test.ts also runs the README's
// examples and checks what they print.)
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pages = ['README.md', ...readdirSync(new URL('../docs/', import.meta.url)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
/** Inside the workspace, so that 'glassnet' resolves through node_modules/glassnet to the built package. */
const dir = `${root}test/.doc-snippets/`;

interface Snippet {
  page: string;
  line: number;
  code: string;
}

function snippets(page: string): Snippet[] {
  const text = readFileSync(`${root}${page}`, 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({ page, line: text.slice(0, m.index).split('\n').length, code: m[1]! }));
}

const all = pages.flatMap(snippets);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TypeScript snippets in the README and docs/', () => {
  it('are there to check', () => expect(all.length).toBeGreaterThanOrEqual(8));

  it('type-check against the built package', () => {
    mkdirSync(dir, { recursive: true });
    const files = all.map((s, i) => {
      const file = `${dir}snippet-${i}.ts`;
      // `export {}` makes every snippet a module (top-level await, no shared globals).
      writeFileSync(file, `${s.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: ['node'], strict: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const index = d.file === undefined ? -1 : files.indexOf(d.file.fileName);
      const where = index < 0 ? d.file?.fileName ?? '' : `${all[index]!.page} (snippet at line ${all[index]!.line}, line ${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})`;
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });
});
