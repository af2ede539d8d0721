/**
 * Conv-n networks of "Sample weighting as an explanation for mode collapse in generative
 * adversarial networks" (section 3.3), as plain tfjs variables. With width m and images of
 * 2^(n+1) pixels a side (Conv-4: 32×32, as in the authors' TensorFlow code):
 *
 *   D: n 3×3 stride-2 convolutions with m, 2m, …, 2^(n−1)·m filters and ReLU, halving the
 *      side down to 2×2, then a 2×2 stride-2 convolution to one logit;
 *   G: z densely to 4×4×4m with ReLU, then n − 1 3×3 stride-2 transposed convolutions with
 *      2^(n−1)·m, …, 2m filters and ReLU, doubling the side up to full size, then a 1×1
 *      transposed convolution to the image channels with tanh.
 *
 * With batch norm, every hidden layer is normalised before its ReLU except D's first, as
 * in DCGAN; the layers before a batch norm have no bias, which the norm's β replaces.
 * Weights start from the Glorot-uniform default of TensorFlow's layers, from a seed.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormLayer, type BatchNormLayer } from './batchNorm.ts';
import type { Network } from './network.ts';

export interface ConvNetworkOptions {
  /** Prefix of the variable names, e.g. "D" gives "D/conv0/kernel". */
  name: string;
  /** n: D's stride-2 convolutions (G has n − 1 stride-2 transposed convolutions). */
  depth: number;
  /** m: filters of D's first convolution. */
  width: number;
  /** Side of the square images, 2^(depth+1). */
  imageSize: number;
  /** Image channels: 1 for MNIST, 3 for RGB. */
  channels: number;
  batchNorm?: boolean;
  /** Seed of the initial weights; layer i draws with a seed derived from it. */
  seed: number;
}

export interface ConvGeneratorOptions extends ConvNetworkOptions {
  /** Size of the noise vector z. */
  noiseSize: number;
}

/** Derives layer i's seed from the network's seed (a 32-bit integer hash). */
export function layerSeed(seed: number, layer: number): number {
  let h = Math.imul(seed ^ 0x27d4eb2d, 0x85ebca6b) ^ Math.imul(layer + 1, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Picks a prefix that no live variable uses yet, so that two networks named "D" can coexist. */
export function uniquePrefix(name: string): string {
  const names = Object.keys(tf.engine().registeredVariables);
  const taken = (prefix: string) => names.some((existing) => existing.startsWith(`${prefix}/`));
  if (!taken(name)) return name;
  let suffix = 1;
  while (taken(`${name}_${suffix}`)) suffix++;
  return `${name}_${suffix}`;
}

/** Makes a trainable variable and disposes the initial tensor, since the variable keeps its own reference. */
function variableFrom(initial: tf.Tensor, name: string): tf.Variable {
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

/** Glorot uniform on ±√(6/(fan_in + fan_out)), fans counted over the receptive field. */
function glorotKernel(shape: number[], fanIn: number, fanOut: number, seed: number): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

function validate(fn: string, options: ConvNetworkOptions): void {
  const { name, depth, width, imageSize, channels, seed } = options;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${fn}: name must be a non-empty string, received ${String(name)}`);
  }
  for (const [field, value] of [['depth', depth], ['width', width], ['channels', channels]] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(`${fn}: ${field} must be a positive integer, received ${String(value)}`);
    }
  }
  if (depth < 2) {
    throw new RangeError(`${fn}: depth must be at least 2 (G needs one stride-2 layer), received ${depth}`);
  }
  if (imageSize !== 2 ** (depth + 1)) {
    throw new RangeError(
      `${fn}: imageSize must be 2^(depth + 1) = ${2 ** (depth + 1)} for depth ${depth}, received ${String(imageSize)}`,
    );
  }
  if (!Number.isInteger(seed)) {
    throw new TypeError(`${fn}: seed must be an integer, received ${String(seed)}`);
  }
}

/** One convolution (or transposed convolution) with its optional bias and batch norm. */
interface ConvLayer {
  kernel: tf.Variable;
  bias?: tf.Variable;
  norm?: BatchNormLayer;
}

function convLayer(
  prefix: string,
  kernelShape: [number, number, number, number],
  fans: [number, number],
  seed: number,
  normalised: boolean,
): ConvLayer {
  const kernel = variableFrom(glorotKernel(kernelShape, fans[0], fans[1], seed), `${prefix}/kernel`);
  const outChannels = fans[1] / (kernelShape[0] * kernelShape[1]);
  if (normalised) return { kernel, norm: batchNormLayer(`${prefix}/bn`, outChannels) };
  return { kernel, bias: variableFrom(tf.zeros([outChannels]), `${prefix}/bias`) };
}

function layerVariables(layers: ConvLayer[]): { variables: tf.Variable[]; state: tf.Variable[] } {
  const variables: tf.Variable[] = [];
  const state: tf.Variable[] = [];
  for (const layer of layers) {
    variables.push(layer.kernel);
    if (layer.bias) variables.push(layer.bias);
    if (layer.norm) {
      variables.push(...layer.norm.variables);
      state.push(...layer.norm.state);
    }
  }
  return { variables, state };
}

/** Adds the bias or applies the batch norm, then ReLU unless `activation` is false. */
function finish(layer: ConvLayer, x: tf.Tensor, training: boolean, activation: boolean): tf.Tensor {
  const shifted = layer.norm ? layer.norm.apply(x, training) : x.add(layer.bias!);
  return activation ? tf.relu(shifted) : shifted;
}

function networkFrom(layers: ConvLayer[], apply: Network['apply']): Network {
  const { variables, state } = layerVariables(layers);
  return {
    variables,
    state,
    apply,
    dispose: () => [...variables, ...state].forEach((variable) => variable.dispose()),
  };
}

/** Builds Conv-n's discriminator: images [batch, size, size, channels] to logits [batch, 1]. */
export function convDiscriminator(options: ConvNetworkOptions): Network {
  validate('convDiscriminator', options);
  const { depth, width, imageSize, channels } = options;
  const prefix = uniquePrefix(options.name);

  const layers: ConvLayer[] = [];
  let inChannels = channels;
  for (let i = 0; i < depth; i++) {
    const filters = width * 2 ** i;
    const normalised = (options.batchNorm ?? false) && i > 0;
    layers.push(convLayer(`${prefix}/conv${i}`, [3, 3, inChannels, filters], [9 * inChannels, 9 * filters], layerSeed(options.seed, i), normalised));
    inChannels = filters;
  }
  layers.push(convLayer(`${prefix}/logit`, [2, 2, inChannels, 1], [4 * inChannels, 4], layerSeed(options.seed, depth), false));

  const apply = (input: tf.Tensor, applyOptions: { training?: boolean } = {}): tf.Tensor =>
    tf.tidy(() => {
      if (input.rank !== 4 || input.shape[1] !== imageSize || input.shape[2] !== imageSize || input.shape[3] !== channels) {
        throw new RangeError(
          `${prefix}: input must have shape [batch, ${imageSize}, ${imageSize}, ${channels}], received [${input.shape.join(', ')}]`,
        );
      }
      const training = applyOptions.training ?? false;
      let x = input as tf.Tensor4D;
      for (let i = 0; i < depth; i++) {
        x = finish(layers[i], tf.conv2d(x, layers[i].kernel as tf.Tensor4D, 2, 'same'), training, true) as tf.Tensor4D;
      }
      const logit = finish(layers[depth], tf.conv2d(x, layers[depth].kernel as tf.Tensor4D, 2, 'valid'), training, false);
      return logit.reshape([input.shape[0], 1]);
    });

  return networkFrom(layers, apply);
}

/** Builds Conv-n's generator: noise [batch, noiseSize] to images [batch, size, size, channels] in [−1, 1]. */
export function convGenerator(options: ConvGeneratorOptions): Network {
  validate('convGenerator', options);
  const { depth, width, imageSize, channels, noiseSize } = options;
  if (!Number.isInteger(noiseSize) || noiseSize <= 0) {
    throw new RangeError(`convGenerator: noiseSize must be a positive integer, received ${String(noiseSize)}`);
  }
  const prefix = uniquePrefix(options.name);
  const batchNorm = options.batchNorm ?? false;
  const startChannels = 4 * width;

  // The dense layer is stored as a 1×1 kernel over the noise, [1, 1, noiseSize, 4·4·4m].
  const dense = convLayer(`${prefix}/dense`, [1, 1, noiseSize, 16 * startChannels], [noiseSize, 16 * startChannels], layerSeed(options.seed, 0), batchNorm);
  const layers: ConvLayer[] = [dense];
  let inChannels = startChannels;
  for (let i = 0; i < depth - 1; i++) {
    const filters = width * 2 ** (depth - 1 - i);
    // A transposed convolution's kernel is [k, k, out, in].
    layers.push(convLayer(`${prefix}/deconv${i}`, [3, 3, filters, inChannels], [9 * inChannels, 9 * filters], layerSeed(options.seed, i + 1), batchNorm));
    inChannels = filters;
  }
  layers.push(convLayer(`${prefix}/image`, [1, 1, channels, inChannels], [inChannels, channels], layerSeed(options.seed, depth), false));

  const apply = (input: tf.Tensor, applyOptions: { training?: boolean } = {}): tf.Tensor =>
    tf.tidy(() => {
      if (input.rank !== 2 || input.shape[1] !== noiseSize) {
        throw new RangeError(`${prefix}: input must have shape [batch, ${noiseSize}], received [${input.shape.join(', ')}]`);
      }
      const training = applyOptions.training ?? false;
      const batch = input.shape[0];
      const denseKernel = dense.kernel.reshape([noiseSize, 16 * startChannels]) as tf.Tensor2D;
      let x = finish(dense, tf.matMul(input as tf.Tensor2D, denseKernel), training, true).reshape([batch, 4, 4, startChannels]) as tf.Tensor4D;
      let side = 4;
      for (let i = 1; i < depth; i++) {
        side *= 2;
        const kernel = layers[i].kernel as tf.Tensor4D;
        const upsampled = tf.conv2dTranspose(x, kernel, [batch, side, side, kernel.shape[2]], 2, 'same');
        x = finish(layers[i], upsampled, training, true) as tf.Tensor4D;
      }
      const last = layers[depth];
      const image = tf.conv2dTranspose(x, last.kernel as tf.Tensor4D, [batch, side, side, channels], 1, 'same');
      return tf.tanh(finish(last, image, training, false));
    });

  return networkFrom(layers, apply);
}
