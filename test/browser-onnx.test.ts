// An exported model in onnxruntime-web, in headless Chromium: the page
// (test/browser/onnx.js) builds a scaled model with every activation, and one
// with a categorical column, in the built library, exports them with toOnnx
// and runs them with onnxruntime-web's single-threaded WebAssembly build,
// served from node_modules (no network).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../src/index.js';
import { startStaticServer } from './browser/server.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const root = fileURLToPath(new URL('..', import.meta.url));
const available = existsSync(CHROMIUM);
if (!available) console.warn(`test/browser-onnx.test.ts SKIPPED: ${CHROMIUM} is missing (.ci/run installs it)`);

interface OnnxPageResult {
  error?: string;
  activations: string[];
  rows: number;
  dims: number[];
  worst: number;
  threads: number;
  categoricalWorst: number;
}

describe.skipIf(!available)('an exported model in onnxruntime-web (headless Chromium)', () => {
  it('predicts what glassnet predicts to 1e-5, every activation and the scaling included, and a categorical column fed as strings', async () => {
    const server = await startStaticServer(root, ['/packages/glassnet/dist/', '/test/browser/', '/node_modules/onnxruntime-web/dist/']);
    const profile = mkdtempSync(join(tmpdir(), 'glassnet-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    const problems: string[] = [];
    try {
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${server.origin}/test/browser/onnx.html`);
      await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: 30_000 });
      const result = await page.evaluate(() => (window as unknown as { __result: OnnxPageResult }).__result);
      expect(result.error).toBeUndefined();
      expect(problems).toEqual([]);
      expect(result.activations).toEqual([...ACTIVATIONS]);
      expect({ dims: result.dims, threads: result.threads }).toEqual({ dims: [result.rows, 3], threads: 1 });
      expect(result.worst).toBeLessThanOrEqual(1e-5);
      expect(result.categoricalWorst).toBeLessThanOrEqual(1e-5);
    } finally {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
