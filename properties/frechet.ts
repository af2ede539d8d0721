/**
 * Properties of the Fréchet distance d² = ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2·tr √(Σ1·Σ2)
 * between feature sets (src/metrics/frechet.ts). No claim of the paper rests on them, but
 * they guard the metric that the MNIST experiments report. Each law is checked against a closed form
 * or an invariance that the eigen-decomposition does not share.
 */
import fc from 'fast-check';
import type { ClaimProperty } from './claimProperty.ts';
import { assertRejects } from './badInput.ts';
import { featureStatistics, frechetDistance, frechetDistanceOfFeatures, type FeatureStatistics } from '../src/metrics/frechet.ts';

/**
 * tr √(Σ1·Σ2) sums square roots of eigenvalues, so an eigenvalue error of float64 rounding
 * (≈ 1e−16 of the largest) becomes an error of ≈ 1e−8 of the scale in d². Checks allow
 * 1e−7 of the scale tr Σ1 + tr Σ2 + ‖μ1 − μ2‖², plus 1e−12 for sets near zero.
 */
const RELATIVE_TOLERANCE = 1e-7;
const ABSOLUTE_TOLERANCE = 1e-12;

/** Coordinates on a grid of 0.01 in [−10, 10]: no denormals, no overflow. */
const coordinate = fc.integer({ min: -1000, max: 1000 }).map((value) => value / 100);

/** Generates a set of `rows` feature vectors of dimension `columns`. */
function featureSet(rows: number, columns: number): fc.Arbitrary<number[][]> {
  return fc.array(fc.array(coordinate, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows });
}

/** Two feature sets of one dimension d ≤ 6 with 2–12 rows each, often fewer rows than d. */
const featureSetPair = fc
  .record({ columns: fc.integer({ min: 1, max: 6 }), rows1: fc.integer({ min: 2, max: 12 }), rows2: fc.integer({ min: 2, max: 12 }) })
  .chain(({ columns, rows1, rows2 }) => fc.tuple(featureSet(rows1, columns), featureSet(rows2, columns)));

function scaleOf(first: FeatureStatistics, second: FeatureStatistics): number {
  const n = first.dimension;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    scale += first.covariance[i * n + i] + second.covariance[i * n + i] + (first.mean[i] - second.mean[i]) ** 2;
  }
  return scale;
}

function assertDistance(label: string, actual: number, expected: number, scale: number): void {
  const tolerance = ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * scale;
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${label}: actual ${actual}, expected ${expected}, difference ${actual - expected} (tolerance ${tolerance})`);
  }
}

/** Mean and sample variance (n − 1) of numbers, computed directly. */
function meanAndVariance(values: number[]): [number, number] {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return [mean, variance];
}

/** Generates a rotation of R^d as a product of Givens rotations through random angles. */
function rotationArbitrary(dimension: number): fc.Arbitrary<number[][]> {
  const pairs = dimension * (dimension - 1) / 2;
  return fc.array(fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }), { minLength: pairs, maxLength: pairs }).map((angles) => {
    const q: number[][] = Array.from({ length: dimension }, (_, i) => Array.from({ length: dimension }, (_, j) => (i === j ? 1 : 0)));
    let next = 0;
    for (let p = 0; p < dimension; p++) {
      for (let r = p + 1; r < dimension; r++) {
        const [c, s] = [Math.cos(angles[next]), Math.sin(angles[next])];
        next++;
        for (const row of q) {
          const [a, b] = [row[p], row[r]];
          row[p] = c * a - s * b;
          row[r] = s * a + c * b;
        }
      }
    }
    return q;
  });
}

function transform(rows: number[][], rotation: number[][], shift: number[]): number[][] {
  return rows.map((row) => rotation.map((line, i) => line.reduce((sum, value, j) => sum + value * row[j], shift[i])));
}

function diagonalStatistics(mean: number[], variances: number[]): FeatureStatistics {
  const n = mean.length;
  const covariance = new Float64Array(n * n);
  variances.forEach((variance, i) => (covariance[i * n + i] = variance));
  return { dimension: n, count: 2, mean: Float64Array.from(mean), covariance };
}

export const frechetProperties: ClaimProperty[] = [
  {
    claim: 'extra',
    name: 'Fréchet distance of a feature set to itself is 0',
    property: () =>
      fc.property(featureSetPair, ([x]) => {
        const statistics = featureStatistics(x);

        const distance = frechetDistance(statistics, statistics);

        assertDistance('d²(X, X)', distance, 0, scaleOf(statistics, statistics));
      }),
  },
  {
    claim: 'extra',
    name: 'in one dimension d² = (μ1 − μ2)² + (σ1 − σ2)²',
    property: () =>
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((n) => featureSet(n, 1)),
        fc.integer({ min: 2, max: 12 }).chain((n) => featureSet(n, 1)),
        (x, y) => {
          const [mean1, variance1] = meanAndVariance(x.map((row) => row[0]));
          const [mean2, variance2] = meanAndVariance(y.map((row) => row[0]));
          const expected = (mean1 - mean2) ** 2 + (Math.sqrt(variance1) - Math.sqrt(variance2)) ** 2;

          const distance = frechetDistanceOfFeatures(x, y);

          assertDistance('d² of 1-D sets', distance, expected, variance1 + variance2 + (mean1 - mean2) ** 2);
        },
      ),
  },
  {
    claim: 'extra',
    name: 'with diagonal covariances d² = Σ(μ1 − μ2)² + Σ(√a − √b)²',
    property: () =>
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) => {
          // Variances include exact zeros, as a singular covariance has.
          const variance = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10000 }).map((value) => value / 100));
          const vector = (item: fc.Arbitrary<number>) => fc.array(item, { minLength: n, maxLength: n });
          return fc.tuple(vector(coordinate), vector(coordinate), vector(variance), vector(variance));
        }),
        ([mean1, mean2, variances1, variances2]) => {
          const first = diagonalStatistics(mean1, variances1);
          const second = diagonalStatistics(mean2, variances2);
          const expected = mean1.reduce(
            (sum, value, i) => sum + (value - mean2[i]) ** 2 + (Math.sqrt(variances1[i]) - Math.sqrt(variances2[i])) ** 2,
            0,
          );

          const distance = frechetDistance(first, second);

          assertDistance('d² with diagonal covariances', distance, expected, scaleOf(first, second));
        },
      ),
  },
  {
    claim: 'extra',
    name: 'Fréchet distance is symmetric: d²(X, Y) = d²(Y, X)',
    property: () =>
      fc.property(featureSetPair, ([x, y]) => {
        const [first, second] = [featureStatistics(x), featureStatistics(y)];

        const forward = frechetDistance(first, second);
        const backward = frechetDistance(second, first);

        assertDistance('d²(X, Y) − d²(Y, X)', forward, backward, scaleOf(first, second));
      }),
  },
  {
    claim: 'extra',
    name: 'a common rotation and translation leave d² unchanged',
    property: () =>
      fc.property(
        featureSetPair.chain(([x, y]) =>
          fc.tuple(fc.constant(x), fc.constant(y), rotationArbitrary(x[0].length), fc.array(coordinate, { minLength: x[0].length, maxLength: x[0].length })),
        ),
        ([x, y, rotation, shift]) => {
          const [first, second] = [featureStatistics(x), featureStatistics(y)];

          const original = frechetDistance(first, second);
          const moved = frechetDistanceOfFeatures(transform(x, rotation, shift), transform(y, rotation, shift));

          assertDistance('d² after a rotation and translation', moved, original, scaleOf(first, second));
        },
      ),
  },
  {
    claim: 'extra',
    name: 'with fewer samples than features d² is finite and ≥ 0',
    property: () =>
      fc.property(
        fc
          .integer({ min: 2, max: 10 })
          .chain((columns) => fc.tuple(featureSet(2, columns), fc.integer({ min: 2, max: columns }).chain((rows) => featureSet(rows, columns)))),
        ([x, y]) => {
          const distance = frechetDistanceOfFeatures(x, y);

          if (!Number.isFinite(distance) || distance < 0) throw new Error(`d² = ${distance} is not a finite number ≥ 0`);
        },
      ),
  },
  {
    claim: 'extra',
    name: 'mismatched, single-row or non-finite feature sets are rejected, naming them',
    property: () =>
      fc.property(featureSetPair, fc.constantFrom(Number.NaN, Infinity, -Infinity), ([x, y], bad) => {
        const wider = y.map((row) => [...row, 0]);
        const broken = x.map((row, i) => (i === 0 ? [bad, ...row.slice(1)] : row));

        assertRejects(() => frechetDistanceOfFeatures(x, wider), 'dimension');
        assertRejects(() => frechetDistanceOfFeatures([x[0]], y), 'features');
        assertRejects(() => frechetDistanceOfFeatures(broken, y), 'features[0][0]');
      }),
  },
];
