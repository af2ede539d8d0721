/**
 * Per-step diagnostics of GAN training, computed on the step's own batch before its update:
 * gradient norms ‖∇θ‖ and ‖∇φ‖ of G and D, update norms |Δθ| and |Δφ| (the Adam steps),
 * the mean D logit on real and generated data, the spread (min, median, max) of
 * D_p = σ(D_l) over the generated batch, and how G's gradient would differ between the NS
 * and MM-nsat costs on the same batch: the cosine between the two gradients and the ratio
 * ‖∇θ J_mm-nsat‖/‖∇θ J_ns‖ (figures 9 and 10 of "Sample weighting as an explanation for
 * mode collapse in generative adversarial networks").
 */
import * as tf from '@tensorflow/tfjs';
import { getCost } from '../costs/index.ts';
import type { GanTrainer, Gradients } from './ganTrainer.ts';

/** Diagnostics of one step, as numbers. */
export interface StepDiagnostics {
  lossGenerator: number;
  lossDiscriminator: number;
  gradientNormGenerator: number;
  gradientNormDiscriminator: number;
  updateNormGenerator: number;
  updateNormDiscriminator: number;
  meanLogitReal: number;
  meanLogitFake: number;
  fakeProbabilityMin: number;
  fakeProbabilityMedian: number;
  fakeProbabilityMax: number;
  /** cos(∇θ J_ns, ∇θ J_mm-nsat): 1 when all D_p of the batch are equal. */
  nsMmNsatCosine: number;
  /** ‖∇θ J_mm-nsat‖/‖∇θ J_ns‖. */
  nsMmNsatNormRatio: number;
}

/**
 * The tensors behind a step's diagnostics, kept on the backend until `readMeasurement`.
 * Norms and cosines are computed on the host in float64 from the gradients themselves:
 * squares of a vanishing gradient (MM's reaches 1e-20 and below) would underflow in float32,
 * and host arithmetic gives the same digits whatever the backend's summation order.
 */
export interface StepMeasurement {
  lossGenerator: tf.Scalar;
  lossDiscriminator: tf.Scalar;
  generatorGradients: (tf.Tensor | undefined)[];
  discriminatorGradients: (tf.Tensor | undefined)[];
  generatorUpdates: (tf.Tensor | undefined)[];
  discriminatorUpdates: (tf.Tensor | undefined)[];
  meanLogitReal: tf.Scalar;
  meanLogitFake: tf.Scalar;
  fakeProbabilities: tf.Tensor1D;
  nsGradients: (tf.Tensor | undefined)[];
  mmNsatGradients: (tf.Tensor | undefined)[];
}

export interface StepTensors {
  real: tf.Tensor;
  noise: tf.Tensor;
  generator: Gradients;
  discriminator: Gradients;
}

/**
 * Computes the tensors of a step's diagnostics; call it inside the step's tf.tidy, before
 * the update. The update tensors are filled in by the caller.
 */
export function measureStep(trainer: GanTrainer, tensors: StepTensors): StepMeasurement {
  const { real, noise, generator, discriminator } = tensors;
  const fake = trainer.generator.apply(noise, { training: true });
  const realLogits = trainer.discriminator.apply(real, { training: true });
  const fakeLogits = trainer.discriminator.apply(fake, { training: true });

  const costOptions = trainer.config.costOptions;
  const ns = trainer.generatorGradients(noise, getCost('ns', costOptions)).gradients;
  const mmNsat = trainer.generatorGradients(noise, getCost('mm-nsat', costOptions)).gradients;

  return {
    lossGenerator: generator.loss,
    lossDiscriminator: discriminator.loss,
    generatorGradients: generator.gradients,
    discriminatorGradients: discriminator.gradients,
    generatorUpdates: [],
    discriminatorUpdates: [],
    meanLogitReal: tf.mean(realLogits) as tf.Scalar,
    meanLogitFake: tf.mean(fakeLogits) as tf.Scalar,
    fakeProbabilities: tf.reshape(tf.sigmoid(fakeLogits), [-1]) as tf.Tensor1D,
    nsGradients: ns,
    mmNsatGradients: mmNsat,
  };
}

/** Returns the median of a list of numbers (the mean of the middle two for an even count). */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Reads tensors back, with an empty array for each missing one. */
async function readAll(tensors: (tf.Tensor | undefined)[]): Promise<Float32Array[]> {
  return Promise.all(tensors.map(async (t) => (t === undefined ? new Float32Array(0) : ((await t.data()) as Float32Array))));
}

/** Returns the float64 L2 norm over all entries, scaled so that no square under- or overflows. */
export function globalNorm64(arrays: Float32Array[]): number {
  let largest = 0;
  for (const array of arrays) for (const x of array) largest = Math.max(largest, Math.abs(x));
  if (largest === 0 || !Number.isFinite(largest)) return largest;
  let sum = 0;
  for (const array of arrays) for (const x of array) sum += (x / largest) ** 2;
  return largest * Math.sqrt(sum);
}

/** Returns cos(a, b) over matching lists of arrays, in float64; NaN when either is 0. */
export function cosine64(a: Float32Array[], b: Float32Array[]): number {
  const normA = globalNorm64(a);
  const normB = globalNorm64(b);
  let dot = 0;
  a.forEach((array, i) => {
    for (let j = 0; j < array.length && j < b[i].length; j++) dot += (array[j] / normA) * (b[i][j] / normB);
  });
  return dot;
}

/** Reads a measurement back from the backend, disposes its tensors and computes the numbers. */
export async function readMeasurement(measurement: StepMeasurement): Promise<StepDiagnostics> {
  const scalar = async (t: tf.Scalar) => (await t.data())[0];
  try {
    const probabilities = await measurement.fakeProbabilities.data();
    const ns = await readAll(measurement.nsGradients);
    const mmNsat = await readAll(measurement.mmNsatGradients);
    let low = Infinity;
    let high = -Infinity;
    for (const p of probabilities) {
      low = Math.min(low, p);
      high = Math.max(high, p);
    }
    return {
      lossGenerator: await scalar(measurement.lossGenerator),
      lossDiscriminator: await scalar(measurement.lossDiscriminator),
      gradientNormGenerator: globalNorm64(await readAll(measurement.generatorGradients)),
      gradientNormDiscriminator: globalNorm64(await readAll(measurement.discriminatorGradients)),
      updateNormGenerator: globalNorm64(await readAll(measurement.generatorUpdates)),
      updateNormDiscriminator: globalNorm64(await readAll(measurement.discriminatorUpdates)),
      meanLogitReal: await scalar(measurement.meanLogitReal),
      meanLogitFake: await scalar(measurement.meanLogitFake),
      fakeProbabilityMin: low,
      fakeProbabilityMedian: median(probabilities),
      fakeProbabilityMax: high,
      nsMmNsatCosine: cosine64(ns, mmNsat),
      nsMmNsatNormRatio: globalNorm64(mmNsat) / globalNorm64(ns),
    };
  } finally {
    disposeMeasurement(measurement);
  }
}

/** Releases a measurement's tensors without reading them. */
export function disposeMeasurement(measurement: StepMeasurement): void {
  const tensors = Object.values(measurement).flat() as (tf.Tensor | undefined)[];
  tf.dispose(tensors.filter((t): t is tf.Tensor => t !== undefined));
}
