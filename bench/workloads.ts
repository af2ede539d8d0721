/**
 * The workloads that the comparison times on both sides, named as the PyTorch baseline
 * names them. Our networks take the baseline's layer shapes, batch and noise size, so that
 * both sides do the same multiply-adds; `differences` lists what still differs.
 *
 * Both sides run one D update and one G update with Adam (lr 1e-4, β1 0.5, β2 0.999) on the
 * NS cost written with softplus on logits. Ours uses the simultaneous schedule (both
 * gradients at the same parameters) where the baseline updates D before G's forward pass.
 * The work is the same: G's forward pass twice, D's three times, and the same backward products.
 */
import * as tf from '@tensorflow/tfjs';
import { denseNetwork } from '../src/nets/dense.ts';
import type { Network } from '../src/nets/network.ts';
import { resolveTrainConfig, type TrainConfig } from '../src/train/config.ts';
import type { RealBatchSampler } from '../src/train/ganTrainer.ts';
import { createSetup } from '../src/train/mixtureSetup.ts';
import { deriveSeed } from '../src/train/seeds.ts';
import type { FlopLayer } from './flops.ts';
import { BASELINE_CONV4_NOISE, BASELINE_CONV4_SIDE, baselineConv4Discriminator, baselineConv4Generator } from './baselineConv4.ts';

export interface BenchSetup {
  generator: Network;
  discriminator: Network;
  realBatch: RealBatchSampler;
  dispose(): void;
}

export interface ComparisonWorkload {
  /** The baseline script's workload name. */
  name: string;
  /** Short description for the table. */
  label: string;
  config: TrainConfig;
  /** Differences from the baseline's networks and step, beyond layout and weight values. */
  differences: string;
  /** Layers of G and D for the FLOP count, in the baseline's terms. */
  flopLayers: { generator: FlopLayer[]; discriminator: FlopLayer[] };
  /** Builds the networks and real batches of one run; `config.seed` seeds the weights. */
  build(config: TrainConfig): BenchSetup;
}

/** Run seed of the single-seed timings; S seeds take 1 … S. */
export const BENCH_SEED = 1;

function trainConfig(batchSize: number, noiseDimension: number): TrainConfig {
  return resolveTrainConfig({ cost: 'ns', steps: 1, batchSize, noiseDimension, seed: BENCH_SEED });
}

/**
 * Draws one real batch, uniform in [−1, 1], for the whole run, as the baseline does for MNIST,
 * because a dense or convolutional step takes the same time whatever the pixel values.
 */
function fixedRealBatch(shape: number[], seed: number): { sampler: RealBatchSampler; dispose(): void } {
  const batch = tf.randomUniform(shape, -1, 1, 'float32', seed);
  return { sampler: () => batch, dispose: () => batch.dispose() };
}

const dense = (inputs: number, outputs: number): FlopLayer => ({ kind: 'dense', inputs, outputs });

function ring(width: number, batchSize: number): ComparisonWorkload {
  return {
    name: `toy2d_H${width}_B${batchSize}`,
    label: `ring, hidden ${width}, batch ${batchSize}`,
    config: trainConfig(batchSize, 2),
    flopLayers: {
      generator: [dense(2, width), dense(width, width), dense(width, width), dense(width, 2)],
      discriminator: [dense(2, width), dense(width, width), dense(width, width), dense(width, 1)],
    },
    differences:
      `G 2 → ${width} → ${width} → ${width} → 2 and D 2 → ${width} → ${width} → ${width} → 1 with ReLU, as the baseline. ` +
      `The ring experiments train G 128 → ${width} → ${width} → 2 and D 2 → ${width} → ${width} → 1, about 60 % of this work. ` +
      'Real batches are sampled from the ring each step (the baseline reuses one fixed tensor).',
    build: (config) =>
      createSetup(
        { mixture: { kind: 'ring' }, generatorHidden: [width, width, width], discriminatorHidden: [width, width, width] },
        config,
      ),
  };
}

function mnistFc4(): ComparisonWorkload {
  const batchSize = 64;
  const pixels = 28 * 28;
  return {
    name: 'mnist_fc4_B64',
    label: 'MNIST FC-4, batch 64',
    config: trainConfig(batchSize, 64),
    flopLayers: {
      generator: [dense(64, 512), dense(512, 512), dense(512, 512), dense(512, pixels)],
      discriminator: [dense(pixels, 512), dense(512, 512), dense(512, 512), dense(512, 1)],
    },
    differences:
      'G 64 → 512 → 512 → 512 → 784 (tanh) with ReLU, D 784 → 512 → 512 → 512 → 1 with LeakyReLU 0.2, as the baseline. ' +
      'The MNIST experiments train FC-4 on 32×32 digits with 128-d noise and ReLU in D, about 1.1× this work.',
    build: (config) => {
      const generator = denseNetwork({ name: 'G', widths: [config.noiseDimension, 512, 512, 512, pixels], outputActivation: 'tanh', seed: deriveSeed(config.seed, 'generator') });
      const discriminator = denseNetwork({ name: 'D', widths: [pixels, 512, 512, 512, 1], hiddenActivation: 'leakyrelu', seed: deriveSeed(config.seed, 'discriminator') });
      const real = fixedRealBatch([config.batchSize, pixels], config.seed);
      return {
        generator,
        discriminator,
        realBatch: real.sampler,
        dispose: () => {
          generator.dispose();
          discriminator.dispose();
          real.dispose();
        },
      };
    },
  };
}

function mnistConv4(): ComparisonWorkload {
  const batchSize = 64;
  const side = BASELINE_CONV4_SIDE;
  return {
    name: 'mnist_conv4_B64',
    label: 'MNIST Conv-4, batch 64',
    config: trainConfig(batchSize, BASELINE_CONV4_NOISE),
    flopLayers: {
      generator: [
        dense(BASELINE_CONV4_NOISE, 7 * 7 * 128),
        { kind: 'convT', height: 7, width: 7, kernel: 3, inChannels: 128, outChannels: 64 },
        { kind: 'convT', height: 14, width: 14, kernel: 3, inChannels: 64, outChannels: 32 },
        { kind: 'conv', height: 28, width: 28, kernel: 3, inChannels: 32, outChannels: 1 },
      ],
      discriminator: [
        { kind: 'conv', height: 14, width: 14, kernel: 3, inChannels: 1, outChannels: 32 },
        { kind: 'conv', height: 7, width: 7, kernel: 3, inChannels: 32, outChannels: 64 },
        { kind: 'conv', height: 4, width: 4, kernel: 3, inChannels: 64, outChannels: 128 },
        dense(4 * 4 * 128, 1),
      ],
    },
    differences:
      "The baseline's Conv-4 (28×28, three stride-2 convolutions in D, two transposed ones in G), rebuilt from tfjs ops. " +
      'The MNIST experiments train the Conv-4 of src/nets/conv.ts on 32×32 digits (m = 32), whose step is about 4× this work.',
    build: (config) => {
      const generator = baselineConv4Generator('G', deriveSeed(config.seed, 'generator'));
      const discriminator = baselineConv4Discriminator('D', deriveSeed(config.seed, 'discriminator'));
      const real = fixedRealBatch([config.batchSize, side, side, 1], config.seed);
      return {
        generator,
        discriminator,
        realBatch: real.sampler,
        dispose: () => {
          generator.dispose();
          discriminator.dispose();
          real.dispose();
        },
      };
    },
  };
}

export const COMPARISON_WORKLOADS: readonly ComparisonWorkload[] = [ring(128, 128), ring(128, 512), mnistFc4(), mnistConv4()];

/** Looks up workloads by the baseline's names; throws naming the unknown one. */
export function selectWorkloads(names: readonly string[] | undefined): ComparisonWorkload[] {
  if (names === undefined || names.length === 0) return [...COMPARISON_WORKLOADS];
  return names.map((name) => {
    const workload = COMPARISON_WORKLOADS.find((candidate) => candidate.name === name);
    if (workload === undefined) {
      const known = COMPARISON_WORKLOADS.map((candidate) => candidate.name).join(', ');
      throw new RangeError(`bench: unknown --workload "${name}"; expected one of ${known}`);
    }
    return workload;
  });
}
