/**
 * Claim C5: D* = r/(r + g) minimises the discriminator cost for any densities (equation 7).
 */
import fc from 'fast-check';
import type { ClaimProperty } from './claimProperty.ts';
import { densityPairArbitrary } from './arbitraries.ts';
import { assertRejects } from './badInput.ts';
import { goldenSectionMinimum } from './numerics.ts';
import { sigmoid, softplus } from './perSampleCosts.ts';
import { assertClose, MINIMISATION } from './tolerances.ts';
import { discriminatorCost, optimalDiscriminator } from '../src/theory/optimalDiscriminator.ts';

/** The search range of D_l: σ(±40) is within 5e−18 of 0 and 1, below any tolerance here. */
const LOGIT_BOUND = 40;

const densityArbitrary = fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e3, noNaN: true }));

const densityVectorsArbitrary = fc
  .array(fc.tuple(densityArbitrary, densityArbitrary, fc.double({ min: -0.5, max: 0.5, noNaN: true })), {
    minLength: 1,
    maxLength: 8,
  })
  .map((points) => ({
    r: points.map(([r]) => r),
    g: points.map(([, g]) => g),
    perturbation: points.map(([, , delta]) => delta),
  }));

export const optimalDiscriminatorProperties: ClaimProperty[] = [
  {
    claim: 'C5',
    name: 'D* equals the golden-section minimiser of J_D at each point',
    property: () =>
      fc.property(densityPairArbitrary, ([r, g]) => {
        // J_D on the logit: −r·log σ(l) − g·log(1 − σ(l)) = r·softplus(−l) + g·softplus(l).
        const cost = (logit: number) => r * softplus(-logit) + g * softplus(logit);

        const minimiser = sigmoid(goldenSectionMinimum(cost, -LOGIT_BOUND, LOGIT_BOUND));

        assertClose(`D* at r = ${r}, g = ${g}`, optimalDiscriminator([r], [g])[0], minimiser, MINIMISATION);
      }),
  },
  {
    claim: 'C5',
    name: 'D* has no higher J_D than any perturbed discriminator',
    property: () =>
      fc.property(densityVectorsArbitrary, ({ r, g, perturbation }) => {
        const best = optimalDiscriminator(r, g);
        const perturbed = best.map((d, i) => Math.min(1, Math.max(0, d + perturbation[i])));

        const bestCost = discriminatorCost(r, g, best);
        const perturbedCost = discriminatorCost(r, g, perturbed);

        if (bestCost > perturbedCost + 1e-12 * Math.abs(perturbedCost)) {
          throw new Error(`J_D(D*) = ${bestCost} exceeds J_D(perturbed) = ${perturbedCost}`);
        }
      }),
  },
  {
    claim: 'C5',
    name: 'where r = g = 0, D* is ½ and J_D does not depend on D',
    property: () =>
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (d) => {
        assertClose('D*(0, 0)', optimalDiscriminator([0], [0])[0], 0.5, MINIMISATION);
        assertClose('J_D(0, 0, d)', discriminatorCost([0], [0], [d]), 0, MINIMISATION);
      }),
  },
  {
    claim: 'C5',
    name: 'negative or mismatched densities are rejected, naming them',
    property: () =>
      fc.property(densityVectorsArbitrary, fc.double({ max: -1e-12, noNaN: true }), ({ r, g }, negative) => {
        const index = r.length;

        assertRejects(() => optimalDiscriminator([...r, negative], [...g, 1]), `r[${index}]`);
        assertRejects(() => optimalDiscriminator([...r, 1], [...g, negative]), `g[${index}]`);
        assertRejects(() => optimalDiscriminator([...r, 1], g), 'r and g');
        assertRejects(() => discriminatorCost(r, g, r.map(() => 1.5)), 'd[0]');
      }),
  },
];
