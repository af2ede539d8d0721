/**
 * Scaling factors of the generator costs, from "Sample weighting as an explanation for
 * mode collapse in generative adversarial networks": every generator cost's gradient is
 * −∂D_l/∂θ times a scaling factor s.
 *
 * Symbols: D_l is `logit`, D_p = σ(D_l) is `dp`, D̄_p is `meanDp`, R is the batch factor,
 * ε_R is `rescaleEpsilon`.
 *
 * Implements equation (4): dJ_mm/dD_l = −D_p and dJ_ns/dD_l = −(1 − D_p), and the
 * variants of the supplement (linear combinations, add-a, exp-c, importance weighting,
 * hinge, least squares).
 */
import { parseCostName, type CostSpec } from './costNames.ts';
import { assertFiniteNumber, assertInRange } from './validate.ts';

/** ε_R in R = (1 − D̄_p)/(ε_R + D̄_p): keeps R finite when every D_p underflows to 0. */
export const RESCALE_EPSILON = 1e-8;

function toSpec(cost: string | CostSpec): CostSpec {
  return typeof cost === 'string' ? parseCostName(cost) : cost;
}

/** ln(p/(1 − p)), the logit of a probability. */
export function probabilityToLogit(dp: number): number {
  return Math.log(dp) - Math.log1p(-dp);
}

/** σ(l) = 1/(1 + exp(−l)). */
export function logitToProbability(logit: number): number {
  return logit >= 0 ? 1 / (1 + Math.exp(-logit)) : Math.exp(logit) / (1 + Math.exp(logit));
}

/**
 * Returns the per-sample scaling factor s(D_p), so that dJ/dD_l = −s for one sample.
 * Batch factors R are left out (taken as 1, their value when every D_p is equal to ½);
 * `sampleWeights` includes them.
 */
export function scalingFactor(cost: string | CostSpec, dp: number): number {
  const spec = toSpec(cost);
  assertInRange('scalingFactor', 'dp', dp, 0, 1, '[]');
  const a = spec.a ?? 0;
  switch (spec.family) {
    case 'mm':
    case 'mm-nsat':
    case 'mm-unit':
    case 'iw-ns': // w_i·(1 − D_p) with w_i = D_p/(1 − D_p) gives D_p, before normalisation
      return dp;
    case 'ns':
    case 'ns-unit':
      return 1 - dp;
    case 'ns+mm':
    case 'ns+mm-nsat':
      return (1 - a) * (1 - dp) + a * dp;
    case 'ns-add':
      return 1 - dp + a;
    case 'mm-nsat-add':
      return dp + a;
    case 'ns-exp-2':
      return (1 - dp) ** 2;
    case 'mm-nsat-exp-2':
      return dp ** 2;
    case 'ns-exp-0.5':
      return Math.sqrt(1 - dp);
    case 'hinge':
      return 1;
    case 'ls':
      // J = ½(D_l − 1)², so dJ/dD_l = D_l − 1 and s = 1 − D_l.
      return 1 - probabilityToLogit(dp);
  }
}

/** Returns ds/dD_p of `scalingFactor`, in closed form. */
export function scalingFactorDerivative(cost: string | CostSpec, dp: number): number {
  const spec = toSpec(cost);
  assertInRange('scalingFactorDerivative', 'dp', dp, 0, 1, '[]');
  const a = spec.a ?? 0;
  switch (spec.family) {
    case 'mm':
    case 'mm-nsat':
    case 'mm-unit':
    case 'iw-ns':
    case 'mm-nsat-add':
      return 1;
    case 'ns':
    case 'ns-unit':
    case 'ns-add':
      return -1;
    case 'ns+mm':
    case 'ns+mm-nsat':
      return 2 * a - 1;
    case 'ns-exp-2':
      return -2 * (1 - dp);
    case 'mm-nsat-exp-2':
      return 2 * dp;
    case 'ns-exp-0.5':
      return -0.5 / Math.sqrt(1 - dp);
    case 'hinge':
      return 0;
    case 'ls':
      return -1 / (dp * (1 - dp));
  }
}

export interface SampleWeightOptions {
  /** ε_R of the MM-nsat factor; defaults to RESCALE_EPSILON. */
  rescaleEpsilon?: number;
}

/**
 * Returns each sample's effective scaling factor inside a batch, batch factor included:
 * for a batch cost averaged over N samples, dJ_batch/dD_l,i = −weights[i]/N.
 *
 * The batch factors are constants in the backward pass (equation 6 and supplement O):
 * mm-nsat R = (1 − D̄_p)/(ε_R + D̄_p), ns-add-a R = (1 − D̄_p)/(a + 1 − D̄_p),
 * mm-nsat-add-a R = (1 − D̄_p)/(a + D̄_p), ns-exp-2 R = 1/(1 − D̄_p),
 * mm-nsat-exp-2 R = (1 − D̄_p)/D̄_p², ns-exp-0.5 R = (1 − D̄_p)^½, and iw-ns normalises
 * w_i = D_p,i/(1 − D_p,i) over the batch. mm-unit and ns-unit rescale by the parameter
 * gradient's norm, which D_p alone does not fix, so their weights here are MM's and NS's.
 */
export function sampleWeights(
  cost: string | CostSpec,
  dps: ArrayLike<number>,
  options: SampleWeightOptions = {},
): number[] {
  const spec = toSpec(cost);
  const n = dps.length;
  if (n === 0) throw new RangeError('sampleWeights: dps must hold at least one D_p, received []');
  const rescaleEpsilon = options.rescaleEpsilon ?? RESCALE_EPSILON;
  assertFiniteNumber('sampleWeights', 'rescaleEpsilon', rescaleEpsilon);
  const values = checkedProbabilities('sampleWeights', dps);
  return weightsInPopulation(spec, values, null, rescaleEpsilon);
}

/** Copies D_p values into an array, checking each; the message is built only on failure. */
function checkedProbabilities(fn: string, dps: ArrayLike<number>): number[] {
  const values = new Array<number>(dps.length);
  for (let i = 0; i < dps.length; i++) {
    const dp = dps[i];
    if (!(dp >= 0 && dp <= 1)) assertInRange(fn, `dps[${i}]`, dp, 0, 1, '[]');
    values[i] = dp;
  }
  return values;
}

/**
 * Returns the effective scaling factor of each D_p value in a population where dps[k]
 * occurs with relative frequency frequencies[k], batch factor included. The batch factors
 * use the frequency-weighted means, which are the limit of a large batch drawn from the
 * population. `sampleWeights` is the case of frequency 1 for every sample.
 */
export function populationSampleWeights(
  cost: string | CostSpec,
  dps: ArrayLike<number>,
  frequencies: ArrayLike<number>,
  options: SampleWeightOptions = {},
): number[] {
  const fn = 'populationSampleWeights';
  const spec = toSpec(cost);
  if (dps.length === 0) throw new RangeError(`${fn}: dps must hold at least one D_p, received []`);
  if (frequencies.length !== dps.length) {
    throw new RangeError(
      `${fn}: frequencies must have one entry per D_p (${dps.length}), received ${frequencies.length}`,
    );
  }
  const rescaleEpsilon = options.rescaleEpsilon ?? RESCALE_EPSILON;
  assertFiniteNumber(fn, 'rescaleEpsilon', rescaleEpsilon);
  const values = checkedProbabilities(fn, dps);
  let total = 0;
  const weights = new Array<number>(frequencies.length);
  for (let i = 0; i < frequencies.length; i++) {
    const frequency = frequencies[i];
    if (!(frequency >= 0 && frequency < Infinity)) {
      assertInRange(fn, `frequencies[${i}]`, frequency, 0, Infinity, '[)');
    }
    total += frequency;
    weights[i] = frequency;
  }
  if (!(total > 0)) {
    throw new RangeError(`${fn}: frequencies must have a positive sum, received a sum of ${total}`);
  }
  return weightsInPopulation(spec, values, weights, rescaleEpsilon);
}

/**
 * Computes the weights for the two functions above, with `frequencies` null meaning 1 for
 * every D_p. It uses plain loops because the mode simulations call it once per step.
 */
function weightsInPopulation(
  spec: CostSpec,
  values: number[],
  frequencies: number[] | null,
  rescaleEpsilon: number,
): number[] {
  const n = values.length;
  // With every frequency 1 these sums are the plain batch sums, term for term.
  let total = 0;
  let dpSum = 0;
  for (let i = 0; i < n; i++) {
    const frequency = frequencies === null ? 1 : frequencies[i];
    total += frequency;
    dpSum += frequency * values[i];
  }
  const meanDp = dpSum / total;
  const a = spec.a ?? 0;
  const mmNsatFactor = (1 - meanDp) / (rescaleEpsilon + meanDp);

  let importanceSum = 0;
  if (spec.family === 'iw-ns') {
    for (let i = 0; i < n; i++) {
      const frequency = frequencies === null ? 1 : frequencies[i];
      importanceSum += frequency * (values[i] / (1 - values[i]));
    }
  }

  const weights = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const dp = values[i];
    const s = scalingFactor(spec, dp);
    switch (spec.family) {
      case 'mm-nsat':
        weights[i] = mmNsatFactor * s;
        break;
      case 'ns+mm-nsat':
        weights[i] = (1 - a) * (1 - dp) + a * mmNsatFactor * dp;
        break;
      case 'ns-add':
        weights[i] = ((1 - meanDp) / (a + 1 - meanDp)) * s;
        break;
      case 'mm-nsat-add':
        weights[i] = ((1 - meanDp) / (a + meanDp)) * s;
        break;
      case 'ns-exp-2':
        weights[i] = s / (1 - meanDp);
        break;
      case 'mm-nsat-exp-2':
        weights[i] = ((1 - meanDp) / meanDp ** 2) * s;
        break;
      case 'ns-exp-0.5':
        weights[i] = Math.sqrt(1 - meanDp) * s;
        break;
      case 'iw-ns':
        // Σ_i (w_i/Σ_j w_j)·J_ns(z_i): sample i gets (w_i/Σw)(1 − D_p,i) = D_p,i/Σw,
        // which is N·D_p,i/Σw in the units of a batch mean.
        weights[i] = (total * dp) / importanceSum;
        break;
      default:
        weights[i] = s;
    }
  }
  return weights;
}
