import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { frechetProperties } from './frechet.ts';
import { runPropertiesWithUvu } from './runWithUvu.ts';
import { frechetDistanceOfFeatures } from '../src/metrics/frechet.ts';

runPropertiesWithUvu('Fréchet distance properties', frechetProperties);

// Fewer samples than features, so both covariances are singular. The means are equal
// ((½, ½, 0)), Σ1 = ½[[1, 1, 0], [1, 1, 0], [0, 0, 0]] and Σ2 = ½[[1, −1, 0], [−1, 1, 0],
// [0, 0, 0]], so Σ1·Σ2 = 0 and d² = tr Σ1 + tr Σ2 = 2.
test('orthogonal singular covariances: d² = 2', () => {
  const distance = frechetDistanceOfFeatures([[0, 0, 0], [1, 1, 0]], [[1, 0, 0], [0, 1, 0]]);

  assert.ok(Math.abs(distance - 2) <= 1e-12, `d² = ${distance}`);
});

// Means (1, 0, 0) for both, Σ1 = diag(2, 0, 0), Σ2 = diag(0, 2, 0): d² = 2 + 2.
test('disjoint diagonal covariances: d² = 4', () => {
  const x = [[0, 0, 0], [2, 0, 0]];
  const y = [[1, 1, 0], [1, -1, 0]];
  const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
  const turn = (rows: number[][]) => rows.map(([a, b, z]) => [c * a - s * b + 3, s * a + c * b - 1, z]);

  const distance = frechetDistanceOfFeatures(x, y);
  const turned = frechetDistanceOfFeatures(turn(x), turn(y));

  assert.ok(Math.abs(distance - 4) <= 1e-12, `d² = ${distance}`);
  assert.ok(Math.abs(turned - 4) <= 1e-12, `d² after rotating and shifting both sets = ${turned}`);
});

// A general matrix square root of Σ·Σ here gives −2.99e−8 − 2.95e−8i (scipy.linalg.sqrtm);
// the result must be real, not NaN, and 0 within 1e−9·tr Σ.
test('three samples in four dimensions: d²(X, X) = 0', () => {
  const x = [[1, 2, 0, 0], [0, 1, 3, 0], [2, 0, 1, 1]];
  // tr Σ = Σ_j sample variance of column j = 1 + 1 + 7/3 + 1/3.
  const traceOfCovariance = 1 + 1 + 7 / 3 + 1 / 3;

  const distance = frechetDistanceOfFeatures(x, x);

  assert.ok(distance >= 0, `d² = ${distance} is negative`);
  assert.ok(distance <= 1e-9 * traceOfCovariance, `d² = ${distance}`);
});

test.run();
