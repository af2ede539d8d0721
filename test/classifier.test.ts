import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stackMnist1k, type ImageSet } from '../src/data/mnist.ts';
import { CLASSIFIER_FILE, hashImageSet, loadOrTrainClassifier, type ClassifierRecord } from '../src/metrics/classifier.ts';
import { measureSamples, realReference } from '../src/metrics/sampleMetrics.ts';
import { registerCacheCases, sequentialSampler } from './classifierCases.ts';

/** Builds a learnable fake data set: class k is a bright 4×4 square at the k-th spot of a black 32×32 image. */
function squares(count: number, seed: number): ImageSet {
  const pixels = new Uint8Array(count * 32 * 32);
  const labels = new Int32Array(count);
  for (let image = 0; image < count; image++) {
    const label = (image * 7 + seed) % 10;
    labels[image] = label;
    const [row, column] = [4 + 6 * Math.floor(label / 4), 3 + 6 * (label % 4)];
    for (let r = row; r < row + 4; r++) pixels.fill(255, image * 1024 + r * 32 + column, image * 1024 + r * 32 + column + 4);
  }
  return { name: `squares-${seed}`, count, height: 32, width: 32, channels: 1, pixels, labels, classes: 10 };
}

const directory = mkdtempSync(path.join(tmpdir(), 'classifier-test-'));
const cacheFile = path.join(directory, CLASSIFIER_FILE);
const train = squares(256, 0);
const test_ = squares(100, 3);
/** The fake squares are learned in a few steps, so a low bar keeps the test fast. */
const options = { train, test: test_, cacheDir: directory, requiredAccuracy: 0.95, maxEpochs: 40 };

test.before(async () => {
  await tf.setBackend('wasm');
});

test('missing cache: trains and writes it', async () => {
  const classifier = await loadOrTrainClassifier(options);

  const record = JSON.parse(readFileSync(cacheFile, 'utf8')) as ClassifierRecord;
  assert.ok(classifier.trained, 'trained');
  assert.ok(classifier.accuracy >= 0.95, `accuracy ${classifier.accuracy}`);
  assert.is(record.accuracy, classifier.accuracy);
  assert.is(record.dataHash, hashImageSet(train));
  classifier.dispose();
});

registerCacheCases(test, { prefix: '', options, cacheFile, imageShape: [32, 32, 1], changedTrain: squares(256, 1) });

test('cached classifier: dispose frees its tensors', async () => {
  (await loadOrTrainClassifier(options)).dispose();
  const before = tf.memory().numTensors;

  const classifier = await loadOrTrainClassifier(options);
  classifier.dispose();

  assert.not.ok(classifier.trained);
  assert.is(tf.memory().numTensors, before);
});

test('stale cache: accuracy below the bar retrains', async () => {
  const record = JSON.parse(readFileSync(cacheFile, 'utf8')) as ClassifierRecord;
  writeFileSync(cacheFile, JSON.stringify({ ...record, dataHash: hashImageSet(train), accuracy: 0.2 }));

  const classifier = await loadOrTrainClassifier(options);

  assert.ok(classifier.trained);
  classifier.dispose();
});

test('corrupt cache retrains', async () => {
  writeFileSync(cacheFile, '{"recipe": ');

  const classifier = await loadOrTrainClassifier(options);

  assert.ok(classifier.trained);
  classifier.dispose();
});

test('unreachable accuracy throws with the reached value', async () => {
  // Labels that ignore the image cannot be learned beyond chance on the test set.
  const noise = { ...squares(128, 0), labels: Int32Array.from({ length: 128 }, (_, i) => (i * i * 7919) % 10) };

  try {
    await loadOrTrainClassifier({ ...options, train: noise, requiredAccuracy: 0.99, maxEpochs: 3 });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.match((error as Error).message, /reached test accuracy 0\.\d+ after 3 epochs, below the required 0\.99/);
  }
});

test('samples of the real data: D_JS ≈ 0, Fréchet distance ≈ 0', async () => {
  const classifier = await loadOrTrainClassifier(options);
  const reference = await realReference(classifier, test_);
  let drawn = 0;
  const sample = (size: number) => {
    const indices = Array.from({ length: size }, (_, i) => drawn + i);
    drawn += size;
    return tf.tidy(() => {
      const values = new Float32Array(size * 1024);
      indices.forEach((index, i) => {
        for (let p = 0; p < 1024; p++) values[i * 1024 + p] = test_.pixels[index * 1024 + p] / 127.5 - 1;
      });
      return tf.tensor4d(values, [size, 32, 32, 1]);
    });
  };

  const same = await measureSamples(classifier, reference, sample, test_.count);
  const oneClass = await measureSamples(classifier, reference, (size) => tf.tidy(() => tf.fill([size, 32, 32, 1], -1) as tf.Tensor4D), 50);

  assert.ok(same.classDivergence < 0.05, `D_JS of the real data ${same.classDivergence}`);
  assert.ok(same.frechetDistance < 1e-6 * (1 + reference.features.covariance[0]), `Fréchet distance ${same.frechetDistance}`);
  assert.is(Math.max(...oneClass.classFrequencies), 1, 'blank images fall in one class');
  assert.ok(oneClass.classDivergence > 0.7, `D_JS of a single class ${oneClass.classDivergence}`);
  classifier.dispose();
});

test('MNIST-1K: each channel classified, 1000 classes', async () => {
  const classifier = await loadOrTrainClassifier(options);
  const stacked = stackMnist1k(test_, 60, 5);
  const reference = await realReference(classifier, stacked);
  const sample = sequentialSampler(stacked);

  const metrics = await measureSamples(classifier, reference, sample, stacked.count);

  assert.is(metrics.classFrequencies.length, 1000);
  assert.is(reference.features.dimension, 3 * 128, 'features of the three channels side by side');
  // The squares are classified almost perfectly, so the triplets' frequencies match the labels.
  assert.ok(metrics.classDivergence < 0.1, `D_JS ${metrics.classDivergence}`);
  classifier.dispose();
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();
