/**
 * Claims C2–C4: how a batch weights its samples under NS, MM, MM-nsat and importance-
 * weighted NS (equations 5 and 6).
 */
import fc from 'fast-check';
import type { ClaimProperty } from './claimProperty.ts';
import {
  dpBatchArbitrary,
  equalDpBatchArbitrary,
  nonProbabilityArbitrary,
  probabilityArbitrary,
} from './arbitraries.ts';
import { assertRejects } from './badInput.ts';
import { finiteDifferenceGradient } from './numerics.ts';
import { sigmoid, softplus } from './perSampleCosts.ts';
import { assertAllClose, assertClose, FINITE_DIFFERENCE, ROUNDING } from './tolerances.ts';
import {
  batchGradient,
  cosineSimilarity,
  importanceWeights,
  mmNsatDeviationBound,
  mmNsatDeviationFromNs,
  mmNsatFactor,
  nsOverMmFactors,
  relativeSampleWeights,
} from '../src/theory/batchWeighting.ts';
import { sampleWeights } from '../src/theory/scalingFactor.ts';

/** Returns D_l,i(θ) = 3·tanh(θ·z_i) + ½·θ_1²·z_i1, a small nonlinear D(G(z_i; θ)) for finite differences. */
function toyLogit(theta: number[], z: number[]): number {
  const projection = theta.reduce((sum, value, k) => sum + value * z[k], 0);
  return 3 * Math.tanh(projection) + 0.5 * theta[1] ** 2 * z[1];
}

const vectorArbitrary = (dimension: number) =>
  fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: dimension, maxLength: dimension });

/** A batch of D_p values with one logit gradient ∂D_l,i/∂θ of dimension 4 per sample. */
const batchWithGradientsArbitrary = fc
  .array(fc.tuple(probabilityArbitrary, vectorArbitrary(4)), { minLength: 1, maxLength: 16 })
  .map((samples) => ({ dps: samples.map(([dp]) => dp), gradients: samples.map(([, g]) => g) }));

const rescaleEpsilonArbitrary = fc.oneof(
  fc.constant(0),
  fc.constant(1e-8),
  fc.double({ min: 0, max: 0.1, noNaN: true }),
);

function norm(vector: number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

export const batchWeightingProperties: ClaimProperty[] = [
  {
    claim: 'C2',
    name: '∇J_ns(batch) = Σ_i ∇J_mm(z_i)·(1 − D_p,i)/D_p,i, by finite differences',
    property: () =>
      fc.property(vectorArbitrary(3), fc.array(vectorArbitrary(3), { minLength: 1, maxLength: 8 }), (theta, zs) => {
        const nsBatch = (t: number[]) => zs.reduce((sum, z) => sum + softplus(-toyLogit(t, z)), 0);
        const factors = nsOverMmFactors(zs.map((z) => sigmoid(toyLogit(theta, z))));

        const nsGradient = finiteDifferenceGradient(nsBatch, theta);
        const rebuilt = new Array<number>(theta.length).fill(0);
        zs.forEach((z, i) => {
          const mmGradient = finiteDifferenceGradient((t) => -softplus(toyLogit(t, z)), theta);
          mmGradient.forEach((value, j) => (rebuilt[j] += value * factors[i]));
        });

        assertAllClose('∇J_ns', rebuilt, nsGradient, FINITE_DIFFERENCE);
      }),
  },
  {
    claim: 'C2',
    name: 'NS weights are MM weights times (1 − D_p)/D_p',
    property: () =>
      fc.property(dpBatchArbitrary, (dps) => {
        const mm = sampleWeights('mm', dps);
        const factors = nsOverMmFactors(dps);

        assertAllClose('ns weights', mm.map((w, i) => w * factors[i]), sampleWeights('ns', dps), ROUNDING);
      }),
  },
  {
    claim: 'C3',
    name: 'MM-nsat batch gradient has cosine 1 with MM',
    property: () =>
      fc.property(batchWithGradientsArbitrary, rescaleEpsilonArbitrary, ({ dps, gradients }, rescaleEpsilon) => {
        const mm = batchGradient(sampleWeights('mm', dps), gradients);
        fc.pre(norm(mm) > 1e-9); // cosine is undefined for a zero gradient

        const nsat = batchGradient(sampleWeights('mm-nsat', dps, { rescaleEpsilon }), gradients);

        assertClose('cosine(MM-nsat, MM)', cosineSimilarity(nsat, mm), 1, ROUNDING);
      }),
  },
  {
    claim: 'C3',
    name: 'MM-nsat equals NS when every D_p is equal (ε_R = 0)',
    property: () =>
      fc.property(equalDpBatchArbitrary, (dps) => {
        const nsat = sampleWeights('mm-nsat', dps, { rescaleEpsilon: 0 });

        assertAllClose('MM-nsat weights', nsat, sampleWeights('ns', dps), ROUNDING);
      }),
  },
  {
    claim: 'C3',
    name: 'R·Σ D_p,i = Σ (1 − D_p,i) for ε_R = 0',
    property: () =>
      fc.property(dpBatchArbitrary, (dps) => {
        const factor = mmNsatFactor(dps, 0);

        const nsatTotal = dps.reduce((sum, dp) => sum + factor * dp, 0);
        const nsTotal = dps.reduce((sum, dp) => sum + (1 - dp), 0);

        assertClose('Σ|dJ/dD_l|', nsatTotal, nsTotal, ROUNDING);
      }),
  },
  {
    claim: 'C3',
    name: 'MM-nsat minus NS per sample matches its closed form and bound',
    property: () =>
      fc.property(dpBatchArbitrary, rescaleEpsilonArbitrary, (dps, rescaleEpsilon) => {
        const nsat = sampleWeights('mm-nsat', dps, { rescaleEpsilon });
        const ns = sampleWeights('ns', dps);

        const closedForm = mmNsatDeviationFromNs(dps, rescaleEpsilon);
        const bound = mmNsatDeviationBound(dps, rescaleEpsilon);

        dps.forEach((_, i) => {
          const difference = nsat[i] - ns[i];
          // The subtraction loses the digits of R·D_p,i, which can reach 1/D̄_p.
          const tolerance = { relative: 0, absolute: 1e-13 * (Math.abs(nsat[i]) + 1) };
          assertClose(`difference at sample ${i}`, difference, closedForm[i], tolerance);
          if (Math.abs(difference) > bound * (1 + 1e-12) + tolerance.absolute) {
            throw new Error(`sample ${i}: |${difference}| exceeds the bound ${bound}`);
          }
        });
      }),
  },
  {
    claim: 'C4',
    name: 'importance-weighted NS has MM\'s relative sample weights',
    property: () =>
      fc.property(dpBatchArbitrary, (dps) => {
        const weights = importanceWeights(dps);
        const weighted = weights.map((w, i) => w * (1 - dps[i]));
        const total = weighted.reduce((sum, value) => sum + value, 0);
        const mmTotal = dps.reduce((sum, dp) => sum + dp, 0);

        assertClose('Σ importance weights', weights.reduce((sum, w) => sum + w, 0), 1, ROUNDING);
        assertAllClose('w_i·(1 − D_p,i), normalised', weighted.map((value) => value / total), dps.map((dp) => dp / mmTotal), ROUNDING);
        assertAllClose('iw-ns relative weights', relativeSampleWeights('iw-ns', dps), relativeSampleWeights('mm', dps), ROUNDING);
      }),
  },
  {
    claim: 'C3',
    name: 'batch functions reject D_p outside [0, 1] and ε_R < 0, naming them',
    property: () =>
      fc.property(dpBatchArbitrary, nonProbabilityArbitrary, fc.double({ max: -1e-12, noNaN: true }), (dps, bad, epsilon) => {
        const batch = [...dps, bad];
        const argument = `dps[${dps.length}]`;

        assertRejects(() => nsOverMmFactors(batch), argument);
        assertRejects(() => mmNsatFactor(batch), argument);
        assertRejects(() => mmNsatDeviationFromNs(batch), argument);
        assertRejects(() => mmNsatDeviationBound(batch), argument);
        assertRejects(() => importanceWeights(batch), argument);
        assertRejects(() => relativeSampleWeights('mm', batch), argument);
        assertRejects(() => mmNsatFactor(dps, epsilon), 'rescaleEpsilon');
      }),
  },
];
