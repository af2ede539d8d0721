import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { frechetDistanceOnBackend, frechetReference, squareRootOnBackend, StatisticsAccumulator } from '../src/metrics/backendFrechet.ts';
import { featureStatistics, frechetDistance } from '../src/metrics/frechet.ts';
import { seededUniform } from '../src/data/seededUniform.ts';

/** float32 on the backend against float64 in frechet.ts: relative to tr Σ1 + tr Σ2. */
const RELATIVE_TOLERANCE = 2e-4;

/** Rows of correlated features: x = A·u + offset with u uniform, from a seed. */
function features(rows: number, dimension: number, seed: number, offset: number, spread: number): Float32Array {
  const random = seededUniform(seed);
  const mixing = Array.from({ length: dimension * dimension }, () => (random() - 0.5) * spread);
  const out = new Float32Array(rows * dimension);
  for (let r = 0; r < rows; r++) {
    const u = Array.from({ length: dimension }, () => random() - 0.5);
    for (let i = 0; i < dimension; i++) {
      let value = offset;
      for (let j = 0; j < dimension; j++) value += mixing[i * dimension + j] * u[j];
      out[r * dimension + i] = value + 100;
    }
  }
  return out;
}

function traceOf(covariance: Float64Array, d: number): number {
  let sum = 0;
  for (let i = 0; i < d; i++) sum += covariance[i * d + i];
  return sum;
}

test('accumulated statistics match frechet.ts', async () => {
  await tf.setBackend('cpu');
  const d = 6;
  const rows = 90;
  const data = features(rows, d, 3, 0.5, 1);
  const expected = featureStatistics({ data, rows, columns: d });
  const accumulator = new StatisticsAccumulator();
  for (let start = 0; start < rows; start += 40) {
    const end = Math.min(rows, start + 40);
    const batch = tf.tensor2d(data.subarray(start * d, end * d), [end - start, d]);
    accumulator.add(batch);
    batch.dispose();
  }
  const before = tf.memory().numTensors;
  const actual = await accumulator.finish();
  assert.ok(tf.memory().numTensors < before, 'finish releases the sums');
  assert.is(actual.count, rows);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(actual.mean[i] - expected.mean[i]) < 1e-4, `mean[${i}] ${actual.mean[i]} vs ${expected.mean[i]}`);
  for (let i = 0; i < d * d; i++) {
    assert.ok(Math.abs(actual.covariance[i] - expected.covariance[i]) < 1e-4, `covariance[${i}] ${actual.covariance[i]} vs ${expected.covariance[i]}`);
  }
});

test('Newton–Schulz square root squares back', () => {
  tf.setBackend('cpu');
  const d = 12;
  const stats = featureStatistics({ data: features(200, d, 5, 0, 2), rows: 200, columns: d });
  const matrix = tf.tensor2d(Float32Array.from(stats.covariance), [d, d]);
  const root = squareRootOnBackend(matrix);
  const error = tf.tidy(() => tf.matMul(root, root).sub(matrix).norm().div(matrix.norm()).dataSync()[0]);
  assert.ok(error < 1e-4, `‖√A·√A − A‖/‖A‖ = ${error}`);
  tf.dispose([matrix, root]);
});

test('rounding below zero stays finite', () => {
  tf.setBackend('cpu');
  // A rounded positive semi-definite matrix: eigenvalues 1, 0.25 and −1e−7.
  const matrix = tf.tensor2d([[1, 0, 0], [0, 0.25, 0], [0, 0, -1e-7]]);
  const root = squareRootOnBackend(matrix);
  const values = root.dataSync();
  assert.ok(values.every(Number.isFinite), `finite root: ${Array.from(values)}`);
  assert.ok(Math.abs(values[0] - 1) < 1e-4, `√1 = ${values[0]}`);
  assert.ok(Math.abs(values[4] - 0.5) < 1e-4, `√0.25 = ${values[4]}`);
  assert.ok(Math.abs(values[8]) < 1e-3, `√(−1e−7) read as about 0: ${values[8]}`);
  tf.dispose([matrix, root]);
});

test('backend distance matches frechet.ts', () => {
  tf.setBackend('cpu');
  for (const [d, rows, offset, spread] of [[8, 100, 0.3, 1], [24, 300, 0, 3], [24, 300, 2, 0.5]] as const) {
    const first = featureStatistics({ data: features(rows, d, 11, 0, 1), rows, columns: d });
    const second = featureStatistics({ data: features(rows, d, 12, offset, spread), rows, columns: d });
    const expected = frechetDistance(first, second);
    const reference = frechetReference(first);
    const actual = frechetDistanceOnBackend(reference, second);
    reference.dispose();
    const scale = traceOf(first.covariance, d) + traceOf(second.covariance, d);
    assert.ok(Math.abs(actual - expected) <= RELATIVE_TOLERANCE * scale, `d=${d}: ${actual} vs ${expected} (traces ${scale})`);
  }
});

test('identical sets are at distance about 0', () => {
  tf.setBackend('cpu');
  const d = 10;
  const stats = featureStatistics({ data: features(120, d, 7, 0, 1), rows: 120, columns: d });
  const reference = frechetReference(stats);
  const distance = frechetDistanceOnBackend(reference, stats);
  reference.dispose();
  assert.ok(distance <= RELATIVE_TOLERANCE * 2 * traceOf(stats.covariance, d), `distance ${distance}`);
});

test.run();
