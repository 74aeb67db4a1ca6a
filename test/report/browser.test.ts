import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../sweep/fixtures.js';
import { buildFixtureReport } from './fixture.js';

/**
 * The report in a real headless browser (Debian's chromium driven by playwright-core): it loads
 * with no console errors and no network request, and every chart has marks with real geometry.
 * Skipped, with the reason printed, where /usr/bin/chromium is absent (.ci/run tries to install it).
 * LLMSIM_SCREENSHOT=<file.png> keeps the screenshot; LLMSIM_CHROMIUM=<path> points at another chromium.
 */
const CHROMIUM = process.env.LLMSIM_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`skipping the browser test of the report: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);

const dir = tempDir('browser');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!available)('llmsim report in headless chromium', () => {
  it('loads without console errors and every chart has rendered marks', async () => {
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const report = await buildFixtureReport(dir);
    quiet.mockRestore();
    const profile = join(dir, 'profile'); // an empty --user-data-dir
    mkdirSync(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1300, height: 1600 },
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file://')) problems.push(`network request: ${r.url()}`);
      });
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      const charts = await page.$$eval('figure.chart', (figs) =>
        figs.map((f) => {
          const marks = [...f.querySelectorAll('g[class*="role-mark"] path, g[class*="role-mark"] rect, g[class*="role-mark"] line')] as SVGGraphicsElement[];
          const drawn = marks.filter((m) => {
            const b = m.getBBox();
            return b.width > 0 || b.height > 0;
          });
          const box = f.querySelector('svg')!.getBoundingClientRect();
          return { id: f.id, drawn: drawn.length, width: box.width, height: box.height };
        }),
      );
      expect(charts.length).toBe(10);
      for (const c of charts) {
        expect(c.drawn, c.id).toBeGreaterThan(0);
        expect(c.width, c.id).toBeGreaterThan(300);
        expect(c.height, c.id).toBeGreaterThan(150);
      }
      expect(await page.locator('#runs-table tr').count()).toBe(3);
      const shot = process.env.LLMSIM_SCREENSHOT ?? join(dir, 'report.png');
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
