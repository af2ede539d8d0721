/**
 * The setup of the MNIST experiments, which the training engine loads from a run config.
 * It trains a preset G and D (FC-3, FC-4 or Conv-4) on MNIST training digits padded to
 * 32×32 in [−1, 1]. Evaluations use the cached MNIST classifier on 2000 generated digits:
 * their class frequencies, D_JS^CD against the training labels and the Fréchet distance on
 * the classifier's features.
 *
 * Real batches are drawn uniformly with replacement from a seed, so a resumed run sees the
 * same batches as an uninterrupted one. The classifier must already be in its cache when
 * runs start (the experiments train it first), because parallel workers would otherwise
 * each train one.
 *
 * The training digits, the classifier and its features of the real digits depend on the
 * options alone, so `createShared` builds them once for the seeds of a seed-batched program.
 */
import * as tf from '@tensorflow/tfjs';
import { imageBatch, loadMnist, subset, type ImageSet } from '../../src/data/mnist.ts';
import { installWasmConvGradients } from '../../src/kernels/conv2dBackpropFilter.ts';
import { installWasmMatMulFix } from '../../src/kernels/wasmMatMul.ts';
import { loadOrTrainClassifier, type ImageClassifier } from '../../src/metrics/classifier.ts';
import { measureSamples, realReference, type RealReference } from '../../src/metrics/sampleMetrics.ts';
import { buildPreset, PRESET_NAMES, type PresetName } from '../../src/nets/presets.ts';
import type { TrainConfig } from '../../src/train/config.ts';
import { deriveSeed } from '../../src/train/seeds.ts';
import { generatedImages, type GanSetup, type SharedSetup } from '../../src/train/setup.ts';

/** This module's path for run configs, relative to the repository root. */
export const MNIST_SETUP_MODULE = 'experiments/mnist-coverage/mnistSetup.ts';

export interface MnistSetupOptions {
  preset: PresetName;
  batchNorm?: boolean;
  /** FC-n's hidden width or Conv-n's m; the preset's default (512 or 32) when absent. */
  width?: number;
  /** Train on the first `trainLimit` digits only (tests); all 60 000 when absent. */
  trainLimit?: number;
  /** Class metrics and Fréchet distance at evaluation steps (default true). */
  classMetrics?: boolean;
  /** Generated digits per evaluation. */
  evaluationSamples?: number;
  /** Real digits whose classifier features form the Fréchet reference. */
  referenceSamples?: number;
  /** Generated digits stored at each sample step, for image grids. */
  storedSamples?: number;
  /** Folder of the classifier cache; `.cache` in the working directory when absent. */
  cacheDir?: string;
  /**
   * A smaller classifier for tests and smoke runs: trained on the first `trainLimit`
   * training and `testLimit` test digits to a lower accuracy. The real one when absent.
   */
  testClassifier?: { trainLimit: number; testLimit: number; requiredAccuracy: number };
}

export const MNIST_SETUP_DEFAULTS = {
  batchNorm: false,
  classMetrics: true,
  evaluationSamples: 2000,
  referenceSamples: 10000,
  storedSamples: 64,
} as const;

/** Checks the options before training; errors name the option under config.setup.options. */
export function validateSetupOptions(raw: unknown): void {
  const field = 'config.setup.options';
  if (typeof raw !== 'object' || raw === null) {
    throw new TypeError(`${field} must be an object with a preset, received ${String(raw)}`);
  }
  const options = raw as MnistSetupOptions;
  if (!(PRESET_NAMES as readonly string[]).includes(options.preset)) {
    throw new RangeError(`${field}.preset must be one of ${PRESET_NAMES.join(', ')}, received ${JSON.stringify(options.preset)}`);
  }
  for (const key of ['width', 'trainLimit', 'evaluationSamples', 'referenceSamples', 'storedSamples'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 2)) {
      throw new RangeError(`${field}.${key} must be an integer ≥ 2, received ${String(value)}`);
    }
  }
  for (const key of ['batchNorm', 'classMetrics'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new TypeError(`${field}.${key} must be true or false, received ${String(options[key])}`);
    }
  }
}

/** Draws `count` indices in [0, n) uniformly with replacement from a seed (mulberry32). */
function seededIndices(count: number, n: number, seed: number): Int32Array {
  let state = seed >>> 0;
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    indices[i] = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  }
  return indices;
}

/** Maps images in [−1, 1] to [0, 1] for display. */
export function toUnitRange(values: ArrayLike<number>): number[] {
  return Array.from(values, (value) => Math.min(1, Math.max(0, (value + 1) / 2)));
}

/**
 * Loads the classifier these options ask for, training it first when its cache is missing
 * or stale: the real one, or the small one of `testClassifier`.
 */
export function setupClassifier(options: MnistSetupOptions, log?: (line: string) => void): Promise<ImageClassifier> {
  const small = options.testClassifier;
  return loadOrTrainClassifier({
    cacheDir: options.cacheDir,
    log,
    ...(small && {
      train: subset(loadMnist({ split: 'train' }), small.trainLimit),
      test: subset(loadMnist({ split: 'test' }), small.testLimit),
      requiredAccuracy: small.requiredAccuracy,
    }),
  });
}

type ResolvedOptions = MnistSetupOptions & Required<Pick<MnistSetupOptions, keyof typeof MNIST_SETUP_DEFAULTS>>;

function resolveOptions(raw: unknown): ResolvedOptions {
  validateSetupOptions(raw);
  return { ...MNIST_SETUP_DEFAULTS, ...(raw as MnistSetupOptions) };
}

/** Returns the options that decide the shared parts as a key. Setups with equal keys may share those parts. */
function sharedKey(options: ResolvedOptions): string {
  const { trainLimit, classMetrics, referenceSamples, cacheDir, testClassifier } = options;
  return JSON.stringify({ trainLimit, classMetrics, referenceSamples, cacheDir, testClassifier });
}

/** The seed-independent parts of an MNIST setup: training digits, and the classifier with its real reference. */
class MnistSharedSetup implements SharedSetup {
  constructor(
    readonly key: string,
    readonly data: ImageSet,
    readonly classifier: ImageClassifier | undefined,
    readonly reference: RealReference | undefined,
  ) {}

  dispose(): void {
    this.classifier?.dispose();
  }
}

async function buildShared(options: ResolvedOptions): Promise<MnistSharedSetup> {
  let data: ImageSet = loadMnist({ split: 'train' });
  if (options.trainLimit !== undefined) data = subset(data, options.trainLimit);
  if (!options.classMetrics) return new MnistSharedSetup(sharedKey(options), data, undefined, undefined);
  const classifier = await setupClassifier(options);
  try {
    const reference = await realReference(classifier, data, options.referenceSamples);
    return new MnistSharedSetup(sharedKey(options), data, classifier, reference);
  } catch (error) {
    classifier.dispose();
    throw error;
  }
}

/**
 * Builds the training digits and, with class metrics, the classifier and its features of
 * the real digits, for the setups of several seeds.
 */
export function createShared(raw: unknown): Promise<SharedSetup> {
  return buildShared(resolveOptions(raw));
}

export async function createSetup(raw: unknown, config: TrainConfig, shared?: SharedSetup): Promise<GanSetup> {
  const options = resolveOptions(raw);
  if (shared !== undefined && !(shared instanceof MnistSharedSetup)) {
    throw new TypeError(`createSetup: shared must come from this module's createShared, received ${String(shared)}`);
  }
  if (shared !== undefined && shared.key !== sharedKey(options)) {
    throw new RangeError(`createSetup: shared parts were built for options ${shared.key}, not for ${sharedKey(options)}`);
  }
  if (tf.getBackend() === 'wasm') {
    // Conv-4 cannot train on wasm without the convolution gradients; both are idempotent.
    installWasmConvGradients();
    installWasmMatMulFix();
  }

  const parts = shared ?? (await buildShared(options));
  const { data, classifier, reference } = parts;
  const nets = buildPreset(options.preset, {
    seed: deriveSeed(config.seed, 'networks'),
    noiseSize: config.noiseDimension,
    batchNorm: options.batchNorm,
    width: options.width,
  });

  return {
    generator: nets.generator,
    discriminator: nets.discriminator,
    realBatch: (batchSize, seed) => imageBatch(data, seededIndices(batchSize, data.count, seed)),
    async evaluate(context): Promise<Record<string, number | number[]>> {
      if (classifier === undefined || reference === undefined) return {};
      const metrics = await measureSamples(classifier, reference, generatedImages(context, 'metrics'), options.evaluationSamples);
      return {
        classDivergence: metrics.classDivergence,
        frechetDistance: metrics.frechetDistance,
        classFrequencies: metrics.classFrequencies,
      };
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
      if (shared === undefined) parts.dispose();
    },
  };
}
