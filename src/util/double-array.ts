/**
 * An array of `n` numbers for doubles, in V8's heap (unlike a Float64Array, whose memory is
 * "external": 64 MB of that allocated since the last full collection starts another, which marks
 * every object, a million requests of them in a large run). Its elements are unboxed doubles
 * (a one-double literal stretched: V8 allocates the double store at once, about as fast as a
 * Float64Array and 2-4x faster than `new Array(n).fill(x)`, whose elements change kind on the way);
 * entries not yet written are holes (read as undefined): write before reading. Stays a fast array
 * up to V8's limit for one (32M elements), above every count llmsim keeps (10M).
 */
export function doubleArray(n: number): number[] {
  const a = [0.5];
  a.length = n;
  return a;
}
