/**
 * A small MNIST classifier, trained by the suite and cached on disk, that labels generated
 * digits for the class-distribution divergence (equation 12 of "Sample weighting as an
 * explanation for mode collapse in generative adversarial networks") and supplies the
 * features of a Fréchet distance. It reads the GAN's own data format: 32×32 digits in
 * [−1, 1].
 *
 * Network: three 3×3 stride-2 convolutions with 16, 32 and 64 filters and ReLU take the
 * image from 32 to 4 pixels a side. A dense layer of 128 ReLU units gives the features, and
 * a dense layer maps them to the 10 class logits. Trained with Adam on cross-entropy in batches of 128 for three
 * epochs (α 2e−3, 5e−4, 2e−4), then further epochs at 2e−4 until the test accuracy reaches
 * the required level.
 *
 * The cache stores the weights, the test accuracy and a SHA-256 of the training images and
 * labels. It is stale, and the classifier is retrained, when the file is missing or
 * unreadable, the architecture or training settings changed, the data hash differs or the
 * stored accuracy is below the required one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { imageBatch, loadMnist, type ImageSet } from '../data/mnist.ts';
import { installWasmConvGradients } from '../kernels/conv2dBackpropFilter.ts';
import { installWasmMatMulFix } from '../kernels/wasmMatMul.ts';

/** Test accuracy the classifier must reach before its labels are trusted. */
export const REQUIRED_ACCURACY = 0.985;
/** Width of the penultimate layer, whose activations are the Fréchet features. */
export const CLASSIFIER_FEATURES = 128;
export const CLASSIFIER_FILE = 'mnist-classifier.json';

/** Changes whenever the architecture or the training recipe changes, so old caches go stale. */
const RECIPE = 'conv16-32-64-dense128-adam2e-3,5e-4,2e-4-batch128-v1';
/** Adam's α per epoch; the last one repeats. Three epochs reach about 98.8 % test accuracy. */
const LEARNING_RATES = [2e-3, 5e-4, 2e-4];
/** Epochs always trained, so the accuracy clears the requirement with some margin. */
const MIN_EPOCHS = 3;
const BATCH_SIZE = 128;
/** Images per forward pass when labelling or measuring accuracy. */
const EVALUATION_BATCH = 500;

export interface ClassifierOptions {
  /** Training images; default the 60 000 MNIST training digits padded to 32×32. */
  train?: ImageSet;
  /** Test images for the accuracy; default the 10 000 MNIST test digits. */
  test?: ImageSet;
  /** Folder of the cache file; default `.cache` in the working directory. */
  cacheDir?: string;
  requiredAccuracy?: number;
  /** Epochs after which training stops even below the required accuracy (then it throws); default 5. */
  maxEpochs?: number;
  seed?: number;
  /** Progress lines ("epoch 1: test accuracy 0.9871, 41.2 s"). */
  log?: (line: string) => void;
}

/** Contents of the cache file: the weights and how they were obtained. */
export interface ClassifierRecord {
  recipe: string;
  dataHash: string;
  accuracy: number;
  epochs: number;
  trainingSeconds: number;
  backend: string;
  createdAt: string;
  classes: number;
  imageShape: [number, number, number];
  weights: { name: string; shape: number[]; values: number[] }[];
}

export interface ImageClassifier {
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** SHA-256 of the training images and labels. */
  dataHash: string;
  /** True when this call trained it, false when it came from the cache. */
  trained: boolean;
  /** Seconds its training took (when it was trained, possibly on another day). */
  trainingSeconds: number;
  classes: number;
  /** Class logits of one-channel images [n, 32, 32, 1] in [−1, 1]. */
  logits(images: tf.Tensor4D): tf.Tensor2D;
  /** Penultimate activations [n, 128] of one-channel images. */
  features(images: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

interface Weights {
  conv: { kernel: tf.Variable; bias: tf.Variable }[];
  hidden: { kernel: tf.Variable; bias: tf.Variable };
  output: { kernel: tf.Variable; bias: tf.Variable };
}

const CONV_FILTERS = [16, 32, 64];

function allVariables(weights: Weights): tf.Variable[] {
  return [
    ...weights.conv.flatMap((layer) => [layer.kernel, layer.bias]),
    weights.hidden.kernel,
    weights.hidden.bias,
    weights.output.kernel,
    weights.output.bias,
  ];
}

/** Counts classifiers built in this process, so that their variable names never clash. */
let instances = 0;

/** He-normal kernels (σ = √(2/fan_in), for ReLU) and zero biases, from a seed. */
function initialWeights(side: number, seed: number): Weights {
  const unique = `classifier${instances++}`;
  const variable = (tensor: tf.Tensor, name: string) => {
    const result = tf.variable(tensor, true, `${unique}/${name}`);
    tensor.dispose();
    return result;
  };
  const heNormal = (shape: number[], fanIn: number, layer: number) =>
    tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed * 16 + layer);
  let inChannels = 1;
  const conv = CONV_FILTERS.map((filters, layer) => {
    const weights = {
      kernel: variable(heNormal([3, 3, inChannels, filters], 9 * inChannels, layer), `conv${layer}/kernel`),
      bias: variable(tf.zeros([filters]), `conv${layer}/bias`),
    };
    inChannels = filters;
    return weights;
  });
  const flat = (side / 8) ** 2 * inChannels;
  return {
    conv,
    hidden: {
      kernel: variable(heNormal([flat, CLASSIFIER_FEATURES], flat, 3), 'hidden/kernel'),
      bias: variable(tf.zeros([CLASSIFIER_FEATURES]), 'hidden/bias'),
    },
    output: {
      kernel: variable(heNormal([CLASSIFIER_FEATURES, 10], CLASSIFIER_FEATURES, 4), 'output/kernel'),
      bias: variable(tf.zeros([10]), 'output/bias'),
    },
  };
}

function featuresOf(weights: Weights, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = images;
    for (const layer of weights.conv) {
      x = tf.relu(tf.add(tf.conv2d(x, layer.kernel as tf.Tensor4D, 2, 'same'), layer.bias)) as tf.Tensor4D;
    }
    const flat = x.reshape([images.shape[0], -1]) as tf.Tensor2D;
    return tf.relu(tf.add(tf.matMul(flat, weights.hidden.kernel as tf.Tensor2D), weights.hidden.bias)) as tf.Tensor2D;
  });
}

function logitsOf(weights: Weights, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() =>
    tf.add(tf.matMul(featuresOf(weights, images), weights.output.kernel as tf.Tensor2D), weights.output.bias) as tf.Tensor2D,
  );
}

/** Returns a SHA-256 of an image set's shape, pixels and labels. */
export function hashImageSet(set: ImageSet): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([set.count, set.height, set.width, set.channels, set.classes]));
  hash.update(set.pixels.subarray(0, set.count * set.height * set.width * set.channels));
  hash.update(new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.count * 4));
  return hash.digest('hex');
}

/** Fraction of `set` whose most likely class is its label. */
async function accuracyOn(weights: Weights, set: ImageSet): Promise<number> {
  let correct = 0;
  for (let start = 0; start < set.count; start += EVALUATION_BATCH) {
    const indices = Array.from({ length: Math.min(EVALUATION_BATCH, set.count - start) }, (_, i) => start + i);
    const predicted = tf.tidy(() => {
      const batch = imageBatch(set, indices);
      return logitsOf(weights, batch).argMax(1);
    });
    const classes = await predicted.data();
    predicted.dispose();
    indices.forEach((index, i) => {
      if (classes[i] === set.labels[index]) correct++;
    });
  }
  return correct / set.count;
}

/** Shuffles 0 … n − 1 by Fisher–Yates with a seeded mulberry32 generator. */
function shuffledIndices(n: number, seed: number): Int32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

async function train(
  train: ImageSet,
  test: ImageSet,
  options: { requiredAccuracy: number; maxEpochs: number; seed: number; log: (line: string) => void },
): Promise<{ weights: Weights; accuracy: number; epochs: number; seconds: number }> {
  const started = performance.now();
  const weights = initialWeights(train.height, options.seed);
  const variables = allVariables(weights);
  let accuracy = 0;
  let epoch = 0;
  while (epoch < Math.min(MIN_EPOCHS, options.maxEpochs) || (epoch < options.maxEpochs && accuracy < options.requiredAccuracy)) {
    epoch++;
    // Each epoch gets a fresh Adam at a lower rate; the last rate repeats.
    const optimizer = tf.train.adam(LEARNING_RATES[Math.min(epoch, LEARNING_RATES.length) - 1]);
    try {
      const order = shuffledIndices(train.count, options.seed * 1000 + epoch);
      for (let start = 0; start < train.count; start += BATCH_SIZE) {
        const indices = order.subarray(start, Math.min(start + BATCH_SIZE, train.count));
        tf.tidy(() => {
          const images = imageBatch(train, indices);
          const labels = tf.oneHot(tf.tensor1d(Array.from(indices, (index) => train.labels[index]), 'int32'), train.classes);
          const cost = () => tf.losses.softmaxCrossEntropy(labels, logitsOf(weights, images)) as tf.Scalar;
          optimizer.minimize(cost, false, variables);
        });
      }
    } finally {
      optimizer.dispose();
    }
    accuracy = await accuracyOn(weights, test);
    options.log(`epoch ${epoch}: test accuracy ${accuracy.toFixed(4)}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { weights, accuracy, epochs: epoch, seconds: (performance.now() - started) / 1000 };
}

async function readRecord(file: string): Promise<ClassifierRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ClassifierRecord;
  } catch {
    return undefined;
  }
}

/** Returns why a cached record cannot be used, or undefined when it can. */
function staleness(record: ClassifierRecord | undefined, dataHash: string, requiredAccuracy: number): string | undefined {
  if (record === undefined) return 'no readable cache file';
  if (record.recipe !== RECIPE) return `recipe "${record.recipe}" differs from "${RECIPE}"`;
  if (record.dataHash !== dataHash) return 'the training data changed (hash mismatch)';
  if (!(record.accuracy >= requiredAccuracy)) return `cached accuracy ${record.accuracy} is below ${requiredAccuracy}`;
  if (!Array.isArray(record.weights) || record.weights.length !== 2 * CONV_FILTERS.length + 4) return 'the cached weights are incomplete';
  return undefined;
}

function weightsFromRecord(record: ClassifierRecord, side: number): Weights {
  const weights = initialWeights(side, 0);
  allVariables(weights).forEach((variable, i) => {
    const stored = record.weights[i];
    if (stored.values.length !== variable.size) {
      throw new RangeError(`classifier cache: weight ${stored.name} has ${stored.values.length} values, expected ${variable.size}`);
    }
    variable.assign(tf.tensor(stored.values, variable.shape));
  });
  return weights;
}

async function writeRecord(file: string, record: ClassifierRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // Written to a temporary name first, so a crash never leaves half a cache file behind.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(record));
  await rename(temporary, file);
}

function classifierFrom(weights: Weights, record: Omit<ClassifierRecord, 'weights'>, trained: boolean): ImageClassifier {
  return {
    accuracy: record.accuracy,
    dataHash: record.dataHash,
    trained,
    trainingSeconds: record.trainingSeconds,
    classes: record.classes,
    logits: (images) => logitsOf(weights, images),
    features: (images) => featuresOf(weights, images),
    dispose: () => allVariables(weights).forEach((variable) => variable.dispose()),
  };
}

/**
 * Loads the classifier from the cache, or trains it (and writes the cache) when the cache
 * is missing or stale. Throws when training ends below the required accuracy.
 */
export async function loadOrTrainClassifier(options: ClassifierOptions = {}): Promise<ImageClassifier> {
  const requiredAccuracy = options.requiredAccuracy ?? REQUIRED_ACCURACY;
  if (!(requiredAccuracy >= 0 && requiredAccuracy <= 1)) {
    throw new RangeError(`loadOrTrainClassifier: requiredAccuracy must be in [0, 1], received ${requiredAccuracy}`);
  }
  const maxEpochs = options.maxEpochs ?? 5;
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1) {
    throw new RangeError(`loadOrTrainClassifier: maxEpochs must be a positive integer, received ${maxEpochs}`);
  }
  const trainSet = options.train ?? loadMnist({ split: 'train' });
  const testSet = options.test ?? loadMnist({ split: 'test' });
  for (const [name, set] of [['train', trainSet], ['test', testSet]] as const) {
    if (set.channels !== 1 || set.height !== 32 || set.width !== 32) {
      throw new RangeError(`loadOrTrainClassifier: ${name} must hold 32×32 one-channel images, received ${set.height}×${set.width}×${set.channels}`);
    }
  }
  if (tf.getBackend() === 'wasm') {
    // Both are needed for training speed on wasm; installing them twice does nothing.
    installWasmConvGradients();
    installWasmMatMulFix();
  }

  const file = path.join(options.cacheDir ?? path.resolve('.cache'), CLASSIFIER_FILE);
  const log = options.log ?? (() => {});
  const dataHash = hashImageSet(trainSet);
  const cached = await readRecord(file);
  const reason = staleness(cached, dataHash, requiredAccuracy);
  if (reason === undefined && cached) {
    try {
      const { weights: _stored, ...summary } = cached;
      return classifierFrom(weightsFromRecord(cached, trainSet.height), summary, false);
    } catch (error) {
      log(`classifier cache ${file} is unreadable (${error instanceof Error ? error.message : String(error)}); retraining`);
    }
  } else {
    log(`training the MNIST classifier: ${reason}`);
  }

  const result = await train(trainSet, testSet, { requiredAccuracy, maxEpochs, seed: options.seed ?? 1, log });
  if (result.accuracy < requiredAccuracy) {
    allVariables(result.weights).forEach((variable) => variable.dispose());
    throw new Error(
      `loadOrTrainClassifier: the classifier reached test accuracy ${result.accuracy.toFixed(4)} after ` +
        `${result.epochs} epochs, below the required ${requiredAccuracy}; raise maxEpochs or check the data`,
    );
  }
  const summary = {
    recipe: RECIPE,
    dataHash,
    accuracy: result.accuracy,
    epochs: result.epochs,
    trainingSeconds: result.seconds,
    backend: tf.getBackend(),
    createdAt: new Date().toISOString(),
    classes: trainSet.classes,
    imageShape: [trainSet.height, trainSet.width, trainSet.channels] as [number, number, number],
  };
  const weights = await Promise.all(
    allVariables(result.weights).map(async (variable) => ({
      name: variable.name.replace(/^[^/]*\//, ''),
      shape: variable.shape,
      values: Array.from(await variable.data()),
    })),
  );
  await writeRecord(file, { ...summary, weights });
  return classifierFrom(result.weights, summary, true);
}
