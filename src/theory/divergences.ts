/**
 * Kullback–Leibler and Jensen–Shannon divergences between discrete distributions, in nats.
 * Terms with p_i = 0 contribute 0 (0·log 0 = 0).
 */
import { assertProbabilityVector, assertSameLength } from './validate.ts';

function assertDistributionPair(fn: string, p: ArrayLike<number>, q: ArrayLike<number>): void {
  assertProbabilityVector(fn, 'p', p);
  assertProbabilityVector(fn, 'q', q);
  assertSameLength(fn, ['p', 'q'], p, q);
}

/** Σ_i p_i·ln(p_i/q_i) with no argument checks, for callers that have checked them. */
export function klDivergenceUnchecked(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    if (q[i] === 0) return Infinity;
    // p/q overflows for a subnormal q; the difference of logarithms does not.
    const ratio = p[i] / q[i];
    sum += p[i] * (Number.isFinite(ratio) ? Math.log(ratio) : Math.log(p[i]) - Math.log(q[i]));
  }
  return sum;
}

/**
 * Returns KL(p‖q) = Σ_i p_i·ln(p_i/q_i) in nats: +∞ when some p_i > 0 meets q_i = 0.
 */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  assertDistributionPair('klDivergence', p, q);
  return klDivergenceUnchecked(p, q);
}

/** JS(p‖q) without argument checks; see `jsDivergence`. */
export function jsDivergenceUnchecked(p: ArrayLike<number>, q: ArrayLike<number>): number {
  // ½·p_i·ln(p_i/m_i) with m_i = ½(p_i + q_i), written as ln(2p_i/(p_i + q_i)): halving a
  // subnormal q_i can round the mixture to 0 and make the term infinite.
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const total = p[i] + q[i];
    if (p[i] > 0) sum += 0.5 * p[i] * Math.log((2 * p[i]) / total);
    if (q[i] > 0) sum += 0.5 * q[i] * Math.log((2 * q[i]) / total);
  }
  return sum;
}

/**
 * Returns JS(p‖q) = ½·KL(p‖m) + ½·KL(q‖m) with m = ½(p + q), in nats, so it lies in
 * [0, ln 2].
 */
export function jsDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  assertDistributionPair('jsDivergence', p, q);
  return jsDivergenceUnchecked(p, q);
}
