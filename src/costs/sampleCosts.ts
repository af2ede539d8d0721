/**
 * Per-sample generator costs on the logits D_l of generated samples, from "Sample
 * weighting as an explanation for mode collapse in generative adversarial networks"
 * (equations 1 and 4, supplement O and P). Each function maps logits [N] to costs [N].
 *
 * Every cost is written on logits with softplus, because log σ(l) = −softplus(−l) and
 * log(1 − σ(l)) = −softplus(l) hold for every l. In float32, σ(l) rounds to 1 above
 * l ≈ 17 and to 0 below l ≈ −88, and the log of the rounded value is −∞. The cpu Softplus
 * kernel of tfjs 4.22 returns x above 13.9 and e^x below −13.9 (the wasm kernel gave the
 * same values wherever tested), and softplus's gradient is σ(x). So these forms and their
 * gradients stay finite for |l| up to 1e4.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * MM (equation 1): J_mm = log(1 − D_p) = −softplus(D_l), so dJ/dD_l = −σ(D_l) = −D_p.
 */
export function mmSampleCost(logits: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(logits));
}

/**
 * NS (equation 1): J_ns = −log D_p = softplus(−D_l), so dJ/dD_l = −σ(−D_l) = −(1 − D_p).
 */
export function nsSampleCost(logits: tf.Tensor): tf.Tensor {
  return tf.softplus(tf.neg(logits));
}

/** Hinge generator: J = −D_l, so dJ/dD_l = −1 for every sample. */
export function hingeSampleCost(logits: tf.Tensor): tf.Tensor {
  return tf.neg(logits);
}

/** Least-squares generator: J = ½(D_l − 1)², so dJ/dD_l = D_l − 1. */
export function leastSquaresSampleCost(logits: tf.Tensor): tf.Tensor {
  return tf.mul(0.5, tf.square(tf.sub(logits, 1)));
}

/**
 * NS-exp-2 (supplement O): J = J_ns + D_p = softplus(−D_l) + σ(D_l), so
 * dJ/dD_l = −(1 − D_p) + D_p(1 − D_p) = −(1 − D_p)².
 *
 * Autodiff of that sum adds −σ(−l) and σ(l)σ(−l), two terms that cancel to within
 * σ(−l)². In float32 (cpu and wasm) it returns +1.9e-8 at l = 10, where the gradient is
 * −2.1e-9. The gradient is therefore written out as −σ(−l)², which has no cancellation.
 */
export const nsExp2SampleCost: (logits: tf.Tensor) => tf.Tensor = tf.customGrad((input, save) => {
  const logits = input as tf.Tensor;
  (save as tf.GradSaveFunc)([logits]);
  return {
    value: tf.add(tf.softplus(tf.neg(logits)), tf.sigmoid(logits)),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.neg(tf.square(tf.sigmoid(tf.neg(saved))))),
  };
});

/**
 * MM-nsat-exp-2 (supplement O): J = J_mm + D_p = −softplus(D_l) + σ(D_l), so
 * dJ/dD_l = −D_p + D_p(1 − D_p) = −D_p². The gradient is written out as at
 * `nsExp2SampleCost`, because autodiff cancels at large negative l: at l = −15 it is 9 %
 * off in float32.
 */
export const mmNsatExp2SampleCost: (logits: tf.Tensor) => tf.Tensor = tf.customGrad((input, save) => {
  const logits = input as tf.Tensor;
  (save as tf.GradSaveFunc)([logits]);
  return {
    value: tf.add(tf.neg(tf.softplus(logits)), tf.sigmoid(logits)),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.neg(tf.square(tf.sigmoid(saved)))),
  };
});

/**
 * NS-exp-0.5 (supplement O): J = 2·asinh(e^{−D_l/2}), so
 * dJ/dD_l = −e^{−l/2}/√(1 + e^{−l}) = −1/√(1 + e^{l}) = −(1 − D_p)^½.
 *
 * e^{−l/2} overflows float32 for l < −177, and tf.asinh's gradient then gives 0·∞ = NaN.
 * The cost is split at l = 0 so that no exponent is positive:
 *   l ≤ 0: 2·asinh(e^{−l/2}) = 2·ln(e^{−l/2}(1 + √(1 + e^{l}))) = −l + 2·ln(1 + √(1 + e^{l}))
 *   l > 0: x = e^{−l/2} ≤ 1 and asinh(x) = ln(1 + u) with u = x + x²/(1 + √(1 + x²)),
 *          so 2·asinh(x) = 2·softplus(ln u) with ln u = −l/2 + ln(1 + x/(1 + √(1 + x²))).
 * The l > 0 form keeps full relative accuracy as the cost falls to 2e^{−l/2}, because
 * softplus(y) returns e^{y} for small y; a plain log1p would not, since wasm's Log1p kernel
 * (4.22) computes log(1 + x) and returns 0 for x = 1e-10. Each branch reads its logit
 * clamped to its own side of 0, so the branch that tf.where discards stays finite and
 * contributes 0, not NaN, to the gradient.
 */
export function nsExpHalfSampleCost(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const negativeSide = tf.minimum(logits, 0);
    const negativeCost = tf.add(
      tf.neg(negativeSide),
      tf.mul(2, tf.log(tf.add(1, tf.sqrt(tf.add(1, tf.exp(negativeSide)))))),
    );

    const positiveSide = tf.maximum(logits, 0);
    const x = tf.exp(tf.mul(-0.5, positiveSide));
    const ratio = tf.div(x, tf.add(1, tf.sqrt(tf.add(1, tf.square(x)))));
    const logU = tf.add(tf.mul(-0.5, positiveSide), tf.log(tf.add(1, ratio)));
    const positiveCost = tf.mul(2, tf.softplus(logU));

    // step(l) is 1 for l > 0 and 0 otherwise (also for −0). A comparison op would stop
    // autodiff, because tfjs registers no gradient for LessEqual; Step's gradient is 0.
    const positive = tf.cast(tf.step(logits), 'bool');
    return tf.where(positive, positiveCost, negativeCost);
  });
}
