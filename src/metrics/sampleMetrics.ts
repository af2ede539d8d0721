/**
 * Measures a generator's samples with the MNIST classifier: their class frequencies, the
 * class-distribution divergence against the real data (equation 12 of "Sample weighting as
 * an explanation for mode collapse in generative adversarial networks", D_JS^CD = JS(real
 * label frequencies ‖ generated class frequencies) in bits), and a Fréchet distance on the
 * classifier's penultimate features.
 *
 * The real side uses the data's own labels, not uniform frequencies as the authors' code
 * does, so a generator that matches MNIST's slightly unbalanced digits scores 0. The
 * Fréchet distance is not FID: it uses this classifier's features, not Inception's.
 *
 * Three-channel images given to a one-channel classifier are MNIST-1K. Each channel is
 * classified on its own, and the triplet (a, b, c) is class 100·a + 10·b + c. The features
 * of the three are concatenated. A three-channel classifier (CIFAR-10) takes them whole.
 */
import * as tf from '@tensorflow/tfjs';
import { imageBatch, labelFrequencies, type ImageSet } from '../data/mnist.ts';
import { classDivergence } from '../theory/classDivergence.ts';
import type { ImageClassifier } from './classifier.ts';
import { featureStatistics, frechetDistance, type FeatureStatistics } from './frechet.ts';

/** The name every figure and table gives the Fréchet distance on these features. */
export const CLASSIFIER_FRECHET_NAME = 'Fréchet distance (MNIST classifier features)';

/** Images per forward pass of the classifier. */
const PASS_SIZE = 500;

/** The real data's side of the comparison, computed once per data set. */
export interface RealReference {
  /** Label frequencies of the whole set. */
  classFrequencies: number[];
  /** Mean and covariance of the classifier features of `count` real images. */
  features: FeatureStatistics;
  count: number;
}

export interface SampleMetrics {
  classFrequencies: number[];
  /** D_JS^CD in bits, in [0, 1]. */
  classDivergence: number;
  frechetDistance: number;
  samples: number;
}

/** Returns class predictions and features of a batch of images. */
function labelAndFeatures(classifier: ImageClassifier, images: tf.Tensor4D): { classes: tf.Tensor1D; features: tf.Tensor2D } {
  return tf.tidy(() => {
    const channels = images.shape[3];
    const stacked = classifier.channels === 1 && channels === 3;
    if (channels !== classifier.channels && !stacked) {
      throw new RangeError(
        `sampleMetrics: images must have ${classifier.channels === 1 ? '1 or 3 channels' : `${classifier.channels} channels`} ` +
          `for this classifier, received shape [${images.shape.join(', ')}]`,
      );
    }
    const planes = stacked ? tf.split(images, 3, 3) : [images];
    let classes = tf.zeros([images.shape[0]], 'int32') as tf.Tensor1D;
    const features: tf.Tensor2D[] = [];
    for (const plane of planes) {
      classes = tf.add(tf.mul(classes, 10), classifier.logits(plane as tf.Tensor4D).argMax(1)) as tf.Tensor1D;
      features.push(classifier.features(plane as tf.Tensor4D));
    }
    return { classes, features: features.length === 1 ? features[0] : (tf.concat(features, 1) as tf.Tensor2D) };
  });
}

/** Labels and features of `count` images drawn `PASS_SIZE` at a time from `draw`. */
async function collect(
  classifier: ImageClassifier,
  draw: (offset: number, size: number) => tf.Tensor4D,
  count: number,
): Promise<{ classes: Int32Array; features: Float32Array; dimension: number }> {
  const classes = new Int32Array(count);
  let features: Float32Array | undefined;
  let dimension = 0;
  for (let offset = 0; offset < count; offset += PASS_SIZE) {
    const size = Math.min(PASS_SIZE, count - offset);
    const images = draw(offset, size);
    if (images.shape[0] !== size) {
      images.dispose();
      throw new RangeError(`sampleMetrics: a draw of ${size} images returned ${images.shape[0]}`);
    }
    const result = labelAndFeatures(classifier, images);
    images.dispose();
    const [batchClasses, batchFeatures] = await Promise.all([result.classes.data(), result.features.data()]);
    dimension = result.features.shape[1];
    tf.dispose([result.classes, result.features]);
    features ??= new Float32Array(count * dimension);
    classes.set(batchClasses as Int32Array, offset);
    features.set(batchFeatures as Float32Array, offset * dimension);
  }
  return { classes, features: features ?? new Float32Array(0), dimension };
}

function frequencies(classes: Int32Array, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const value of classes) counts[value] += 1;
  return counts.map((count) => count / classes.length);
}

/**
 * Summarises the real side: label frequencies of the whole set, and classifier features
 * of its first `count` images (default 10 000, or all when fewer).
 */
export async function realReference(classifier: ImageClassifier, set: ImageSet, count = 10000): Promise<RealReference> {
  const used = Math.min(count, set.count);
  if (used < 2) throw new RangeError(`realReference: need at least 2 images, received a set of ${set.count}`);
  const { features, dimension } = await collect(
    classifier,
    (offset, size) => imageBatch(set, Array.from({ length: size }, (_, i) => offset + i)),
    used,
  );
  return {
    classFrequencies: labelFrequencies(set),
    features: featureStatistics({ data: features, rows: used, columns: dimension }),
    count: used,
  };
}

/**
 * Measures `count` samples drawn from `sample(size)` (for example a generator's images in
 * [−1, 1]) against the real reference. `sample` must return a new tensor, which is disposed here.
 */
export async function measureSamples(
  classifier: ImageClassifier,
  reference: RealReference,
  sample: (size: number) => tf.Tensor4D,
  count: number,
): Promise<SampleMetrics> {
  if (!Number.isInteger(count) || count < 2) {
    throw new RangeError(`measureSamples: count must be an integer ≥ 2, received ${count}`);
  }
  const { classes, features, dimension } = await collect(classifier, (_, size) => sample(size), count);
  if (dimension !== reference.features.dimension) {
    throw new RangeError(
      `measureSamples: samples give ${dimension} features but the reference has ${reference.features.dimension}; ` +
        'were the reference images of a different channel count?',
    );
  }
  const generated = frequencies(classes, reference.classFrequencies.length);
  return {
    classFrequencies: generated,
    classDivergence: classDivergence(reference.classFrequencies, generated),
    frechetDistance: frechetDistance(featureStatistics({ data: features, rows: count, columns: dimension }), reference.features),
    samples: count,
  };
}
