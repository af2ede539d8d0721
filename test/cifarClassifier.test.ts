import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { imageBatch, type ImageSet } from '../src/data/mnist.ts';
import { seededUniform } from '../src/data/seededUniform.ts';
import {
  cifar10ClassifierRecipe,
  hashImageSet,
  loadOrTrainClassifier,
  MNIST_CLASSIFIER,
  type ClassifierRecipe,
  type ClassifierRecord,
} from '../src/metrics/classifier.ts';
import { measureSamples, realReference } from '../src/metrics/sampleMetrics.ts';
import { validateSetupOptions } from '../experiments/image-datasets/imageSetup.ts';
import { registerCacheCases, sequentialSampler } from './classifierCases.ts';

/** One RGB colour per class, each channel at least 25 from 0 and 255, so noise of ±20 stays in a byte. */
const PALETTE = [
  [230, 25, 25],
  [25, 230, 25],
  [25, 25, 230],
  [230, 230, 25],
  [230, 25, 230],
  [25, 230, 230],
  [128, 128, 128],
  [230, 128, 25],
  [25, 25, 25],
  [230, 230, 230],
];

/** Builds a CIFAR-format set (32×32×3 bytes, 10 classes) whose class k is a noisy image of colour k. */
function colours(count: number, seed: number): ImageSet {
  const random = seededUniform(seed);
  const pixels = new Uint8Array(count * 3072);
  const labels = new Int32Array(count);
  for (let image = 0; image < count; image++) {
    const label = (image * 3 + seed) % 10;
    labels[image] = label;
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) pixels[image * 3072 + p * 3 + c] = Math.round(PALETTE[label][c] + (random() - 0.5) * 40);
    }
  }
  return { name: `colours-${seed}`, count, height: 32, width: 32, channels: 3, pixels, labels, classes: 10 };
}

/** Builds a two-class set: class 0 has a bright left half, class 1 a bright right half. */
function halves(count: number, seed: number): ImageSet {
  const random = seededUniform(seed);
  const pixels = new Uint8Array(count * 3072);
  const labels = new Int32Array(count);
  for (let image = 0; image < count; image++) {
    const label = (image + seed) % 2;
    labels[image] = label;
    for (let p = 0; p < 1024; p++) {
      const bright = (p % 32 < 16) === (label === 0);
      for (let c = 0; c < 3; c++) pixels[image * 3072 + p * 3 + c] = Math.round((bright ? 200 : 50) + (random() - 0.5) * 40);
    }
  }
  return { name: `halves-${seed}`, count, height: 32, width: 32, channels: 3, pixels, labels, classes: 2 };
}

function testRecipe(width: number): ClassifierRecipe {
  const base = cifar10ClassifierRecipe(width);
  return { ...base, id: `${base.id}-test-batch20`, batchSize: 20, learningRates: [3e-3], minEpochs: 1 };
}

const directory = mkdtempSync(path.join(tmpdir(), 'cifar-classifier-test-'));
/** The CIFAR-10 network at width 4, in batches of 20 at one rate so that 200 images give ten steps an epoch. */
const recipe = testRecipe(4);
const cacheFile = path.join(directory, recipe.cacheFile);
const train = colours(200, 0);
const test_ = colours(100, 7);
/** The colours are learned within an epoch or two, so a bar of 0.9 keeps the test fast. */
const options = { recipe, train, test: test_, cacheDir: directory, requiredAccuracy: 0.9, maxEpochs: 8 };

test.before(async () => {
  await tf.setBackend('wasm');
});

test('MNIST recipe id unchanged', () => {
  // Existing MNIST caches carry this id; a different one would retrain them all.
  assert.is(MNIST_CLASSIFIER.id, 'conv16-32-64-dense128-adam2e-3,5e-4,2e-4-batch128-v1');
  assert.is(MNIST_CLASSIFIER.cacheFile, 'mnist-classifier.json');
});

test('CIFAR-10 recipe: width in the id', () => {
  const full = cifar10ClassifierRecipe();

  assert.is(full.channels, 3);
  assert.equal(full.convolutions.map((layer) => layer.filters), [64, 64, 128, 128, 256, 256]);
  assert.is(full.convolutions.filter((layer) => layer.stride === 2).length, 3, '32 → 4 pixels a side');
  assert.is.not(recipe.id, full.id);
  assert.is(full.cacheFile, 'cifar10-classifier.json');
});

test('CIFAR-10 missing cache: trains and writes it', async () => {
  const classifier = await loadOrTrainClassifier(options);

  const record = JSON.parse(readFileSync(cacheFile, 'utf8')) as ClassifierRecord;
  assert.ok(classifier.trained, 'trained');
  assert.ok(classifier.accuracy >= 0.9, `accuracy ${classifier.accuracy}`);
  assert.is(classifier.channels, 3);
  assert.is(record.recipe, recipe.id);
  assert.is(record.accuracy, classifier.accuracy);
  assert.is(record.dataHash, hashImageSet(train));
  assert.equal(record.imageShape, [32, 32, 3]);
  assert.not.ok(existsSync(path.join(directory, MNIST_CLASSIFIER.cacheFile)), 'the MNIST cache file is left alone');
  classifier.dispose();
});

registerCacheCases(test, { prefix: 'CIFAR-10 ', options, cacheFile, imageShape: [32, 32, 3], changedTrain: colours(200, 1) });

test('CIFAR-10 stale cache: another recipe retrains', async () => {
  // Both recipes build the same network, so the cached weights would fit and only the id differs.
  const slower: ClassifierRecipe = { ...recipe, id: `${recipe.id}-slower`, learningRates: [2e-3] };
  (await loadOrTrainClassifier(options)).dispose();

  const classifier = await loadOrTrainClassifier({ ...options, recipe: slower });

  assert.ok(classifier.trained);
  assert.is(JSON.parse(readFileSync(cacheFile, 'utf8')).recipe, slower.id);
  classifier.dispose();
});

test('horizontal flips hide left from right', async () => {
  // Flipping maps one class's images onto the other's, so with flips no classifier can separate the classes.
  const small: ClassifierRecipe = { ...recipe, id: 'halves-flips', cacheFile: 'halves.json', minEpochs: 3 };
  const common = { train: halves(128, 0), test: halves(64, 1), cacheDir: directory, requiredAccuracy: 0, maxEpochs: 3 };

  const flipped = await loadOrTrainClassifier({ ...common, recipe: small });
  const plain = await loadOrTrainClassifier({ ...common, recipe: { ...small, id: 'halves-plain', horizontalFlips: false } });

  assert.ok(plain.accuracy >= 0.95, `without flips: accuracy ${plain.accuracy}`);
  assert.ok(flipped.accuracy <= 0.75, `with flips: accuracy ${flipped.accuracy}`);
  flipped.dispose();
  plain.dispose();
});

test('CIFAR-10 sample metrics: whole images, 10 classes', async () => {
  const classifier = await loadOrTrainClassifier(options);
  const reference = await realReference(classifier, test_);
  const sample = sequentialSampler(test_);

  const same = await measureSamples(classifier, reference, sample, test_.count);
  const oneColour = await measureSamples(classifier, reference, (size) => imageBatch(test_, new Array<number>(size).fill(0)), 50);

  assert.is(reference.features.dimension, 128, 'features of the whole image, not of three planes');
  assert.is(same.classFrequencies.length, 10);
  assert.ok(same.classDivergence < 0.05, `D_JS of the real data ${same.classDivergence}`);
  // Eigenvalue rounding of about ε·tr(Σ)² becomes about 1e−8·tr(Σ) in each of the 128 square roots.
  const dimension = reference.features.dimension;
  const traces = 2 * Array.from({ length: dimension }, (_, i) => reference.features.covariance[i * (dimension + 1)]).reduce((sum, value) => sum + value, 0);
  assert.ok(same.frechetDistance <= 1e-5 * traces, `Fréchet distance ${same.frechetDistance}, traces ${traces}`);
  assert.is(Math.max(...oneColour.classFrequencies), 1, 'copies of one image fall in one class');
  assert.ok(oneColour.classDivergence > 0.7, `D_JS of a single class ${oneColour.classDivergence}`);
  classifier.dispose();
});

test('CIFAR-10 classifier rejects one-channel sets', async () => {
  const gray: ImageSet = { ...train, channels: 1, pixels: train.pixels.subarray(0, train.count * 1024) };

  try {
    await loadOrTrainClassifier({ ...options, train: gray });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /train must contain 32×32 images of 3 channel\(s\) for the CIFAR-10 classifier, received 32×32×1/);
  }
});

test('CIFAR-10 classifier needs its data', async () => {
  try {
    await loadOrTrainClassifier({ recipe, cacheDir: directory });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /options\.train is missing; the CIFAR-10 classifier has no default data/);
  }
});

test('CIFAR-10 recipe rejects a bad width', () => {
  assert.throws(() => cifar10ClassifierRecipe(0), (error: Error) => error instanceof RangeError && /width must be a positive integer, received 0/.test(error.message));
});

test('setup options: bad test classifier rejected', () => {
  const setup = { dataset: 'cifar10', preset: 'conv-4', dataDir: 'data', cacheDir: 'cache', resolution: 32, evaluationSamples: 8, referenceSamples: 8, storedSamples: 4 };

  assert.not.throws(() => validateSetupOptions({ ...setup, testClassifier: { width: 2, requiredAccuracy: 0, maxEpochs: 1 } }));
  assert.throws(
    () => validateSetupOptions({ ...setup, testClassifier: { width: 2, requiredAccuracy: 1.5, maxEpochs: 1 } }),
    (error: Error) => error instanceof RangeError && /config\.setup\.options\.testClassifier\.requiredAccuracy must be in \[0, 1\], received 1\.5/.test(error.message),
  );
  assert.throws(
    () => validateSetupOptions({ ...setup, testClassifier: { width: 0, requiredAccuracy: 0, maxEpochs: 1 } }),
    (error: Error) => error instanceof RangeError && /testClassifier\.width must be a positive integer, received 0/.test(error.message),
  );
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();
