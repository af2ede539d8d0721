/**
 * The mode-share model of sample weighting (section 2.3 and supplement Q of "Sample
 * weighting as an explanation for mode collapse in generative adversarial networks").
 * Real data has disjoint modes k with probabilities r_k and the generator puts mass w_k on
 * each. With the optimal discriminator, D_p at mode k is r_k/(r_k + w_k), and mode k's
 * share of the generator's update is proportional to how often it is sampled times its
 * weight: u_k = w_k·s(D_p,k), batch factors included.
 */
import { parseCostName, type CostSpec } from './costNames.ts';
import { optimalDiscriminator } from './optimalDiscriminator.ts';
import {
  RESCALE_EPSILON,
  populationSampleWeights,
  scalingFactor,
  scalingFactorDerivative,
  type SampleWeightOptions,
} from './scalingFactor.ts';
import { assertFiniteNumber, assertProbabilityVector, assertSameLength } from './validate.ts';

/** Checks r as the real mode probabilities: at least two modes, each with r_k > 0. */
export function assertModeProbabilities(fn: string, r: ArrayLike<number>): void {
  assertProbabilityVector(fn, 'r', r);
  if (r.length < 2) {
    throw new RangeError(`${fn}: r must describe at least two modes, received ${r.length}`);
  }
  for (let k = 0; k < r.length; k++) {
    if (r[k] === 0) {
      throw new RangeError(`${fn}: r[${k}] must be > 0 because every mode contains real data, received 0`);
    }
  }
}

/** Returns D_p,k = r_k/(r_k + w_k), the optimal discriminator's output at each mode. */
export function modeDiscriminatorOutputs(w: ArrayLike<number>, r: ArrayLike<number>): number[] {
  return optimalDiscriminator(r, w);
}

/**
 * Returns the weight u_k = counts_k·s_k(batch) of each mode when a batch contains counts_k
 * samples of mode k, normalised to sum 1. The batch factor comes from the counts, so
 * fractional counts (the generator's masses) give the large-batch limit. Modes with no
 * samples get 0. Returns null when the weights do not have a positive sum: this happens
 * only with a scaling factor that turns negative (`ls` for D_p > σ(1)).
 */
export function normalisedModeWeights(
  spec: CostSpec,
  counts: ArrayLike<number>,
  dps: ArrayLike<number>,
  options: SampleWeightOptions = {},
): number[] | null {
  // Only sampled modes enter the batch: an unsampled mode's D_p may be 1, where some
  // factors (ls, iw-ns) are infinite.
  const present: number[] = [];
  const presentDps: number[] = [];
  const presentCounts: number[] = [];
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] > 0) {
      present.push(k);
      presentDps.push(dps[k]);
      presentCounts.push(counts[k]);
    }
  }
  const weights = populationSampleWeights(spec, presentDps, presentCounts, options);
  const shares = new Array<number>(counts.length).fill(0);
  let total = 0;
  for (let j = 0; j < present.length; j++) {
    const share = presentCounts[j] * weights[j];
    shares[present[j]] = share;
    total += share;
  }
  if (!(total > 0) || !Number.isFinite(total)) return null;
  for (let k = 0; k < shares.length; k++) shares[k] /= total;
  return shares;
}

/**
 * Returns each mode's share of the generator's update, u_k/Σ_j u_j with u_k = w_k·s(D_p,k)
 * and D_p,k = r_k/(r_k + w_k). Batch factors (mm-nsat, ns+mm-nsat(a), …) use the
 * w-weighted mean D̄_p, the limit of a large batch.
 */
export function modeShares(
  cost: string | CostSpec,
  w: ArrayLike<number>,
  r: ArrayLike<number>,
  options: SampleWeightOptions = {},
): number[] {
  const fn = 'modeShares';
  const spec = typeof cost === 'string' ? parseCostName(cost) : cost;
  assertModeProbabilities(fn, r);
  assertProbabilityVector(fn, 'w', w);
  assertSameLength(fn, ['w', 'r'], w, r);
  const shares = normalisedModeWeights(spec, w, modeDiscriminatorOutputs(w, r), options);
  if (shares === null) {
    // Σ_k w_k·s(D_p,k) > 0 for every cost here (for ls it equals 1 + KL(w‖r)), so this
    // only guards against a future cost with a negative factor.
    throw new RangeError(`${fn}: the mode weights of ${spec.name} do not have a positive sum`);
  }
  return shares;
}

/**
 * Returns the closed-form slope of a mode's update share in its own mass at the balanced
 * point w = r: slope = 1 − s′(½)/(4·s(½)). Derivation: at w = r every D_p,k = ½, and
 * ∂D_p,k/∂w_k = −r_k/(r_k + w_k)² = −1/(4 r_k), so ∂u_k/∂w_k = s − s′/4 while Σ u = s,
 * independent of r. A batch factor R(D̄_p) drops out: ∂D̄_p/∂w_k = r_k²/(r_k + w_k)² = ¼
 * for every k, so moving mass between modes leaves D̄_p unchanged to first order, and
 * costs that mix R into the weights, such as ns+mm-nsat(a), take R at its balanced value
 * (1 − ½)/(ε_R + ½). With K modes the share map's Jacobian along the simplex is slope·I,
 * so the result holds for any K. Slope > 1 makes the balanced point unstable under
 * dw/dt = η(share − w): NS 1.5, MM 0.5, uniform weighting (hinge, ns+mm(0.5)) 1,
 * ns+mm(a) 1.5 − a, ls 2.
 */
export function twoModeSlope(
  cost: string | CostSpec,
  r: ArrayLike<number>,
  options: SampleWeightOptions = {},
): number {
  const fn = 'twoModeSlope';
  const spec = typeof cost === 'string' ? parseCostName(cost) : cost;
  assertModeProbabilities(fn, r);
  const rescaleEpsilon = options.rescaleEpsilon ?? RESCALE_EPSILON;
  assertFiniteNumber(fn, 'rescaleEpsilon', rescaleEpsilon);

  const balanced = 0.5;
  let s = scalingFactor(spec, balanced);
  let ds = scalingFactorDerivative(spec, balanced);
  if (spec.family === 'ns+mm-nsat') {
    // (1 − a)(1 − D_p) + a·R·D_p, with R frozen at its balanced value.
    const a = spec.a ?? 0;
    const factor = (1 - balanced) / (rescaleEpsilon + balanced);
    s = (1 - a) * (1 - balanced) + a * factor * balanced;
    ds = -(1 - a) + a * factor;
  }
  return 1 - ds / (4 * s);
}
