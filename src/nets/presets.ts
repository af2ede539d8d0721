/**
 * The networks of the MNIST and CIFAR-10 experiments of "Sample weighting as an explanation
 * for mode collapse in generative adversarial networks" by name: FC-3 and FC-4 (dense, 512
 * hidden units) and Conv-4 (width m = 32), each as a G and D pair on 32×32 images.
 */
import { convDiscriminator, convGenerator } from './conv.ts';
import { fcDiscriminator, fcGenerator, FC_HIDDEN_WIDTH } from './fc.ts';
import type { Network } from './network.ts';

export const PRESET_NAMES = ['fc-3', 'fc-4', 'conv-4'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Size of the noise vector z ~ N(0, I) in the authors' code. */
export const NOISE_SIZE = 128;
/** Conv-4's width m in the authors' code. */
export const CONV_WIDTH = 32;

export interface PresetOptions {
  /** Seed of the initial weights; G and D draw with seeds derived from it. */
  seed: number;
  /** Image shape [height, width, channels]; default MNIST padded to [32, 32, 1]. */
  imageShape?: [number, number, number];
  noiseSize?: number;
  /** FC-n's hidden width (default 512) or Conv-n's m (default 32). */
  width?: number;
  batchNorm?: boolean;
  /** Prefix of the variable names, default "" (variables "G/…" and "D/…"). */
  name?: string;
}

/** A generator and discriminator built together, with the shapes they exchange. */
export interface GanNetworks {
  preset: PresetName;
  generator: Network;
  discriminator: Network;
  noiseSize: number;
  imageShape: [number, number, number];
  dispose(): void;
}

function parsePreset(name: string): { family: 'fc' | 'conv'; depth: number } {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`buildPreset: unknown preset "${String(name)}"; expected one of ${PRESET_NAMES.join(', ')}`);
  }
  const [family, depth] = name.split('-');
  return { family: family as 'fc' | 'conv', depth: Number(depth) };
}

/** Builds the G and D pair of a named preset, e.g. `buildPreset('fc-4', { seed: 1 })`. */
export function buildPreset(name: PresetName | string, options: PresetOptions): GanNetworks {
  const { family, depth } = parsePreset(name);
  if (!Number.isInteger(options.seed)) {
    throw new TypeError(`buildPreset: seed must be an integer, received ${String(options.seed)}`);
  }
  const imageShape = options.imageShape ?? [32, 32, 1];
  const noiseSize = options.noiseSize ?? NOISE_SIZE;
  const prefix = options.name ? `${options.name}/` : '';
  const batchNorm = options.batchNorm ?? false;
  const generatorSeed = 2 * options.seed;
  const discriminatorSeed = 2 * options.seed + 1;

  let generator: Network;
  let discriminator: Network;
  if (family === 'fc') {
    const common = { layers: depth, hiddenWidth: options.width ?? FC_HIDDEN_WIDTH, imageShape, batchNorm };
    generator = fcGenerator({ ...common, name: `${prefix}G`, noiseSize, seed: generatorSeed });
    discriminator = fcDiscriminator({ ...common, name: `${prefix}D`, seed: discriminatorSeed });
  } else {
    const [height, width, channels] = imageShape;
    if (height !== width) {
      throw new RangeError(`buildPreset: ${name} needs square images, received ${height}×${width}`);
    }
    const common = { depth, width: options.width ?? CONV_WIDTH, imageSize: height, channels, batchNorm };
    generator = convGenerator({ ...common, name: `${prefix}G`, noiseSize, seed: generatorSeed });
    discriminator = convDiscriminator({ ...common, name: `${prefix}D`, seed: discriminatorSeed });
  }
  return {
    preset: name as PresetName,
    generator,
    discriminator,
    noiseSize,
    imageShape,
    dispose: () => {
      generator.dispose();
      discriminator.dispose();
    },
  };
}
