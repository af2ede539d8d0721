/**
 * Building blocks of the large presets (Conv-4-sn, Conv-6, the FFHQ Conv-n, DCGAN): a
 * convolution, transposed convolution or dense layer whose weight can be spectrally
 * normalised, followed by an optional bias or batch norm, then an activation. Weights are
 * plain tfjs variables with Glorot-uniform initial values, TensorFlow's layer default.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormLayer, type BatchNormLayer } from './batchNorm.ts';
import { spectralNorm, type SpectralNorm } from './spectralNorm.ts';

/** Slope of leaky ReLU for x < 0, tf.nn.leaky_relu's default. */
export const LEAKY_RELU_SLOPE = 0.2;

export type Activation = 'relu' | 'leakyRelu' | 'tanh' | 'none';

export interface LayerOptions {
  /** Variable name prefix, e.g. "D/conv0". */
  name: string;
  kind: 'conv' | 'deconv' | 'dense';
  /** Kernel side; ignored for dense layers. */
  kernelSize: number;
  inChannels: number;
  outChannels: number;
  /** Ignored for dense layers. */
  stride: number;
  /** Ignored for dense layers. */
  padding: 'same' | 'valid';
  spectralNorm: boolean;
  /** A batch norm replaces the bias, as its β does the same job. */
  batchNorm: boolean;
  /** Without batch norm: add a bias. */
  bias: boolean;
  activation: Activation;
  seed: number;
}

export interface Layer {
  options: LayerOptions;
  kernel: tf.Variable;
  bias?: tf.Variable;
  norm?: BatchNormLayer;
  spectral?: SpectralNorm;
  variables: tf.Variable[];
  state: tf.Variable[];
  apply(x: tf.Tensor, training: boolean): tf.Tensor;
}

/**
 * Returns the kernel shape: [k, k, in, out] for a convolution, [k, k, out, in] for a
 * transposed one (tfjs's layout), [in, out] for a dense layer.
 */
export function kernelShape(options: Pick<LayerOptions, 'kind' | 'kernelSize' | 'inChannels' | 'outChannels'>): number[] {
  const { kind, kernelSize: k, inChannels, outChannels } = options;
  if (kind === 'dense') return [inChannels, outChannels];
  return kind === 'conv' ? [k, k, inChannels, outChannels] : [k, k, outChannels, inChannels];
}

function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, LEAKY_RELU_SLOPE);
    case 'tanh':
      return tf.tanh(x);
    default:
      return x;
  }
}

/** Creates one layer's variables and its forward function. */
export function createLayer(options: LayerOptions): Layer {
  const shape = kernelShape(options);
  const receptive = options.kind === 'dense' ? 1 : options.kernelSize ** 2;
  const limit = Math.sqrt(6 / (receptive * (options.inChannels + options.outChannels)));
  const initial = tf.randomUniform(shape, -limit, limit, 'float32', options.seed);
  const kernel = tf.variable(initial, true, `${options.name}/kernel`);
  initial.dispose();

  const spectral = options.spectralNorm ? spectralNorm(`${options.name}/sn`, shape, options.seed + 1) : undefined;
  const norm = options.batchNorm ? batchNormLayer(`${options.name}/bn`, options.outChannels) : undefined;
  let bias: tf.Variable | undefined;
  if (!norm && options.bias) {
    const zeros = tf.zeros([options.outChannels]);
    bias = tf.variable(zeros, true, `${options.name}/bias`);
    zeros.dispose();
  }

  const variables = [kernel, ...(bias ? [bias] : []), ...(norm?.variables ?? [])];
  const state = [...(spectral?.state ?? []), ...(norm?.state ?? [])];

  const apply = (x: tf.Tensor, training: boolean): tf.Tensor =>
    tf.tidy(() => {
      const weight = spectral ? spectral.normalize(kernel, training) : kernel;
      let y: tf.Tensor;
      if (options.kind === 'dense') {
        y = tf.matMul(x as tf.Tensor2D, weight as tf.Tensor2D);
      } else if (options.kind === 'conv') {
        y = tf.conv2d(x as tf.Tensor4D, weight as tf.Tensor4D, options.stride, options.padding);
      } else {
        const [batch, height, width] = x.shape;
        const grow = (size: number): number =>
          options.padding === 'same' ? size * options.stride : (size - 1) * options.stride + options.kernelSize;
        const outputShape: [number, number, number, number] = [batch, grow(height!), grow(width!), options.outChannels];
        y = tf.conv2dTranspose(x as tf.Tensor4D, weight as tf.Tensor4D, outputShape, options.stride, options.padding);
      }
      if (norm) y = norm.apply(y, training);
      else if (bias) y = y.add(bias);
      return activate(y, options.activation);
    });

  return { options, kernel, bias, norm, spectral, variables, state, apply };
}
