/**
 * The setup of the CIFAR-10, CAT and FFHQ experiments, which the training engine loads from
 * a run config. It trains a preset G and D (Conv-4, Conv-4-sn, Conv-6, DCGAN-bn-sn with or
 * without self-attention, the FFHQ conv net) on real images in [−1, 1], drawn uniformly
 * with replacement from a seed, so a resumed run sees the batches an uninterrupted one would.
 *
 * Evaluations compute FID on InceptionV3 pool features when `inception` names a model
 * folder; without one a run reports no FID. No other network's features are ever reported
 * as FID. CIFAR-10 evaluations also record, with or without Inception, the class
 * divergence D_JS^CD (equation 12) and a Fréchet distance on the suite's CIFAR-10
 * classifier features (see classMetrics.ts).
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DATASETS, type DatasetName } from '../../src/data/datasets.ts';
import { installWasmConvGradients } from '../../src/kernels/conv2dBackpropFilter.ts';
import { installWasmMatMulFix } from '../../src/kernels/wasmMatMul.ts';
import { INCEPTION_FEATURES } from '../../src/metrics/inception.ts';
import { loadInceptionFid, type InceptionFid } from '../../src/metrics/inceptionFid.ts';
import { buildLargePreset, LARGE_PRESET_NAMES, type LargePresetName } from '../../src/nets/largePresets.ts';
import { buildPreset } from '../../src/nets/presets.ts';
import type { TrainConfig } from '../../src/train/config.ts';
import { deriveSeed } from '../../src/train/seeds.ts';
import { generatedImages, type GanSetup } from '../../src/train/setup.ts';
import { hasClassMetrics, setupClassMetrics, validateTestClassifier, type ClassMetricOptions, type ClassMetrics, type TestClassifierOptions } from './classMetrics.ts';
import { openCifar10Source, openImageFolderSource, seededIndices, type ImageSource } from './imageSource.ts';

/** This module's path for run configs, relative to the repository root. */
export const IMAGE_SETUP_MODULE = 'experiments/image-datasets/imageSetup.ts';

export const IMAGE_PRESETS = ['conv-4', ...LARGE_PRESET_NAMES] as const;
export type ImagePreset = (typeof IMAGE_PRESETS)[number];

export interface ImageSetupOptions {
  dataset: DatasetName;
  /** The data directory that `data fetch` fills; the dataset is in its catalogue folder below. */
  dataDir: string;
  /** Image side r; 32 for CIFAR-10. */
  resolution: number;
  preset: ImagePreset;
  /** m of the preset; its default (32) when absent. Lower only for tests. */
  width?: number;
  /** Folder of the InceptionV3 graph model; no FID when absent. */
  inception?: string;
  /** Generated images per FID evaluation. */
  evaluationSamples: number;
  /** Real images whose Inception features form the FID reference. */
  referenceSamples: number;
  /** Generated images stored at each sample step, for image grids. */
  storedSamples: number;
  /** Folder of prepared images and cached FID references. */
  cacheDir: string;
  /** Reads CIFAR-10 batch files with fewer than 10 000 records (tests). */
  allowShortBatches?: boolean;
  /** Width of the Inception features; 2048 unless a test uses a stand-in model. */
  featureDimension?: number;
  /** A small CIFAR-10 classifier for tests; the real one when absent. */
  testClassifier?: TestClassifierOptions;
}

/** Checks the options before training; errors name the option under config.setup.options. */
export function validateSetupOptions(raw: unknown): void {
  const field = 'config.setup.options';
  if (typeof raw !== 'object' || raw === null) {
    throw new TypeError(`${field} must be an object with a dataset and a preset, received ${String(raw)}`);
  }
  const options = raw as ImageSetupOptions;
  if (!Object.keys(DATASETS).includes(options.dataset)) {
    throw new RangeError(`${field}.dataset must be one of ${Object.keys(DATASETS).join(', ')}, received ${JSON.stringify(options.dataset)}`);
  }
  if (!(IMAGE_PRESETS as readonly string[]).includes(options.preset)) {
    throw new RangeError(`${field}.preset must be one of ${IMAGE_PRESETS.join(', ')}, received ${JSON.stringify(options.preset)}`);
  }
  for (const key of ['dataDir', 'cacheDir'] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') {
      throw new TypeError(`${field}.${key} must be a folder path, received ${String(options[key])}`);
    }
  }
  if (options.inception !== undefined && typeof options.inception !== 'string') {
    throw new TypeError(`${field}.inception must be a folder path, received ${String(options.inception)}`);
  }
  if (!Number.isInteger(options.resolution) || !Number.isInteger(Math.log2(options.resolution)) || options.resolution < 32 || options.resolution > 512) {
    throw new RangeError(`${field}.resolution must be a power of two from 32 to 512, received ${String(options.resolution)}`);
  }
  if (options.dataset === 'cifar10' && options.resolution !== 32) {
    throw new RangeError(`${field}.resolution must be 32 for cifar10, received ${options.resolution}`);
  }
  for (const key of ['evaluationSamples', 'referenceSamples', 'storedSamples'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 2) {
      throw new RangeError(`${field}.${key} must be an integer ≥ 2, received ${String(options[key])}`);
    }
  }
  if (options.width !== undefined && (!Number.isInteger(options.width) || options.width < 1)) {
    throw new RangeError(`${field}.width must be a positive integer, received ${String(options.width)}`);
  }
  validateTestClassifier(options.testClassifier, `${field}.testClassifier`);
}

/** Returns the dataset's folder under the data directory. */
export function datasetFolder(options: Pick<ImageSetupOptions, 'dataset' | 'dataDir'>): string {
  return path.join(options.dataDir, DATASETS[options.dataset].folder);
}

/** Opens the real images these options name, preparing an image folder's cache when needed. */
export function openImageSource(options: ImageSetupOptions, log?: (line: string) => void): Promise<ImageSource> {
  const folder = datasetFolder(options);
  if (options.dataset === 'cifar10') return openCifar10Source(folder, { allowShortBatches: options.allowShortBatches });
  return openImageFolderSource(folder, { side: options.resolution, cacheDir: options.cacheDir, name: options.dataset, log });
}

/** Returns the class-metric settings of CIFAR-10 options, or undefined for a dataset without labels. */
export function classMetricOptions(options: ImageSetupOptions): ClassMetricOptions | undefined {
  if (!hasClassMetrics(options.dataset)) return undefined;
  return {
    folder: datasetFolder(options),
    cacheDir: options.cacheDir,
    allowShortBatches: options.allowShortBatches,
    referenceSamples: options.referenceSamples,
    testClassifier: options.testClassifier,
  };
}

/** Real images `offset` … `offset + size − 1`, wrapping around a set smaller than the reference. */
function realImages(source: ImageSource, offset: number, size: number): tf.Tensor4D {
  const indices = Array.from({ length: size }, (_, i) => (offset + i) % source.count);
  return tf.tensor4d(source.images(indices), [size, ...source.imageShape]);
}

/**
 * Loads the FID measurement of these options (computing and caching the real reference on
 * first use), or returns undefined when no Inception folder is set or it holds no model.
 */
export async function setupInceptionFid(options: ImageSetupOptions, source: ImageSource, log?: (line: string) => void): Promise<InceptionFid | undefined> {
  if (options.inception === undefined) return undefined;
  return loadInceptionFid({
    modelDir: options.inception,
    cacheDir: options.cacheDir,
    name: `${options.dataset}-${options.resolution}`,
    sourceHash: source.sourceHash,
    referenceCount: options.referenceSamples,
    drawReal: (offset, size) => realImages(source, offset, size),
    expectedFeatureDimension: options.featureDimension ?? INCEPTION_FEATURES,
    log,
  });
}

function buildNetworks(options: ImageSetupOptions, config: TrainConfig) {
  const seed = deriveSeed(config.seed, 'networks');
  if (options.preset === 'conv-4') {
    return buildPreset('conv-4', { seed, noiseSize: config.noiseDimension, width: options.width, imageShape: [options.resolution, options.resolution, 3] });
  }
  return buildLargePreset(options.preset as LargePresetName, { seed, noiseSize: config.noiseDimension, width: options.width, resolution: options.resolution });
}

export async function createSetup(raw: unknown, config: TrainConfig): Promise<GanSetup> {
  validateSetupOptions(raw);
  const options = raw as ImageSetupOptions;
  if (tf.getBackend() === 'wasm') {
    // The convolution presets cannot train on wasm without these; both are idempotent.
    installWasmConvGradients();
    installWasmMatMulFix();
  }

  const source = await openImageSource(options);
  let fid: InceptionFid | undefined;
  let classMetrics: ClassMetrics | undefined;
  let nets;
  try {
    fid = await setupInceptionFid(options, source);
    const classOptions = classMetricOptions(options);
    if (classOptions) classMetrics = await setupClassMetrics(classOptions);
    nets = buildNetworks(options, config);
  } catch (error) {
    fid?.dispose();
    classMetrics?.dispose();
    source.close();
    throw error;
  }

  return {
    generator: nets.generator,
    discriminator: nets.discriminator,
    realBatch: (batchSize, seed) => tf.tensor4d(source.images(seededIndices(batchSize, source.count, seed)), [batchSize, ...source.imageShape]),
    async evaluate(context): Promise<Record<string, number | number[]>> {
      const metrics: Record<string, number | number[]> = {};
      if (fid) metrics.fid = await fid.measure(generatedImages(context, 'fid'), options.evaluationSamples);
      if (classMetrics) Object.assign(metrics, await classMetrics.measure(generatedImages(context, 'metrics'), options.evaluationSamples));
      return metrics;
    },
    async samples(context) {
      const images = generatedImages(context, 'stored')(options.storedSamples);
      try {
        // Three decimals are plenty for display and keep the JSON small.
        return { shape: images.shape, data: Array.from(await images.data(), (value) => Math.round(value * 1000) / 1000) };
      } finally {
        images.dispose();
      }
    },
    dispose() {
      nets.dispose();
      fid?.dispose();
      classMetrics?.dispose();
      source.close();
    },
  };
}
