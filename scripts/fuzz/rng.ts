import seedrandom from 'seedrandom';

/**
 * The fuzz generator's own random stream (seedrandom's Alea, seeded with a string): independent of
 * the simulator's streams, so changing the simulator never changes which scenarios are generated.
 */
export class Rng {
  private readonly prng: () => number;

  constructor(seed: string) {
    this.prng = seedrandom.alea(seed);
  }

  /** Uniform in [lo, hi). */
  float(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.prng();
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.prng() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.prng() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.prng() * items.length)]!;
  }

  /** One of the items, with relative weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((a, [, w]) => a + w, 0);
    let u = this.prng() * total;
    for (const [item, w] of items) {
      if ((u -= w) < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  /** Log-uniform in [lo, hi), both > 0, kept to 4 significant digits so the YAML stays readable. */
  logFloat(lo: number, hi: number): number {
    return sig(Math.exp(this.float(Math.log(lo), Math.log(hi))));
  }

  /** Log-uniform integer in [lo, hi]. */
  logInt(lo: number, hi: number): number {
    return Math.min(hi, Math.max(lo, Math.floor(Math.exp(this.float(Math.log(lo), Math.log(hi + 1))))));
  }

  /** A subset of `items` (each kept with probability p), in order. */
  subset<T>(items: readonly T[], p = 0.5): T[] {
    return items.filter(() => this.chance(p));
  }
}

/** x to 4 significant digits. */
export function sig(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}
