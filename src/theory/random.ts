/**
 * A seeded random number generator and the discrete samplers the finite-batch models need.
 * The generator is xoshiro128** (Blackman and Vigna, "Scrambled linear pseudorandom number
 * generators", 2018), with its 128-bit state filled by the SplitMix32 mixing function, so
 * that nearby seeds give unrelated streams. Sequences depend only on the seed.
 */
import { assertFiniteNumber, assertInRange } from './validate.ts';

export interface Rng {
  /** The seed the generator was built from, for reproduction. */
  readonly seed: number;
  /** A uniform number in [0, 1) with 53 random bits. */
  next(): number;
}

function splitMix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

function rotateLeft(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Builds a xoshiro128** generator from an integer seed (seed 0 is a valid seed). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`createRng: seed must be a safe integer, received ${String(seed)}`);
  }
  let mix = seed | 0;
  // Mixing in the high bits keeps seeds above 2³² distinct from their low 32 bits.
  mix ^= Math.floor(seed / 2 ** 32) | 0;
  const state = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const [next, output] = splitMix32(mix);
    mix = next;
    state[i] = output;
  }
  // xoshiro must not start from the all-zero state.
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;

  const nextUint32 = (): number => {
    const result = Math.imul(rotateLeft(Math.imul(state[1], 5), 7), 9) >>> 0;
    const t = state[1] << 9;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotateLeft(state[3], 11);
    return result;
  };

  return {
    seed,
    next() {
      // 27 + 26 bits make a uniform double with full 53-bit resolution.
      const high = nextUint32() >>> 5;
      const low = nextUint32() >>> 6;
      return (high * 67108864 + low) / 9007199254740992;
    },
  };
}

/** Draws a standard normal variate (Box–Muller transform, one of the pair). */
export function sampleNormal(rng: Rng): number {
  // 1 − U lies in (0, 1], so the logarithm stays finite.
  const radius = Math.sqrt(-2 * Math.log(1 - rng.next()));
  return radius * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Largest number of trials handled by one inversion pass. At this n, (1 − p)^n for p ≤ ½
 * stays above 2^−512 ≈ 7e−155, far from float64 underflow. Larger n is split into chunks,
 * which is exact because a sum of independent binomials with the same p is binomial.
 */
const INVERSION_CHUNK = 512;

function binomialByInversion(rng: Rng, trials: number, p: number): number {
  // Walks the cumulative distribution from k = 0; the expected work is about trials·p + 1.
  const ratio = p / (1 - p);
  let probability = (1 - p) ** trials;
  let cumulative = probability;
  const u = rng.next();
  let k = 0;
  while (u >= cumulative && k < trials) {
    probability *= (ratio * (trials - k)) / (k + 1);
    k += 1;
    cumulative += probability;
  }
  return k;
}

/** Draws the number of successes in `trials` independent trials of probability `p`. */
export function sampleBinomial(rng: Rng, trials: number, p: number): number {
  if (!Number.isInteger(trials) || trials < 0) {
    throw new RangeError(
      `sampleBinomial: trials must be a non-negative integer, received ${String(trials)}`,
    );
  }
  if (!(p >= 0 && p <= 1)) assertInRange('sampleBinomial', 'p', p, 0, 1, '[]');
  if (p === 0 || trials === 0) return 0;
  if (p === 1) return trials;
  // Inversion walks from k = 0, so it runs on the smaller of p and 1 − p.
  const flip = p > 0.5;
  const q = flip ? 1 - p : p;
  let successes = 0;
  for (let remaining = trials; remaining > 0; remaining -= INVERSION_CHUNK) {
    successes += binomialByInversion(rng, Math.min(remaining, INVERSION_CHUNK), q);
  }
  return flip ? trials - successes : successes;
}

/**
 * Draws counts for `trials` samples over categories with the given probabilities, as a
 * chain of conditional binomials: category k gets Binomial(remaining, p_k/(1 − Σ_{j<k} p_j)).
 * The probabilities must be non-negative and sum to 1 within 1e−9.
 */
export function sampleMultinomial(rng: Rng, trials: number, probabilities: ArrayLike<number>): number[] {
  if (!Number.isInteger(trials) || trials < 0) {
    throw new RangeError(
      `sampleMultinomial: trials must be a non-negative integer, received ${String(trials)}`,
    );
  }
  let total = 0;
  for (let k = 0; k < probabilities.length; k++) {
    const p = probabilities[k];
    // The message is built only on failure: the mode simulations call this every step.
    if (!(p >= 0 && p < Infinity)) {
      assertFiniteNumber('sampleMultinomial', `probabilities[${k}]`, p);
      throw new RangeError(`sampleMultinomial: probabilities[${k}] must be ≥ 0, received ${p}`);
    }
    total += p;
  }
  if (probabilities.length === 0 || Math.abs(total - 1) > 1e-9) {
    throw new RangeError(
      `sampleMultinomial: probabilities must be non-empty and sum to 1 (within 1e-9), received a sum of ${total}`,
    );
  }

  // Suffix sums, rather than 1 minus a running total, keep a category of probability 0 at
  // exactly 0 instead of a rounding error above it.
  const remainingMass = new Array<number>(probabilities.length + 1).fill(0);
  for (let k = probabilities.length - 1; k >= 0; k--) {
    remainingMass[k] = remainingMass[k + 1] + probabilities[k];
  }
  const counts = new Array<number>(probabilities.length).fill(0);
  let remainingTrials = trials;
  for (let k = 0; k < probabilities.length - 1 && remainingTrials > 0; k++) {
    const mass = remainingMass[k];
    const conditional = mass > 0 ? Math.min(1, probabilities[k] / mass) : 0;
    counts[k] = sampleBinomial(rng, remainingTrials, conditional);
    remainingTrials -= counts[k];
  }
  counts[probabilities.length - 1] += remainingTrials;
  return counts;
}
