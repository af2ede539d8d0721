/**
 * A network as plain tfjs variables and a forward function. Kept free of tf.layers so
 * that every weight is a variable the training loop owns: one optimizer per player updates
 * exactly that player's variables, checkpoints save them by name, and a leading seed axis
 * can be added later without rewriting the layers.
 */
import type * as tf from '@tensorflow/tfjs';

export interface Network {
  /** Trainable weights, in a stable order with unique names. */
  variables: tf.Variable[];
  /** State that is saved but not trained (batch-norm running statistics, power-iteration vectors). */
  state: tf.Variable[];
  /** Maps a batch to outputs; `training` switches batch norm to batch statistics. */
  apply(input: tf.Tensor, options?: { training?: boolean }): tf.Tensor;
  /** Releases every variable. */
  dispose(): void;
}
