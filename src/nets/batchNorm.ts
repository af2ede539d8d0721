/**
 * Batch normalisation (Ioffe and Szegedy, "Batch normalization: accelerating deep network
 * training by reducing internal covariate shift", 2015) over every axis but the last:
 *
 *   y = γ·(x − μ_B)/√(σ²_B + ε) + β,
 *
 * with μ_B and σ²_B the mean and (biased) variance of the batch in training, and moving
 * averages of them otherwise. The authors' GAN code probably normalised with fixed
 * statistics; this suite uses batch statistics in training on purpose.
 */
import * as tf from '@tensorflow/tfjs';

/** Keras's defaults: moving averages keep 99 % of their value per batch, ε = 1e-3. */
export const BATCH_NORM_MOMENTUM = 0.99;
export const BATCH_NORM_EPSILON = 1e-3;

export interface BatchNormLayer {
  /** γ (scale, starts at 1) and β (offset, starts at 0), trained. */
  variables: tf.Variable[];
  /** Moving mean and moving variance, saved but not trained. */
  state: tf.Variable[];
  /**
   * Normalises `x`. With `training`, the batch's own statistics are used and the moving
   * averages are updated; otherwise the moving averages are used.
   */
  apply(x: tf.Tensor, training: boolean): tf.Tensor;
}

export interface BatchNormOptions {
  momentum?: number;
  epsilon?: number;
}

function filledVariable(channels: number, value: number, trainable: boolean, name: string): tf.Variable {
  const initial = tf.fill([channels], value);
  const variable = tf.variable(initial, trainable, name);
  // tf.variable keeps its own reference to the data, so the initial tensor can go.
  initial.dispose();
  return variable;
}

/** Creates a batch-norm layer for `channels` features; variables are named `<name>/gamma` etc. */
export function batchNormLayer(name: string, channels: number, options: BatchNormOptions = {}): BatchNormLayer {
  const momentum = options.momentum ?? BATCH_NORM_MOMENTUM;
  const epsilon = options.epsilon ?? BATCH_NORM_EPSILON;
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new RangeError(`batchNormLayer: channels must be a positive integer, received ${channels}`);
  }
  if (!(momentum >= 0 && momentum < 1)) {
    throw new RangeError(`batchNormLayer: momentum must be in [0, 1), received ${momentum}`);
  }
  if (!(epsilon > 0)) {
    throw new RangeError(`batchNormLayer: epsilon must be > 0, received ${epsilon}`);
  }

  const gamma = filledVariable(channels, 1, true, `${name}/gamma`);
  const beta = filledVariable(channels, 0, true, `${name}/beta`);
  const movingMean = filledVariable(channels, 0, false, `${name}/moving_mean`);
  const movingVariance = filledVariable(channels, 1, false, `${name}/moving_variance`);

  const apply = (x: tf.Tensor, training: boolean): tf.Tensor =>
    tf.tidy(() => {
      if (x.shape[x.rank - 1] !== channels) {
        throw new RangeError(`${name}: input must have ${channels} channels last, received shape [${x.shape.join(', ')}]`);
      }
      if (!training) {
        return tf.batchNorm(x, movingMean, movingVariance, beta, gamma, epsilon);
      }
      const axes = Array.from({ length: x.rank - 1 }, (_, axis) => axis);
      const { mean, variance } = tf.moments(x, axes);
      // Assigning is not recorded by autodiff, so the moving averages add nothing to a gradient.
      movingMean.assign(movingMean.mul(momentum).add(mean.mul(1 - momentum)));
      movingVariance.assign(movingVariance.mul(momentum).add(variance.mul(1 - momentum)));
      return x.sub(mean).mul(tf.rsqrt(variance.add(epsilon))).mul(gamma).add(beta);
    });

  return { variables: [gamma, beta], state: [movingMean, movingVariance], apply };
}
