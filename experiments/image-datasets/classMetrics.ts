/**
 * The class metrics of the CIFAR-10 runs. The suite's CIFAR-10 classifier labels generated
 * images, and D_JS^CD (equation 12 of "Sample weighting as an explanation for mode collapse
 * in generative adversarial networks") compares their class frequencies with the training
 * labels' in bits. A Fréchet distance compares the classifier's 128 penultimate features of
 * generated and real images. It is not FID. CAT and FFHQ have no labels, so they get neither.
 *
 * The classifier trains on the CIFAR-10 training split and is tested on the test split
 * (`test_batch.bin`). It is cached beside the prepared images, keyed by its recipe and a
 * hash of the training images and labels.
 */
import * as tf from '@tensorflow/tfjs';
import { CIFAR10_CLASSES, readCifar10, type Cifar10Split } from '../../src/data/cifar10.ts';
import type { DatasetName } from '../../src/data/datasets.ts';
import type { ImageSet } from '../../src/data/mnist.ts';
import { cifar10ClassifierRecipe, loadOrTrainClassifier, type ImageClassifier } from '../../src/metrics/classifier.ts';
import { measureSamples, realReference, type RealReference } from '../../src/metrics/sampleMetrics.ts';

/** The name every figure and table gives the Fréchet distance on these features. */
export const CIFAR10_CLASSIFIER_FRECHET_NAME = 'Fréchet distance (CIFAR-10 classifier features)';

/** Metric keys the evaluations record, the same keys the MNIST runs use. */
export const CLASS_METRIC_KEYS = ['classDivergence', 'frechetDistance'] as const;

/** A small classifier for tests: width m of its first convolution, its required accuracy and epoch limit. */
export interface TestClassifierOptions {
  width: number;
  requiredAccuracy: number;
  maxEpochs: number;
}

/** Settings of an image setup that the class metrics use. */
export interface ClassMetricOptions {
  /** The CIFAR-10 folder, with the batch files or `cifar-10-batches-bin`. */
  folder: string;
  /** Folder of the classifier cache. */
  cacheDir: string;
  /** Reads batch files with fewer than 10 000 records (tests). */
  allowShortBatches?: boolean;
  /** Real images whose classifier features form the Fréchet reference. */
  referenceSamples: number;
  /** The real classifier when absent. */
  testClassifier?: TestClassifierOptions;
}

/** Returns whether a dataset has class labels, and so class metrics. */
export function hasClassMetrics(dataset: DatasetName): boolean {
  return dataset === 'cifar10';
}

/** Checks `testClassifier` of a setup's options; errors name it under `field`. */
export function validateTestClassifier(raw: unknown, field: string): void {
  if (raw === undefined) return;
  if (typeof raw !== 'object' || raw === null) {
    throw new TypeError(`${field} must be an object with width, requiredAccuracy and maxEpochs, received ${String(raw)}`);
  }
  const options = raw as TestClassifierOptions;
  for (const key of ['width', 'maxEpochs'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new RangeError(`${field}.${key} must be a positive integer, received ${String(options[key])}`);
    }
  }
  if (typeof options.requiredAccuracy !== 'number' || !(options.requiredAccuracy >= 0 && options.requiredAccuracy <= 1)) {
    throw new RangeError(`${field}.requiredAccuracy must be in [0, 1], received ${String(options.requiredAccuracy)}`);
  }
}

/** Reads a CIFAR-10 split as an image set of bytes with its labels. */
export async function readCifar10ImageSet(folder: string, split: Cifar10Split, allowShortBatches = false): Promise<ImageSet> {
  const data = await readCifar10(folder, split, { allowShortBatches });
  const [count, height, width, channels] = data.shape;
  return { name: `cifar10-${split}`, count, height, width, channels, pixels: data.pixels, labels: Int32Array.from(data.labels), classes: CIFAR10_CLASSES };
}

/**
 * Loads the CIFAR-10 classifier from its cache, or trains it on `train` (the training
 * split) and tests it on the test split read from the folder.
 */
export async function setupCifar10Classifier(options: ClassMetricOptions, train: ImageSet, log?: (line: string) => void): Promise<ImageClassifier> {
  const small = options.testClassifier;
  return loadOrTrainClassifier({
    recipe: cifar10ClassifierRecipe(small?.width),
    train,
    test: await readCifar10ImageSet(options.folder, 'test', options.allowShortBatches),
    cacheDir: options.cacheDir,
    log,
    ...(small && { requiredAccuracy: small.requiredAccuracy, maxEpochs: small.maxEpochs }),
  });
}

/** Trains the CIFAR-10 classifier unless its cache is fresh, and returns its test accuracy. */
export async function prepareCifar10Classifier(options: ClassMetricOptions, log?: (line: string) => void): Promise<number> {
  const train = await readCifar10ImageSet(options.folder, 'train', options.allowShortBatches);
  const classifier = await setupCifar10Classifier(options, train, log);
  classifier.dispose();
  return classifier.accuracy;
}

/** The classifier and the real side of the comparison, held for a run's evaluations. */
export interface ClassMetrics {
  classifier: ImageClassifier;
  reference: RealReference;
  /** D_JS^CD, the classifier Fréchet distance and the class frequencies of `count` images drawn from `sample`. */
  measure(sample: (size: number) => tf.Tensor4D, count: number): Promise<Record<string, number | number[]>>;
  dispose(): void;
}

/**
 * Loads the classifier (training it when its cache is stale) and computes the real
 * reference: the label frequencies of the whole training split, and the features of its
 * first `referenceSamples` images.
 */
export async function setupClassMetrics(options: ClassMetricOptions, log?: (line: string) => void): Promise<ClassMetrics> {
  const train = await readCifar10ImageSet(options.folder, 'train', options.allowShortBatches);
  const classifier = await setupCifar10Classifier(options, train, log);
  let reference: RealReference;
  try {
    reference = await realReference(classifier, train, options.referenceSamples);
  } catch (error) {
    classifier.dispose();
    throw error;
  }
  return {
    classifier,
    reference,
    async measure(sample, count) {
      const metrics = await measureSamples(classifier, reference, sample, count);
      return {
        classDivergence: metrics.classDivergence,
        frechetDistance: metrics.frechetDistance,
        classFrequencies: metrics.classFrequencies,
      };
    },
    dispose: () => classifier.dispose(),
  };
}
