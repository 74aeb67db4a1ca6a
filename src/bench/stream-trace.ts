import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Writes a native llmsim trace of `count` requests to `file`, a chunk at a time (constant memory,
 * any size): Poisson arrivals at `rateRps`, prompt and output lengths uniform on
 * [promptMin, promptMax] and [outputMin, outputMax], from a fixed-seed generator (xorshift32), so
 * the same arguments give the same bytes. The bench's streamed cases read it back with
 * `llmsim run --stream`; nothing of this size is committed.
 */
export function writeSyntheticTrace(
  file: string,
  opts: { count: number; rateRps: number; promptMin: number; promptMax: number; outputMin: number; outputMax: number; seed?: number },
): void {
  let x = opts.seed ?? 2463534242;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, 'arrival_s,prompt_tokens,output_tokens\n');
    let t = 0;
    let chunk = '';
    for (let i = 0; i < opts.count; i++) {
      t += -Math.log(1 - next()) / opts.rateRps;
      const p = opts.promptMin + Math.floor(next() * (opts.promptMax - opts.promptMin + 1));
      const o = opts.outputMin + Math.floor(next() * (opts.outputMax - opts.outputMin + 1));
      chunk += `${t.toFixed(6)},${p},${o}\n`;
      if ((i & 0x3fff) === 0x3fff) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
