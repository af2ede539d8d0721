/**
 * Sample weights within a batch (equations 5 and 6 of "Sample weighting as an explanation
 * for mode collapse in generative adversarial networks"). Every generator cost
 * here has the batch gradient ∇θ J = −(1/N)·Σ_i w_i·∂D_l,i/∂θ, so the costs differ only in
 * the sample weights w_i, which `sampleWeights` returns.
 *
 * - NS from MM (eq. 5): ∇J_ns(z_i) = ∇J_mm(z_i)·(1 − D_p,i)/D_p,i, sample by sample.
 * - MM-nsat (eq. 6): R·Σ_i ∇J_mm(z_i) with R = (1 − D̄_p)/(ε_R + D̄_p), which is parallel
 *   to MM, equals NS when every D_p,i is equal, and for ε_R = 0 has the same total weight
 *   as NS: R·Σ_i D_p,i = Σ_i (1 − D_p,i).
 * - Importance-weighted NS: weights w_i = D_p,i/(1 − D_p,i) normalised over the batch turn
 *   NS's weights 1 − D_p,i into MM's relative weights D_p,i.
 */
import { RESCALE_EPSILON, sampleWeights, type SampleWeightOptions } from './scalingFactor.ts';
import type { CostSpec } from './costNames.ts';
import { assertFiniteNumber, assertInRange } from './validate.ts';

function checkedDps(fn: string, dps: ArrayLike<number>, interval: '[]' | '[)' | '(]' = '[]'): number[] {
  if (dps == null || typeof dps.length !== 'number') {
    throw new TypeError(`${fn}: dps must be an array of D_p values, received ${String(dps)}`);
  }
  if (dps.length === 0) throw new RangeError(`${fn}: dps must hold at least one D_p, received []`);
  return Array.from(dps, (dp, i) => {
    assertInRange(fn, `dps[${i}]`, dp, 0, 1, interval);
    return dp;
  });
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Returns the factor (1 − D_p,i)/D_p,i that turns each sample's MM gradient into its NS
 * gradient (eq. 5). D_p must lie in (0, 1]: at D_p = 0 the MM gradient vanishes and no
 * finite factor recovers NS's.
 */
export function nsOverMmFactors(dps: ArrayLike<number>): number[] {
  return checkedDps('nsOverMmFactors', dps, '(]').map((dp) => (1 - dp) / dp);
}

/** Returns MM-nsat's batch factor R = (1 − D̄_p)/(ε_R + D̄_p) (eq. 6). */
export function mmNsatFactor(dps: ArrayLike<number>, rescaleEpsilon: number = RESCALE_EPSILON): number {
  const fn = 'mmNsatFactor';
  const values = checkedDps(fn, dps);
  assertInRange(fn, 'rescaleEpsilon', rescaleEpsilon, 0, Infinity, '[)');
  const meanDp = mean(values);
  return (1 - meanDp) / (rescaleEpsilon + meanDp);
}

/**
 * Returns each sample's MM-nsat weight minus its NS weight, in closed form:
 * R·D_p,i − (1 − D_p,i) = (D_p,i − D̄_p + ε_R·(D_p,i − 1))/(ε_R + D̄_p).
 * For ε_R = 0 this is (D_p,i − D̄_p)/D̄_p: zero for equal D_p and summing to zero.
 */
export function mmNsatDeviationFromNs(
  dps: ArrayLike<number>,
  rescaleEpsilon: number = RESCALE_EPSILON,
): number[] {
  const fn = 'mmNsatDeviationFromNs';
  const values = checkedDps(fn, dps);
  assertInRange(fn, 'rescaleEpsilon', rescaleEpsilon, 0, Infinity, '[)');
  const meanDp = mean(values);
  return values.map((dp) => (dp - meanDp + rescaleEpsilon * (dp - 1)) / (rescaleEpsilon + meanDp));
}

/**
 * Returns a bound on |MM-nsat weight − NS weight| for every sample of the batch:
 * (max_i D_p,i − min_i D_p,i + ε_R)/(ε_R + D̄_p), from |D_p,i − D̄_p| ≤ max − min and
 * ε_R·|D_p,i − 1| ≤ ε_R. The error grows with the spread of D_p relative to its mean, so
 * MM-nsat matches NS's magnitude worst for a batch of mostly low scores with a few high.
 */
export function mmNsatDeviationBound(
  dps: ArrayLike<number>,
  rescaleEpsilon: number = RESCALE_EPSILON,
): number {
  const fn = 'mmNsatDeviationBound';
  const values = checkedDps(fn, dps);
  assertInRange(fn, 'rescaleEpsilon', rescaleEpsilon, 0, Infinity, '[)');
  const spread = Math.max(...values) - Math.min(...values);
  return (spread + rescaleEpsilon) / (rescaleEpsilon + mean(values));
}

/**
 * Returns the normalised importance weights w_i = (D_p,i/(1 − D_p,i))/Σ_j D_p,j/(1 − D_p,j)
 * of importance-weighted NS (Hu et al. 2017). D_p
 * must lie in [0, 1) with at least one D_p > 0.
 */
export function importanceWeights(dps: ArrayLike<number>): number[] {
  const fn = 'importanceWeights';
  const odds = checkedDps(fn, dps, '[)').map((dp) => dp / (1 - dp));
  const total = odds.reduce((sum, value) => sum + value, 0);
  if (total === 0) {
    throw new RangeError(`${fn}: dps must contain at least one D_p > 0, received only zeros`);
  }
  return odds.map((value) => value / total);
}

/**
 * Returns each sample's share of the batch's total weight, w_i/Σ_j w_j with w from
 * `sampleWeights`: the direction-setting part of the batch gradient. Throws when the
 * weights sum to 0, where the shares are undefined.
 */
export function relativeSampleWeights(
  cost: string | CostSpec,
  dps: ArrayLike<number>,
  options: SampleWeightOptions = {},
): number[] {
  const weights = sampleWeights(cost, checkedDps('relativeSampleWeights', dps), options);
  const total = weights.reduce((sum, value) => sum + value, 0);
  if (total === 0 || !Number.isFinite(total)) {
    throw new RangeError(
      `relativeSampleWeights: the sample weights must have a finite, non-zero sum, received ${total}`,
    );
  }
  return weights.map((value) => value / total);
}

/**
 * Returns the batch gradient −(1/N)·Σ_i w_i·∂D_l,i/∂θ for sample weights w and the logit
 * gradients ∂D_l,i/∂θ (one vector per sample, all of one length).
 */
export function batchGradient(weights: ArrayLike<number>, logitGradients: number[][]): number[] {
  const fn = 'batchGradient';
  if (!Array.isArray(logitGradients) || logitGradients.length !== weights.length || weights.length === 0) {
    throw new RangeError(
      `${fn}: logitGradients must hold one vector per weight (${weights.length}), received ${
        Array.isArray(logitGradients) ? logitGradients.length : String(logitGradients)
      }`,
    );
  }
  const dimension = logitGradients[0].length;
  const gradient = new Array<number>(dimension).fill(0);
  for (let i = 0; i < weights.length; i++) {
    assertFiniteNumber(fn, `weights[${i}]`, weights[i]);
    if (logitGradients[i].length !== dimension) {
      throw new RangeError(
        `${fn}: logitGradients[${i}] must have length ${dimension}, received ${logitGradients[i].length}`,
      );
    }
    for (let j = 0; j < dimension; j++) {
      gradient[j] -= (weights[i] * logitGradients[i][j]) / weights.length;
    }
  }
  return gradient;
}

/** Returns a·b/(‖a‖·‖b‖), or NaN when either vector is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(
      `cosineSimilarity: a and b must have the same length, received ${a.length} and ${b.length}`,
    );
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return dot / Math.sqrt(normA * normB);
}
