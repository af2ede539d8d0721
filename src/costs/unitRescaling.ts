/**
 * Unit rescaling of G's gradient for MM-unit and NS-unit, Algorithm 2 of "Sample weighting
 * as an explanation for mode collapse in generative adversarial networks":
 * R = N_θ/(ε_R + ‖∇θ‖), with ‖∇θ‖ the global L2 norm over all of G's gradient tensors.
 * The rescaled gradient R·∇θ has norm N_θ·‖∇θ‖/(ε_R + ‖∇θ‖), which is N_θ to within ε_R/‖∇θ‖,
 * and the direction of ∇θ. Unlike the batch factors, R needs the gradient itself, so it
 * is applied after autodiff; penalty gradients added afterwards stay unscaled.
 */
import * as tf from '@tensorflow/tfjs';
import { assertFiniteNumber } from '../theory/validate.ts';

function assertGradientList(fn: string, gradients: unknown): asserts gradients is tf.Tensor[] {
  if (!Array.isArray(gradients)) {
    throw new TypeError(`${fn}: gradients must be an array of tf.Tensor, received ${String(gradients)}`);
  }
  if (gradients.length === 0) {
    throw new RangeError(`${fn}: gradients must hold at least one tensor, received []`);
  }
  gradients.forEach((gradient, i) => {
    if (!(gradient instanceof tf.Tensor)) {
      throw new TypeError(`${fn}: gradients[${i}] must be a tf.Tensor, received ${String(gradient)}`);
    }
  });
}

/**
 * Returns ‖∇θ‖ = (Σ_tensors Σ_entries g²)^½ as a scalar. The entries are divided by the
 * largest |g| before squaring, so the sum cannot overflow float32 (whose squares overflow
 * above about 1.8e19) or underflow for tiny gradients.
 */
export function globalNorm(gradients: tf.Tensor[]): tf.Scalar {
  assertGradientList('globalNorm', gradients);
  return tf.tidy(() => {
    const largest = tf.max(tf.stack(gradients.map((g) => tf.max(tf.abs(g)))));
    const scale = tf.where(tf.greater(largest, 0), largest, tf.onesLike(largest));
    const sumOfSquares = tf.addN(gradients.map((g) => tf.sum(tf.square(tf.div(g, scale)))));
    return tf.mul(scale, tf.sqrt(sumOfSquares));
  });
}

/**
 * Returns the gradients multiplied by R = norm/(epsilon + ‖∇θ‖), new tensors that the
 * caller owns; the inputs are left as they are. A gradient that is 0 everywhere stays 0,
 * also for epsilon = 0.
 */
export function rescaleToNorm(gradients: tf.Tensor[], norm: number, epsilon: number): tf.Tensor[] {
  assertGradientList('rescaleToNorm', gradients);
  assertFiniteNumber('rescaleToNorm', 'norm', norm);
  if (norm <= 0) throw new RangeError(`rescaleToNorm: norm must be > 0, received ${norm}`);
  assertFiniteNumber('rescaleToNorm', 'epsilon', epsilon);
  if (epsilon < 0) throw new RangeError(`rescaleToNorm: epsilon must be ≥ 0, received ${epsilon}`);

  return tf.tidy(() => {
    const denominator = tf.add(epsilon, globalNorm(gradients));
    const positive = tf.greater(denominator, 0);
    const safeDenominator = tf.where(positive, denominator, tf.onesLike(denominator));
    const factor = tf.where(positive, tf.div(norm, safeDenominator), tf.zerosLike(denominator));
    return gradients.map((g) => tf.mul(g, factor));
  });
}

/** N_θ of the 'parameter-count' option: the number of entries over all gradient tensors. */
export function parameterCount(gradients: tf.Tensor[]): number {
  assertGradientList('parameterCount', gradients);
  return gradients.reduce((count, g) => count + g.size, 0);
}
