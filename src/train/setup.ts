/**
 * What a training run trains on, separate from how it trains. A run config names a setup
 * module (a file path relative to the repository root) and its options; the module builds
 * the networks, the real-data sampler and the evaluation. Runs stay plain JSON, so worker
 * processes can build them, and src/train needs to know nothing about MNIST or mixtures.
 *
 * A setup module exports `createSetup(options, config, shared?)` and may export
 * `validateSetupOptions(options)`, which runs before training starts and throws naming the
 * option and value it rejects, and `createShared(options)`, which builds the parts that
 * depend on the options alone (data, evaluation references) once for the seeds of a batch.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../nets/network.ts';
import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './config.ts';
import type { GanTrainer, RealBatchSampler } from './ganTrainer.ts';
import type { StoredSamples } from './runStore.ts';
import { deriveSeed } from './seeds.ts';

/** The repository root, against which setup module paths are resolved. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface EvaluationContext {
  step: number;
  /** Seed for this evaluation's random draws, derived from the run seed and the step. */
  seed: number;
  trainer: GanTrainer;
}

/**
 * Returns a sampler of G's images for one evaluation. Each call draws the next `size`
 * images with noise seeded by the evaluation's seed, the label and the count drawn so far,
 * so the images do not depend on how the caller splits them into chunks.
 */
export function generatedImages(context: EvaluationContext, label: string): (size: number) => tf.Tensor4D {
  let drawn = 0;
  return (size: number) => {
    const seed = deriveSeed(context.seed, label, drawn);
    drawn += size;
    return tf.tidy(() => context.trainer.generator.apply(context.trainer.noise(size, seed)) as tf.Tensor4D);
  };
}

export interface GanSetup {
  generator: Network;
  discriminator: Network;
  realBatch: RealBatchSampler;
  /** Metrics of the setup (e.g. modes covered), merged into the metrics row of the step. */
  evaluate?(context: EvaluationContext): Promise<Record<string, number | number[]>>;
  /** Generated samples to store at the config's sample steps. */
  samples?(context: EvaluationContext): Promise<Omit<StoredSamples, 'step'>>;
  /** Releases the networks and any data the setup holds. */
  dispose(): void;
}

/**
 * Parts of a setup that depend on its options alone, never on the seed: training data and
 * evaluation references such as a classifier's features of real data. The seeds of one
 * seed-batched program build them once and share them.
 */
export interface SharedSetup {
  /** Releases what the shared parts hold, once every setup built on them is disposed. */
  dispose(): void;
}

export interface SetupModule {
  /**
   * Builds one run's setup. Given `shared` from this module's createShared with the same
   * options, the setup uses those parts and leaves their disposal to the caller. Without
   * it, the setup builds and disposes its own.
   */
  createSetup(options: unknown, config: TrainConfig, shared?: SharedSetup): GanSetup | Promise<GanSetup>;
  createShared?(options: unknown): SharedSetup | Promise<SharedSetup>;
  validateSetupOptions?(options: unknown): void;
}

/** A whole run as JSON: the training settings and the setup that supplies data and networks. */
export interface RunConfig {
  train: TrainConfigInput;
  setup: {
    /** Module path relative to the repository root, e.g. "src/train/mixtureSetup.ts". */
    module: string;
    options: unknown;
  };
}

/** Imports a setup module by its path relative to the repository root (or an absolute path). */
export async function loadSetupModule(modulePath: string): Promise<SetupModule> {
  if (typeof modulePath !== 'string' || modulePath === '') {
    throw new TypeError(`config.setup.module must be a module path, received ${String(modulePath)}`);
  }
  const file = path.isAbsolute(modulePath) ? modulePath : path.join(REPOSITORY_ROOT, modulePath);
  let loaded: Partial<SetupModule>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Partial<SetupModule>;
  } catch (error) {
    throw new Error(`config.setup.module "${modulePath}" could not be imported: ${(error as Error).message}`);
  }
  if (typeof loaded.createSetup !== 'function') {
    throw new TypeError(`config.setup.module "${modulePath}" does not export a createSetup function`);
  }
  if (loaded.createShared !== undefined && typeof loaded.createShared !== 'function') {
    throw new TypeError(`config.setup.module "${modulePath}" exports createShared as a ${typeof loaded.createShared}, expected a function`);
  }
  return loaded as SetupModule;
}

/**
 * Validates a run config before any training: the training settings and the setup options.
 * Returns the resolved settings and the loaded setup module.
 */
export async function validateRunConfig(config: RunConfig): Promise<{ train: TrainConfig; module: SetupModule }> {
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(`config must be an object with train and setup, received ${String(config)}`);
  }
  if (typeof config.setup !== 'object' || config.setup === null) {
    throw new TypeError(`config.setup must be an object with module and options, received ${String(config.setup)}`);
  }
  const train = resolveTrainConfig(config.train);
  const module = await loadSetupModule(config.setup.module);
  module.validateSetupOptions?.(config.setup.options);
  return { train, module };
}
