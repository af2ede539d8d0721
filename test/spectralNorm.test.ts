import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { spectralNorm } from '../src/nets/spectralNorm.ts';

/** float32 products of a few dozen terms: relative error well under 1e-4. */
const FLOAT32_TOLERANCE = 1e-4;
/** Power iteration after 80 steps on these seeded matrices, plus float32 rounding. */
const CONVERGED_TOLERANCE = 1e-3;

type Matrix = number[][];

function toMatrix(values: Float32Array | number[], columns: number): Matrix {
  const rows: Matrix = [];
  for (let start = 0; start < values.length; start += columns) rows.push(Array.from(values.slice(start, start + columns)));
  return rows;
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, in float64. */
function symmetricEigenvalues(input: Matrix): number[] {
  const a = input.map((row) => row.slice());
  const n = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let offDiagonal = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offDiagonal += a[p][q] ** 2;
    if (offDiagonal < 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]);
}

/** σ_max(W) = √(λ_max(WᵀW)), computed without power iteration. */
function largestSingularValue(w: Matrix): number {
  const columns = w[0].length;
  const gram: Matrix = Array.from({ length: columns }, (_, i) =>
    Array.from({ length: columns }, (_, j) => w.reduce((sum, row) => sum + row[i] * row[j], 0)),
  );
  return Math.sqrt(Math.max(...symmetricEigenvalues(gram)));
}

function multiply(w: Matrix, x: number[]): number[] {
  return w.map((row) => row.reduce((sum, value, j) => sum + value * x[j], 0));
}

function multiplyTransposed(w: Matrix, y: number[]): number[] {
  return w[0].map((_, j) => w.reduce((sum, row, i) => sum + row[j] * y[i], 0));
}

function unit(x: number[]): number[] {
  const norm = Math.sqrt(x.reduce((sum, value) => sum + value * value, 0));
  return x.map((value) => value / norm);
}

function close(actual: number, expected: number, tolerance: number, label: string): void {
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  assert.ok(error <= tolerance, `${label}: actual ${actual}, expected ${expected}, relative error ${error}`);
}

const SHAPES: [string, number[]][] = [
  ['dense kernel', [6, 4]],
  ['conv kernel', [3, 3, 2, 5]],
];

test('spectral norm converges to σ_max', async () => {
  await tf.setBackend('cpu');
  for (const [label, shape] of SHAPES) {
    const norm = spectralNorm(`sn-${label}`, shape, 3);
    const weight = tf.randomNormal(shape, 0, 1, 'float32', 11);
    const columns = shape[shape.length - 1];
    const expected = largestSingularValue(toMatrix(weight.dataSync() as Float32Array, columns));

    for (let step = 0; step < 80; step++) tf.dispose(norm.normalize(weight, true));
    const normalized = norm.normalize(weight, false);

    close(norm.estimate(weight), expected, CONVERGED_TOLERANCE, `${label} σ estimate`);
    const normalizedSigma = largestSingularValue(toMatrix(normalized.dataSync() as Float32Array, columns));
    close(normalizedSigma, 1, CONVERGED_TOLERANCE, `${label} σ(W/σ)`);
    assert.equal(normalized.shape, shape);
    tf.dispose([weight, normalized, ...norm.state]);
  }
});

test('one power iteration per training call', async () => {
  await tf.setBackend('cpu');
  for (const [label, shape] of SHAPES) {
    const norm = spectralNorm(`sn-step-${label}`, shape, 5);
    const weight = tf.randomNormal(shape, 0, 1, 'float32', 13);
    const columns = shape[shape.length - 1];
    const w = toMatrix(weight.dataSync() as Float32Array, columns);
    const [u] = norm.state;
    const u0 = Array.from(u.dataSync());

    // One step of v ← W u/‖W u‖, u ← Wᵀ v/‖Wᵀ v‖, in float64.
    const v = unit(multiply(w, u0));
    const u1 = unit(multiplyTransposed(w, v));
    tf.dispose(norm.normalize(weight, true));
    const after = Array.from(u.dataSync());
    for (let j = 0; j < columns; j++) assert.ok(Math.abs(after[j] - u1[j]) < FLOAT32_TOLERANCE, `${label} u[${j}]: ${after[j]} vs ${u1[j]}`);

    tf.dispose(norm.normalize(weight, false));
    assert.equal(Array.from(u.dataSync()), after, `${label}: an inference call leaves u alone`);
    tf.dispose([weight, ...norm.state]);
  }
});

test('gradient treats u and v as constants', async () => {
  await tf.setBackend('cpu');
  for (const [label, shape] of SHAPES) {
    for (const training of [true, false]) {
      const norm = spectralNorm(`sn-grad-${label}-${training}`, shape, 7);
      const weight = tf.randomNormal(shape, 0, 1, 'float32', 17);
      const cotangent = tf.randomNormal(shape, 0, 1, 'float32', 19);
      const columns = shape[shape.length - 1];
      const w = toMatrix(weight.dataSync() as Float32Array, columns);
      const c = toMatrix(cotangent.dataSync() as Float32Array, columns);
      const u0 = Array.from(norm.state[0].dataSync());

      const gradient = tf.grad((x: tf.Tensor) => norm.normalize(x, training).mul(cotangent).sum())(weight);

      // v = W u₀/‖W u₀‖, u = Wᵀv/‖Wᵀv‖ after a training call (else u₀), σ = vᵀWu. With u and v
      // fixed, L = Σ C⊙W/σ has ∂L/∂W = C/σ − (Σ C⊙W)/σ² · v uᵀ. In inference the terms
      // through v vanish anyway (v maximises vᵀWu₀), so only a training call can
      // distinguish a constant u from one that is differentiated through.
      const v = unit(multiply(w, u0));
      const u = training ? unit(multiplyTransposed(w, v)) : u0;
      const wu = multiply(w, u);
      const sigma = v.reduce((sum, vi, i) => sum + vi * wu[i], 0);
      const inner = w.reduce((sum, row, i) => sum + row.reduce((acc, value, j) => acc + value * c[i][j], 0), 0);
      const actual = toMatrix(gradient.dataSync() as Float32Array, columns);
      for (let i = 0; i < w.length; i++) {
        for (let j = 0; j < columns; j++) {
          const expected = c[i][j] / sigma - (inner / sigma ** 2) * v[i] * u[j];
          assert.ok(
            Math.abs(actual[i][j] - expected) < 10 * FLOAT32_TOLERANCE,
            `${label}, training ${training}: ∂L/∂W[${i}][${j}] = ${actual[i][j]}, expected ${expected}`,
          );
        }
      }
      tf.dispose([weight, cotangent, gradient, ...norm.state]);
    }
  }
});

test('spectral norm state and shape checks', async () => {
  await tf.setBackend('cpu');
  const norm = spectralNorm('sn-state', [3, 3, 2, 5], 1);
  const [u] = norm.state;
  assert.is(norm.state.length, 1);
  assert.is(u.name, 'sn-state/u');
  assert.is(u.trainable, false);
  assert.equal(u.shape, [5]);
  close(Math.hypot(...u.dataSync()), 1, FLOAT32_TOLERANCE, '‖u‖');

  const wrong = tf.zeros([3, 3, 2, 4]);
  assert.throws(() => norm.normalize(wrong, true), /sn-state: weight must have shape \[3, 3, 2, 5\], received \[3, 3, 2, 4\]/);
  assert.throws(() => spectralNorm('sn-bad', [5], 1), /at least two positive sizes, received \[5\]/);

  const weight = tf.randomNormal([3, 3, 2, 5], 0, 1, 'float32', 2);
  tf.dispose(norm.normalize(weight, true));
  const before = tf.memory().numTensors;
  for (let step = 0; step < 5; step++) tf.dispose(norm.normalize(weight, true));
  assert.is(tf.memory().numTensors, before, 'no tensors leak per call');
  tf.dispose([wrong, weight, u]);
});

test.run();
