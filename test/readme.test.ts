// The README's TypeScript examples run as written, and every
// `console.log(...); // expected` line prints what its comment says.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.includes("from 'glassnet'"));
const dir = new URL('./.readme-examples/', import.meta.url);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('has examples to check', () => expect(blocks.length).toBeGreaterThanOrEqual(2));

  it.each(blocks.map((code, i) => [i + 1, code] as const))('example %i prints what its comments say', async (i, code) => {
    mkdirSync(dir, { recursive: true });
    const file = new URL(`example-${i}.ts`, dir);
    writeFileSync(file, code.replace("from 'glassnet'", "from '../../src/index.js'"));
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(format(...args)); });
    try {
      await import(file.href);
    } finally {
      spy.mockRestore();
    }
    const expectations = code.split('\n').filter((line) => line.includes('console.log(')).map((line) => line.split('// ')[1]?.trim());
    expect(printed).toHaveLength(expectations.length);
    expectations.forEach((expected, k) => {
      expect(expected, `example ${i}, console.log #${k + 1} needs a // comment`).toBeDefined();
      expect(printed[k]).toContain(expected);
    });
  });
});

describe('README output of glassnet explain', () => {
  it('is what the command prints today', async () => {
    const { glassnet } = await import('./helpers/cli.js');
    const block = readme.split('<!-- output of: npx glassnet explain -->\n```\n')[1]?.split('\n```')[0];
    expect(block).toBeDefined();
    expect(glassnet('explain').stdout.trimEnd()).toBe(block);
  });
});
