/**
 * The generator cost of every family written out by hand in float64, as
 * functions of one logit D_l, for finite-difference checks of the scaling factors. Batch
 * factors R are passed in, because they are constants of the backward pass.
 */
import type { CostSpec } from '../src/theory/costNames.ts';

export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(logit: number): number {
  return logit >= 0 ? 1 / (1 + Math.exp(-logit)) : Math.exp(logit) / (1 + Math.exp(logit));
}

/** J_mm = log(1 − D_p) = −softplus(D_l). */
const minimax = (logit: number): number => -softplus(logit);
/** J_ns = −log D_p = softplus(−D_l). */
const nonSaturating = (logit: number): number => softplus(-logit);

/**
 * Returns the cost of one sample as a function of its logit. `frozenLogit` is where
 * stop-gradient quantities are read (iw-ns's importance weight), and `batchFactor` is R
 * for the families that have one (1 when the batch's D_p are all ½).
 */
export function perSampleCost(
  spec: CostSpec,
  frozenLogit: number,
  batchFactor = 1,
): (logit: number) => number {
  const a = spec.a ?? 0;
  switch (spec.family) {
    case 'mm':
    case 'mm-unit':
      return minimax;
    case 'mm-nsat':
      return (l) => batchFactor * minimax(l);
    case 'ns':
    case 'ns-unit':
      return nonSaturating;
    case 'iw-ns': {
      // Unnormalised importance weight D_p/(1 − D_p) = exp(D_l), held fixed.
      const weight = Math.exp(frozenLogit);
      return (l) => weight * nonSaturating(l);
    }
    case 'ns+mm':
      return (l) => (1 - a) * nonSaturating(l) + a * minimax(l);
    case 'ns+mm-nsat':
      return (l) => (1 - a) * nonSaturating(l) + a * batchFactor * minimax(l);
    case 'ns-add':
      return (l) => batchFactor * (nonSaturating(l) - a * l);
    case 'mm-nsat-add':
      return (l) => batchFactor * (minimax(l) - a * l);
    case 'ns-exp-2':
      return (l) => batchFactor * (nonSaturating(l) + sigmoid(l));
    case 'mm-nsat-exp-2':
      return (l) => batchFactor * (minimax(l) + sigmoid(l));
    case 'ns-exp-0.5':
      return (l) => batchFactor * 2 * Math.asinh(Math.exp(-l / 2));
    case 'hinge':
      return (l) => -l;
    case 'ls':
      return (l) => 0.5 * (l - 1) ** 2;
  }
}

/**
 * Returns each family's batch factor R for a batch with mean D_p `meanDp`
 * (1 for the families without one). iw-ns normalises differently; see `perSampleCost`.
 */
export function batchFactor(spec: CostSpec, meanDp: number, rescaleEpsilon: number): number {
  const a = spec.a ?? 0;
  switch (spec.family) {
    case 'mm-nsat':
    case 'ns+mm-nsat':
      return (1 - meanDp) / (rescaleEpsilon + meanDp);
    case 'ns-add':
      return (1 - meanDp) / (a + 1 - meanDp);
    case 'mm-nsat-add':
      return (1 - meanDp) / (a + meanDp);
    case 'ns-exp-2':
      return 1 / (1 - meanDp);
    case 'mm-nsat-exp-2':
      return (1 - meanDp) / meanDp ** 2;
    case 'ns-exp-0.5':
      return Math.sqrt(1 - meanDp);
    default:
      return 1;
  }
}
