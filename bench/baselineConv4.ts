/**
 * The Conv-4 pair of the PyTorch baseline (workload mnist_conv4_B64), rebuilt from the same
 * tfjs ops as src/nets/conv.ts, so that both sides time the same layer shapes. The
 * project's own Conv-4 cannot take these shapes: it needs sides of 2^(n+1) pixels (32×32)
 * and has a fourth stride-2 layer, and its G does about five times the baseline's work.
 *
 *   D: 28×28×1 → conv 3×3 s2 32 (14²) → 64 (7²) → 128 (4²), LeakyReLU 0.2 → dense 2048 → 1
 *   G: z (64) → dense 7·7·128, ReLU → convT 3×3 s2 64 (14²) → convT 3×3 s2 32 (28²), ReLU
 *      → conv 3×3 s1 1, tanh
 *
 * Layout is NHWC with 'same' padding where PyTorch uses NCHW with padding 1 (output_padding 1
 * for the transposed convolutions): the output sizes and multiply-adds are the same.
 */
import * as tf from '@tensorflow/tfjs';
import { LEAKY_RELU_SLOPE } from '../src/nets/dense.ts';
import { layerSeed, uniquePrefix } from '../src/nets/conv.ts';
import type { Network } from '../src/nets/network.ts';

export const BASELINE_CONV4_NOISE = 64;
export const BASELINE_CONV4_SIDE = 28;

/** Glorot uniform on ±√(6/(fan_in + fan_out)), fans counted over the receptive field. */
function glorotVariable(name: string, shape: number[], fanIn: number, fanOut: number, seed: number): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const initial = tf.randomUniform(shape, -limit, limit, 'float32', seed);
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

function zerosVariable(name: string, size: number): tf.Variable {
  const initial = tf.zeros([size]);
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

function network(variables: tf.Variable[], apply: Network['apply']): Network {
  return { variables, state: [], apply, dispose: () => variables.forEach((variable) => variable.dispose()) };
}

/** D: images [batch, 28, 28, 1] to logits [batch, 1]. */
export function baselineConv4Discriminator(name: string, seed: number): Network {
  const prefix = uniquePrefix(name);
  const filters = [1, 32, 64, 128];
  const kernels: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  for (let i = 0; i < 3; i++) {
    const [inChannels, outChannels] = [filters[i], filters[i + 1]];
    kernels.push(glorotVariable(`${prefix}/conv${i}/kernel`, [3, 3, inChannels, outChannels], 9 * inChannels, 9 * outChannels, layerSeed(seed, i)));
    biases.push(zerosVariable(`${prefix}/conv${i}/bias`, outChannels));
  }
  const flat = 4 * 4 * 128;
  const logitKernel = glorotVariable(`${prefix}/logit/kernel`, [flat, 1], flat, 1, layerSeed(seed, 3));
  const logitBias = zerosVariable(`${prefix}/logit/bias`, 1);

  const apply = (input: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const side = BASELINE_CONV4_SIDE;
      if (input.rank !== 4 || input.shape[1] !== side || input.shape[2] !== side || input.shape[3] !== 1) {
        throw new RangeError(`${prefix}: input must have shape [batch, ${side}, ${side}, 1], received [${input.shape.join(', ')}]`);
      }
      let x = input as tf.Tensor4D;
      for (let i = 0; i < 3; i++) {
        x = tf.leakyRelu(tf.conv2d(x, kernels[i] as tf.Tensor4D, 2, 'same').add(biases[i]), LEAKY_RELU_SLOPE) as tf.Tensor4D;
      }
      return tf.matMul(x.reshape([input.shape[0], flat]) as tf.Tensor2D, logitKernel as tf.Tensor2D).add(logitBias);
    });
  return network([...kernels.flatMap((kernel, i) => [kernel, biases[i]]), logitKernel, logitBias], apply);
}

/** G: noise [batch, 64] to images [batch, 28, 28, 1] in [−1, 1]. */
export function baselineConv4Generator(name: string, seed: number): Network {
  const prefix = uniquePrefix(name);
  const noise = BASELINE_CONV4_NOISE;
  const start = 7 * 7 * 128;
  const denseKernel = glorotVariable(`${prefix}/dense/kernel`, [noise, start], noise, start, layerSeed(seed, 0));
  const denseBias = zerosVariable(`${prefix}/dense/bias`, start);
  // A transposed convolution's kernel is [k, k, out, in].
  const deconv0 = glorotVariable(`${prefix}/deconv0/kernel`, [3, 3, 64, 128], 9 * 128, 9 * 64, layerSeed(seed, 1));
  const deconv0Bias = zerosVariable(`${prefix}/deconv0/bias`, 64);
  const deconv1 = glorotVariable(`${prefix}/deconv1/kernel`, [3, 3, 32, 64], 9 * 64, 9 * 32, layerSeed(seed, 2));
  const deconv1Bias = zerosVariable(`${prefix}/deconv1/bias`, 32);
  const image = glorotVariable(`${prefix}/image/kernel`, [3, 3, 32, 1], 9 * 32, 9, layerSeed(seed, 3));
  const imageBias = zerosVariable(`${prefix}/image/bias`, 1);

  const apply = (input: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      if (input.rank !== 2 || input.shape[1] !== noise) {
        throw new RangeError(`${prefix}: input must have shape [batch, ${noise}], received [${input.shape.join(', ')}]`);
      }
      const batch = input.shape[0];
      const dense = tf.relu(tf.matMul(input as tf.Tensor2D, denseKernel as tf.Tensor2D).add(denseBias));
      let x = dense.reshape([batch, 7, 7, 128]) as tf.Tensor4D;
      x = tf.relu(tf.conv2dTranspose(x, deconv0 as tf.Tensor4D, [batch, 14, 14, 64], 2, 'same').add(deconv0Bias)) as tf.Tensor4D;
      x = tf.relu(tf.conv2dTranspose(x, deconv1 as tf.Tensor4D, [batch, 28, 28, 32], 2, 'same').add(deconv1Bias)) as tf.Tensor4D;
      return tf.tanh(tf.conv2d(x, image as tf.Tensor4D, 1, 'same').add(imageBias));
    });
  return network([denseKernel, denseBias, deconv0, deconv0Bias, deconv1, deconv1Bias, image, imageBias], apply);
}
