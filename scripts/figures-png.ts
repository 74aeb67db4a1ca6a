/**
 * PNG export of a report's figures, drawn by a real browser: each chart's inline SVG is painted
 * onto a canvas in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core, a
 * devDependency) and saved with canvas.toDataURL('image/png'), at `scale` times its size.
 * Nothing is downloaded. The test of the report in a browser uses the same function.
 *
 *   npx tsx scripts/figures-png.ts report.html figures/ [--scale 2]
 *
 * `llmsim report --figures <dir>` writes the SVG of each chart without a browser.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

/** Chromium flags that work headless as root in a container, with no network and no first-run work. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One figure painted on a canvas: its PNG bytes and how much of it is not background. */
export interface FigurePng {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly png: Buffer;
  /** Fraction of pixels that are not near-white. */
  readonly ink: number;
  /** Pixels of saturated colour (the marks; axes, grid and text are grey). */
  readonly colored: number;
}

/** Paints every `figure.chart` SVG of the loaded page on a canvas and reads it back as PNG. */
export async function figurePngs(page: Page, scale = 1): Promise<FigurePng[]> {
  const ids = await page.$$eval('figure.chart', (figs) => figs.map((f) => f.id));
  const out: FigurePng[] = [];
  for (const id of ids) {
    const r = await page.evaluate(
      async ({ id, scale }) => {
        const svg = document.getElementById(id)!.querySelector('svg')!;
        const img = new Image();
        img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(svg));
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        const ctx = canvas.getContext('2d')!;
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        let colored = 0;
        for (let i = 0; i < px.length; i += 4) {
          const [r, g, b] = [px[i]!, px[i + 1]!, px[i + 2]!];
          if (r < 245 || g < 245 || b < 245) ink++;
          if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colored++;
        }
        return { width: canvas.width, height: canvas.height, ink: ink / (px.length / 4), colored, url: canvas.toDataURL('image/png') };
      },
      { id, scale },
    );
    out.push({ id, width: r.width, height: r.height, ink: r.ink, colored: r.colored, png: Buffer.from(r.url.slice(r.url.indexOf(',') + 1), 'base64') });
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const [html, dir] = argv;
  const at = argv.indexOf('--scale');
  const scale = at >= 0 ? Number(argv[at + 1]) : 1;
  if (!html || !dir || !(scale > 0 && scale <= 8)) {
    console.error('usage: npx tsx scripts/figures-png.ts <report.html> <out dir> [--scale 1..8]');
    return 2;
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'llmsim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.LLMSIM_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load' });
    mkdirSync(dir, { recursive: true });
    const figs = await figurePngs(page, scale);
    for (const f of figs) writeFileSync(join(dir, `${f.id}.png`), f.png);
    console.log(`wrote ${figs.length} PNG figure(s) to ${dir}`);
    return 0;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = await main(process.argv.slice(2));
