/**
 * The interface of a GAN cost formulation in tfjs. Every cost is written on logits with
 * softplus, so no cost or gradient is NaN or infinite for |D_l| up to 1e4.
 */
import type * as tf from '@tensorflow/tfjs';
import type { CostFamily } from '../theory/costNames.ts';

/** Reduction of a batch of per-sample costs to one number. */
export type Reduction = 'mean' | 'sum';

export interface CostOptions {
  /** Mean over the batch (default) or sum, as the authors' code (awweide/mm-nsat) does. */
  reduction?: Reduction;
  /** ε_R in the MM-nsat batch factor. */
  rescaleEpsilon?: number;
  /**
   * N_θ, the gradient norm that mm-unit and ns-unit rescale to; default 1. The string
   * 'parameter-count' sets N_θ to G's number of parameters, as the paper's Algorithm 2 does.
   */
  unitNorm?: number | 'parameter-count';
}

export interface GanCost {
  name: string;
  family: CostFamily;
  a?: number;
  /**
   * G's adversarial cost on the logits D_l(G(z)) of a batch. Batch factors R enter as
   * constants of the backward pass (stop-gradient).
   */
  generator(fakeLogits: tf.Tensor): tf.Scalar;
  /** D's cost on the logits of real and generated samples. */
  discriminator(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  /**
   * Rescales G's gradients after autodiff; only mm-unit and ns-unit have one. Penalty
   * gradients are added after this, so they stay unscaled.
   */
  transformGeneratorGradients?(gradients: tf.Tensor[]): tf.Tensor[];
}
