/** seedrandom's Alea generator on its own (the package's `seedrandom.alea`), without the rest of seedrandom. */
declare module 'seedrandom/lib/alea.js' {
  import type { PRNG } from 'seedrandom';
  const alea: (seed?: string) => PRNG;
  export default alea;
}
