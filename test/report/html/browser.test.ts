// Opens the HTML report in headless Debian Chromium (driven by playwright-core), checks it
// loads with no console error and no network request, that its tables and SVG charts are
// there, and takes a screenshot. Skips itself when /usr/bin/chromium is not installed.
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gateRun } from '../../../src/gate/gate.js';
import { renderHtmlReport } from '../../../src/report/html/render.js';
import { readAnyResultsFile } from '../../../src/report/import/index.js';

const CHROMIUM = '/usr/bin/chromium';
const fixtures = join(import.meta.dirname, '../../fixtures/import');

describe.skipIf(!existsSync(CHROMIUM))('HTML report in headless Chromium', () => {
  it('opens without console errors and shows the tables and charts', async () => {
    const { chromium } = await import('playwright-core');
    const baseline = await readAnyResultsFile(join(fixtures, 'vllm-compare-baseline-detailed.json'));
    const current = await readAnyResultsFile(join(fixtures, 'vllm-compare-current-detailed.json'));
    const decision = gateRun(current, [baseline], { seed: 3 });
    const dir = mkdtempSync(join(tmpdir(), 'lpg-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport({ current, baselines: [baseline], decision }));

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(await page.locator('table.decision tbody tr').count()).toBeGreaterThanOrEqual(5);
      expect(await page.locator('table.summary tbody tr').count()).toBe(7);
      expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator('svg.chart polyline.series').count()).toBeGreaterThanOrEqual(9);
      const box = await page.locator('svg.chart').first().boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(await page.locator('h2').first().innerText()).toMatch(/Gate decision: regression/);

      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      console.log(`screenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  });
});
