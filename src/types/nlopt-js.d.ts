/** The part of nlopt-js (a WebAssembly build of NLopt) llmsim uses; the package ships no types. */
declare module 'nlopt-js' {
  interface OptimizeResult {
    success: boolean;
    x: number[];
    value: number;
  }
  class Optimize {
    constructor(algorithm: number, dimensions: number);
    setMinObjective(f: (x: number[], grad: number[] | null) => number, tolerance: number): void;
    setLowerBounds(bounds: number[]): void;
    setUpperBounds(bounds: number[]): void;
    setMaxeval(n: number): void;
    optimize(x0: number[]): OptimizeResult;
  }
  const nlopt: {
    ready: Promise<void>;
    Optimize: typeof Optimize;
    Algorithm: Record<string, number>;
    GC: { flush(): void };
  };
  export default nlopt;
}
