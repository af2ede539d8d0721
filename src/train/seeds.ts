/**
 * Seeds derived from a run's seed. Every random draw of a run (initial weights, each step's
 * noise and real batch, each evaluation) takes a seed derived from the run seed and labels
 * such as the step number, so a run resumed from a checkpoint at step s draws exactly what
 * the uninterrupted run would have drawn after s: the random state is the step itself.
 */

/** Mixes 32 bits (the finaliser of MurmurHash3). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Returns a 32-bit seed that depends on the run seed and on each label, in order. */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = mix32((seed | 0) ^ Math.floor(seed / 2 ** 32) ^ 0x9e3779b9);
  for (const label of labels) {
    const text = String(label);
    for (let i = 0; i < text.length; i++) h = mix32(h ^ Math.imul(text.charCodeAt(i), 0x27d4eb2d));
    h = mix32(h ^ 0x165667b1);
  }
  return h;
}
