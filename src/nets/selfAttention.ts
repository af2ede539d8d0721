/**
 * Self-attention block of SAGAN (Zhang, Goodfellow, Metaxas and Odena, "Self-attention
 * generative adversarial networks", ICML 2019), as used in the DCGAN variant for CAT 128².
 * For a feature map x with N = height·width positions and C channels, with 1×1
 * convolutions written as per-position linear maps:
 *
 *   q_j = W_g x_j,  k_i = W_f x_i  (C' = max(1, ⌊C/8⌋) channels),   h_i = W_h x_i  (C channels),
 *   β_{j,i} = softmax_i(q_jᵀ k_i),   o_j = W_v Σ_i β_{j,i} h_i,   y_j = γ·o_j + x_j.
 *
 * γ is trained and starts at 0, so the block starts as the identity and the network learns
 * how much non-local evidence to mix in. With `spectralNorm` (the default, as in the
 * authors' GAN code) the four 1×1 weights are spectrally normalised.
 */
import * as tf from '@tensorflow/tfjs';
import { spectralNorm, type SpectralNorm } from './spectralNorm.ts';

export interface SelfAttentionOptions {
  /** Prefix of the variable names, e.g. "D/attention1". */
  name: string;
  /** C, the channels of the feature map. */
  channels: number;
  /** Seed of the initial weights. */
  seed: number;
  /** Spectrally normalise W_f, W_g, W_h and W_v. Default true. */
  spectralNorm?: boolean;
}

export interface SelfAttentionBlock {
  /** W_f, b_f, W_g, b_g, W_h, b_h, W_v, b_v and γ. */
  variables: tf.Variable[];
  /** The power-iteration vectors of the spectral norms, if any. */
  state: tf.Variable[];
  gamma: tf.Variable;
  /** Maps [batch, height, width, C] to the same shape; `training` advances the spectral norms. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** Returns the key and query width C' = max(1, ⌊C/8⌋). */
export function attentionKeyChannels(channels: number): number {
  return Math.max(1, Math.floor(channels / 8));
}

interface Projection {
  kernel: tf.Variable;
  bias: tf.Variable;
  norm?: SpectralNorm;
}

function projection(prefix: string, inChannels: number, outChannels: number, seed: number, normalised: boolean): Projection {
  // Glorot uniform, the default of TensorFlow's 1×1 convolutions.
  const limit = Math.sqrt(6 / (inChannels + outChannels));
  const initial = tf.randomUniform([inChannels, outChannels], -limit, limit, 'float32', seed);
  const kernel = tf.variable(initial, true, `${prefix}/kernel`);
  initial.dispose();
  const zeros = tf.zeros([outChannels]);
  const bias = tf.variable(zeros, true, `${prefix}/bias`);
  zeros.dispose();
  const norm = normalised ? spectralNorm(`${prefix}/sn`, [inChannels, outChannels], seed + 1) : undefined;
  return { kernel, bias, norm };
}

/** Applies a projection to positions [batch, N, in], giving [batch, N, out]. */
function project(layer: Projection, x: tf.Tensor3D, training: boolean): tf.Tensor3D {
  const kernel = (layer.norm ? layer.norm.normalize(layer.kernel, training) : layer.kernel) as tf.Tensor2D;
  const [batch, positions, channels] = x.shape;
  const flat = x.reshape([batch * positions, channels]) as tf.Tensor2D;
  return flat.matMul(kernel).add(layer.bias).reshape([batch, positions, kernel.shape[1]]) as tf.Tensor3D;
}

/** Builds a self-attention block for feature maps with `channels` channels. */
export function selfAttention(options: SelfAttentionOptions): SelfAttentionBlock {
  const { name, channels, seed } = options;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`selfAttention: name must be a non-empty string, received ${String(name)}`);
  }
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new RangeError(`selfAttention: channels must be a positive integer, received ${String(channels)}`);
  }
  if (!Number.isInteger(seed)) {
    throw new TypeError(`selfAttention: seed must be an integer, received ${String(seed)}`);
  }
  const normalised = options.spectralNorm ?? true;
  const keyChannels = attentionKeyChannels(channels);
  const key = projection(`${name}/key`, channels, keyChannels, seed * 8 + 1, normalised);
  const query = projection(`${name}/query`, channels, keyChannels, seed * 8 + 3, normalised);
  const value = projection(`${name}/value`, channels, channels, seed * 8 + 5, normalised);
  const output = projection(`${name}/output`, channels, channels, seed * 8 + 7, normalised);
  const gammaInitial = tf.scalar(0);
  const gamma = tf.variable(gammaInitial, true, `${name}/gamma`);
  gammaInitial.dispose();

  const projections = [key, query, value, output];
  const variables = [...projections.flatMap((layer) => [layer.kernel, layer.bias]), gamma];
  const state = projections.flatMap((layer) => layer.norm?.state ?? []);

  const apply = (x: tf.Tensor4D, training: boolean): tf.Tensor4D =>
    tf.tidy(() => {
      if (x.rank !== 4 || x.shape[3] !== channels) {
        throw new RangeError(`${name}: input must have shape [batch, height, width, ${channels}], received [${x.shape.join(', ')}]`);
      }
      const [batch, height, width] = x.shape;
      const positions = x.reshape([batch, height * width, channels]) as tf.Tensor3D;
      const keys = project(key, positions, training);
      const queries = project(query, positions, training);
      const values = project(value, positions, training);
      // attention[b, j, i] = softmax over i of q_jᵀ k_i.
      const attention = tf.softmax(tf.matMul(queries, keys, false, true)) as tf.Tensor3D;
      const mixed = project(output, tf.matMul(attention, values), training);
      return mixed.mul(gamma).add(positions).reshape(x.shape) as tf.Tensor4D;
    });

  return { variables, state, gamma, apply };
}
