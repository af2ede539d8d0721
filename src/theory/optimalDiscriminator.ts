/**
 * The optimal discriminator for fixed densities (equation 7 of "Sample weighting as an
 * explanation for mode collapse in generative adversarial networks", from Goodfellow et
 * al. 2014): at each point x, D*(x) = r(x)/(r(x) + g(x)) minimises the discriminator cost
 * J_D = −r(x)·log D(x) − g(x)·log(1 − D(x)).
 */
import { assertNonNegativeVector, assertSameLength } from './validate.ts';

/**
 * D* where neither density has mass. Every D gives J_D = 0 there, so any value is optimal;
 * ½, the output of a discriminator with no evidence either way, is the convention here.
 */
export const UNDETERMINED_DISCRIMINATOR = 0.5;

/**
 * Returns D*(x) = r(x)/(r(x) + g(x)) at each point, with r the real and g the generated
 * density (eq. 7), and ½ where r = g = 0. The densities need not sum to 1.
 */
export function optimalDiscriminator(r: ArrayLike<number>, g: ArrayLike<number>): number[] {
  const fn = 'optimalDiscriminator';
  assertNonNegativeVector(fn, 'r', r);
  assertNonNegativeVector(fn, 'g', g);
  assertSameLength(fn, ['r', 'g'], r, g);
  const dStar = new Array<number>(r.length);
  for (let i = 0; i < r.length; i++) {
    const total = r[i] + g[i];
    dStar[i] = total === 0 ? UNDETERMINED_DISCRIMINATOR : r[i] / total;
  }
  return dStar;
}

/**
 * Returns −r·log D − g·log(1 − D) at one point: the discriminator's cross-entropy cost
 * weighted by the two densities, with 0·log 0 = 0 so a density of 0 ignores its term.
 */
export function pointwiseDiscriminatorCost(r: number, g: number, d: number): number {
  const realTerm = r === 0 ? 0 : -r * Math.log(d);
  const generatedTerm = g === 0 ? 0 : -g * Math.log1p(-d);
  return realTerm + generatedTerm;
}

/** Returns J_D = Σ_x [−r(x)·log D(x) − g(x)·log(1 − D(x))] for a discriminator D on the points. */
export function discriminatorCost(
  r: ArrayLike<number>,
  g: ArrayLike<number>,
  d: ArrayLike<number>,
): number {
  const fn = 'discriminatorCost';
  assertNonNegativeVector(fn, 'r', r);
  assertNonNegativeVector(fn, 'g', g);
  assertNonNegativeVector(fn, 'd', d);
  assertSameLength(fn, ['r', 'g'], r, g);
  assertSameLength(fn, ['r', 'd'], r, d);
  let cost = 0;
  for (let i = 0; i < r.length; i++) {
    if (d[i] > 1) {
      throw new RangeError(`${fn}: d[${i}] must be a probability in [0, 1], received ${d[i]}`);
    }
    cost += pointwiseDiscriminatorCost(r[i], g[i], d[i]);
  }
  return cost;
}
