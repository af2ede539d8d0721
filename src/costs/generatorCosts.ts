/**
 * Batch generator costs on the logits D_l(G(z_i)) of N generated samples, one per cost
 * family of "Sample weighting as an explanation for mode collapse in generative adversarial
 * networks" (equations 1, 4–6, supplement N–P). With reduction 'mean', every cost here has
 * dJ/dD_l,i = −w_i/N, where w_i is the sample weight that `sampleWeights` in
 * src/theory/scalingFactor.ts states. With 'sum' it is −w_i, so the gradient grows with
 * the batch size.
 *
 * Batch factors R multiply the adversarial cost and are computed from logits behind
 * `stopGradient`, so they are constants of the backward pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { CostFamily, CostSpec } from '../theory/costNames.ts';
import {
  importanceWeights,
  mmNsatAddFactor,
  mmNsatExp2Factor,
  mmNsatFactor,
  nsAddFactor,
  nsExp2Factor,
  nsExpHalfFactor,
} from './batchFactors.ts';
import type { ResolvedCostOptions } from './costOptions.ts';
import { assertLogitBatch, flattenLogits, reduceBatch } from './logitBatch.ts';
import {
  hingeSampleCost,
  leastSquaresSampleCost,
  mmNsatExp2SampleCost,
  mmSampleCost,
  nsExp2SampleCost,
  nsExpHalfSampleCost,
  nsSampleCost,
} from './sampleCosts.ts';
import { stopGradient } from './stopGradient.ts';
import type { Reduction } from './types.ts';

/** G's cost on a batch of logits [N] or [N, 1]. */
export type GeneratorCostFunction = (fakeLogits: tf.Tensor) => tf.Scalar;

type SampleCost = (logits: tf.Tensor) => tf.Tensor;
type BatchFactor = (constantLogits: tf.Tensor1D) => tf.Scalar;

/** R · reduce(J_i), with R computed from logits that carry no gradient. */
function scaledBatchCost(
  logits: tf.Tensor1D,
  reduction: Reduction,
  sampleCost: SampleCost,
  factor?: BatchFactor,
): tf.Scalar {
  const batchCost = reduceBatch(sampleCost(logits), reduction);
  if (factor === undefined) return batchCost;
  return tf.mul(factor(stopGradient(logits)), batchCost);
}

/**
 * iw-NS: Σ_i w̃_i J_ns(z_i) with the normalised importance weights w̃_i as constants. The
 * per-sample terms are N·w̃_i·J_ns,i, so that 'mean' gives Σ_i w̃_i J_ns,i and 'sum' gives N
 * times that, in line with every other cost.
 */
function importanceWeightedNsCost(logits: tf.Tensor1D, reduction: Reduction): tf.Scalar {
  const weights = importanceWeights(stopGradient(logits));
  const perSample = tf.mul(tf.mul(logits.size, weights), nsSampleCost(logits));
  return reduceBatch(perSample, reduction);
}

/** Returns the batch cost of one family as a function of its flattened logits. */
function familyCost(
  family: CostFamily,
  a: number,
  options: ResolvedCostOptions,
): (logits: tf.Tensor1D) => tf.Scalar {
  const { reduction, rescaleEpsilon } = options;
  const mmNsat: BatchFactor = (l) => mmNsatFactor(l, rescaleEpsilon);
  switch (family) {
    case 'mm':
    case 'mm-unit':
      return (l) => scaledBatchCost(l, reduction, mmSampleCost);
    case 'ns':
    case 'ns-unit':
      return (l) => scaledBatchCost(l, reduction, nsSampleCost);
    case 'mm-nsat':
      return (l) => scaledBatchCost(l, reduction, mmSampleCost, mmNsat);
    case 'ns+mm':
      // (1 − a)·J_ns + a·J_mm, so s = (1 − a)(1 − D_p) + a·D_p.
      return (l) =>
        tf.add(
          tf.mul(1 - a, scaledBatchCost(l, reduction, nsSampleCost)),
          tf.mul(a, scaledBatchCost(l, reduction, mmSampleCost)),
        );
    case 'ns+mm-nsat':
      // (1 − a)·J_ns + a·J_mm-nsat; a = 1 is pure MM-nsat.
      return (l) =>
        tf.add(
          tf.mul(1 - a, scaledBatchCost(l, reduction, nsSampleCost)),
          tf.mul(a, scaledBatchCost(l, reduction, mmSampleCost, mmNsat)),
        );
    case 'ns-add':
      // R·(J_ns − a·D_l), so s = R·(1 − D_p + a).
      return (l) =>
        scaledBatchCost(
          l,
          reduction,
          (x) => tf.sub(nsSampleCost(x), tf.mul(a, x)),
          (c) => nsAddFactor(c, a, rescaleEpsilon),
        );
    case 'mm-nsat-add':
      // R·(J_mm − a·D_l), so s = R·(D_p + a).
      return (l) =>
        scaledBatchCost(
          l,
          reduction,
          (x) => tf.sub(mmSampleCost(x), tf.mul(a, x)),
          (c) => mmNsatAddFactor(c, a, rescaleEpsilon),
        );
    case 'ns-exp-2':
      return (l) =>
        scaledBatchCost(l, reduction, nsExp2SampleCost, (c) => nsExp2Factor(c, rescaleEpsilon));
    case 'mm-nsat-exp-2':
      return (l) =>
        scaledBatchCost(l, reduction, mmNsatExp2SampleCost, (c) => mmNsatExp2Factor(c, rescaleEpsilon));
    case 'ns-exp-0.5':
      return (l) => scaledBatchCost(l, reduction, nsExpHalfSampleCost, nsExpHalfFactor);
    case 'iw-ns':
      return (l) => importanceWeightedNsCost(l, reduction);
    case 'hinge':
      return (l) => scaledBatchCost(l, reduction, hingeSampleCost);
    case 'ls':
      return (l) => scaledBatchCost(l, reduction, leastSquaresSampleCost);
  }
}

/**
 * Builds G's adversarial cost for a parsed cost name. The constant a of a parameterised
 * family is taken from `spec.a` and must already be checked.
 */
export function generatorCost(spec: CostSpec, options: ResolvedCostOptions): GeneratorCostFunction {
  const cost = familyCost(spec.family, spec.a ?? 0, options);
  const fn = `${spec.name} generator`;
  return (fakeLogits) => {
    assertLogitBatch(fn, 'fakeLogits', fakeLogits);
    return tf.tidy(() => cost(flattenLogits(fakeLogits)));
  };
}
