import { describe, expect, it } from 'vitest';
import { createProgress, formatSeconds, progressMode } from '../../src/sweep/progress.js';

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
