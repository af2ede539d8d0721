/**
 * The Fréchet distance of frechet.ts, computed with tfjs on the current backend, for
 * InceptionV3's 2048 features and tens of thousands of samples. In plain JavaScript the
 * covariance of 50 000 × 2048 features takes minutes. The Jacobi eigensolver of frechet.ts
 * took 2.8 s at 256 dimensions and 53 s at 512 on one core of a shared 2-core machine, so
 * at 2048 it would take an estimated hour, too long for FID during training.
 *
 *   d² = ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2·tr √(√Σ1·Σ2·√Σ1)
 *
 * Covariances are accumulated batch by batch on the backend, shifted by the first batch's
 * mean so that float32 sums do not cancel. Matrix square roots of the symmetric positive
 * semi-definite matrices come from the coupled Newton–Schulz iteration (Higham, "Functions
 * of matrices", 2008, eq. 6.35): with A scaled to Frobenius norm 1, Y₀ = A, Z₀ = I,
 * T = (3I − Z·Y)/2, Y ← Y·T, Z ← T·Z; Y converges to √A. It needs only matrix products.
 *
 * NOTE: float32 and a fixed iteration cap leave an error of about 1e−4 relative to
 * tr Σ1 + tr Σ2 (the test bounds it against frechet.ts); distances far below that are noise.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureStatistics } from './frechet.ts';

/** Iterations after which Newton–Schulz stops; eigenvalues down to 1e−9 of the largest converge within it. */
export const NEWTON_SCHULZ_ITERATIONS = 80;
/** Step ‖Y_{k+1} − Y_k‖_F (Y of Frobenius norm about 1) below which float32 rounding dominates. */
const CONVERGED = 1e-6;

/** Accumulates the mean and sample covariance of feature batches [n, d] on the backend. */
export class StatisticsAccumulator {
  private shift: tf.Tensor1D | undefined;
  private sum: tf.Tensor1D | undefined;
  private outer: tf.Tensor2D | undefined;
  private rows = 0;

  /** Adds a batch of features [n, d]; the caller keeps ownership of `features`. */
  add(features: tf.Tensor2D): void {
    if (features.rank !== 2) throw new RangeError(`StatisticsAccumulator: features must be [n, d], received [${features.shape.join(', ')}]`);
    if (this.shift === undefined) this.shift = tf.keep(features.mean(0) as tf.Tensor1D);
    const [sum, outer] = tf.tidy(() => {
      const centred = features.sub(this.shift!) as tf.Tensor2D;
      return [centred.sum(0) as tf.Tensor1D, tf.matMul(centred, centred, true, false) as tf.Tensor2D];
    });
    if (this.sum === undefined || this.outer === undefined) {
      this.sum = sum;
      this.outer = outer;
    } else {
      const [nextSum, nextOuter] = [this.sum.add(sum) as tf.Tensor1D, this.outer.add(outer) as tf.Tensor2D];
      tf.dispose([this.sum, this.outer, sum, outer]);
      this.sum = nextSum;
      this.outer = nextOuter;
    }
    this.rows += features.shape[0];
  }

  /** Returns the statistics of every row added and releases the tensors. */
  async finish(): Promise<FeatureStatistics> {
    if (this.rows < 2 || this.shift === undefined || this.sum === undefined || this.outer === undefined) {
      this.dispose();
      throw new RangeError(`StatisticsAccumulator: at least 2 feature rows are needed for a covariance, received ${this.rows}`);
    }
    const n = this.rows;
    const d = this.shift.shape[0];
    const [shift, sum, outer] = await Promise.all([this.shift.data(), this.sum.data(), this.outer.data()]);
    this.dispose();
    const mean = new Float64Array(d);
    for (let i = 0; i < d; i++) mean[i] = shift[i] + sum[i] / n;
    // Σ = (Σ (x − c)(x − c)ᵀ − n·(m − c)(m − c)ᵀ)/(n − 1), with m − c = sum/n.
    const covariance = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) covariance[i * d + j] = (outer[i * d + j] - (sum[i] * sum[j]) / n) / (n - 1);
    }
    return { dimension: d, count: n, mean, covariance };
  }

  dispose(): void {
    for (const tensor of [this.shift, this.sum, this.outer]) tensor?.dispose();
    this.shift = this.sum = this.outer = undefined;
  }
}

/**
 * Returns √A of a symmetric positive semi-definite A [d, d] by Newton–Schulz; the caller
 * disposes it. Rounding can leave A with slightly negative eigenvalues, whose components
 * the iteration amplifies by about 1.5 per step until they overflow. It therefore stops
 * when the step ‖Y_{k+1} − Y_k‖_F falls below CONVERGED or grows to twice its smallest
 * value, and returns the iterate after the smallest step.
 */
export function squareRootOnBackend(matrix: tf.Tensor2D): tf.Tensor2D {
  const d = matrix.shape[0];
  const norm = matrix.norm().dataSync()[0];
  if (norm === 0) return tf.zerosLike(matrix);
  const identity = tf.eye(d);
  let y = matrix.div(norm) as tf.Tensor2D;
  let z = identity.clone() as tf.Tensor2D;
  let best = y.clone();
  let smallestStep = Number.POSITIVE_INFINITY;
  for (let k = 0; k < NEWTON_SCHULZ_ITERATIONS; k++) {
    const [nextY, nextZ, stepTensor] = tf.tidy(() => {
      const t = identity.mul(3).sub(tf.matMul(z, y)).div(2) as tf.Tensor2D;
      const updated = tf.matMul(y, t) as tf.Tensor2D;
      return [updated, tf.matMul(t, z), updated.sub(y).norm()];
    });
    const step = stepTensor.dataSync()[0];
    stepTensor.dispose();
    tf.dispose([y, z]);
    y = nextY;
    z = nextZ;
    if (step < smallestStep) {
      best.dispose();
      best = y.clone();
      smallestStep = step;
    }
    if (!(step < 2 * smallestStep) || step < CONVERGED) break;
  }
  const root = best.mul(Math.sqrt(norm)) as tf.Tensor2D;
  tf.dispose([y, z, best, identity]);
  return root;
}

/** The real side of FID, with √Σ computed once on the backend. */
export interface FrechetReference {
  statistics: FeatureStatistics;
  /** √Σ of the reference, float32 on the backend. */
  covarianceRoot: tf.Tensor2D;
  dispose(): void;
}

export function frechetReference(statistics: FeatureStatistics): FrechetReference {
  const d = statistics.dimension;
  const covariance = tf.tensor2d(Float32Array.from(statistics.covariance), [d, d]);
  const covarianceRoot = squareRootOnBackend(covariance);
  covariance.dispose();
  return { statistics, covarianceRoot, dispose: () => covarianceRoot.dispose() };
}

function trace(matrix: Float64Array, d: number): number {
  let sum = 0;
  for (let i = 0; i < d; i++) sum += matrix[i * d + i];
  return sum;
}

/** Returns the Fréchet distance d² between the reference and another feature set, clamped at 0. */
export function frechetDistanceOnBackend(reference: FrechetReference, other: FeatureStatistics): number {
  const d = reference.statistics.dimension;
  if (other.dimension !== d) {
    throw new RangeError(`frechetDistanceOnBackend: both feature sets must have the same dimension, received ${d} and ${other.dimension}`);
  }
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (reference.statistics.mean[i] - other.mean[i]) ** 2;
  const sandwich = tf.tidy(() => {
    const covariance = tf.tensor2d(Float32Array.from(other.covariance), [d, d]);
    const product = tf.matMul(tf.matMul(reference.covarianceRoot, covariance), reference.covarianceRoot);
    // Rounding makes the product slightly asymmetric; Newton–Schulz expects a symmetric matrix.
    return product.add(product.transpose()).div(2) as tf.Tensor2D;
  });
  const root = squareRootOnBackend(sandwich);
  const traceOfRoot = tf.tidy(() => root.mul(tf.eye(d)).sum().dataSync()[0]);
  tf.dispose([sandwich, root]);
  const distance = meanTerm + trace(reference.statistics.covariance, d) + trace(other.covariance, d) - 2 * traceOfRoot;
  return Math.max(0, distance);
}
