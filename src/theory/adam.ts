/**
 * Adam's update for one scalar parameter, written out exactly (equation 8 of "Sample
 * weighting as an explanation for mode collapse in generative adversarial networks", which
 * is Algorithm 1 of Kingma and Ba, "Adam: a method for stochastic optimization", 2015):
 *
 *   m_t = β1·m_{t−1} + (1 − β1)·g_t,   m̂_t = m_t/(1 − β1^t)
 *   v_t = β2·v_{t−1} + (1 − β2)·g_t²,  v̂_t = v_t/(1 − β2^t)
 *   step_t = α·m̂_t/(√v̂_t + ε),         θ_t = θ_{t−1} − step_t
 *
 * Sign convention: `step` is the amount subtracted from θ, so it has the sign of the
 * gradient and equation 8's Δθ_t is −step_t. ε sits outside the square root, as in tfjs's
 * AdamOptimizer and PyTorch's Adam.
 */
import { assertBeta, assertFiniteNumber, assertInRange, assertPositiveInteger } from './validate.ts';

export interface AdamTrajectoryOptions {
  /** g_t for t = 1..steps: an array read from index 0, or a function of t. */
  gradients: number[] | ((t: number) => number);
  steps: number;
  /** Learning rate α. */
  alpha: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Divide m and v by 1 − β^t (default true, as in Algorithm 1). */
  biasCorrection?: boolean;
}

export interface AdamTrajectory {
  /** step[t − 1] = α·m̂_t/(√v̂_t + ε), the amount subtracted from θ at step t. */
  step: number[];
  /** First moment m_t, before bias correction. */
  m: number[];
  /** Second moment v_t, before bias correction. */
  v: number[];
  /** θ_t starting from θ_0 = 0, so θ_t = −Σ_{i≤t} step_i. */
  theta: number[];
}

export function assertAdamHyperparameters(
  fn: string,
  options: { alpha: number; beta1: number; beta2: number; epsilon: number },
): void {
  assertFiniteNumber(fn, 'alpha', options.alpha);
  assertBeta(fn, 'beta1', options.beta1);
  assertBeta(fn, 'beta2', options.beta2);
  assertInRange(fn, 'epsilon', options.epsilon, 0, Infinity, '[)');
}

/** Runs Adam's recurrence (eq. 8) on a given gradient sequence and returns every step. */
export function adamTrajectory(options: AdamTrajectoryOptions): AdamTrajectory {
  const fn = 'adamTrajectory';
  const { gradients, steps, alpha, beta1, beta2, epsilon } = options;
  assertPositiveInteger(fn, 'steps', steps);
  assertAdamHyperparameters(fn, options);
  const biasCorrection = options.biasCorrection ?? true;
  if (typeof gradients !== 'function' && !Array.isArray(gradients)) {
    throw new TypeError(
      `${fn}: gradients must be an array or a function of t, received ${typeof gradients}`,
    );
  }
  if (Array.isArray(gradients) && gradients.length < steps) {
    throw new RangeError(
      `${fn}: gradients must hold at least steps = ${steps} values, received ${gradients.length}`,
    );
  }

  const trajectory: AdamTrajectory = { step: [], m: [], v: [], theta: [] };
  let m = 0;
  let v = 0;
  let theta = 0;
  for (let t = 1; t <= steps; t++) {
    const g = typeof gradients === 'function' ? gradients(t) : gradients[t - 1];
    assertFiniteNumber(fn, `gradient at t = ${t}`, g);
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * g * g;
    const mHat = biasCorrection ? m / (1 - beta1 ** t) : m;
    const vHat = biasCorrection ? v / (1 - beta2 ** t) : v;
    const step = (alpha * mHat) / (Math.sqrt(vHat) + epsilon);
    theta -= step;
    trajectory.step.push(step);
    trajectory.m.push(m);
    trajectory.v.push(v);
    trajectory.theta.push(theta);
  }
  return trajectory;
}

/**
 * Returns Adam's step for a constant gradient g (eq. 9): with m̂_t = g and v̂_t = g² at every
 * t, step = α·g/(|g| + ε) = α·sgn(g)/(1 + ε/|g|), so the step hardly depends on |g| until
 * |g| nears ε. Returns 0 for g = 0.
 */
export function adamConstantStep(g: number, alpha: number, epsilon: number): number {
  const fn = 'adamConstantStep';
  assertFiniteNumber(fn, 'g', g);
  assertFiniteNumber(fn, 'alpha', alpha);
  assertInRange(fn, 'epsilon', epsilon, 0, Infinity, '[)');
  if (g === 0) return 0;
  return (alpha * Math.sign(g)) / (1 + epsilon / Math.abs(g));
}
