/**
 * The CIFAR-10, CAT and FFHQ networks of "Sample weighting as an explanation for mode
 * collapse in generative adversarial networks" (section 3.3 and supplement), following the
 * authors' TensorFlow code (awweide/mm-nsat, src/nets.py). Width m is 32 in every preset.
 *
 * - conv-4-sn (CIFAR-10, 32²): Conv-4 with D's four convolutions spectrally normalised
 *   (not the logit layer); G is Conv-4's.
 * - conv-n (conv-6 for CAT 128², conv-ffhq for FFHQ 32²–512²): D halves the side with 3×3
 *   stride-2 convolutions down to 2×2, with m·128/r filters at input side r, then a 2×2
 *   stride-2 convolution to the logit. G maps z densely to 4×4×8m, doubles the side with 3×3
 *   stride-2 transposed convolutions with m·128/r filters at input side r, then a 1×1
 *   transposed convolution to RGB with tanh. ReLU inside. At 128² D has six stride-2
 *   convolutions (Conv-6); at 512² it has eight plus the logit layer (the 9-layer net).
 * - dcgan-bn-sn (CAT 128²): G reshapes z (128 values) to 4×4×8, a 4×4 transposed
 *   convolution makes 32m = 1024 filters, then 4×4 stride-2 transposed convolutions halve
 *   the filters, each with batch norm and ReLU, and a last one makes RGB with tanh. D has
 *   4×4 stride-2 convolutions doubling the filters up to 1024, each spectrally normalised,
 *   batch-normalised (the first too, as in the authors' code) and leaky ReLU, then a 4×4
 *   valid convolution to the logit. dcgan-bn-sn-sa adds self-attention after G's layers 1
 *   and 3 and after D's layers L − 4 and L − 2 (L = log₂ r − 2), as in the authors' code.
 */
import * as tf from '@tensorflow/tfjs';
import { convGenerator, layerSeed, uniquePrefix } from './conv.ts';
import { createLayer, type Layer, type LayerOptions } from './largeLayers.ts';
import type { Network } from './network.ts';
import { selfAttention, type SelfAttentionBlock } from './selfAttention.ts';

export const LARGE_PRESET_NAMES = ['conv-4-sn', 'conv-6', 'conv-6-sn', 'dcgan-bn-sn', 'dcgan-bn-sn-sa', 'conv-ffhq'] as const;
export type LargePresetName = (typeof LARGE_PRESET_NAMES)[number];

/** m in the authors' code for CIFAR-10, CAT and FFHQ. */
export const LARGE_PRESET_WIDTH = 32;
/** Size of z ~ N(0, I); DCGAN reshapes it to 4×4×8. */
export const LARGE_NOISE_SIZE = 128;
export const MIN_RESOLUTION = 32;
export const MAX_RESOLUTION = 512;

/** Image side of each preset: fixed, or the default of a range. */
const RESOLUTIONS: Record<LargePresetName, { fixed?: number; fallback: number; smallest: number }> = {
  'conv-4-sn': { fixed: 32, fallback: 32, smallest: 32 },
  'conv-6': { fixed: 128, fallback: 128, smallest: 128 },
  'conv-6-sn': { fixed: 128, fallback: 128, smallest: 128 },
  'dcgan-bn-sn': { fallback: 128, smallest: 32 },
  // Below 64² (L < 4) only the attention blocks whose layers exist are added: one in G, one in D at 32².
  'dcgan-bn-sn-sa': { fallback: 128, smallest: 32 },
  'conv-ffhq': { fallback: 512, smallest: 32 },
};

export interface LargePresetOptions {
  /** Seed of the initial weights; G and D draw with seeds derived from it. */
  seed: number;
  /** m (default 32). Lower it only to test or profile: filter counts scale with it, floored at 1. */
  width?: number;
  /** Image side r, a power of two; fixed for conv-4-sn (32) and conv-6 (128). */
  resolution?: number;
  /** Image channels, default 3. */
  channels?: number;
  /** Default 128; DCGAN needs 128. */
  noiseSize?: number;
  /** Prefix of the variable names, default "" (variables "G/…" and "D/…"). */
  name?: string;
}

export interface LargeGanNetworks {
  preset: LargePresetName;
  generator: Network;
  discriminator: Network;
  noiseSize: number;
  imageShape: [number, number, number];
  dispose(): void;
}

/** One step of a sequential network: a layer or a self-attention block. */
type Step = Layer | SelfAttentionBlock;

function isLayer(step: Step): step is Layer {
  return 'options' in step;
}

/** Chains steps into a Network; `reshapes[i]` reshapes step i's output (G's dense output to a map, D's 1×1 logit map to [batch, 1]). */
function sequential(
  prefix: string,
  steps: Step[],
  inputShape: number[],
  reshapes: Map<number, (x: tf.Tensor) => tf.Tensor>,
): Network {
  const variables = steps.flatMap((step) => step.variables);
  const state = steps.flatMap((step) => step.state);
  const apply = (input: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor =>
    tf.tidy(() => {
      if (input.rank !== inputShape.length + 1 || inputShape.some((size, i) => input.shape[i + 1] !== size)) {
        throw new RangeError(`${prefix}: input must have shape [batch, ${inputShape.join(', ')}], received [${input.shape.join(', ')}]`);
      }
      const training = options.training ?? false;
      let x = input;
      steps.forEach((step, index) => {
        x = isLayer(step) ? step.apply(x, training) : step.apply(x as tf.Tensor4D, training);
        const reshape = reshapes.get(index);
        if (reshape) x = reshape(x);
      });
      return x;
    });
  return {
    variables,
    state,
    apply,
    dispose: () => [...variables, ...state].forEach((variable) => variable.dispose()),
  };
}

/** Fills in the defaults of a LayerOptions. */
function layer(options: Partial<LayerOptions> & Pick<LayerOptions, 'name' | 'kind' | 'inChannels' | 'outChannels' | 'seed'>): Layer {
  return createLayer({
    kernelSize: 3,
    stride: 2,
    padding: 'same',
    spectralNorm: false,
    batchNorm: false,
    bias: true,
    activation: 'relu',
    ...options,
  });
}

/** Returns m·128/r filters at side r, floored at 1 for narrow test widths. */
export function convNFilters(width: number, side: number): number {
  return Math.max(1, Math.floor((width * 128) / side));
}

interface Shapes {
  width: number;
  resolution: number;
  channels: number;
  noiseSize: number;
  seed: number;
}

function conv4SnDiscriminator(prefix: string, shapes: Shapes): Network {
  const steps: Step[] = [];
  let inChannels = shapes.channels;
  for (let i = 0; i < 4; i++) {
    const filters = shapes.width * 2 ** i;
    steps.push(layer({ name: `${prefix}/conv${i}`, kind: 'conv', inChannels, outChannels: filters, spectralNorm: true, seed: layerSeed(shapes.seed, i) }));
    inChannels = filters;
  }
  steps.push(layer({ name: `${prefix}/logit`, kind: 'conv', kernelSize: 2, padding: 'valid', inChannels, outChannels: 1, activation: 'none', seed: layerSeed(shapes.seed, 4) }));
  const toLogits = new Map([[steps.length - 1, (x: tf.Tensor) => x.reshape([x.shape[0], 1])]]);
  return sequential(prefix, steps, [32, 32, shapes.channels], toLogits);
}

function convNDiscriminator(prefix: string, shapes: Shapes, normalised: boolean): Network {
  const steps: Step[] = [];
  let inChannels = shapes.channels;
  for (let side = shapes.resolution, i = 0; side > 2; side /= 2, i++) {
    const filters = convNFilters(shapes.width, side);
    steps.push(layer({ name: `${prefix}/conv${side}`, kind: 'conv', inChannels, outChannels: filters, spectralNorm: normalised, seed: layerSeed(shapes.seed, i) }));
    inChannels = filters;
  }
  steps.push(
    layer({ name: `${prefix}/logit`, kind: 'conv', kernelSize: 2, padding: 'valid', inChannels, outChannels: 1, activation: 'none', seed: layerSeed(shapes.seed, steps.length) }),
  );
  const toLogits = new Map([[steps.length - 1, (x: tf.Tensor) => x.reshape([x.shape[0], 1])]]);
  return sequential(prefix, steps, [shapes.resolution, shapes.resolution, shapes.channels], toLogits);
}

function convNGenerator(prefix: string, shapes: Shapes): Network {
  const baseChannels = 8 * shapes.width;
  const steps: Step[] = [
    layer({ name: `${prefix}/dense`, kind: 'dense', inChannels: shapes.noiseSize, outChannels: 16 * baseChannels, seed: layerSeed(shapes.seed, 0) }),
  ];
  let inChannels = baseChannels;
  for (let side = 4; side < shapes.resolution; side *= 2) {
    const filters = convNFilters(shapes.width, side);
    steps.push(layer({ name: `${prefix}/deconv${side}`, kind: 'deconv', inChannels, outChannels: filters, seed: layerSeed(shapes.seed, steps.length) }));
    inChannels = filters;
  }
  steps.push(
    layer({ name: `${prefix}/image`, kind: 'deconv', kernelSize: 1, stride: 1, inChannels, outChannels: shapes.channels, activation: 'tanh', seed: layerSeed(shapes.seed, steps.length) }),
  );
  const toMap = new Map([[0, (x: tf.Tensor) => x.reshape([x.shape[0], 4, 4, baseChannels])]]);
  return sequential(prefix, steps, [shapes.noiseSize], toMap);
}

/** DCGAN's widest layer, 32m = 1024 filters at m = 32. */
function dcganWidest(width: number): number {
  return 32 * width;
}

function dcganGenerator(prefix: string, shapes: Shapes, attention: boolean): Network {
  const layers = Math.log2(shapes.resolution) - 2;
  const widest = dcganWidest(shapes.width);
  const steps: Step[] = [
    layer({ name: `${prefix}/deconv0`, kind: 'deconv', kernelSize: 4, stride: 1, inChannels: 8, outChannels: widest, batchNorm: true, seed: layerSeed(shapes.seed, 0) }),
  ];
  let inChannels = widest;
  for (let i = 1; i < layers; i++) {
    const filters = Math.max(1, Math.floor(widest / 2 ** i));
    steps.push(layer({ name: `${prefix}/deconv${i}`, kind: 'deconv', kernelSize: 4, inChannels, outChannels: filters, batchNorm: true, seed: layerSeed(shapes.seed, i) }));
    if (attention && (i === 1 || i === 3)) {
      steps.push(selfAttention({ name: `${prefix}/attention${i}`, channels: filters, seed: layerSeed(shapes.seed, 100 + i) }));
    }
    inChannels = filters;
  }
  steps.push(
    layer({ name: `${prefix}/image`, kind: 'deconv', kernelSize: 4, inChannels, outChannels: shapes.channels, activation: 'tanh', seed: layerSeed(shapes.seed, layers) }),
  );
  // The steps start from z reshaped to 4×4×8; `apply` below checks z's shape and reshapes it.
  const network = sequential(prefix, steps, [4, 4, 8], new Map());
  const apply = (input: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor => {
    if (input.rank !== 2 || input.shape[1] !== shapes.noiseSize) {
      throw new RangeError(`${prefix}: input must have shape [batch, ${shapes.noiseSize}], received [${input.shape.join(', ')}]`);
    }
    return tf.tidy(() => network.apply(input.reshape([input.shape[0], 4, 4, 8]), options));
  };
  return { ...network, apply };
}

function dcganDiscriminator(prefix: string, shapes: Shapes, attention: boolean): Network {
  const layers = Math.log2(shapes.resolution) - 2;
  const widest = dcganWidest(shapes.width);
  const steps: Step[] = [];
  let inChannels = shapes.channels;
  for (let i = 0; i < layers; i++) {
    const filters = Math.max(1, Math.floor(widest / 2 ** (layers - 1 - i)));
    steps.push(
      layer({
        name: `${prefix}/conv${i}`,
        kind: 'conv',
        kernelSize: 4,
        inChannels,
        outChannels: filters,
        spectralNorm: true,
        batchNorm: true,
        activation: 'leakyRelu',
        seed: layerSeed(shapes.seed, i),
      }),
    );
    if (attention && (i === layers - 4 || i === layers - 2)) {
      steps.push(selfAttention({ name: `${prefix}/attention${i}`, channels: filters, seed: layerSeed(shapes.seed, 100 + i) }));
    }
    inChannels = filters;
  }
  steps.push(
    layer({ name: `${prefix}/logit`, kind: 'conv', kernelSize: 4, padding: 'valid', inChannels, outChannels: 1, activation: 'none', seed: layerSeed(shapes.seed, layers) }),
  );
  const toLogits = new Map([[steps.length - 1, (x: tf.Tensor) => x.reshape([x.shape[0], 1])]]);
  return sequential(prefix, steps, [shapes.resolution, shapes.resolution, shapes.channels], toLogits);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`buildLargePreset: ${name} must be a positive integer, received ${String(value)}`);
  }
  return value;
}

function resolveResolution(preset: LargePresetName, requested: number | undefined): number {
  const rule = RESOLUTIONS[preset];
  const resolution = requested ?? rule.fallback;
  if (rule.fixed !== undefined && resolution !== rule.fixed) {
    throw new RangeError(`buildLargePreset: ${preset} is defined for ${rule.fixed}² images, received resolution ${resolution}`);
  }
  const powerOfTwo = Number.isInteger(Math.log2(resolution));
  if (!powerOfTwo || resolution < rule.smallest || resolution > MAX_RESOLUTION) {
    throw new RangeError(
      `buildLargePreset: ${preset} needs a power-of-two resolution from ${rule.smallest} to ${MAX_RESOLUTION}, received ${String(resolution)}`,
    );
  }
  return resolution;
}

/** Returns the smallest image side a preset can be built at. */
export function smallestResolution(preset: LargePresetName): number {
  return RESOLUTIONS[preset].smallest;
}

/** Builds the G and D pair of a large preset, e.g. `buildLargePreset('conv-ffhq', { seed: 1, resolution: 256 })`. */
export function buildLargePreset(name: LargePresetName | string, options: LargePresetOptions): LargeGanNetworks {
  if (!(LARGE_PRESET_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`buildLargePreset: unknown preset "${String(name)}"; expected one of ${LARGE_PRESET_NAMES.join(', ')}`);
  }
  const preset = name as LargePresetName;
  if (!Number.isInteger(options.seed)) {
    throw new TypeError(`buildLargePreset: seed must be an integer, received ${String(options.seed)}`);
  }
  const shapes: Shapes = {
    width: positiveInteger('width', options.width ?? LARGE_PRESET_WIDTH),
    resolution: resolveResolution(preset, options.resolution),
    channels: positiveInteger('channels', options.channels ?? 3),
    noiseSize: positiveInteger('noiseSize', options.noiseSize ?? LARGE_NOISE_SIZE),
    seed: 0,
  };
  const dcgan = preset.startsWith('dcgan');
  if (dcgan && shapes.noiseSize !== 4 * 4 * 8) {
    throw new RangeError(`buildLargePreset: ${preset} reshapes z to 4×4×8, so noiseSize must be 128, received ${shapes.noiseSize}`);
  }
  const namePrefix = options.name ? `${options.name}/` : '';
  const generatorPrefix = uniquePrefix(`${namePrefix}G`);
  const generatorShapes = { ...shapes, seed: 2 * options.seed };
  const discriminatorShapes = { ...shapes, seed: 2 * options.seed + 1 };

  let generator: Network;
  if (preset === 'conv-4-sn') {
    generator = convGenerator({
      name: generatorPrefix,
      depth: 4,
      width: shapes.width,
      imageSize: 32,
      channels: shapes.channels,
      noiseSize: shapes.noiseSize,
      seed: generatorShapes.seed,
    });
  } else if (dcgan) {
    generator = dcganGenerator(generatorPrefix, generatorShapes, preset === 'dcgan-bn-sn-sa');
  } else {
    generator = convNGenerator(generatorPrefix, generatorShapes);
  }
  // The prefix is taken after G's variables exist, so a second preset gets D_1 as well as G_1.
  const discriminatorPrefix = uniquePrefix(`${namePrefix}D`);
  let discriminator: Network;
  if (preset === 'conv-4-sn') discriminator = conv4SnDiscriminator(discriminatorPrefix, discriminatorShapes);
  else if (dcgan) discriminator = dcganDiscriminator(discriminatorPrefix, discriminatorShapes, preset === 'dcgan-bn-sn-sa');
  else discriminator = convNDiscriminator(discriminatorPrefix, discriminatorShapes, preset === 'conv-6-sn');

  return {
    preset,
    generator,
    discriminator,
    noiseSize: shapes.noiseSize,
    imageShape: [shapes.resolution, shapes.resolution, shapes.channels],
    dispose: () => {
      generator.dispose();
      discriminator.dispose();
    },
  };
}
