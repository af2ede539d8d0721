/**
 * The divergences that the generator costs minimise when the discriminator is optimal (equation 3 of
 * "Sample weighting as an explanation for mode collapse in generative adversarial
 * networks", which collects these results from earlier work).
 *
 * For discrete densities r (real) and g(θ) (generated), with D frozen at D* = r/(r + g(θ0))
 * so that no gradient flows through D, the gradients in θ at θ0 are exactly
 *
 *   ∇ E_g[J_mm] = ∇ 2·JS(r‖g)                 (J_mm = log(1 − D))
 *   ∇ E_g[J_ns] = ∇ [KL(g‖r) − 2·JS(r‖g)]     (J_ns = −log D)
 *   ∇ E_g[J_mm + J_ns] = ∇ KL(g‖r)
 *
 * with no constant factors. Proof sketch: ∇ E_g[J_mm] = Σ_x ∇g(x)·log(g/(r + g)), and
 * ∇ 2·JS = Σ_x ∇g(x)·[log(2g/(r + g)) + 1 − (r + g)/(r + g)] = Σ_x ∇g(x)·log(g/(r + g)),
 * because Σ_x ∇g(x) = 0; the other two follow from ∇ KL(g‖r) = Σ_x ∇g(x)·log(g/r).
 * Only gradients agree: the values differ by terms constant in θ, and when D follows
 * D*(θ) the identity for E_g[J_mm] alone fails (`generatorCostsAtMovingOptimum`).
 */
import { jsDivergenceUnchecked, klDivergenceUnchecked } from './divergences.ts';
import { optimalDiscriminator } from './optimalDiscriminator.ts';
import {
  assertFiniteNumber,
  assertInRange,
  assertProbabilityVector,
  assertSameLength,
} from './validate.ts';

/** A value for each of MM's, NS's and their sum's generator cost. */
export interface GeneratorCostValues {
  mm: number;
  ns: number;
  mmPlusNs: number;
}

/** A generator's distribution over the points as a function of its parameters θ. */
export type DiscreteGenerator = (theta: number[]) => number[];

/** g = softmax(θ), the generator used to differentiate with respect to θ. */
export function softmax(theta: number[]): number[] {
  if (!Array.isArray(theta) || theta.length === 0) {
    throw new TypeError(`softmax: theta must be a non-empty array, received ${String(theta)}`);
  }
  theta.forEach((value, i) => assertFiniteNumber('softmax', `theta[${i}]`, value));
  const largest = Math.max(...theta);
  const exponentials = theta.map((value) => Math.exp(value - largest));
  const total = exponentials.reduce((sum, value) => sum + value, 0);
  return exponentials.map((value) => value / total);
}

/**
 * Returns E_g[J_mm] = Σ_x g·log(1 − D) and E_g[J_ns] = −Σ_x g·log D for a discriminator D
 * on the points, with 0·log 0 = 0.
 */
export function expectedGeneratorCosts(g: ArrayLike<number>, d: ArrayLike<number>): GeneratorCostValues {
  const fn = 'expectedGeneratorCosts';
  assertProbabilityVector(fn, 'g', g);
  assertSameLength(fn, ['g', 'd'], g, d);
  let mm = 0;
  let ns = 0;
  for (let i = 0; i < g.length; i++) {
    assertInRange(fn, `d[${i}]`, d[i], 0, 1, '[]');
    if (g[i] === 0) continue;
    mm += g[i] * Math.log1p(-d[i]);
    ns -= g[i] * Math.log(d[i]);
  }
  return { mm, ns, mmPlusNs: mm + ns };
}

/**
 * Returns the divergences whose gradients the costs follow at D*: 2·JS(r‖g) for MM,
 * KL(g‖r) − 2·JS(r‖g) for NS and KL(g‖r) for their sum, in nats.
 */
export function divergenceCounterparts(r: ArrayLike<number>, g: ArrayLike<number>): GeneratorCostValues {
  const fn = 'divergenceCounterparts';
  assertProbabilityVector(fn, 'r', r);
  assertProbabilityVector(fn, 'g', g);
  assertSameLength(fn, ['r', 'g'], r, g);
  const twoJs = 2 * jsDivergenceUnchecked(r, g);
  const reverseKl = klDivergenceUnchecked(g, r);
  return { mm: twoJs, ns: reverseKl - twoJs, mmPlusNs: reverseKl };
}

/**
 * Returns θ ↦ E_{g(θ)}[J] with the discriminator frozen at D* = r/(r + g(θ0)): the cost
 * whose gradient at θ0 a generator step follows when D is optimal but held fixed.
 */
export function generatorCostsAtFrozenOptimum(
  r: ArrayLike<number>,
  theta0: number[],
  generator: DiscreteGenerator = softmax,
): (theta: number[]) => GeneratorCostValues {
  const fn = 'generatorCostsAtFrozenOptimum';
  assertProbabilityVector(fn, 'r', r);
  const g0 = generator(theta0);
  assertProbabilityVector(fn, 'generator(theta0)', g0);
  assertSameLength(fn, ['r', 'generator(theta0)'], r, g0);
  const frozen = optimalDiscriminator(r, g0);
  return (theta) => expectedGeneratorCosts(generator(theta), frozen);
}

/**
 * Returns θ ↦ E_{g(θ)}[J] with D = D*(θ) recomputed at every θ. Its MM gradient is
 * ∇ 2·JS(r‖g) − Σ_x g·∇g/(r + g), not ∇ 2·JS, which is why eq. 3 holds only with D fixed.
 */
export function generatorCostsAtMovingOptimum(
  r: ArrayLike<number>,
  generator: DiscreteGenerator = softmax,
): (theta: number[]) => GeneratorCostValues {
  assertProbabilityVector('generatorCostsAtMovingOptimum', 'r', r);
  return (theta) => {
    const g = generator(theta);
    return expectedGeneratorCosts(g, optimalDiscriminator(r, g));
  };
}

/**
 * Returns the minimax value V(D*, g) = Σ_x [r·log D* + g·log(1 − D*)], which equals
 * 2·JS(r‖g) − 2·ln 2: the minimax game at D* is the Jensen–Shannon divergence plus a
 * constant.
 */
export function minimaxValue(r: ArrayLike<number>, g: ArrayLike<number>): number {
  const fn = 'minimaxValue';
  assertProbabilityVector(fn, 'r', r);
  assertProbabilityVector(fn, 'g', g);
  assertSameLength(fn, ['r', 'g'], r, g);
  // log D* = log(r/(r + g)) and log(1 − D*) = log(g/(r + g)), taken directly: forming D*
  // first rounds it to 1 when g ≪ r and turns a finite term into −∞.
  let value = 0;
  for (let i = 0; i < r.length; i++) {
    const total = r[i] + g[i];
    if (r[i] > 0) value += r[i] * Math.log(r[i] / total);
    if (g[i] > 0) value += g[i] * Math.log(g[i] / total);
  }
  return value;
}
