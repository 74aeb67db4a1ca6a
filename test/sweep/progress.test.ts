import { describe, expect, it } from 'vitest';
import { barLayout, createProgress, formatSeconds, progressMode } from '../../src/sweep/progress.js';

describe('sweep progress', () => {
  it('uses a bar only on a terminal outside CI', () => {
    expect(progressMode({ isTTY: true }, {}, false)).toBe('bar');
    expect(progressMode({ isTTY: true }, { CI: 'true' }, false)).toBe('lines');
    expect(progressMode({ isTTY: true }, { CI: 'false' }, false)).toBe('bar');
    expect(progressMode({ isTTY: false }, {}, false)).toBe('lines');
    expect(progressMode({ isTTY: true }, {}, true)).toBe('none');
  });

  it('prints a plain line every 5% with the elapsed time and an ETA from the runs done here', () => {
    let text = '';
    let now = 0;
    const p = createProgress({ label: 'sweep x', total: 100, done: 40, mode: 'lines', stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, nowMs: () => now });
    for (let i = 0; i < 20; i++) {
      now += 500; // 0.5 s per run
      p.tick();
    }
    p.stop();
    // 40 resumed, 20 run here in 10 s: 40 left at 0.5 s each = 20 s.
    expect(text.split('\n').filter(Boolean)).toEqual([
      'sweep x: 40/100 runs (40%), 0s elapsed, ETA -',
      'sweep x: 45/100 runs (45%), 3s elapsed, ETA 28s',
      'sweep x: 50/100 runs (50%), 5s elapsed, ETA 25s',
      'sweep x: 55/100 runs (55%), 8s elapsed, ETA 23s',
      'sweep x: 60/100 runs (60%), 10s elapsed, ETA 20s',
    ]); // stop() adds no line repeating the last one
  });

  it('ends with a line only when it says something new, and none after a failure', () => {
    const lines = (run: (p: ReturnType<typeof createProgress>) => void) => {
      let text = '';
      const p = createProgress({ label: 's', total: 100, done: 0, mode: 'lines', stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, nowMs: () => 0 });
      run(p);
      return text.split('\n').filter(Boolean).map((l) => l.split(',')[0]);
    };
    expect(lines((p) => p.stop())).toEqual(['s: 0/100 runs (0%)']);
    expect(lines((p) => (p.tick(), p.tick(), p.stop()))).toEqual(['s: 0/100 runs (0%)', 's: 2/100 runs (2%)']);
    expect(lines((p) => (p.tick(), p.stop(true)))).toEqual(['s: 0/100 runs (0%)']);
  });

  it('formats durations', () => {
    expect([formatSeconds(4.2), formatSeconds(75), formatSeconds(3725)]).toEqual(['4s', '1m15s', '1h02m']);
  });
});

describe('progress bar at 80 columns', () => {
  // A terminal as cli-progress sees one: everything it writes, escape sequences included.
  const terminal = (columns: number) => {
    let text = '';
    const stream = { isTTY: true, columns, write: (s: string) => ((text += s), true), on() {}, removeListener() {} } as unknown as NodeJS.WritableStream;
    return { stream, lines: () => text.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '\n').split(/[\r\n]+/).filter((l) => l.trim() !== '') };
  };

  it('keeps the ETA on screen: every line of a real cli-progress bar fits 79 columns, for long labels and big totals too', () => {
    for (const [label, total, columns] of [['sweep load-sweep', 1200, 80], ['sweep a-very-long-scenario-name-from-a-deep-directory shard 12/16', 1000000, 80], ['compare quickstart', 12, 80], ['sweep x', 5, 120]] as const) {
      const t = terminal(columns);
      const p = createProgress({ label, total, done: Math.floor(total / 3), mode: 'bar', stream: t.stream, nowMs: () => 0 });
      p.tick();
      p.stop();
      const lines = t.lines();
      expect(lines.length, label).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.length, line).toBeLessThanOrEqual(columns - 1);
        expect(line, line).toMatch(/ETA \S+/);
        expect(line).toMatch(new RegExp(`(${Math.floor(total / 3)}|${Math.floor(total / 3) + 1})/${total} runs`));
      }
    }
  });

  it('lays the line out from the terminal width: worst-case fields counted, bar between 8 and 30', () => {
    const l = barLayout('sweep load-sweep', 1200, 80);
    expect(l.width).toBeLessThanOrEqual(79);
    expect(l.barsize).toBeGreaterThanOrEqual(8);
    expect(l.format.indexOf('ETA')).toBeLessThan(l.format.indexOf('{bar}'));
    // The worst-case text of each field, substituted by hand: exactly the width computed.
    const worst = l.format.replace('{percentage}', '100').replace('{value}', '1200').replace('{total}', '1200').replace('{eta_formatted}', '59m59s').replace('{duration_formatted}', '59m59s').replace('{bar}', '#'.repeat(l.barsize));
    expect(worst.length).toBe(l.width);
    expect(barLayout('x'.repeat(200), 10, 80).width).toBeLessThanOrEqual(79);
  });
});
