/**
 * Every cost of the registry on logits with a leading seed axis, [S, N] or [S, N, 1]: S
 * independent batches of N generated (or real) samples, one per training run. Each cost
 * returns one value per seed, [S], computed exactly as the single-batch cost in
 * generatorCosts.ts and discriminatorCosts.ts computes it for that seed's batch. Batch
 * factors R (equation 6 of "Sample weighting as an explanation for mode collapse in
 * generative adversarial networks") use each seed's own mean D̄_p, and the unit rescaling
 * of mm-unit and ns-unit (Algorithm 2) uses each seed's own gradient norm.
 *
 * A trainer minimises the sum over seeds of these values. The seeds share no parameter,
 * so the gradient of the sum with respect to seed s's weights is seed s's gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { parseCostName, type CostFamily } from '../theory/costNames.ts';
import { resolveCostOptions } from './costOptions.ts';
import { getCost } from './registry.ts';
import {
  hingeSampleCost,
  leastSquaresSampleCost,
  mmNsatExp2SampleCost,
  mmSampleCost,
  nsExp2SampleCost,
  nsExpHalfSampleCost,
  nsSampleCost,
} from './sampleCosts.ts';
import { stopGradient } from './stopGradient.ts';
import type { CostOptions, Reduction } from './types.ts';

/** A cost on a seed axis: every function returns one value per seed. */
export interface SeedAxisCost {
  name: string;
  family: CostFamily;
  a?: number;
  /** G's adversarial cost per seed, [S], from fake logits [S, N] or [S, N, 1]. */
  generator(fakeLogits: tf.Tensor): tf.Tensor1D;
  /** D's cost per seed, [S], from real and fake logits of S batches each. */
  discriminator(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Tensor1D;
  /** Rescales G's gradients (leading axis S) to norm N_θ per seed; mm-unit and ns-unit only. */
  rescaleGeneratorGradients?(gradients: tf.Tensor[]): tf.Tensor[];
}

/** Throws unless `logits` is float32 [S, N] or [S, N, 1] with S, N ≥ 1. */
function assertSeedLogits(fn: string, name: string, logits: unknown): asserts logits is tf.Tensor {
  if (!(logits instanceof tf.Tensor)) {
    throw new TypeError(`${fn}: ${name} must be a tf.Tensor of logits [S, N], received ${String(logits)}`);
  }
  if (logits.dtype !== 'float32') {
    throw new TypeError(`${fn}: ${name} must have dtype float32, received ${logits.dtype}`);
  }
  const shape = logits.shape;
  const perSample = shape.length === 2 || (shape.length === 3 && shape[2] === 1);
  if (!perSample || logits.size === 0) {
    throw new RangeError(
      `${fn}: ${name} must have shape [S, N] or [S, N, 1] with S, N ≥ 1, received [${shape.join(', ')}]`,
    );
  }
}

function seedLogits(logits: tf.Tensor): tf.Tensor2D {
  return tf.reshape(logits, [logits.shape[0], -1]);
}

/** Reduces per-sample costs [S, N] over each seed's batch to [S]. */
export function reduceSeedBatches(perSample: tf.Tensor, reduction: Reduction): tf.Tensor1D {
  return reduction === 'sum' ? tf.sum(perSample, 1) : tf.mean(perSample, 1);
}

type SampleCost = (logits: tf.Tensor) => tf.Tensor;
/** A batch factor R per seed, [S, 1], from logits [S, N] that carry no gradient. */
type SeedFactor = (constantLogits: tf.Tensor2D) => tf.Tensor;

/** D̄_p per seed, [S, 1]. */
const meanProbability = (logits: tf.Tensor2D) => tf.mean(tf.sigmoid(logits), 1, true);
/** 1 − D̄_p per seed, computed as mean σ(−D_l) as batchFactors.ts does. */
const meanComplement = (logits: tf.Tensor2D) => tf.mean(tf.sigmoid(tf.neg(logits)), 1, true);

/** Builds the batch factors of batchFactors.ts, with each mean taken over one seed's batch. */
function seedFactors(a: number, epsilon: number) {
  const floored = (denominator: tf.Tensor) => tf.maximum(denominator, epsilon);
  return {
    mmNsat: (l: tf.Tensor2D) => tf.div(meanComplement(l), tf.add(epsilon, meanProbability(l))),
    nsAdd: (l: tf.Tensor2D) => {
      const complement = meanComplement(l);
      return tf.div(complement, floored(tf.add(a, complement)));
    },
    mmNsatAdd: (l: tf.Tensor2D) => tf.div(meanComplement(l), floored(tf.add(a, meanProbability(l)))),
    nsExp2: (l: tf.Tensor2D) => tf.div(1, floored(meanComplement(l))),
    mmNsatExp2: (l: tf.Tensor2D) => tf.div(meanComplement(l), tf.square(floored(meanProbability(l)))),
    nsExpHalf: (l: tf.Tensor2D) => tf.sqrt(meanComplement(l)),
  } satisfies Record<string, SeedFactor>;
}

function scaledSeedCost(logits: tf.Tensor2D, reduction: Reduction, sampleCost: SampleCost, factor?: SeedFactor): tf.Tensor1D {
  const perSample = sampleCost(logits);
  if (factor === undefined) return reduceSeedBatches(perSample, reduction);
  const rescale = tf.reshape(factor(stopGradient(logits)), [-1]);
  return tf.mul(rescale, reduceSeedBatches(perSample, reduction));
}

function familySeedCost(family: CostFamily, a: number, reduction: Reduction, epsilon: number): (l: tf.Tensor2D) => tf.Tensor1D {
  const factors = seedFactors(a, epsilon);
  const linear = (first: tf.Tensor1D, second: tf.Tensor1D) => tf.add(tf.mul(1 - a, first), tf.mul(a, second)) as tf.Tensor1D;
  switch (family) {
    case 'mm':
    case 'mm-unit':
      return (l) => scaledSeedCost(l, reduction, mmSampleCost);
    case 'ns':
    case 'ns-unit':
      return (l) => scaledSeedCost(l, reduction, nsSampleCost);
    case 'mm-nsat':
      return (l) => scaledSeedCost(l, reduction, mmSampleCost, factors.mmNsat);
    case 'ns+mm':
      return (l) => linear(scaledSeedCost(l, reduction, nsSampleCost), scaledSeedCost(l, reduction, mmSampleCost));
    case 'ns+mm-nsat':
      return (l) =>
        linear(scaledSeedCost(l, reduction, nsSampleCost), scaledSeedCost(l, reduction, mmSampleCost, factors.mmNsat));
    case 'ns-add':
      return (l) => scaledSeedCost(l, reduction, (x) => tf.sub(nsSampleCost(x), tf.mul(a, x)), factors.nsAdd);
    case 'mm-nsat-add':
      return (l) => scaledSeedCost(l, reduction, (x) => tf.sub(mmSampleCost(x), tf.mul(a, x)), factors.mmNsatAdd);
    case 'ns-exp-2':
      return (l) => scaledSeedCost(l, reduction, nsExp2SampleCost, factors.nsExp2);
    case 'mm-nsat-exp-2':
      return (l) => scaledSeedCost(l, reduction, mmNsatExp2SampleCost, factors.mmNsatExp2);
    case 'ns-exp-0.5':
      return (l) => scaledSeedCost(l, reduction, nsExpHalfSampleCost, factors.nsExpHalf);
    case 'iw-ns':
      // Σ_i w̃_i J_ns,i per seed, with w̃ the softmax of the seed's own logits (batchFactors.ts).
      return (l) => {
        const weights = tf.softmax(stopGradient(l));
        return reduceSeedBatches(tf.mul(tf.mul(l.shape[1], weights), nsSampleCost(l)), reduction);
      };
    case 'hinge':
      return (l) => scaledSeedCost(l, reduction, hingeSampleCost);
    case 'ls':
      return (l) => scaledSeedCost(l, reduction, leastSquaresSampleCost);
  }
}

function discriminatorSampleCosts(family: CostFamily): [SampleCost, SampleCost] {
  if (family === 'hinge') return [(x) => tf.relu(tf.sub(1, x)), (x) => tf.relu(tf.add(1, x))];
  if (family === 'ls') return [(x) => tf.mul(0.5, tf.square(tf.sub(x, 1))), (x) => tf.mul(0.5, tf.square(x))];
  return [(x) => tf.softplus(tf.neg(x)), (x) => tf.softplus(x)];
}

/**
 * Returns ‖∇θ‖ per seed, [S]: the L2 norm over all of one seed's entries of every gradient
 * tensor, each of shape [S, ...]. As globalNorm in unitRescaling.ts, entries are divided by
 * the seed's largest |g| before squaring, so no square over- or underflows.
 */
export function seedGlobalNorm(gradients: tf.Tensor[]): tf.Tensor1D {
  if (!Array.isArray(gradients) || gradients.length === 0) {
    throw new RangeError(`seedGlobalNorm: gradients must list at least one tensor, received ${String(gradients)}`);
  }
  const seeds = gradients[0].shape[0];
  gradients.forEach((g, i) => {
    if (!(g instanceof tf.Tensor) || g.rank < 1 || g.shape[0] !== seeds) {
      throw new RangeError(`seedGlobalNorm: gradients[${i}] must be a tensor [${seeds}, ...], received ${String(g)}`);
    }
  });
  return tf.tidy(() => {
    const rows = gradients.map((g) => tf.reshape(g, [seeds, -1]));
    const largest = tf.max(tf.stack(rows.map((row) => tf.max(tf.abs(row), 1)), 1), 1);
    const scale = tf.where(tf.greater(largest, 0), largest, tf.onesLike(largest));
    const column = tf.reshape(scale, [seeds, 1]);
    const sumOfSquares = tf.addN(rows.map((row) => tf.sum(tf.square(tf.div(row, column)), 1)));
    return tf.mul(scale, tf.sqrt(sumOfSquares));
  });
}

/** Multiplies every seed's gradients by R = norm/(ε + ‖∇θ‖_s), 0 for a seed whose gradient is 0. */
function rescaleSeedGradients(gradients: tf.Tensor[], norm: number | 'parameter-count', epsilon: number): tf.Tensor[] {
  return tf.tidy(() => {
    const seeds = gradients[0].shape[0];
    const target = norm === 'parameter-count' ? gradients.reduce((count, g) => count + g.size / seeds, 0) : norm;
    const denominator = tf.add(epsilon, seedGlobalNorm(gradients));
    const positive = tf.greater(denominator, 0);
    const safe = tf.where(positive, denominator, tf.onesLike(denominator));
    const factor = tf.where(positive, tf.div(target, safe), tf.zerosLike(denominator));
    return gradients.map((g) => tf.mul(g, tf.reshape(factor, [seeds, ...Array<number>(g.rank - 1).fill(1)])));
  });
}

/**
 * Builds the seed-axis form of the cost called `name`, with the same names, constants and
 * options as `getCost` (which checks them).
 */
export function seedAxisCost(name: string, options: CostOptions = {}): SeedAxisCost {
  const single = getCost(name, options);
  const spec = parseCostName(name);
  const { reduction, rescaleEpsilon, unitNorm } = resolveCostOptions(options);
  const generator = familySeedCost(spec.family, spec.a ?? 0, reduction, rescaleEpsilon);
  const [realCost, fakeCost] = discriminatorSampleCosts(spec.family);
  const cost: SeedAxisCost = {
    name: single.name,
    family: single.family,
    generator(fakeLogits) {
      assertSeedLogits(`${single.name} generator`, 'fakeLogits', fakeLogits);
      return tf.tidy(() => generator(seedLogits(fakeLogits)));
    },
    discriminator(realLogits, fakeLogits) {
      const fn = `${single.name} discriminator`;
      assertSeedLogits(fn, 'realLogits', realLogits);
      assertSeedLogits(fn, 'fakeLogits', fakeLogits);
      if (realLogits.shape[0] !== fakeLogits.shape[0]) {
        throw new RangeError(`${fn}: realLogits has ${realLogits.shape[0]} seeds, fakeLogits ${fakeLogits.shape[0]}`);
      }
      return tf.tidy(() =>
        tf.add(
          reduceSeedBatches(realCost(seedLogits(realLogits)), reduction),
          reduceSeedBatches(fakeCost(seedLogits(fakeLogits)), reduction),
        ),
      );
    },
  };
  if (single.a !== undefined) cost.a = single.a;
  if (single.transformGeneratorGradients) {
    cost.rescaleGeneratorGradients = (gradients) => rescaleSeedGradients(gradients, unitNorm, rescaleEpsilon);
  }
  return cost;
}
