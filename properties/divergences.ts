/**
 * Claim C6: with the discriminator held at D*, the generator costs' gradients are those of
 * divergences (equation 3): MM ⇔ 2·JS(r‖g), NS ⇔ KL(g‖r) − 2·JS(r‖g), MM + NS ⇔ KL(g‖r),
 * exactly and with no constant factor. Gradients are central differences in the logits θ
 * of g = softmax(θ).
 */
import fc from 'fast-check';
import type { ClaimProperty } from './claimProperty.ts';
import { distributionArbitrary, distributionPairArbitrary, nonProbabilityArbitrary } from './arbitraries.ts';
import { assertRejects } from './badInput.ts';
import { finiteDifferenceGradient } from './numerics.ts';
import { assertAllClose, assertClose, FINITE_DIFFERENCE, ROUNDING } from './tolerances.ts';
import { jsDivergence, klDivergence } from '../src/theory/divergences.ts';
import {
  divergenceCounterparts,
  expectedGeneratorCosts,
  generatorCostsAtFrozenOptimum,
  generatorCostsAtMovingOptimum,
  minimaxValue,
  softmax,
  type GeneratorCostValues,
} from '../src/theory/divergencesAtOptimum.ts';

/** Real densities with every entry ≥ 0.01/n, and generator logits θ0 on the same points. */
const realAndThetaArbitrary = fc.integer({ min: 2, max: 6 }).chain((n) =>
  fc.tuple(
    distributionArbitrary(n, n, { positive: true }),
    fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
  ),
);

/** p scaled so that it sums to anything but 1. */
const unnormalisedArbitrary = fc
  .tuple(distributionArbitrary(2, 6), fc.oneof(fc.double({ min: 0.1, max: 0.99 }), fc.double({ min: 1.01, max: 3 })))
  .map(([p, scale]) => p.map((value) => value * scale));

/** Entropy in nats, Σ −p·ln p with 0·ln 0 = 0, written independently of src/theory. */
function entropy(p: number[]): number {
  return p.reduce((sum, value) => (value > 0 ? sum - value * Math.log(value) : sum), 0);
}

const COST_KEYS: (keyof GeneratorCostValues)[] = ['mm', 'ns', 'mmPlusNs'];

export const divergencesProperties: ClaimProperty[] = [
  {
    claim: 'C6',
    name: 'with D* held fixed, ∇E_g[J] equals ∇ of 2·JS, KL(g‖r) − 2·JS and KL(g‖r)',
    property: () =>
      fc.property(realAndThetaArbitrary, ([r, theta0]) => {
        const costs = generatorCostsAtFrozenOptimum(r, theta0);
        const divergences = (theta: number[]) => divergenceCounterparts(r, softmax(theta));

        for (const key of COST_KEYS) {
          const costGradient = finiteDifferenceGradient((theta) => costs(theta)[key], theta0);
          const divergenceGradient = finiteDifferenceGradient((theta) => divergences(theta)[key], theta0);
          assertAllClose(`∇ ${key}`, costGradient, divergenceGradient, FINITE_DIFFERENCE);
        }
      }),
  },
  {
    claim: 'C6',
    name: 'with D = D*(θ) moving, ∇E_g[J_mm] = ∇2·JS − Σ_x g·∇g/(r + g) instead',
    property: () =>
      fc.property(realAndThetaArbitrary, ([r, theta0]) => {
        const g0 = softmax(theta0);
        const moving = generatorCostsAtMovingOptimum(r);
        // Σ_x g0·g(θ)/(r + g0) has gradient Σ_x g0·∇g/(r + g0) at θ0.
        const correction = (theta: number[]) =>
          softmax(theta).reduce((sum, g, x) => sum + (g0[x] * g) / (r[x] + g0[x]), 0);

        const movingGradient = finiteDifferenceGradient((theta) => moving(theta).mm, theta0);
        const jsGradient = finiteDifferenceGradient((theta) => divergenceCounterparts(r, softmax(theta)).mm, theta0);
        const correctionGradient = finiteDifferenceGradient(correction, theta0);

        assertAllClose(
          '∇E_g[J_mm] at D*(θ)',
          movingGradient,
          jsGradient.map((value, j) => value - correctionGradient[j]),
          FINITE_DIFFERENCE,
        );
      }),
  },
  {
    claim: 'C6',
    name: 'V(D*, g) = 2·JS(r‖g) − 2·ln 2',
    property: () =>
      fc.property(distributionPairArbitrary(1, 8), ([r, g]) => {
        assertClose('V(D*, g)', minimaxValue(r, g), 2 * jsDivergence(r, g) - 2 * Math.LN2, ROUNDING);
      }),
  },
  {
    claim: 'C6',
    name: 'JS equals H(m) − ½H(p) − ½H(q), is symmetric and lies in [0, ln 2]',
    property: () =>
      fc.property(distributionPairArbitrary(1, 8), ([p, q]) => {
        const mixture = p.map((value, i) => 0.5 * (value + q[i]));
        const direct = entropy(mixture) - 0.5 * entropy(p) - 0.5 * entropy(q);

        const js = jsDivergence(p, q);

        assertClose('JS(p‖q)', js, direct, ROUNDING);
        assertClose('JS(q‖p)', jsDivergence(q, p), js, ROUNDING);
        if (js < -1e-15 || js > Math.LN2 + 1e-15) throw new Error(`JS = ${js} is outside [0, ln 2]`);
      }),
  },
  {
    claim: 'C6',
    name: 'KL(p‖q) ≥ 0 with KL(p‖p) = 0, and +∞ where q misses mass of p',
    property: () =>
      fc.property(distributionPairArbitrary(1, 8), ([p, q]) => {
        const kl = klDivergence(p, q);
        const missesMass = p.some((value, i) => value > 0 && q[i] === 0);

        if (missesMass && kl !== Infinity) throw new Error(`KL = ${kl}, expected +∞`);
        if (kl < -1e-15) throw new Error(`KL = ${kl} is negative`);
        assertClose('KL(p‖p)', klDivergence(p, p), 0, ROUNDING);
      }),
  },
  {
    claim: 'C6',
    name: 'negative or non-normalised probabilities are rejected, naming them',
    property: () =>
      fc.property(unnormalisedArbitrary, nonProbabilityArbitrary, (unnormalised, bad) => {
        const valid = unnormalised.map(() => 1 / unnormalised.length);
        // A value above 1 fails the sum check, which names the vector rather than the entry.
        const withBad = [...valid.slice(1), bad];

        assertRejects(() => klDivergence(unnormalised, valid), 'p');
        assertRejects(() => klDivergence(valid, unnormalised), 'q');
        assertRejects(() => jsDivergence(unnormalised, valid), 'p');
        assertRejects(() => jsDivergence(valid, withBad), 'q');
        assertRejects(() => divergenceCounterparts(unnormalised, valid), 'r');
        assertRejects(() => divergenceCounterparts(valid, withBad), 'g');
        assertRejects(() => minimaxValue(valid, unnormalised), 'g');
        assertRejects(() => expectedGeneratorCosts(unnormalised, valid), 'g');
      }),
  },
];
