/**
 * Discriminator costs on the logits of real samples D_l(x) and generated samples
 * D_l(G(z)). The real and generated batches may differ in size; each side is reduced on
 * its own (mean or sum) and the two are added.
 */
import * as tf from '@tensorflow/tfjs';
import { assertLogitBatch, flattenLogits, reduceBatch } from './logitBatch.ts';
import type { Reduction } from './types.ts';

/** D's cost on a real and a generated batch of logits. */
export type DiscriminatorCostFunction = (realLogits: tf.Tensor, fakeLogits: tf.Tensor) => tf.Scalar;

function twoSidedCost(
  name: string,
  reduction: Reduction,
  realSampleCost: (logits: tf.Tensor1D) => tf.Tensor,
  fakeSampleCost: (logits: tf.Tensor1D) => tf.Tensor,
): DiscriminatorCostFunction {
  const fn = `${name} discriminator`;
  return (realLogits, fakeLogits) => {
    assertLogitBatch(fn, 'realLogits', realLogits);
    assertLogitBatch(fn, 'fakeLogits', fakeLogits);
    return tf.tidy(() =>
      tf.add(
        reduceBatch(realSampleCost(flattenLogits(realLogits)), reduction),
        reduceBatch(fakeSampleCost(flattenLogits(fakeLogits)), reduction),
      ),
    );
  };
}

/**
 * Cross-entropy of every MM and NS variant (equation 1):
 * J_D = −log D_p(x) − log(1 − D_p(G(z))) = softplus(−D_l(x)) + softplus(D_l(G(z))).
 * Unlike the labelled form relu(l) − l·y + log1p(e^{−|l|}) of tf.losses.sigmoidCrossEntropy,
 * it is 0, not NaN, at D_l(x) = +∞ and D_l(G(z)) = −∞.
 */
export function logisticDiscriminatorCost(name: string, reduction: Reduction): DiscriminatorCostFunction {
  return twoSidedCost(
    name,
    reduction,
    (real) => tf.softplus(tf.neg(real)),
    (fake) => tf.softplus(fake),
  );
}

/** Hinge (Miyato et al., 2018): J_D = relu(1 − D_l(x)) + relu(1 + D_l(G(z))). */
export function hingeDiscriminatorCost(name: string, reduction: Reduction): DiscriminatorCostFunction {
  return twoSidedCost(
    name,
    reduction,
    (real) => tf.relu(tf.sub(1, real)),
    (fake) => tf.relu(tf.add(1, fake)),
  );
}

/** Least squares (Mao et al., 2016): J_D = ½(D_l(x) − 1)² + ½·D_l(G(z))². */
export function leastSquaresDiscriminatorCost(name: string, reduction: Reduction): DiscriminatorCostFunction {
  return twoSidedCost(
    name,
    reduction,
    (real) => tf.mul(0.5, tf.square(tf.sub(real, 1))),
    (fake) => tf.mul(0.5, tf.square(fake)),
  );
}
