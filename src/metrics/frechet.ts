/**
 * The Fréchet distance between two sets of feature vectors, each summarised by its mean μ
 * and sample covariance Σ (divided by n − 1), as in FID (Heusel et al., "GANs trained by a
 * two time-scale update rule converge to a local Nash equilibrium", 2017):
 *
 *   d² = ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2·tr √(Σ1·Σ2).
 *
 * tr √(Σ1·Σ2) is computed as Σ_i √λ_i(√Σ1·Σ2·√Σ1): that matrix is symmetric and positive
 * semi-definite with the same eigenvalues as Σ1·Σ2, so its eigenvalues are real and can be
 * clamped at 0. A general matrix square root of Σ1·Σ2, or one through an inverse, gives
 * complex values, NaN or a slightly negative distance when a covariance is singular, which
 * it always is with fewer samples than features.
 *
 * This is FID only with Inception features. On other features (an MNIST classifier's, for
 * instance) call it a Fréchet distance on those features.
 */
import {
  clampEigenvalues,
  meanAndCovariance,
  multiplySquare,
  symmetricEigen,
  symmetricSquareRoot,
  symmetrise,
  toFeatureMatrix,
  trace,
  type FeatureMatrix,
} from './linalg.ts';

/** Mean and covariance of one feature set; `count` is the number of vectors. */
export interface FeatureStatistics {
  dimension: number;
  count: number;
  mean: Float64Array;
  /** Row-major dimension × dimension sample covariance (divided by n − 1). */
  covariance: Float64Array;
}

/**
 * Relative size of a negative result still taken as rounding: the distance is clamped to 0
 * down to −1e−7·(tr Σ1 + tr Σ2), and anything more negative means the computation failed.
 * The bound is loose because tr √(Σ1·Σ2) sums square roots of eigenvalues, so float64
 * rounding of about 1e−16 in an eigenvalue becomes about 1e−8 in the distance.
 */
export const FRECHET_ROUNDING = 1e-7;

/** Returns the mean and sample covariance of the rows of `features` (at least two). */
export function featureStatistics(features: FeatureMatrix | number[][]): FeatureStatistics {
  const matrix = toFeatureMatrix(features, 'featureStatistics', 'features');
  if (matrix.rows < 2) {
    throw new RangeError(`featureStatistics: features must have at least 2 rows for a covariance, received ${matrix.rows}`);
  }
  if (matrix.columns < 1) {
    throw new RangeError(`featureStatistics: features must have at least 1 column, received ${matrix.columns}`);
  }
  for (let i = 0; i < matrix.data.length; i++) {
    if (!Number.isFinite(matrix.data[i])) {
      const row = Math.floor(i / matrix.columns);
      throw new RangeError(`featureStatistics: features[${row}][${i % matrix.columns}] must be finite, received ${matrix.data[i]}`);
    }
  }
  const { mean, covariance } = meanAndCovariance(matrix);
  return { dimension: matrix.columns, count: matrix.rows, mean, covariance };
}

/** Returns the Fréchet distance d² between two summarised feature sets of the same dimension. */
export function frechetDistance(first: FeatureStatistics, second: FeatureStatistics): number {
  const n = first.dimension;
  if (second.dimension !== n) {
    throw new RangeError(`frechetDistance: both feature sets must have the same dimension, received ${n} and ${second.dimension}`);
  }

  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (first.mean[i] - second.mean[i]) ** 2;
  const traces = trace(first.covariance, n) + trace(second.covariance, n);

  const root = symmetricSquareRoot(first.covariance, n);
  const sandwich = symmetrise(multiplySquare(multiplySquare(root, second.covariance, n), root, n), n);
  // Rounding in √Σ1·Σ2·√Σ1 is about ε·‖Σ1‖·‖Σ2‖, and the traces bound both norms.
  const productScale = trace(first.covariance, n) * trace(second.covariance, n);
  const eigenvalues = clampEigenvalues(symmetricEigen(sandwich, n).values, productScale);
  let traceOfRoot = 0;
  for (const value of eigenvalues) traceOfRoot += Math.sqrt(value);

  const distance = meanTerm + traces - 2 * traceOfRoot;
  if (distance >= 0) return distance;
  if (distance >= -FRECHET_ROUNDING * traces) return 0;
  throw new Error(
    `frechetDistance: the distance came out as ${distance}, below the rounding bound ` +
      `−${FRECHET_ROUNDING}·(tr Σ1 + tr Σ2) = ${-FRECHET_ROUNDING * traces}; the covariances may not be positive semi-definite`,
  );
}

/** Returns the Fréchet distance between two feature sets given as rows. */
export function frechetDistanceOfFeatures(first: FeatureMatrix | number[][], second: FeatureMatrix | number[][]): number {
  return frechetDistance(featureStatistics(first), featureStatistics(second));
}
