/**
 * Two-dimensional mixtures of isotropic Gaussians, the toy data of GAN mode-collapse
 * studies. Defaults follow the authors' toy script (awweide/mm-nsat, src/toy.py) for
 * "Sample weighting as an explanation for mode collapse in generative adversarial networks",
 * and PacGAN (Lin et al., 2018) for its ring and grid:
 *
 * - ring: 8 equal modes on the unit circle at angles 2πk/8, σ 0.03;
 * - spiral: 12 modes at 0.3·t·(cos πt, sin πt) for t evenly spaced over [0, 4.788] (both
 *   ends included), σ 0.1, weights proportional to 1 + 7k/12 for k = 0…11, i.e. evenly
 *   spaced from 1 towards 8 with 8 excluded (0.0198 rising to 0.1469 once normalised);
 * - PacGAN ring: the ring with σ 0.01;
 * - grid: 25 modes at {−4, −2, 0, 2, 4}², σ 0.05.
 *
 * Samples are drawn on the tfjs backend from a seed, and the same seed gives the same batch
 * on the same backend. A training step's real batch is therefore a function of the run seed
 * and the step, so a resumed run trains on the batches an uninterrupted one would.
 */
import * as tf from '@tensorflow/tfjs';

export interface GaussianMixture {
  /** Name for reports, e.g. "ring". */
  name: string;
  /** Mode centres, one [x, y] each. */
  means: [number, number][];
  /** Mode probabilities, summing to 1. */
  weights: number[];
  /** Standard deviation of every mode along each axis. */
  sigma: number;
}

export interface RingOptions {
  modes?: number;
  radius?: number;
  sigma?: number;
}

export interface SpiralOptions {
  modes?: number;
  sigma?: number;
  /** Mode k sits at scale·t·(cos πt, sin πt). */
  scale?: number;
  /** Last value of t; t runs evenly from 0 to it, both included. */
  tEnd?: number;
  /** Weights run evenly from 1 towards this value, which is excluded. */
  weightEnd?: number;
}

export interface GridOptions {
  /** Coordinates along each axis; the modes are their Cartesian square. */
  values?: number[];
  sigma?: number;
}

/** A mixture as it is written in a run config. */
export type MixtureConfig =
  | ({ kind: 'ring' } & RingOptions)
  | ({ kind: 'spiral' } & SpiralOptions)
  | ({ kind: 'pacgan-ring' } & RingOptions)
  | ({ kind: 'grid' } & GridOptions);

export const RING_DEFAULTS = { modes: 8, radius: 1, sigma: 0.03 } as const;
export const SPIRAL_DEFAULTS = { modes: 12, sigma: 0.1, scale: 0.3, tEnd: 4.788, weightEnd: 8 } as const;
export const PACGAN_RING_DEFAULTS = { modes: 8, radius: 1, sigma: 0.01 } as const;
export const GRID_DEFAULTS = { values: [-4, -2, 0, 2, 4], sigma: 0.05 } as const;

function assertPositive(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${fn}: ${name} must be a finite number > 0, received ${String(value)}`);
  }
}

function assertModeCount(fn: string, modes: number): void {
  if (!Number.isInteger(modes) || modes < 1) {
    throw new RangeError(`${fn}: modes must be an integer ≥ 1, received ${String(modes)}`);
  }
}

/** Equal modes on a circle at angles 2πk/modes, k = 0…modes − 1. */
export function ringMixture(options: RingOptions = {}, name = 'ring'): GaussianMixture {
  const { modes, radius, sigma } = { ...RING_DEFAULTS, ...options };
  assertModeCount('ringMixture', modes);
  assertPositive('ringMixture', 'radius', radius);
  assertPositive('ringMixture', 'sigma', sigma);
  const means = Array.from({ length: modes }, (_, k): [number, number] => {
    const angle = (2 * Math.PI * k) / modes;
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
  return { name, means, weights: means.map(() => 1 / modes), sigma };
}

/** PacGAN's ring: the ring with σ 0.01. */
export function pacganRingMixture(options: RingOptions = {}): GaussianMixture {
  return ringMixture({ ...PACGAN_RING_DEFAULTS, ...options }, 'pacgan-ring');
}

/** Modes along an expanding spiral whose weights grow along it. */
export function spiralMixture(options: SpiralOptions = {}): GaussianMixture {
  const { modes, sigma, scale, tEnd, weightEnd } = { ...SPIRAL_DEFAULTS, ...options };
  assertModeCount('spiralMixture', modes);
  assertPositive('spiralMixture', 'sigma', sigma);
  assertPositive('spiralMixture', 'scale', scale);
  assertPositive('spiralMixture', 'tEnd', tEnd);
  assertPositive('spiralMixture', 'weightEnd', weightEnd);
  const means = Array.from({ length: modes }, (_, k): [number, number] => {
    const t = modes === 1 ? 0 : (tEnd * k) / (modes - 1);
    return [scale * t * Math.cos(Math.PI * t), scale * t * Math.sin(Math.PI * t)];
  });
  const raw = Array.from({ length: modes }, (_, k) => 1 + ((weightEnd - 1) * k) / modes);
  const total = raw.reduce((sum, w) => sum + w, 0);
  return { name: 'spiral', means, weights: raw.map((w) => w / total), sigma };
}

/** Equal modes on the Cartesian square of `values`. */
export function gridMixture(options: GridOptions = {}): GaussianMixture {
  const values = [...(options.values ?? GRID_DEFAULTS.values)];
  const sigma = options.sigma ?? GRID_DEFAULTS.sigma;
  if (values.length === 0) {
    throw new RangeError('gridMixture: values must hold at least one coordinate, received []');
  }
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) {
      throw new RangeError(`gridMixture: values[${i}] must be a finite number, received ${String(value)}`);
    }
  });
  if (new Set(values).size !== values.length) {
    throw new RangeError(`gridMixture: values must be distinct, received ${JSON.stringify(values)}`);
  }
  assertPositive('gridMixture', 'sigma', sigma);
  const means = values.flatMap((x) => values.map((y): [number, number] => [x, y]));
  return { name: 'grid', means, weights: means.map(() => 1 / means.length), sigma };
}

/** Builds the mixture a run config names. */
export function createMixture(config: MixtureConfig): GaussianMixture {
  const { kind, ...options } = config;
  switch (kind) {
    case 'ring':
      return ringMixture(options);
    case 'spiral':
      return spiralMixture(options);
    case 'pacgan-ring':
      return pacganRingMixture(options);
    case 'grid':
      return gridMixture(options);
    default:
      throw new RangeError(
        `createMixture: kind must be ring, spiral, pacgan-ring or grid, received ${String(kind)}`,
      );
  }
}

/** Draws each sample's mode index, on the backend: an int32 tensor of shape [count]. */
export function sampleModeIndices(mixture: GaussianMixture, count: number, seed: number): tf.Tensor1D {
  return tf.tidy(() => {
    // normalized = true: the input row contains probabilities, not logits.
    const probabilities = tf.tensor2d([mixture.weights]);
    return tf.reshape(tf.multinomial(probabilities, count, seed, true), [count]) as tf.Tensor1D;
  });
}

/**
 * Draws `count` samples as a [count, 2] float32 tensor. The seed fixes the batch on a given
 * backend; the mode choices and the Gaussian offsets use seeds derived from it.
 */
export function sampleMixture(mixture: GaussianMixture, count: number, seed: number): tf.Tensor2D {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`sampleMixture: count must be an integer ≥ 1, received ${String(count)}`);
  }
  if (!Number.isInteger(seed)) {
    throw new TypeError(`sampleMixture: seed must be an integer, received ${String(seed)}`);
  }
  return tf.tidy(() => {
    const modes = sampleModeIndices(mixture, count, seed);
    const centres = tf.gather(tf.tensor2d(mixture.means), modes);
    const offsets = tf.randomNormal([count, 2], 0, mixture.sigma, 'float32', (seed ^ 0x5bd1e995) >>> 0);
    return tf.add(centres, offsets) as tf.Tensor2D;
  });
}
