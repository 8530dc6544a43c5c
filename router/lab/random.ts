// A seeded random sequence for the tests and the benchmarks: the same seed
// gives the same routes and the same churn on every run and machine, so a
// failure or a measurement can be repeated.

/** mulberry32: small, fast, and the same sequence for the same seed everywhere */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
