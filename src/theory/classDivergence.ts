/**
 * The class-distribution divergence D_JS^CD of "Sample weighting as an explanation for mode
 * collapse in generative adversarial networks" (equation 12): the Jensen–Shannon divergence
 * between the class frequencies of the real data and of the generator's samples, with
 * base-2 logarithms so that it lies in [0, 1].
 */
import { jsDivergenceUnchecked } from './divergences.ts';
import { assertProbabilityVector, assertSameLength } from './validate.ts';

/**
 * Returns JS(p‖q) in bits (eq. 12), with p the real and q the generated class frequencies.
 * 0 means equal frequencies and 1 disjoint support. Against ten balanced classes, a
 * generator of one class scores ≈ 0.758, the largest value when p is uniform over ten.
 */
export function classDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const fn = 'classDivergence';
  assertProbabilityVector(fn, 'p', p);
  assertProbabilityVector(fn, 'q', q);
  assertSameLength(fn, ['p', 'q'], p, q);
  // Rounding can leave a hair below 0 or above 1; the divergence is bounded by both.
  return Math.min(1, Math.max(0, jsDivergenceUnchecked(p, q) / Math.LN2));
}
