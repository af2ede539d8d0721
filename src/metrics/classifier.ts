/**
 * Small image classifiers, trained by the suite and cached on disk, that label generated
 * images for the class-distribution divergence (equation 12 of "Sample weighting as an
 * explanation for mode collapse in generative adversarial networks") and supply the
 * features of a Fréchet distance. They read the GAN's own data format: 32×32 images in
 * [−1, 1], one channel for MNIST and three for CIFAR-10.
 *
 * A recipe fixes the network and its training for one dataset. The network is a stack of
 * 3×3 convolutions with ReLU, a dense layer of 128 ReLU units whose activations are the
 * features, and a dense layer that maps them to the 10 class logits. Training uses Adam on
 * cross-entropy with one α per epoch, for the recipe's minimum epochs and then further
 * epochs at the last α until the test accuracy reaches the required level.
 *
 * The MNIST recipe has three stride-2 convolutions of 16, 32 and 64 filters and trains in
 * batches of 128 for three epochs (α 2e−3, 5e−4, 2e−4). The CIFAR-10 recipe is wider and
 * deeper (see `cifar10ClassifierRecipe`) and flips training images left–right at random.
 *
 * The cache stores the weights, the test accuracy and a SHA-256 of the training images and
 * labels. It is stale, and the classifier is retrained, when the file is missing or
 * unreadable, the recipe changed, the data hash differs or the stored accuracy is below the
 * required one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { imageBatch, loadMnist, type ImageSet } from '../data/mnist.ts';
import { seededUniform } from '../data/seededUniform.ts';
import { installWasmConvGradients } from '../kernels/conv2dBackpropFilter.ts';
import { installWasmMatMulFix } from '../kernels/wasmMatMul.ts';

/** Width of the penultimate layer, whose activations are the Fréchet features. */
export const CLASSIFIER_FEATURES = 128;

/** The network and training of one dataset's classifier. */
export interface ClassifierRecipe {
  /** The dataset as messages name it, e.g. "MNIST". */
  dataset: string;
  /** Cache key that changes whenever anything below changes, so old caches go stale. */
  id: string;
  /** Name of the cache file in the cache folder. */
  cacheFile: string;
  /** Channels of the 32×32 input images. */
  channels: number;
  /** The 3×3 convolutions, input first; each stride-2 one halves the side. */
  convolutions: { filters: number; stride: 1 | 2 }[];
  /** Adam's α per epoch; the last one repeats. */
  learningRates: number[];
  /** Epochs always trained, so the accuracy clears the requirement with some margin. */
  minEpochs: number;
  /** Default epoch limit; training that ends there below the required accuracy throws. */
  maxEpochs: number;
  batchSize: number;
  /** Whether each training image is flipped left–right with probability ½. */
  horizontalFlips: boolean;
  /** Test accuracy the classifier must reach before its labels are trusted. */
  requiredAccuracy: number;
}

/** The MNIST classifier; its id predates the other fields, so existing caches stay valid. */
export const MNIST_CLASSIFIER: ClassifierRecipe = {
  dataset: 'MNIST',
  id: 'conv16-32-64-dense128-adam2e-3,5e-4,2e-4-batch128-v1',
  cacheFile: 'mnist-classifier.json',
  channels: 1,
  convolutions: [
    { filters: 16, stride: 2 },
    { filters: 32, stride: 2 },
    { filters: 64, stride: 2 },
  ],
  // Three epochs reach about 98.8 % test accuracy.
  learningRates: [2e-3, 5e-4, 2e-4],
  minEpochs: 3,
  maxEpochs: 5,
  batchSize: 128,
  horizontalFlips: false,
  requiredAccuracy: 0.985,
};

/** Test accuracy the MNIST classifier must reach. */
export const REQUIRED_ACCURACY = MNIST_CLASSIFIER.requiredAccuracy;
export const CLASSIFIER_FILE = MNIST_CLASSIFIER.cacheFile;

/** Filters of the CIFAR-10 classifier's first convolution, doubled twice further in. */
export const CIFAR10_CLASSIFIER_WIDTH = 64;

/**
 * Returns the CIFAR-10 classifier's recipe at width m: convolutions of m, m, 2m, 2m, 4m and
 * 4m filters, every second one of stride 2 (32 → 4 pixels a side), then the dense layers.
 * It trains in batches of 128 with random horizontal flips for 15 epochs, eight at α 1e−3,
 * four at 3e−4 and three at 1e−4, and then at 1e−4 until the test accuracy reaches 0.75,
 * for at most 20 epochs. Tests pass a small m.
 */
// NOTE: untested on the real CIFAR-10 data, so the required accuracy 0.75 is an estimate for a plain conv net of this size.
export function cifar10ClassifierRecipe(width = CIFAR10_CLASSIFIER_WIDTH): ClassifierRecipe {
  if (!Number.isInteger(width) || width < 1) {
    throw new RangeError(`cifar10ClassifierRecipe: width must be a positive integer, received ${width}`);
  }
  const convolutions = [width, width, 2 * width, 2 * width, 4 * width, 4 * width].map((filters, layer) => ({
    filters,
    stride: (layer % 2 === 1 ? 2 : 1) as 1 | 2,
  }));
  const layers = convolutions.map((layer) => `${layer.filters}${layer.stride === 2 ? 's2' : ''}`).join('-');
  return {
    dataset: 'CIFAR-10',
    id: `cifar10-conv${layers}-dense128-adam1e-3x8,3e-4x4,1e-4-batch128-flip-v1`,
    cacheFile: 'cifar10-classifier.json',
    channels: 3,
    convolutions,
    learningRates: [...Array<number>(8).fill(1e-3), ...Array<number>(4).fill(3e-4), 1e-4],
    minEpochs: 15,
    maxEpochs: 20,
    batchSize: 128,
    horizontalFlips: true,
    requiredAccuracy: 0.75,
  };
}

/** Images per forward pass when labelling or measuring accuracy. */
const EVALUATION_BATCH = 500;

export interface ClassifierOptions {
  /** Network and training; default the MNIST classifier. */
  recipe?: ClassifierRecipe;
  /** Training images; required unless the recipe is MNIST's, whose default is the 60 000 training digits padded to 32×32. */
  train?: ImageSet;
  /** Test images for the accuracy; required unless the recipe is MNIST's, whose default is the 10 000 test digits. */
  test?: ImageSet;
  /** Folder of the cache file; default `.cache` in the working directory. */
  cacheDir?: string;
  /** Test accuracy to reach, by default the recipe's. */
  requiredAccuracy?: number;
  /** Epochs after which training stops even below the required accuracy and throws, by default the recipe's. */
  maxEpochs?: number;
  seed?: number;
  /** Progress lines ("epoch 1: test accuracy 0.9871, 41.2 s"). */
  log?: (line: string) => void;
}

/** Contents of the cache file: the weights and how they were obtained. */
export interface ClassifierRecord {
  /** The recipe's id. */
  recipe: string;
  dataHash: string;
  accuracy: number;
  epochs: number;
  trainingSeconds: number;
  backend: string;
  createdAt: string;
  classes: number;
  imageShape: [number, number, number];
  weights: StoredWeight[];
}

/**
 * One weight in the cache: its float32 values as base64 of their little-endian bytes, about
 * a quarter of the size of decimal JSON. Files written before that encoding list `values`.
 */
export interface StoredWeight {
  name: string;
  shape: number[];
  base64?: string;
  values?: number[];
}

/** Encodes float32 values as base64 of their little-endian bytes. */
function encodeWeightValues(values: Float32Array): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

/** Returns a stored weight's values from either encoding. */
function decodeWeightValues(stored: StoredWeight): Float32Array {
  if (stored.base64 === undefined) return Float32Array.from(stored.values ?? []);
  const bytes = Buffer.from(stored.base64, 'base64');
  const values = new Float32Array(Math.floor(bytes.length / 4));
  for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
  return values;
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
  /** Channels of the images it takes. */
  channels: number;
  /** Class logits of images [n, 32, 32, channels] in [−1, 1]. */
  logits(images: tf.Tensor4D): tf.Tensor2D;
  /** Penultimate activations [n, 128] of images [n, 32, 32, channels]. */
  features(images: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

interface Weights {
  conv: { kernel: tf.Variable; bias: tf.Variable; stride: 1 | 2 }[];
  hidden: { kernel: tf.Variable; bias: tf.Variable };
  output: { kernel: tf.Variable; bias: tf.Variable };
}

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
function initialWeights(recipe: ClassifierRecipe, side: number, classes: number, seed: number): Weights {
  const unique = `classifier${instances++}`;
  const variable = (tensor: tf.Tensor, name: string) => {
    const result = tf.variable(tensor, true, `${unique}/${name}`);
    tensor.dispose();
    return result;
  };
  const heNormal = (shape: number[], fanIn: number, layer: number) =>
    tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed * 16 + layer);
  let inChannels = recipe.channels;
  let outSide = side;
  const conv = recipe.convolutions.map(({ filters, stride }, layer) => {
    const weights = {
      kernel: variable(heNormal([3, 3, inChannels, filters], 9 * inChannels, layer), `conv${layer}/kernel`),
      bias: variable(tf.zeros([filters]), `conv${layer}/bias`),
      stride,
    };
    inChannels = filters;
    outSide = Math.ceil(outSide / stride);
    return weights;
  });
  const flat = outSide ** 2 * inChannels;
  const hiddenLayer = recipe.convolutions.length;
  return {
    conv,
    hidden: {
      kernel: variable(heNormal([flat, CLASSIFIER_FEATURES], flat, hiddenLayer), 'hidden/kernel'),
      bias: variable(tf.zeros([CLASSIFIER_FEATURES]), 'hidden/bias'),
    },
    output: {
      kernel: variable(heNormal([CLASSIFIER_FEATURES, classes], CLASSIFIER_FEATURES, hiddenLayer + 1), 'output/kernel'),
      bias: variable(tf.zeros([classes]), 'output/bias'),
    },
  };
}

function featuresOf(weights: Weights, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = images;
    for (const layer of weights.conv) {
      x = tf.relu(tf.add(tf.conv2d(x, layer.kernel as tf.Tensor4D, layer.stride, 'same'), layer.bias)) as tf.Tensor4D;
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
  const uniform = seededUniform(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Flips the images whose entry of `flip` is 1 left–right (along the width axis). */
function flipHorizontally(images: tf.Tensor4D, flip: Int32Array): tf.Tensor4D {
  return tf.tidy(() => {
    const mask = tf.tensor4d(flip, [flip.length, 1, 1, 1], 'int32').cast('bool').tile([1, ...images.shape.slice(1)]);
    return tf.where(mask, tf.reverse(images, 2), images) as tf.Tensor4D;
  });
}

async function train(
  recipe: ClassifierRecipe,
  train: ImageSet,
  test: ImageSet,
  options: { requiredAccuracy: number; maxEpochs: number; seed: number; log: (line: string) => void },
): Promise<{ weights: Weights; accuracy: number; epochs: number; seconds: number }> {
  const started = performance.now();
  const weights = initialWeights(recipe, train.height, train.classes, options.seed);
  const variables = allVariables(weights);
  const rates = recipe.learningRates;
  let accuracy = 0;
  let epoch = 0;
  while (epoch < Math.min(recipe.minEpochs, options.maxEpochs) || (epoch < options.maxEpochs && accuracy < options.requiredAccuracy)) {
    epoch++;
    // Each epoch gets a fresh Adam at its own rate; the last rate repeats.
    const optimizer = tf.train.adam(rates[Math.min(epoch, rates.length) - 1]);
    try {
      const order = shuffledIndices(train.count, options.seed * 1000 + epoch);
      // A generator of its own keeps the shuffles of a recipe without flips as they were.
      const coin = seededUniform(options.seed * 1000 + epoch + 500);
      for (let start = 0; start < train.count; start += recipe.batchSize) {
        const indices = order.subarray(start, Math.min(start + recipe.batchSize, train.count));
        const flip = recipe.horizontalFlips ? Int32Array.from(indices, () => (coin() < 0.5 ? 1 : 0)) : undefined;
        tf.tidy(() => {
          const batch = imageBatch(train, indices);
          const images = flip ? flipHorizontally(batch, flip) : batch;
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
function staleness(recipe: ClassifierRecipe, record: ClassifierRecord | undefined, dataHash: string, requiredAccuracy: number): string | undefined {
  if (record === undefined) return 'no readable cache file';
  if (record.recipe !== recipe.id) return `recipe "${record.recipe}" differs from "${recipe.id}"`;
  if (record.dataHash !== dataHash) return 'the training data changed (hash mismatch)';
  if (!(record.accuracy >= requiredAccuracy)) return `cached accuracy ${record.accuracy} is below ${requiredAccuracy}`;
  if (!Array.isArray(record.weights) || record.weights.length !== 2 * recipe.convolutions.length + 4) return 'the cached weights are incomplete';
  return undefined;
}

function weightsFromRecord(recipe: ClassifierRecipe, record: ClassifierRecord, side: number): Weights {
  const weights = initialWeights(recipe, side, record.classes, 0);
  allVariables(weights).forEach((variable, i) => {
    const stored = record.weights[i];
    const values = decodeWeightValues(stored);
    if (values.length !== variable.size) {
      allVariables(weights).forEach((entry) => entry.dispose());
      throw new RangeError(`classifier cache: weight ${stored.name} has ${values.length} values, expected ${variable.size}`);
    }
    const value = tf.tensor(values, variable.shape);
    variable.assign(value);
    value.dispose();
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

function classifierFrom(recipe: ClassifierRecipe, weights: Weights, record: Omit<ClassifierRecord, 'weights'>, trained: boolean): ImageClassifier {
  return {
    accuracy: record.accuracy,
    dataHash: record.dataHash,
    trained,
    trainingSeconds: record.trainingSeconds,
    classes: record.classes,
    channels: recipe.channels,
    logits: (images) => logitsOf(weights, images),
    features: (images) => featuresOf(weights, images),
    dispose: () => allVariables(weights).forEach((variable) => variable.dispose()),
  };
}

/** Returns the training and test sets of the options, loading MNIST's when the recipe is MNIST's. */
function dataSets(recipe: ClassifierRecipe, options: ClassifierOptions): { trainSet: ImageSet; testSet: ImageSet } {
  const isMnist = recipe.id === MNIST_CLASSIFIER.id;
  for (const name of ['train', 'test'] as const) {
    if (options[name] === undefined && !isMnist) {
      throw new TypeError(`loadOrTrainClassifier: options.${name} is missing; the ${recipe.dataset} classifier has no default data`);
    }
  }
  const trainSet = options.train ?? loadMnist({ split: 'train' });
  const testSet = options.test ?? loadMnist({ split: 'test' });
  for (const [name, set] of [['train', trainSet], ['test', testSet]] as const) {
    if (set.channels !== recipe.channels || set.height !== 32 || set.width !== 32) {
      throw new RangeError(
        `loadOrTrainClassifier: ${name} must contain 32×32 images of ${recipe.channels} channel(s) for the ${recipe.dataset} classifier, ` +
          `received ${set.height}×${set.width}×${set.channels}`,
      );
    }
  }
  return { trainSet, testSet };
}

/**
 * Loads the classifier from the cache, or trains it (and writes the cache) when the cache
 * is missing or stale. Throws when training ends below the required accuracy.
 */
export async function loadOrTrainClassifier(options: ClassifierOptions = {}): Promise<ImageClassifier> {
  const recipe = options.recipe ?? MNIST_CLASSIFIER;
  const requiredAccuracy = options.requiredAccuracy ?? recipe.requiredAccuracy;
  if (!(requiredAccuracy >= 0 && requiredAccuracy <= 1)) {
    throw new RangeError(`loadOrTrainClassifier: requiredAccuracy must be in [0, 1], received ${requiredAccuracy}`);
  }
  const maxEpochs = options.maxEpochs ?? recipe.maxEpochs;
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1) {
    throw new RangeError(`loadOrTrainClassifier: maxEpochs must be a positive integer, received ${maxEpochs}`);
  }
  const { trainSet, testSet } = dataSets(recipe, options);
  if (tf.getBackend() === 'wasm') {
    // Both are needed for training speed on wasm; installing them twice does nothing.
    installWasmConvGradients();
    installWasmMatMulFix();
  }

  const file = path.join(options.cacheDir ?? path.resolve('.cache'), recipe.cacheFile);
  const log = options.log ?? (() => {});
  const dataHash = hashImageSet(trainSet);
  const cached = await readRecord(file);
  const reason = staleness(recipe, cached, dataHash, requiredAccuracy);
  if (reason === undefined && cached) {
    try {
      const { weights: _stored, ...summary } = cached;
      return classifierFrom(recipe, weightsFromRecord(recipe, cached, trainSet.height), summary, false);
    } catch (error) {
      log(`classifier cache ${file} is unreadable (${error instanceof Error ? error.message : String(error)}); retraining`);
    }
  } else {
    log(`training the ${recipe.dataset} classifier: ${reason}`);
  }

  const result = await train(recipe, trainSet, testSet, { requiredAccuracy, maxEpochs, seed: options.seed ?? 1, log });
  if (result.accuracy < requiredAccuracy) {
    allVariables(result.weights).forEach((variable) => variable.dispose());
    throw new Error(
      `loadOrTrainClassifier: the ${recipe.dataset} classifier reached test accuracy ${result.accuracy.toFixed(4)} after ` +
        `${result.epochs} epochs, below the required ${requiredAccuracy}; raise maxEpochs or check the data`,
    );
  }
  const summary = {
    recipe: recipe.id,
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
      base64: encodeWeightValues((await variable.data()) as Float32Array),
    })),
  );
  await writeRecord(file, { ...summary, weights });
  return classifierFrom(recipe, result.weights, summary, true);
}
