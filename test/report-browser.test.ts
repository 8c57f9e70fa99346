// The training report in headless Chromium: no console errors, axis labels that fit (SI suffixes) on a loss of
// 30,000, the log-scale toggle, the regression plot and the confusion matrix's errors marked.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findChartLibrary, renderReport } from '../cli/report.js';
import { siLabel } from '../cli/report-template.js';
import { regressionReport, type EpochInfo } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('siLabel', () => {
  it('writes numbers in at most five characters with an SI suffix', () => {
    expect([30000, 1234567, 0.0012, 150, 12.5, -45000, 0].map(siLabel)).toEqual(['30k', '1.23M', '1.2m', '150', '12.5', '-45k', '0']);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('the report in headless Chromium', () => {
  it('draws readable labels on a loss of 30,000, toggles a log axis and has no console errors', async () => {
    const chart = await findChartLibrary();
    expect(chart).not.toBeNull();
    const history: EpochInfo[] = Array.from({ length: 50 }, (_, i) => ({ epoch: i + 1, steps: i + 1, loss: 30000 / (i + 1), valLoss: 32000 / (i + 1), lr: 0.001, seconds: i / 10 }));
    const actual = [[100], [150], [200], [250]];
    const predicted = [[110], [140], [210], [240]];
    const html = renderReport({
      title: 'report', summary: [['loss', '30000']], run: [['data', 'houses.csv'], ['seed', '0']], model: 'layer1 dense 3 -> 1 linear 4 parameters', history,
      regression: { on: 'validation', report: regressionReport(predicted.flat(), actual.flat(), 4, 1), targetNames: ['price'], actual, predicted },
      classification: { on: 'validation', classes: ['a', 'b'], report: { accuracy: 0.75, confusion: [[2, 1], [0, 1]], perClass: [{ precision: 1, recall: 2 / 3, support: 3 }, { precision: 0.5, recall: 1, support: 1 }] } },
    }, chart);
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-report-'));
    const browser = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: FLAGS });
    try {
      writeFileSync(join(dir, 'report.html'), html);
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`file://${join(dir, 'report.html')}`);
      await page.waitForFunction(() => (window as { glassnetCharts?: Record<string, unknown> }).glassnetCharts?.['loss-chart'] !== undefined);
      type Axis = { _values: string[] };
      const labels = () => page.evaluate(() => ((window as unknown as { glassnetCharts: Record<string, { axes: Axis[] }> }).glassnetCharts['loss-chart']!.axes[1]!._values));
      const linear = await labels();
      expect(linear.length).toBeGreaterThan(2);
      for (const label of linear) expect(label).toMatch(/^\d+(\.\d+)?k?$/);
      expect(linear.some((l) => l.endsWith('k'))).toBe(true);
      await page.check('#log-scale');
      const log = await labels();
      expect(log.join(',')).not.toBe(linear.join(','));
      expect(await page.locator('.scatter circle').count()).toBe(4);
      expect(await page.locator('td.miss').count()).toBe(1);
      expect(await page.locator('pre.model').textContent()).toContain('layer1');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
