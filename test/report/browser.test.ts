import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CHROMIUM_ARGS, figurePngs } from '../../scripts/figures-png.js';
import { tempDir } from '../sweep/fixtures.js';
import { buildFixtureReport } from './fixture.js';

/**
 * The report in a real headless browser (Debian's chromium driven by playwright-core): it loads
 * with no console errors and no network request, and every chart has marks with real geometry.
 * Skipped, with the reason printed, where /usr/bin/chromium is absent; under CI=true that is a
 * failure instead (.ci/run installs Debian's chromium). Each figure is also painted on a canvas
 * and exported as PNG (scripts/figures-png.ts), which must not be blank.
 * LLMSIM_SCREENSHOT=<file.png> keeps the screenshot; LLMSIM_CHROMIUM=<path> points at another chromium.
 */
const CHROMIUM = process.env.LLMSIM_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const ci = process.env.CI === 'true' || process.env.CI === '1';
if (!available && !ci) console.warn(`skipping the browser test of the report: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);

const dir = tempDir('browser');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!available && !ci)('llmsim report in headless chromium', () => {
  it('loads without console errors and every chart has rendered marks', async () => {
    if (!available) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run should have installed Debian's chromium`);
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const report = await buildFixtureReport(dir);
    quiet.mockRestore();
    const profile = join(dir, 'profile'); // an empty --user-data-dir
    mkdirSync(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
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
        // data: is the PNG export painting an inline SVG, not the network.
        if (!/^(file|data):/.test(r.url())) problems.push(`network request: ${r.url()}`);
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
      expect(charts.length).toBe(11);
      for (const c of charts) {
        // Every chart draws several marks (lines, bands, symbols), not just an axis.
        expect(c.drawn, c.id).toBeGreaterThan(1);
        expect(c.width, c.id).toBeGreaterThan(300);
        expect(c.height, c.id).toBeGreaterThan(150);
      }
      expect(await page.locator('#runs-table tr').count()).toBe(3);
      const shot = process.env.LLMSIM_SCREENSHOT ?? join(dir, 'report.png');
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      // PNG export: each figure painted on a canvas has ink and coloured marks (not a blank image).
      const pngs = await figurePngs(page, 2);
      expect(pngs.map((p) => p.id)).toEqual(charts.map((c) => c.id));
      for (const p of pngs) {
        expect(p.png.subarray(1, 4).toString('latin1'), p.id).toBe('PNG');
        expect(p.width, p.id).toBeGreaterThan(600);
        expect(p.ink, p.id).toBeGreaterThan(0.005);
        expect(p.colored, p.id).toBeGreaterThan(100); // axes, grid and text are grey: 0
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
