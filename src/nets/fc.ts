/**
 * FC-n networks of "Sample weighting as an explanation for mode collapse in generative
 * adversarial networks" (section 3.3) on images. Each network has n dense layers. The first
 * n − 1 have a fixed width of ReLU units (512 in the authors' MNIST code), and the last maps
 * to the logit (D) or to the image with tanh (G). D flattens its input images and G reshapes its
 * output to [batch, height, width, channels], so FC-n and Conv-n are interchangeable.
 *
 * Without batch norm the layers are `denseNetwork`'s. With it, each hidden dense layer is
 * followed by a batch norm before its ReLU (D's first layer excepted, as in DCGAN).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormLayer, type BatchNormLayer } from './batchNorm.ts';
import { layerSeed, uniquePrefix } from './conv.ts';
import { denseNetwork, type DenseNetwork } from './dense.ts';
import type { Network } from './network.ts';

/** Hidden width of FC-n in the authors' MNIST code. */
export const FC_HIDDEN_WIDTH = 512;

export interface FcNetworkOptions {
  /** Prefix of the variable names. */
  name: string;
  /** n: dense layers in the network. */
  layers: number;
  hiddenWidth?: number;
  /** Image shape [height, width, channels] that D reads or G writes. */
  imageShape: [number, number, number];
  batchNorm?: boolean;
  seed: number;
}

export interface FcGeneratorOptions extends FcNetworkOptions {
  noiseSize: number;
}

function validate(fn: string, options: FcNetworkOptions): void {
  if (!Number.isInteger(options.layers) || options.layers < 1) {
    throw new RangeError(`${fn}: layers must be a positive integer, received ${String(options.layers)}`);
  }
  const hidden = options.hiddenWidth ?? FC_HIDDEN_WIDTH;
  if (!Number.isInteger(hidden) || hidden <= 0) {
    throw new RangeError(`${fn}: hiddenWidth must be a positive integer, received ${String(hidden)}`);
  }
  const shape = options.imageShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((size) => Number.isInteger(size) && size > 0)) {
    throw new RangeError(`${fn}: imageShape must be [height, width, channels] of positive integers, received ${JSON.stringify(shape)}`);
  }
  if (!Number.isInteger(options.seed)) {
    throw new TypeError(`${fn}: seed must be an integer, received ${String(options.seed)}`);
  }
}

/**
 * Builds the dense stack: plain `denseNetwork` without batch norm, otherwise one linear
 * dense layer per step with a batch norm and ReLU between them.
 */
function denseStack(
  name: string,
  widths: number[],
  outputActivation: 'tanh' | 'none',
  normaliseFirst: boolean,
  batchNorm: boolean,
  seed: number,
): Network {
  if (!batchNorm) return denseNetwork({ name, widths, outputActivation, seed });

  const prefix = uniquePrefix(name);
  const denseLayers: DenseNetwork[] = [];
  const norms: (BatchNormLayer | undefined)[] = [];
  const last = widths.length - 2;
  for (let layer = 0; layer <= last; layer++) {
    denseLayers.push(denseNetwork({ name: `${prefix}/layer${layer}`, widths: [widths[layer], widths[layer + 1]], seed: layerSeed(seed, layer) }));
    const normalised = layer < last && (layer > 0 || normaliseFirst);
    norms.push(normalised ? batchNormLayer(`${prefix}/layer${layer}/bn`, widths[layer + 1]) : undefined);
  }
  const variables = denseLayers.flatMap((dense, layer) => [...dense.variables, ...(norms[layer]?.variables ?? [])]);
  const state = norms.flatMap((norm) => norm?.state ?? []);

  const apply = (input: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor =>
    tf.tidy(() => {
      const training = options.training ?? false;
      let x = input;
      for (let layer = 0; layer <= last; layer++) {
        x = denseLayers[layer].apply(x);
        if (layer === last) break;
        const norm = norms[layer];
        x = tf.relu(norm ? norm.apply(x, training) : x);
      }
      return outputActivation === 'tanh' ? tf.tanh(x) : x;
    });
  return {
    variables,
    state,
    apply,
    dispose: () => [...variables, ...state].forEach((variable) => variable.dispose()),
  };
}

/** Builds FC-n's discriminator: images [batch, ...imageShape] to logits [batch, 1]. */
export function fcDiscriminator(options: FcNetworkOptions): Network {
  validate('fcDiscriminator', options);
  const [height, width, channels] = options.imageShape;
  const pixels = height * width * channels;
  const hidden = options.hiddenWidth ?? FC_HIDDEN_WIDTH;
  const widths = [pixels, ...Array<number>(options.layers - 1).fill(hidden), 1];
  const stack = denseStack(options.name, widths, 'none', false, options.batchNorm ?? false, options.seed);

  return {
    ...stack,
    apply: (input, applyOptions) =>
      tf.tidy(() => {
        if (input.size / (input.shape[0] ?? 1) !== pixels || input.shape[0] === undefined) {
          throw new RangeError(
            `${options.name}: input must have shape [batch, ${height}, ${width}, ${channels}], received [${input.shape.join(', ')}]`,
          );
        }
        return stack.apply(input.reshape([input.shape[0], pixels]), applyOptions);
      }),
  };
}

/** Builds FC-n's generator: noise [batch, noiseSize] to images [batch, ...imageShape] in [−1, 1]. */
export function fcGenerator(options: FcGeneratorOptions): Network {
  validate('fcGenerator', options);
  if (!Number.isInteger(options.noiseSize) || options.noiseSize <= 0) {
    throw new RangeError(`fcGenerator: noiseSize must be a positive integer, received ${String(options.noiseSize)}`);
  }
  const [height, width, channels] = options.imageShape;
  const hidden = options.hiddenWidth ?? FC_HIDDEN_WIDTH;
  const widths = [options.noiseSize, ...Array<number>(options.layers - 1).fill(hidden), height * width * channels];
  const stack = denseStack(options.name, widths, 'tanh', true, options.batchNorm ?? false, options.seed);

  return {
    ...stack,
    apply: (input, applyOptions) =>
      tf.tidy(() => stack.apply(input, applyOptions).reshape([input.shape[0], height, width, channels])),
  };
}
