import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadHardware, parseHardware, rooflineProfile } from '../../src/profiles/hardware.js';
import { errorOf } from '../support/errors.js';

const dir = new URL('../../profiles/hardware/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

const REQUIRED_NEW = ['a100-sxm4-40gb', 'h100-pcie-80gb', 'h200-sxm-141gb', 'l40s', 'mi300x'];
const WITH_EXTRAS = [...REQUIRED_NEW, 'a100-sxm4-80gb', 'h100-sxm5-80gb', 'b200'];

const valid = `name: gpu
description: a test accelerator
device:
  peakFlopsPerS: 1.0e15
  memoryBandwidthBytesPerS: 3.0e12
  memoryBytes: 80.0e9
  tdpW: 700
  idleW: 50
peakFlopsPerSByDtype: { bf16: 1.0e15, fp8: 2.0e15 }
interconnectBytesPerS: 450.0e9
pricing:
  - { usdPerGpuHour: 2.5, provider: P, offer: 8x gpu, billing: on-demand, instanceUsdPerHour: 20, gpusPerInstance: 8, date: 2026-05-07, url: https://example.com/p, quote: q }
sources: [made up for the test]
`;

describe('hardware files', () => {
  it('every file loads with its name as file name; the GPU files carry per-dtype peaks and interconnect', () => {
    expect(files.map((f) => f.replace(/\.yaml$/, ''))).toEqual(expect.arrayContaining(WITH_EXTRAS));
    for (const f of files) {
      const hw = loadHardware(`${dir}${f}`);
      expect(`${hw.name}.yaml`).toBe(f);
    }
    for (const name of WITH_EXTRAS) {
      const hw = loadHardware(`${dir}${name}.yaml`);
      expect(hw.peakFlopsPerSByDtype, name).toBeDefined();
      expect(hw.interconnectBytesPerS, name).toBeGreaterThan(0);
      // Each new number is cited: a source line starts with the field's name.
      for (const field of ['peakFlopsPerSByDtype', 'interconnectBytesPerS']) expect(hw.sources.some((s) => s.startsWith(field)), `${name} cites ${field}`).toBe(true);
    }
  });

  it('per-dtype peaks are consistent: lower precision is never slower, and the device peak is the BF16 rate', () => {
    for (const f of files) {
      const hw = loadHardware(`${dir}${f}`);
      const p = hw.peakFlopsPerSByDtype;
      if (!p) continue;
      if (p.bf16 !== undefined && p.fp16 !== undefined) expect(p.fp16, hw.name).toBe(p.bf16);
      if (p.fp8 !== undefined && p.bf16 !== undefined) expect(p.fp8, hw.name).toBeGreaterThanOrEqual(p.bf16);
      if (p.int8 !== undefined && p.bf16 !== undefined) expect(p.int8, hw.name).toBeGreaterThanOrEqual(p.bf16);
      if (p.fp4 !== undefined && p.fp8 !== undefined) expect(p.fp4, hw.name).toBeGreaterThanOrEqual(p.fp8);
      if (p.bf16 !== undefined) expect(hw.device.peakFlopsPerS, `${hw.name}: device peak is the dense BF16 rate`).toBe(p.bf16);
    }
  });

  it('interconnect is per direction: half the bidirectional link figures', () => {
    const bw = (n: string) => loadHardware(`${dir}${n}.yaml`).interconnectBytesPerS;
    expect(bw('h100-sxm5-80gb')).toBe(900e9 / 2);
    expect(bw('h200-sxm-141gb')).toBe(900e9 / 2);
    expect(bw('a100-sxm4-80gb')).toBe(600e9 / 2);
    expect(bw('b200')).toBe(1.8e12 / 2);
    expect(bw('l40s')).toBe(64e9 / 2); // PCIe Gen4 x16, no NVLink
    expect(bw('mi300x')).toBe((7 * 128e9) / 2);
  });

  it('roofline profiles cite only the device figures they use', () => {
    const hw = loadHardware(`${dir}h100-sxm5-80gb.yaml`);
    const p = rooflineProfile(hw, 'x', { id: 'm', shape: { params: 1e9, bytesPerParam: 2, layers: 1, attentionDim: 1, kvBytesPerToken: 1 }, source: 's' }, 1, 'd');
    const notes = p.provenance.notes ?? [];
    expect(notes.some((n) => n.includes('peakFlopsPerS:'))).toBe(true);
    expect(notes.some((n) => n.includes('interconnectBytesPerS') || n.includes('peakFlopsPerSByDtype'))).toBe(false);
  });

  it('accepts the optional fields and refuses negative, non-finite and unknown ones with file and field', () => {
    const hw = parseHardware(valid, 'g.yaml');
    expect(hw.peakFlopsPerSByDtype).toEqual({ bf16: 1e15, fp8: 2e15 });
    expect(hw.pricing![0]!.usdPerGpuHour).toBe(2.5);
    expect(errorOf(() => parseHardware(valid.replace('interconnectBytesPerS: 450.0e9', 'interconnectBytesPerS: -1'), 'g.yaml'))).toMatch(/^g\.yaml:10:\d+: interconnectBytesPerS: expected > 0, found -1/);
    expect(errorOf(() => parseHardware(valid.replace('fp8: 2.0e15', 'fp8: -2.0e15'), 'g.yaml'))).toMatch(/^g\.yaml:9:\d+: peakFlopsPerSByDtype\.fp8: expected > 0/);
    expect(errorOf(() => parseHardware(valid.replace('usdPerGpuHour: 2.5', 'usdPerGpuHour: .inf'), 'g.yaml'))).toMatch(/^g\.yaml:12:\d+: pricing\[0\]\.usdPerGpuHour: expected a finite number, found Infinity/);
    // The per-GPU price is the page's instance price / its GPUs, never anything else.
    expect(errorOf(() => parseHardware(valid.replace('usdPerGpuHour: 2.5', 'usdPerGpuHour: 2.6'), 'g.yaml'))).toMatch(/^g\.yaml:12:\d+: pricing\[0\]\.usdPerGpuHour: expected instanceUsdPerHour \/ gpusPerInstance \(2\.5\), found 2\.6/);
    expect(errorOf(() => parseHardware(valid.replace('date: 2026-05-07', 'date: May 2026'), 'g.yaml'))).toMatch(/pricing\[0\]\.date: expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Qn/);
    expect(errorOf(() => parseHardware(valid.replace(', gpusPerInstance: 8', ''), 'g.yaml'))).toMatch(/pricing\[0\]\.gpusPerInstance: expected instanceUsdPerHour and gpusPerInstance together/);
    expect(errorOf(() => parseHardware(valid.replace('tdpW: 700', 'tdpW: .nan'), 'g.yaml'))).toMatch(/^g\.yaml:7:\d+: device\.tdpW: expected a finite number, found NaN/);
    expect(errorOf(() => parseHardware(valid.replace('tdpW: 700', 'tdpW: -700'), 'g.yaml'))).toMatch(/^g\.yaml:7:\d+: device\.tdpW: expected > 0/);
    expect(errorOf(() => parseHardware(valid.replace('fp8: 2.0e15', 'fp9: 2.0e15'), 'g.yaml'))).toMatch(/peakFlopsPerSByDtype\.fp9: unknown key \(did you mean "fp8"\?\)/);
    expect(errorOf(() => parseHardware(valid.replace('{ bf16: 1.0e15, fp8: 2.0e15 }', '{}'), 'g.yaml'))).toMatch(/peakFlopsPerSByDtype: expected at least one dtype/);
  });
});
