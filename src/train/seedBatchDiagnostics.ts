/**
 * The per-step diagnostics of diagnostics.ts for every seed of a seed-batched step. Each
 * seed's row has the same keys and is computed from the seed's slice of the batched
 * tensors with the same float64 host arithmetic (globalNorm64, cosine64, median). Seed s's
 * row therefore equals the row its own run would write, to float32 tolerance.
 */
import * as tf from '@tensorflow/tfjs';
import { seedAxisCost } from '../costs/seedAxis.ts';
import { cosine64, globalNorm64, median, type StepDiagnostics } from './diagnostics.ts';
import type { SeedBatchTrainer, SeedGradients } from './seedBatchTrainer.ts';

/** The tensors behind a seed-batched step's diagnostics; every tensor has the seed axis first. */
export interface SeedStepMeasurement {
  lossGenerator: tf.Tensor1D;
  lossDiscriminator: tf.Tensor1D;
  generatorGradients: tf.Tensor[];
  discriminatorGradients: tf.Tensor[];
  generatorUpdates: (tf.Tensor | undefined)[];
  discriminatorUpdates: (tf.Tensor | undefined)[];
  meanLogitReal: tf.Tensor1D;
  meanLogitFake: tf.Tensor1D;
  /** D_p of the generated batch, [S, N]. */
  fakeProbabilities: tf.Tensor2D;
  nsGradients: tf.Tensor[];
  mmNsatGradients: tf.Tensor[];
}

export interface SeedStepTensors {
  real: tf.Tensor;
  noise: tf.Tensor;
  generator: SeedGradients;
  discriminator: SeedGradients;
}

/** Computes a step's diagnostic tensors; call it inside the step's tf.tidy, before the update. */
export function measureSeedStep(trainer: SeedBatchTrainer, tensors: SeedStepTensors): SeedStepMeasurement {
  const { real, noise, generator, discriminator } = tensors;
  const seeds = trainer.seedCount;
  const realLogits = tf.reshape(trainer.discriminator.apply(real), [seeds, -1]);
  const fakeLogits = tf.reshape(trainer.discriminator.apply(trainer.generator.apply(noise)), [seeds, -1]);
  const costOptions = trainer.config.costOptions;
  return {
    lossGenerator: generator.loss,
    lossDiscriminator: discriminator.loss,
    generatorGradients: generator.gradients,
    discriminatorGradients: discriminator.gradients,
    generatorUpdates: [],
    discriminatorUpdates: [],
    meanLogitReal: tf.mean(realLogits, 1),
    meanLogitFake: tf.mean(fakeLogits, 1),
    fakeProbabilities: tf.sigmoid(fakeLogits) as tf.Tensor2D,
    nsGradients: trainer.generatorGradients(noise, seedAxisCost('ns', costOptions)).gradients,
    mmNsatGradients: trainer.generatorGradients(noise, seedAxisCost('mm-nsat', costOptions)).gradients,
  };
}

/** Reads tensors with a seed axis of size `seeds` and splits each into per-seed arrays. */
async function readSeeds(tensors: (tf.Tensor | undefined)[], seeds: number): Promise<Float32Array[][]> {
  const arrays = await Promise.all(
    tensors.map(async (t) => (t === undefined ? new Float32Array(0) : ((await t.data()) as Float32Array))),
  );
  return Array.from({ length: seeds }, (_, s) =>
    arrays.map((values) => {
      const size = values.length / seeds;
      return values.subarray(s * size, (s + 1) * size);
    }),
  );
}

/** Reads a seed-batched measurement, disposes its tensors and returns one row per seed. */
export async function readSeedMeasurement(measurement: SeedStepMeasurement): Promise<StepDiagnostics[]> {
  try {
    const seeds = measurement.lossGenerator.size;
    const perSeed = (tensor: tf.Tensor1D) => tensor.data() as Promise<Float32Array>;
    const [lossG, lossD, logitReal, logitFake] = await Promise.all(
      [measurement.lossGenerator, measurement.lossDiscriminator, measurement.meanLogitReal, measurement.meanLogitFake].map(perSeed),
    );
    const probabilities = (await measurement.fakeProbabilities.data()) as Float32Array;
    const gradientsG = await readSeeds(measurement.generatorGradients, seeds);
    const gradientsD = await readSeeds(measurement.discriminatorGradients, seeds);
    const updatesG = await readSeeds(measurement.generatorUpdates, seeds);
    const updatesD = await readSeeds(measurement.discriminatorUpdates, seeds);
    const ns = await readSeeds(measurement.nsGradients, seeds);
    const mmNsat = await readSeeds(measurement.mmNsatGradients, seeds);
    const batch = probabilities.length / seeds;

    return Array.from({ length: seeds }, (_, s) => {
      const own = probabilities.subarray(s * batch, (s + 1) * batch);
      let low = Infinity;
      let high = -Infinity;
      for (const p of own) {
        low = Math.min(low, p);
        high = Math.max(high, p);
      }
      return {
        lossGenerator: lossG[s],
        lossDiscriminator: lossD[s],
        gradientNormGenerator: globalNorm64(gradientsG[s]),
        gradientNormDiscriminator: globalNorm64(gradientsD[s]),
        updateNormGenerator: globalNorm64(updatesG[s]),
        updateNormDiscriminator: globalNorm64(updatesD[s]),
        meanLogitReal: logitReal[s],
        meanLogitFake: logitFake[s],
        fakeProbabilityMin: low,
        fakeProbabilityMedian: median(own),
        fakeProbabilityMax: high,
        nsMmNsatCosine: cosine64(ns[s], mmNsat[s]),
        nsMmNsatNormRatio: globalNorm64(mmNsat[s]) / globalNorm64(ns[s]),
      };
    });
  } finally {
    disposeSeedMeasurement(measurement);
  }
}

/** Releases a seed-batched measurement's tensors without reading them. */
export function disposeSeedMeasurement(measurement: SeedStepMeasurement): void {
  const tensors = Object.values(measurement).flat() as (tf.Tensor | undefined)[];
  tf.dispose(tensors.filter((t): t is tf.Tensor => t !== undefined));
}
