/**
 * The zero-centred real-data gradient penalty of Mescheder et al. ("Which training methods
 * for GANs do actually converge?", 2018), called R1 there and sgp in the authors' code
 * (awweide/mm-nsat):
 *
 *   R1 = (λ/2)·‖∇ₓ D_l(x)‖² for each real sample x,
 *
 * reduced over the batch like the cost (mean by default, sum for the paper code's reduction).
 * It is added to D's cost only, outside any batch factor R of the generator's cost.
 */
import * as tf from '@tensorflow/tfjs';
import type { Reduction } from '../costs/types.ts';
import type { Network } from '../nets/network.ts';

/**
 * Returns the penalty as a scalar that stays differentiable with respect to D's variables
 * (a gradient of a gradient), so call it inside the closure handed to tf.variableGrads.
 */
export function realGradientPenalty(
  discriminator: Network,
  real: tf.Tensor,
  weight: number,
  reduction: Reduction = 'mean',
): tf.Scalar {
  if (!Number.isFinite(weight) || weight < 0) {
    throw new RangeError(`realGradientPenalty: weight must be a finite number ≥ 0, received ${weight}`);
  }
  // Samples do not interact in D, so ∇ₓ of the batch sum contains each sample's own gradient.
  const inputGradient = tf.grad((x: tf.Tensor) => tf.sum(discriminator.apply(x, { training: true })))(real);
  const axes = Array.from({ length: inputGradient.rank - 1 }, (_, i) => i + 1);
  const squaredNorms = tf.sum(tf.square(inputGradient), axes);
  const reduced = reduction === 'sum' ? tf.sum(squaredNorms) : tf.mean(squaredNorms);
  return tf.mul(reduced, weight / 2) as tf.Scalar;
}
