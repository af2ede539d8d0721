/**
 * What the classifier tests share: the cache cases every recipe must pass (a second load
 * reads the cached weights instead of training, files in the older decimal layout still load,
 * new training data makes the cache stale),
 * and a sampler that hands out a set's images in order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { imageBatch, type ImageSet } from '../src/data/mnist.ts';
import { hashImageSet, loadOrTrainClassifier, type ClassifierOptions, type ClassifierRecord } from '../src/metrics/classifier.ts';

export interface CacheCaseSettings {
  /** Prefix of the test names, e.g. "CIFAR-10 ". */
  prefix: string;
  options: ClassifierOptions;
  cacheFile: string;
  /** [height, width, channels] of the images the classifier takes. */
  imageShape: [number, number, number];
  /** Training data other than the options' own. */
  changedTrain: ImageSet;
}

/** Registers the shared cache cases on `test`, in the order given. */
export function registerCacheCases(test: Test, settings: CacheCaseSettings): void {
  const { prefix, options, cacheFile, imageShape, changedTrain } = settings;

  test(`${prefix}fresh cache: loads the same weights`, async () => {
    const first = await loadOrTrainClassifier(options);
    const images = tf.tidy(() => tf.randomUniform([4, ...imageShape], -1, 1, 'float32', 1) as tf.Tensor4D);

    const second = await loadOrTrainClassifier(options);

    assert.not.ok(second.trained, 'loaded, not trained');
    assert.is(second.accuracy, first.accuracy);
    assert.equal(Array.from(second.logits(images).dataSync()), Array.from(first.logits(images).dataSync()));
    assert.equal(second.features(images).shape, [4, 128]);
    tf.dispose(images);
    first.dispose();
    second.dispose();
  });

  test(`${prefix}decimal cache: older files still load`, async () => {
    const record = JSON.parse(readFileSync(cacheFile, 'utf8')) as ClassifierRecord;
    assert.ok(record.weights.every((weight) => typeof weight.base64 === 'string' && weight.values === undefined), 'new files hold base64');
    const current = await loadOrTrainClassifier(options);
    // The layout written before base64: every value as a JSON number.
    const decimal = record.weights.map(({ base64, ...weight }) => {
      const bytes = Buffer.from(base64!, 'base64');
      return { ...weight, values: Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4)) };
    });
    writeFileSync(cacheFile, JSON.stringify({ ...record, weights: decimal }));
    const images = tf.tidy(() => tf.randomUniform([4, ...imageShape], -1, 1, 'float32', 2) as tf.Tensor4D);

    const older = await loadOrTrainClassifier(options);

    assert.not.ok(older.trained, 'loaded, not trained');
    assert.equal(Array.from(older.logits(images).dataSync()), Array.from(current.logits(images).dataSync()));
    tf.dispose(images);
    current.dispose();
    older.dispose();
  });

  test(`${prefix}stale cache: new training data retrains`, async () => {
    const classifier = await loadOrTrainClassifier({ ...options, train: changedTrain });

    assert.ok(classifier.trained);
    assert.is(JSON.parse(readFileSync(cacheFile, 'utf8')).dataHash, hashImageSet(changedTrain));
    classifier.dispose();
  });
}

/** Returns a sampler that hands out the set's images in order, as generated batches would arrive. */
export function sequentialSampler(set: ImageSet): (size: number) => tf.Tensor4D {
  let drawn = 0;
  return (size) => {
    const indices = Array.from({ length: size }, (_, i) => drawn + i);
    drawn += size;
    return imageBatch(set, indices);
  };
}
