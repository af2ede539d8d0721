import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdxFormatError } from '../src/data/idx.ts';
import {
  imageBatch,
  labelFrequencies,
  loadMnist,
  padImages,
  readImageSet,
  stackMnist1k,
  type ImageSet,
} from '../src/data/mnist.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'mnist-test-'));

function bigEndian(value: number): number[] {
  return [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
}

function writeImages(name: string, images: number[][]): string {
  const side = Math.sqrt(images[0].length);
  const file = path.join(directory, name);
  const header = [0, 0, 8, 3, ...bigEndian(images.length), ...bigEndian(side), ...bigEndian(side)];
  writeFileSync(file, Uint8Array.from([...header, ...images.flat()]));
  return file;
}

function writeLabels(name: string, labels: number[]): string {
  const file = path.join(directory, name);
  writeFileSync(file, Uint8Array.from([0, 0, 8, 1, ...bigEndian(labels.length), ...labels]));
  return file;
}

test('image set from IDX files', () => {
  const images = writeImages('i', [[0, 255, 128, 1], [2, 3, 4, 5]]);
  const labels = writeLabels('l', [7, 3]);

  const set = readImageSet(images, labels, { name: 'tiny', classes: 10 });

  assert.is(set.count, 2);
  assert.is(set.height, 2);
  assert.equal(Array.from(set.pixels), [0, 255, 128, 1, 2, 3, 4, 5]);
  assert.equal(Array.from(set.labels), [7, 3]);
});

test('label count must match the image count', () => {
  const images = writeImages('i3', [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]]);
  const labels = writeLabels('l2', [1, 2]);

  try {
    readImageSet(images, labels, { name: 'tiny', classes: 10 });
    assert.unreachable('expected a count mismatch');
  } catch (error) {
    assert.instance(error, IdxFormatError);
    assert.match((error as Error).message, labels);
    assert.match((error as Error).message, /2 labels but .* 3 images/);
  }
});

test('label beyond the class count rejected', () => {
  const images = writeImages('i1', [[0, 0, 0, 0]]);
  const labels = writeLabels('l1', [12]);

  assert.throws(() => readImageSet(images, labels, { name: 'tiny', classes: 10 }), /label 0 is 12/);
});

test('images and labels swapped rejected', () => {
  const images = writeImages('i4', [[0, 0, 0, 0]]);
  const labels = writeLabels('l4', [1]);

  assert.throws(() => readImageSet(labels, images, { name: 'tiny', classes: 10 }), /expected rank 3 \(magic 2051\)/);
});

test('padding centres the image on black', () => {
  const set: ImageSet = {
    name: 'tiny-2', count: 1, height: 2, width: 2, channels: 1,
    pixels: Uint8Array.from([1, 2, 3, 4]), labels: Int32Array.from([0]), classes: 10,
  };

  const padded = padImages(set, 4);

  assert.is(padded.name, 'tiny-4');
  assert.equal(Array.from(padded.pixels), [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
});

test('batch scaled to [−1, 1]', async () => {
  await tf.setBackend('cpu');
  const set: ImageSet = {
    name: 'tiny-1', count: 2, height: 1, width: 2, channels: 1,
    pixels: Uint8Array.from([0, 255, 51, 204]), labels: Int32Array.from([0, 1]), classes: 10,
  };

  const batch = imageBatch(set, [1, 0]);

  assert.equal(batch.shape, [2, 1, 2, 1]);
  const values = Array.from(await batch.data());
  [-0.6, 0.6, -1, 1].forEach((expected, i) => assert.ok(Math.abs(values[i] - expected) < 1e-6, `value ${i}: ${values[i]}`));
  batch.dispose();
  assert.throws(() => imageBatch(set, [2]), /index 0 is 2/);
});

test('MNIST test split: 10 000 digits padded to 32×32', () => {
  const set = loadMnist({ split: 'test' });

  assert.is(set.count, 10000);
  assert.is(set.height, 32);
  assert.is(set.pixels.length, 10000 * 32 * 32);
  // The two-pixel border added by the padding is black everywhere.
  for (let i = 0; i < set.count; i += 997) {
    const image = set.pixels.subarray(i * 1024, (i + 1) * 1024);
    assert.is(image[0] + image[31] + image[1023] + image[32 + 1], 0);
  }
  const frequencies = labelFrequencies(set);
  assert.is(frequencies.length, 10);
  assert.ok(Math.abs(frequencies.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(Math.min(...frequencies) > 0.08, 'every digit appears about 10 % of the time');
});

test('MNIST train split unpadded: first labels 5 0 4 1', () => {
  const set = loadMnist({ split: 'train', pad: false, limit: 4 });

  assert.is(set.height, 28);
  assert.equal(Array.from(set.labels), [5, 0, 4, 1]);
});

test('MNIST-1K stacks three digits as channels', () => {
  const base = loadMnist({ split: 'test', limit: 500 });

  const stacked = stackMnist1k(base, 20, 7);
  const again = stackMnist1k(base, 20, 7);

  assert.is(stacked.channels, 3);
  assert.is(stacked.classes, 1000);
  assert.equal(Array.from(stacked.labels), Array.from(again.labels));
  // Each channel is a whole digit of the base set whose label is the matching decimal digit.
  const size = 32 * 32;
  for (let image = 0; image < stacked.count; image++) {
    const digits = [Math.floor(stacked.labels[image] / 100), Math.floor(stacked.labels[image] / 10) % 10, stacked.labels[image] % 10];
    for (let channel = 0; channel < 3; channel++) {
      const plane = Array.from({ length: size }, (_, p) => stacked.pixels[(image * size + p) * 3 + channel]);
      const match = Array.from({ length: base.count }, (_, b) => b).find((b) =>
        plane.every((value, p) => value === base.pixels[b * size + p]),
      );
      assert.ok(match !== undefined, `channel ${channel} of image ${image} is a base digit`);
      assert.is(base.labels[match!], digits[channel]);
    }
  }
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();
