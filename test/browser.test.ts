// glassnet in a real browser: headless Chromium loads the built ESM from
// dist/ and runs test/browser/index.html (the public barrel with no import
// map: selects the WebAssembly SIMD backend, compares its matmuls and a
// training run with the js backend) and test/browser/explain.html
// (explainStep on the article's network). The pages report numbers; this
// file judges them, against float32 error bounds and the PyTorch float64
// fixture (scripts/make-fixtures.py).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from './browser/server.js';

/** Debian's Chromium, which `.ci/run` installs; browsers are never downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** Set to a .png path to keep screenshots of the pages' tables (the explain page's gets `-explain` before `.png`). */
const SCREENSHOT = process.env.GLASSNET_BROWSER_SCREENSHOT;
const TIMEOUT = 60_000;
/** Longest a page may take to publish its result; well under TIMEOUT, so a stuck page fails with what it logged. */
const PAGE_TIMEOUT = 30_000;

const root = fileURLToPath(new URL('..', import.meta.url));
const article = JSON.parse(readFileSync(new URL('./fixtures/article.json', import.meta.url), 'utf8'));

/** What a page leaves in `window.__result` when its checks throw. */
interface Failed {
  error?: string;
}

/** What test/browser/core.js publishes. */
interface CoreResult extends Failed {
  backend: { simd: boolean; selected: string; active: string; relaxedSimd: boolean; crossOriginIsolated: boolean };
  matmuls: { kernel: 'fma' | 'unfused'; m: number; k: number; n: number; transA: boolean; transB: boolean; worst: number }[];
  training: Record<'wasm' | 'js', { backend: string; epochs: number; loss: number; accuracy: number; ms: number }>;
}

/** What test/browser/explain.js publishes. */
interface ExplainResult extends Failed {
  backend: string;
  total: number;
  w6: number;
}

const available = existsSync(CHROMIUM);
const skipped = `SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`;
// Vitest folds a wholly skipped file into one line, so say why where it shows.
if (!available) console.warn(`test/browser.test.ts ${skipped}`);
const title = available ? 'glassnet in headless Chromium' : `glassnet in headless Chromium: ${skipped}`;

describe.skipIf(!available)(title, () => {
  let server: StaticServer | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  const problems: string[] = [];
  let core: CoreResult;
  let explain: ExplainResult;

  /** Opens `name` from test/browser/, waits for its published result and returns it; fails fast on an uncaught error (e.g. a module that does not load). */
  async function load<T>(name: string, screenshot: string | undefined): Promise<T> {
    const page = await context!.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${name}: console: ${message.text()}`);
    });
    const crashed = new Promise<never>((_, fail) => page.on('pageerror', (error) => {
      problems.push(`${name}: page error: ${error.message}`);
      fail(new Error(`${name}: ${error.message}`));
    }));
    crashed.catch(() => undefined); // a late error is still recorded in `problems`; don't let it go unhandled
    await page.goto(`${server!.origin}/test/browser/${name}`);
    await Promise.race([
      page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: PAGE_TIMEOUT }),
      crashed,
    ]);
    const result = await page.evaluate(() => (window as unknown as { __result: T }).__result);
    if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
    return result;
  }

  beforeAll(async () => {
    server = await startStaticServer(root, ['/packages/glassnet/dist/', '/test/browser/']);
    profile = mkdtempSync(join(tmpdir(), 'glassnet-chromium-'));
    // Playwright takes the profile directory here rather than as --user-data-dir.
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    core = await load<CoreResult>('index.html', SCREENSHOT);
    explain = await load<ExplainResult>('explain.html', SCREENSHOT?.replace(/(\.png)?$/, '-explain.png'));
  }, TIMEOUT);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it('runs both pages without a thrown error, console error or page error', () => {
    expect(core.error).toBeUndefined();
    expect(explain.error).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('validates WebAssembly SIMD and selects the wasm backend with fused multiply-add, cross-origin isolated', () => {
    // Relaxed SIMD ships in Chromium since 114, so the selected kernel is the fused one.
    expect(core.backend).toEqual({ simd: true, selected: 'wasm', active: 'wasm', relaxedSimd: true, crossOriginIsolated: true });
  });

  it('matches the js backend in float32 matmuls of every transpose form, fused and unfused, within the rounding bound', () => {
    expect(core.matmuls.map((c) => c.kernel)).toEqual([...Array(12).fill('fma'), ...Array(12).fill('unfused')]);
    for (const c of core.matmuls) {
      // Each of the two sums of k float32 products is off by at most about
      // k·u·Σ|terms| (u = 2^-24) in any order, fused or not, so they differ by at most twice that.
      const bound = 2 * c.k * 2 ** -24;
      expect(c.worst, `${c.kernel} ${c.m}×${c.k}·${c.k}×${c.n} transA=${c.transA} transB=${c.transB}`).toBeLessThanOrEqual(bound);
    }
  });

  it('trains a 2-16-2 classifier with fit on wasm and on js to the same loss, above 90% on unseen points', () => {
    const { wasm, js } = core.training;
    expect([wasm.backend, js.backend]).toEqual(['wasm', 'js']);
    expect(Math.abs(wasm.loss - js.loss)).toBeLessThanOrEqual(1e-4 * js.loss);
    expect(wasm.accuracy).toBeGreaterThan(0.9);
    expect(js.accuracy).toBeGreaterThan(0.9);
  });

  it("explains the article's step on the wasm backend exactly as the PyTorch float64 oracle computes it", () => {
    expect(explain.backend).toBe('wasm');
    expect(Math.abs(explain.total - article.errors.total)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(explain.w6 - article.updated.w6)).toBeLessThanOrEqual(1e-15);
  });
});
