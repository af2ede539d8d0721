/**
 * The seeded uniform generator that the data loaders shuffle and sample with. Loaders use
 * nothing else of the project, so they keep this small generator of their own.
 */

/** Returns mulberry32, a small seeded generator of uniform numbers in [0, 1). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
