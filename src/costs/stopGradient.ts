/**
 * A stop-gradient for tfjs, which has no such op: the forward pass returns a copy of x and
 * the backward pass returns a zero gradient, so whatever is computed from the copy is a
 * constant of differentiation. The batch factors R of MM-nsat and its relatives need this
 * (equation 6 of "Sample weighting as an explanation for mode collapse in generative
 * adversarial networks": ∇θ J_mm-nsat = R · Σ_i ∇θ J_mm(z_i), with R held fixed).
 *
 * Apply it to the logits that R is computed from, not to R itself. The ops that turn the
 * copy into R then sit behind the zero gradient, so a division by a vanishing mean inside R
 * cannot send ∞ or NaN into the gradient through 0·∞.
 */
import * as tf from '@tensorflow/tfjs';

const stopGradientOp = tf.customGrad((x) => {
  const input = x as tf.Tensor;
  return {
    value: input.clone(),
    // dy has the shape and dtype of x. Reading x here could fail, because a tf.tidy
    // around the forward pass may already have disposed it.
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  };
});

/** Returns a copy of `x` through which no gradient flows. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  if (!(x instanceof tf.Tensor)) {
    throw new TypeError(`stopGradient: x must be a tf.Tensor, received ${String(x)}`);
  }
  return stopGradientOp(x) as T;
}
