// glassnet under a strict Content-Security-Policy (no 'unsafe-eval', no
// 'wasm-unsafe-eval'), in headless Chromium: WebAssembly SIMD still
// validates there, but compiling is refused, so the default selection must
// fall back to a backend that runs, training must work (the tiny path's
// generated code is refused too), and errors stay GlassnetErrors.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from './browser/server.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CSP = "default-src 'self'; script-src 'self'; object-src 'none'";
const root = fileURLToPath(new URL('..', import.meta.url));

interface CspResult {
  error?: string;
  evalAllowed: boolean;
  simdValidates: boolean;
  backend: string;
  wasmRequested: string;
  batch1: { loss: number; finite: boolean };
  batch16: { loss: number; finite: boolean };
  badInput: string;
}

const available = existsSync(CHROMIUM);
if (!available) console.warn(`test/browser-csp.test.ts SKIPPED: ${CHROMIUM} is missing`);

describe.skipIf(!available)('glassnet under a Content-Security-Policy without eval or wasm compilation', () => {
  let server: StaticServer | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let result: CspResult;
  const violations: string[] = [];

  beforeAll(async () => {
    server = await startStaticServer(root, ['/packages/glassnet/dist/', '/test/browser/'], { headers: (path) => (path === '/test/browser/csp.html' ? { 'Content-Security-Policy': CSP } : {}) });
    profile = mkdtempSync(join(tmpdir(), 'glassnet-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    const page = await context.newPage();
    page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
    await page.goto(`${server.origin}/test/browser/csp.html`);
    await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: 30_000 });
    result = await page.evaluate(() => (window as unknown as { __result: CspResult }).__result);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it('the policy is in force: eval is refused, yet SIMD validates', () => {
    expect(result.error).toBeUndefined();
    expect(violations).toEqual([]);
    expect(result.evalAllowed).toBe(false);
    expect(result.simdValidates).toBe(true);
  });

  it('selects js-fast by default, and asking for wasm falls back to it', () => {
    expect(result.backend).toBe('js-fast');
    expect(result.wasmRequested).toBe('js-fast');
  });

  it('trains at batch size 1 (no generated code) and 16', () => {
    expect(result.batch1.finite).toBe(true);
    expect(result.batch16.finite).toBe(true);
    expect(result.batch1.loss).toBeGreaterThan(0);
  });

  it('bad input is still a GlassnetError', () => {
    expect(result.badInput).toMatch(/^GlassnetError /);
  });
});
