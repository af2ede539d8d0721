/**
 * Claim C1 in float64: every generator cost's derivative in the logit is minus its scaling
 * factor, dJ/dD_l = −s(D_p) (equation 4 and supplements N, O and P), times the batch
 * factor R for the batch forms. The oracle is a central difference of each cost written
 * out by hand.
 */
import fc from 'fast-check';
import type { ClaimProperty } from './claimProperty.ts';
import { costNameArbitrary, logitArbitrary, nonProbabilityArbitrary, unknownCostNameArbitrary } from './arbitraries.ts';
import { assertRejects } from './badInput.ts';
import { centralDifference } from './numerics.ts';
import { batchFactor, perSampleCost, sigmoid, softplus } from './perSampleCosts.ts';
import { assertClose, FINITE_DIFFERENCE } from './tolerances.ts';
import { parseCostName } from '../src/theory/costNames.ts';
import {
  RESCALE_EPSILON,
  sampleWeights,
  scalingFactor,
  scalingFactorDerivative,
} from '../src/theory/scalingFactor.ts';
import { relativeSampleWeights } from '../src/theory/batchWeighting.ts';
import { modeShares, twoModeSlope } from '../src/theory/modeShares.ts';

/** Logits for batch checks: |D_l| ≤ 8 keeps every batch factor R below about 1e7. */
const batchLogitArbitrary = fc.double({ min: -8, max: 8, noNaN: true });

export const scalingFactorProperties: ClaimProperty[] = [
  {
    claim: 'C1',
    name: 'dJ/dD_l = −s(D_p) for every cost, by finite differences',
    property: () =>
      fc.property(costNameArbitrary, logitArbitrary, (name, logit) => {
        const spec = parseCostName(name);
        const cost = perSampleCost(spec, logit);

        const derivative = centralDifference(cost, logit);

        assertClose(`${name} at D_l = ${logit}`, derivative, -scalingFactor(spec, sigmoid(logit)), FINITE_DIFFERENCE);
      }),
  },
  {
    claim: 'C1',
    name: 'batch costs: dJ_batch/dD_l,i = −w_i/N with R held fixed',
    property: () =>
      fc.property(costNameArbitrary, fc.array(batchLogitArbitrary, { minLength: 1, maxLength: 8 }), (name, logits) => {
        const spec = parseCostName(name);
        const n = logits.length;
        const dps = logits.map(sigmoid);
        const meanDp = dps.reduce((sum, dp) => sum + dp, 0) / n;
        const factor = batchFactor(spec, meanDp, RESCALE_EPSILON);
        // iw-ns is a weighted sum, Σ_i (w_i/Σ_j w_j)·J_ns(z_i), not a mean; the factor N
        // puts it in the units of a mean like the others.
        const importanceTotal = logits.reduce((sum, l) => sum + Math.exp(l), 0);
        const scale = spec.family === 'iw-ns' ? n / importanceTotal : 1;

        const weights = sampleWeights(spec, dps);

        logits.forEach((logit, i) => {
          const term = perSampleCost(spec, logit, factor);
          const derivative = (scale * centralDifference(term, logit)) / n;
          assertClose(`${name}, sample ${i} of ${n}`, derivative, -weights[i] / n, FINITE_DIFFERENCE);
        });
      }),
  },
  {
    claim: 'C1',
    name: 'ns-exp-2 is J_ns + D_p: its factor is (1 − D_p)², while J_ns − D_p gives 1 − D_p²',
    property: () =>
      fc.property(logitArbitrary, (logit) => {
        const dp = sigmoid(logit);
        const plus = (l: number) => softplus(-l) + sigmoid(l);
        const minus = (l: number) => softplus(-l) - sigmoid(l);

        const factorOfPlus = -centralDifference(plus, logit);
        const factorOfMinus = -centralDifference(minus, logit);

        assertClose('J_ns + D_p', factorOfPlus, (1 - dp) ** 2, FINITE_DIFFERENCE);
        assertClose('J_ns − D_p', factorOfMinus, 1 - dp * dp, FINITE_DIFFERENCE);
        assertClose('scalingFactor("ns-exp-2")', scalingFactor('ns-exp-2', dp), factorOfPlus, FINITE_DIFFERENCE);
      }),
  },
  {
    claim: 'C1',
    name: 'ds/dD_p in closed form equals finite differences of s',
    property: () =>
      fc.property(costNameArbitrary, fc.double({ min: 1e-3, max: 1 - 1e-3, noNaN: true }), (name, dp) => {
        // The step shrinks near the edges, where ls and ns-exp-0.5 have steep derivatives.
        const step = 1e-6 * Math.min(dp, 1 - dp);
        const s = (x: number) => scalingFactor(name, x);

        const derivative = centralDifference(s, dp, step);

        assertClose(`${name} at D_p = ${dp}`, scalingFactorDerivative(name, dp), derivative, FINITE_DIFFERENCE);
      }),
  },
  {
    claim: 'C1',
    name: 'unknown cost names are rejected, naming the cost',
    property: () =>
      fc.property(unknownCostNameArbitrary, (name) => {
        assertRejects(() => scalingFactor(name, 0.5), 'cost');
        assertRejects(() => scalingFactorDerivative(name, 0.5), 'cost');
        assertRejects(() => sampleWeights(name, [0.5]), 'cost');
        assertRejects(() => relativeSampleWeights(name, [0.5]), 'cost');
        assertRejects(() => modeShares(name, [0.5, 0.5], [0.5, 0.5]), 'cost');
        assertRejects(() => twoModeSlope(name, [0.5, 0.5]), 'cost');
      }),
  },
  {
    claim: 'C1',
    name: 'D_p outside [0, 1] is rejected, naming the argument',
    property: () =>
      fc.property(costNameArbitrary, nonProbabilityArbitrary, (name, dp) => {
        assertRejects(() => scalingFactor(name, dp), 'dp');
        assertRejects(() => scalingFactorDerivative(name, dp), 'dp');
        assertRejects(() => sampleWeights(name, [0.5, dp]), 'dps[1]');
      }),
  },
];
