import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/main.js';
import { readReportInputs } from '../../src/report/inputs.js';
import { buildReport } from '../../src/report/report.js';
import { tempDir } from '../sweep/fixtures.js';
import { buildFixtureReport } from './fixture.js';

const dir = tempDir('report');
let html = '';
let err = '';
beforeAll(async () => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  html = readFileSync(await buildFixtureReport(dir), "utf8");
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const figures = () => [...html.matchAll(/<figure class="chart" id="([^"]+)"[\s\S]*?<\/figure>/g)].map((m) => ({ id: m[1]!, body: m[0] }));

describe('llmsim report', () => {
  it('has every chart the issue asks for', () => {
    const ids = figures().map((f) => f.id);
    expect(ids).toEqual([
      'cdf-e2eS',
      'cdf-ttftS',
      'sweep-0-latency.e2eS.p99',
      'sweep-0-latency.e2eS.mean',
      'sweep-0-goodput',
      'pareto-sweep-0',
      'pareto-runs',
      'timeline-queue-0',
      'timeline-busy-0',
      'timeline-queue-1',
      'timeline-busy-1',
    ]);
    expect(html).toContain('<table id="runs-table">');
    expect(html).toContain('<table class="points-table">');
    expect(html.match(/<tr><td class="l">fifo/g)).toHaveLength(2);
  });

  it('draws marks in every chart: lines, areas or symbols with geometry', () => {
    for (const f of figures()) {
      expect(f.body, f.id).toMatch(/<svg[^>]*class="marks"/);
      const marks = [...f.body.matchAll(/<g class="mark-(line|area|symbol)[^"]*role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)];
      expect(marks.length, f.id).toBeGreaterThan(0);
      expect(marks.some((m) => /<path[^>]* d="M[^"]+"/.test(m[2]!)), f.id).toBe(true);
    }
  });

  it('is self-contained: no scripts, no external links, stylesheets or fonts', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
    expect(html).not.toMatch(/\s(src|href)="(?!#)/i);
    const urls = new Set(html.match(/https?:\/\/[^\s"')]+/g));
    expect([...urls].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']); // SVG namespaces only
  });

  it('is the same bytes from the same inputs', async () => {
    const inputs = readReportInputs([join(dir, 'compare'), join(dir, 'sweep')]);
    const again = await buildReport(inputs, 'fixture report', [join(dir, 'compare'), join(dir, 'sweep')]);
    expect(again).toBe(html);
  });

  it("draws the scenario's SLO on the TTFT CDF, and sweep legends of values with the parameter named once", () => {
    const body = (id: string) => figures().find((f) => f.id === id)!.body;
    expect(body('cdf-ttftS')).toContain('SLO 2 s'); // test/golden/cb-fifo-least-loaded.yaml: slo.ttftS 2
    expect(body('cdf-e2eS')).not.toContain('SLO'); // no E2E target there
    expect(html).not.toMatch(/slots=|rateScale=/);
    expect(body('sweep-0-latency.e2eS.p99')).toMatch(/>slots<\/text>/);
    for (const f of figures()) expect(f.body, f.id).not.toContain(dir); // no file paths in legends or titles
  });

  it('--figures writes every chart as its own SVG, the same bytes as in the page, and links it', async () => {
    const page = join(dir, 'fig.html');
    expect(await main(['node', 'llmsim', 'report', join(dir, 'compare'), join(dir, 'sweep'), '-o', page, '--figures', join(dir, 'figs'), '-q', '--title', 'fixture report'])).toBe(0);
    const withLinks = readFileSync(page, 'utf8');
    const ids = figures().map((f) => f.id);
    expect(readdirSync(join(dir, 'figs')).sort()).toEqual(ids.map((id) => `${id}.svg`).sort());
    for (const id of ids) {
      const svg = readFileSync(join(dir, 'figs', `${id}.svg`), 'utf8');
      expect(svg.startsWith('<svg'), id).toBe(true);
      expect(withLinks).toContain(svg);
      expect(withLinks).toContain(`<a class="export" href="figs/${id}.svg" download>SVG</a>`);
    }
    // Without --figures the page is unchanged: no links at all.
    expect(html).not.toContain('class="export"');
    writeFileSync(join(dir, 'a-file'), '');
    expect(await main(['node', 'llmsim', 'report', join(dir, 'compare'), '-o', join(dir, 'x.html'), '--figures', join(dir, 'a-file', 'figs'), '-q'])).toBe(2);
    expect(err).toMatch(/a-file/);
  });

  it('a path with nothing to report is an input error', async () => {
    expect(await main(['node', 'llmsim', 'report', join(dir, 'nope'), '-o', join(dir, 'x.html')])).toBe(2);
    expect(err).toMatch(/nope: expected a results directory or a sweep CSV, found no such file/);
    expect(await main(['node', 'llmsim', 'report', join(dir, 's.yaml'), '-o', join(dir, 'x.html')])).toBe(2);
    expect(err).toMatch(/s\.yaml: expected a sweep CSV/);
  });
});
