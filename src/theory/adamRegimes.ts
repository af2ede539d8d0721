/**
 * Adam's steps for an exponentially changing gradient g_t = g0·exp(a·t), the model of a
 * minimax generator whose discriminator logits grow linearly (section 2.4 and supplement G
 * of "Sample weighting as an explanation for mode collapse in generative adversarial
 * networks"). Replacing Adam's moment sums by integrals gives
 *
 *   m_t ≈ (1 − β1)/(a − ln β1)·g0·(e^{a t} − β1^t)
 *   v_t ≈ (1 − β2)/(2a − ln β2)·g0²·(e^{2a t} − β2^t)
 *
 * and for large t each of m_t and √v_t follows its slower exponential, which gives four
 * regimes for the step size.
 */
import { assertAdamHyperparameters } from './adam.ts';
import { assertBeta, assertFiniteNumber, assertInRange, assertPositiveInteger } from './validate.ts';

export interface AdamApproximationOptions {
  /** g0 in g_t = g0·exp(a·t). */
  g0: number;
  /** Exponential rate a of the gradient per step. */
  a: number;
  steps: number;
  alpha: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * Returns ∫₀ᵗ e^{c(t−i)}·e^{r i} di = (e^{r t} − e^{c t})/(r − c), factored around the larger
 * exponent so that neither term overflows first, and t·e^{c t} in the limit r = c.
 */
function exponentialConvolution(rate: number, logBeta: number, t: number): number {
  const larger = Math.max(rate, logBeta);
  const gap = Math.abs(rate - logBeta);
  const factor = gap === 0 ? t : -Math.expm1(-gap * t) / gap;
  return Math.exp(larger * t) * factor;
}

/**
 * Returns the integral approximation of Adam's steps for g_t = g0·exp(a·t), with bias
 * correction: step_t = α·m̂_t/(√v̂_t + ε), m̂_t = m_t/(1 − β1^t), v̂_t = v_t/(1 − β2^t).
 * Index t − 1 contains step t, with the sign convention of `adamTrajectory`.
 */
export function adamApproximation(options: AdamApproximationOptions): number[] {
  const fn = 'adamApproximation';
  const { g0, a, steps, alpha, beta1, beta2, epsilon } = options;
  assertFiniteNumber(fn, 'g0', g0);
  assertFiniteNumber(fn, 'a', a);
  assertPositiveInteger(fn, 'steps', steps);
  assertAdamHyperparameters(fn, options);
  // The integral needs ln β finite; with β = 0 the moment is the gradient itself and the
  // approximation is not needed.
  assertInRange(fn, 'beta1', beta1, 0, 1, '()');
  assertInRange(fn, 'beta2', beta2, 0, 1, '()');

  const logBeta1 = Math.log(beta1);
  const logBeta2 = Math.log(beta2);
  const approximateSteps: number[] = [];
  for (let t = 1; t <= steps; t++) {
    const m = (1 - beta1) * g0 * exponentialConvolution(a, logBeta1, t);
    const v = (1 - beta2) * g0 * g0 * exponentialConvolution(2 * a, logBeta2, t);
    const mHat = m / (1 - beta1 ** t);
    const vHat = v / (1 - beta2 ** t);
    approximateSteps.push((alpha * mHat) / (Math.sqrt(vHat) + epsilon));
  }
  return approximateSteps;
}

/**
 * The four regimes of |step_t| for g_t = g0·exp(a·t), named after what sets the rate:
 * - `constant`: a > ln β1 and a > ½ ln β2, the gradient dominates both moments and the
 *   step tends to a constant (rate 0);
 * - `geometric`: a < ln β1 and a < ½ ln β2, both moments decay at their β rates and
 *   |step| ∝ (β1/√β2)^t (rate ln β1 − ½ ln β2);
 * - `vanishing`: ln β1 < a < ½ ln β2, m follows the gradient while √v decays more slowly,
 *   so |step| ∝ exp((a − ½ ln β2)·t) shrinks even though Adam normalises;
 * - `beta1-decay`: ½ ln β2 < a < ln β1, possible only when β1 > √β2, and
 *   |step| ∝ exp((ln β1 − a)·t) grows.
 */
export type AdamRegime = 'constant' | 'geometric' | 'vanishing' | 'beta1-decay';

export interface AdamRegimeResult {
  regime: AdamRegime;
  /** d ln|step_t|/dt for large t: max(a, ln β1) − ½·max(2a, ln β2), per step. */
  growthRate: number;
}

/**
 * Classifies the step regime of Adam for g_t = g0·exp(a·t) (supplement G) and returns its
 * growth rate. On a boundary the rate is continuous and the regime named is the one where
 * the gradient's own term wins the tie.
 */
export function adamRegime(a: number, beta1: number, beta2: number): AdamRegimeResult {
  const fn = 'adamRegime';
  assertFiniteNumber(fn, 'a', a);
  assertBeta(fn, 'beta1', beta1);
  assertBeta(fn, 'beta2', beta2);
  // ln 0 = −∞ is the right limit here: a zero β keeps no history, so the gradient wins.
  const logBeta1 = Math.log(beta1);
  const halfLogBeta2 = 0.5 * Math.log(beta2);

  const gradientLeadsMomentum = a >= logBeta1;
  const gradientLeadsVariance = a >= halfLogBeta2;
  const growthRate = Math.max(a, logBeta1) - Math.max(a, halfLogBeta2);

  let regime: AdamRegime;
  if (gradientLeadsMomentum && gradientLeadsVariance) regime = 'constant';
  else if (!gradientLeadsMomentum && !gradientLeadsVariance) regime = 'geometric';
  else if (gradientLeadsMomentum) regime = 'vanishing';
  else regime = 'beta1-decay';
  return { regime, growthRate };
}
