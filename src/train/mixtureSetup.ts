/**
 * The setup of the toy experiments: a 2-D Gaussian mixture, dense G and D, and mode metrics.
 * Defaults follow the authors' toy script (awweide/mm-nsat, src/toy.py): G maps 128-d
 * noise through two hidden layers of 128 ReLU units to 2-D with no output activation, D
 * maps 2-D through two hidden layers of 128 ReLU units to a logit, both with TensorFlow's
 * default Glorot-uniform weights, and 16 batches of 128 samples (2048) are evaluated.
 */
import * as tf from '@tensorflow/tfjs';
import { createMixture, sampleMixture, type MixtureConfig } from '../data/mixtures.ts';
import { modeMetrics, type ModeDistanceRule } from '../metrics/modes.ts';
import { denseNetwork, type DenseInitializer } from '../nets/dense.ts';
import type { TrainConfig } from './config.ts';
import { deriveSeed } from './seeds.ts';
import type { EvaluationContext, GanSetup } from './setup.ts';

export interface MixtureSetupOptions {
  mixture: MixtureConfig;
  /** Hidden widths of G and of D. */
  generatorHidden?: number[];
  discriminatorHidden?: number[];
  initializer?: DenseInitializer;
  /** Generated samples per evaluation. */
  evaluationSamples?: number;
  /** Generated samples stored at each sample step. */
  storedSamples?: number;
  modeRule?: ModeDistanceRule;
  coverageShare?: number;
}

export const MIXTURE_SETUP_DEFAULTS = {
  generatorHidden: [128, 128],
  discriminatorHidden: [128, 128],
  initializer: 'glorot',
  evaluationSamples: 2048,
  storedSamples: 512,
  modeRule: 'euclidean',
  coverageShare: 0.25,
} as const;

/** This module's path for run configs. */
export const MIXTURE_SETUP_MODULE = 'src/train/mixtureSetup.ts';

function resolve(options: MixtureSetupOptions): Required<MixtureSetupOptions> {
  return {
    ...MIXTURE_SETUP_DEFAULTS,
    ...options,
    generatorHidden: [...(options.generatorHidden ?? MIXTURE_SETUP_DEFAULTS.generatorHidden)],
    discriminatorHidden: [...(options.discriminatorHidden ?? MIXTURE_SETUP_DEFAULTS.discriminatorHidden)],
  };
}

/** Checks the options before training; errors name the option under config.setup.options. */
export function validateSetupOptions(raw: unknown): void {
  const field = 'config.setup.options';
  if (typeof raw !== 'object' || raw === null) {
    throw new TypeError(`${field} must be an object with a mixture, received ${String(raw)}`);
  }
  const options = resolve(raw as MixtureSetupOptions);
  if (typeof options.mixture !== 'object' || options.mixture === null) {
    throw new TypeError(`${field}.mixture must be a mixture config, received ${String(options.mixture)}`);
  }
  try {
    createMixture(options.mixture);
  } catch (error) {
    // createMixture names its own option (e.g. "ringMixture: modes must be …"); keep that.
    throw new RangeError(`${field}.mixture is invalid: ${(error as Error).message}`);
  }
  for (const key of ['generatorHidden', 'discriminatorHidden'] as const) {
    const widths = options[key];
    if (!Array.isArray(widths) || widths.some((w) => !Number.isInteger(w) || w < 1)) {
      throw new RangeError(`${field}.${key} must be a list of positive integers, received ${JSON.stringify(widths)}`);
    }
  }
  for (const key of ['evaluationSamples', 'storedSamples'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new RangeError(`${field}.${key} must be an integer ≥ 1, received ${String(options[key])}`);
    }
  }
}

/** Draws `count` samples of G from a seed and returns them as a flat array. */
async function generate(context: EvaluationContext, count: number): Promise<Float32Array> {
  const samples = tf.tidy(() => context.trainer.generator.apply(context.trainer.noise(count, context.seed)));
  try {
    return (await samples.data()) as Float32Array;
  } finally {
    samples.dispose();
  }
}

export function createSetup(raw: unknown, config: TrainConfig): GanSetup {
  validateSetupOptions(raw);
  const options = resolve(raw as MixtureSetupOptions);
  const mixture = createMixture(options.mixture);
  const generator = denseNetwork({
    name: 'G',
    widths: [config.noiseDimension, ...options.generatorHidden, 2],
    outputActivation: 'none',
    initializer: options.initializer,
    seed: deriveSeed(config.seed, 'generator'),
  });
  const discriminator = denseNetwork({
    name: 'D',
    widths: [2, ...options.discriminatorHidden, 1],
    outputActivation: 'none',
    initializer: options.initializer,
    seed: deriveSeed(config.seed, 'discriminator'),
  });

  return {
    generator,
    discriminator,
    realBatch: (batchSize, seed) => sampleMixture(mixture, batchSize, seed),
    async evaluate(context) {
      const points = await generate(context, options.evaluationSamples);
      const metrics = modeMetrics(points, mixture, { rule: options.modeRule, coverageShare: options.coverageShare });
      return {
        modesCovered: metrics.modesCovered,
        highQualityRate: metrics.highQualityRate,
        modeDivergence: metrics.modeDivergence,
        modeFrequencies: metrics.frequencies,
      };
    },
    async samples(context) {
      const points = await generate({ ...context, seed: deriveSeed(context.seed, 'stored') }, options.storedSamples);
      return { shape: [options.storedSamples, 2], data: Array.from(points) };
    },
    dispose() {
      generator.dispose();
      discriminator.dispose();
    },
  };
}
