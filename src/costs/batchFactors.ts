/**
 * Batch factors R of "Sample weighting as an explanation for mode collapse in generative
 * adversarial networks" (equation 6, supplement O), computed from the logits [N] of one
 * batch of generated samples. Each R rescales the batch gradient towards NS's magnitude
 * while keeping the cost's own relative sample weights.
 *
 * These are plain formulas: differentiating through them is wrong, so the generator costs
 * pass them logits that went through `stopGradient`.
 *
 * Symbols: D̄_p = mean σ(D_l) is `meanProbability`; 1 − D̄_p is computed as mean σ(−D_l)
 * (`meanComplement`), which keeps its relative precision when every D_p is close to 1.
 *
 * A denominator that can reach 0 (a = 0, or every D_p underflowing to 0 or rounding to 1)
 * is floored at ε_R, as MM-nsat's own ε_R does: R then stays at most 1/ε_R (1/ε_R² for
 * mm-nsat-exp-2), and the floor changes nothing while the denominator exceeds ε_R.
 * With ε_R = 0 there is no floor, and such a batch gives ∞ or NaN.
 */
import * as tf from '@tensorflow/tfjs';

function meanProbability(logits: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.sigmoid(logits));
}

function meanComplement(logits: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.sigmoid(tf.neg(logits)));
}

function floored(denominator: tf.Tensor, rescaleEpsilon: number): tf.Tensor {
  return tf.maximum(denominator, rescaleEpsilon);
}

/** MM-nsat (equation 6, Algorithm 1): R = (1 − D̄_p)/(ε_R + D̄_p). */
export function mmNsatFactor(logits: tf.Tensor1D, rescaleEpsilon: number): tf.Scalar {
  return tf.tidy(() => tf.div(meanComplement(logits), tf.add(rescaleEpsilon, meanProbability(logits))));
}

/** NS-add-a: R = (1 − D̄_p)/(a + 1 − D̄_p). */
export function nsAddFactor(logits: tf.Tensor1D, a: number, rescaleEpsilon: number): tf.Scalar {
  return tf.tidy(() => {
    const complement = meanComplement(logits);
    return tf.div(complement, floored(tf.add(a, complement), rescaleEpsilon));
  });
}

/** MM-nsat-add-a: R = (1 − D̄_p)/(a + D̄_p). */
export function mmNsatAddFactor(logits: tf.Tensor1D, a: number, rescaleEpsilon: number): tf.Scalar {
  return tf.tidy(() =>
    tf.div(meanComplement(logits), floored(tf.add(a, meanProbability(logits)), rescaleEpsilon)),
  );
}

/** NS-exp-2: R = 1/(1 − D̄_p). */
export function nsExp2Factor(logits: tf.Tensor1D, rescaleEpsilon: number): tf.Scalar {
  return tf.tidy(() => tf.div(1, floored(meanComplement(logits), rescaleEpsilon)));
}

/** MM-nsat-exp-2: R = (1 − D̄_p)/D̄_p², with D̄_p floored at ε_R before squaring. */
export function mmNsatExp2Factor(logits: tf.Tensor1D, rescaleEpsilon: number): tf.Scalar {
  return tf.tidy(() =>
    tf.div(meanComplement(logits), tf.square(floored(meanProbability(logits), rescaleEpsilon))),
  );
}

/** NS-exp-0.5: R = (1 − D̄_p)^½. */
export function nsExpHalfFactor(logits: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sqrt(meanComplement(logits)));
}

/**
 * Importance weights of iw-NS (Hu et al., 2017, equation 22): w_i = D_p,i/(1 − D_p,i)
 * normalised over the batch, w̃_i = w_i/Σ_j w_j. Since D_p/(1 − D_p) = e^{D_l}, w̃ is the
 * softmax of the logits, which tfjs computes after subtracting the largest logit, so it
 * stays finite at D_l = 1e4 where e^{D_l} overflows.
 */
export function importanceWeights(logits: tf.Tensor1D): tf.Tensor1D {
  return tf.softmax(logits);
}
