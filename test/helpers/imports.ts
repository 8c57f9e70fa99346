// Every module a source file loads, read from its syntax tree: static
// imports and re-exports, `import type`, dynamic `import()`, `require()`
// and `require.resolve()`, and Node built-ins named by any string (such as
// `process.getBuiltinModule('node:os')` or a worker's source text).
import ts from 'typescript';

export interface Imports {
  /** Module specifiers, in source order. */
  specifiers: string[];
  /** Loads whose target is computed (`import(name)`): no test can see where they go. */
  computed: string[];
}

const REQUIRE = /^(?:require|createRequire\([^)]*\))(?:\.resolve)?$/;

export function importsOf(file: string, text: string): Imports {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const computed: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specifiers.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || REQUIRE.test(node.expression.getText(source)))) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteralLike(argument)) specifiers.push(argument.text);
      else computed.push(node.getText(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // Built-ins reached without an import statement, including inside template strings.
  for (const match of text.matchAll(/['"`](node:[a-z_/]+)['"`]/g)) {
    if (!specifiers.includes(match[1]!)) specifiers.push(match[1]!);
  }
  return { specifiers, computed };
}

/** The package a bare specifier loads: `uplot` for 'uplot/dist/uPlot.min.css', `@scope/name` for scoped ones. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
