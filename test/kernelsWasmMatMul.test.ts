/**
 * The wasm matrix-product fix must compute the same products as the cpu backend for every
 * combination of transpose flags, batch sizes, biases and fused activations.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  installWasmMatMulFix,
  isWasmMatMulFixInstalled,
  uninstallWasmMatMulFix,
} from '../src/kernels/wasmMatMul.ts';

/** float32 products of up to 64 terms: relative to the largest |entry|, well above rounding. */
const RELATIVE_TOLERANCE = 2e-6;
const SEED = 20261204;

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;

interface ProductCase {
  batch: number;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  bias: boolean;
  activation: (typeof ACTIVATIONS)[number];
  a: number[];
  b: number[];
  biasValues: number[];
  weightValues: number[];
}

const productCase = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 40 }),
    k: fc.integer({ min: 1, max: 64 }),
    n: fc.integer({ min: 1, max: 40 }),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    bias: fc.boolean(),
    activation: fc.constantFrom(...ACTIVATIONS),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
  })
  .map((c): ProductCase => {
    let state = c.seed;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state / 2 ** 32) * 2 - 1;
    };
    const values = (count: number) => Array.from({ length: count }, next);
    return {
      ...c,
      a: values(c.batch * c.m * c.k),
      b: values(c.batch * c.k * c.n),
      biasValues: values(c.n),
      weightValues: values(c.m * c.n),
    };
  });

function shapeOf(rows: number, columns: number, batch: number, transposed: boolean): number[] {
  return transposed ? [batch, columns, rows] : [batch, rows, columns];
}

function plainProduct(c: ProductCase): Float32Array {
  return tf.tidy(() => {
    const a = tf.tensor3d(c.a, shapeOf(c.m, c.k, c.batch, c.transposeA) as [number, number, number]);
    const b = tf.tensor3d(c.b, shapeOf(c.k, c.n, c.batch, c.transposeB) as [number, number, number]);
    return tf.matMul(a, b, c.transposeA, c.transposeB).dataSync() as Float32Array;
  });
}

function fusedProduct(c: ProductCase): Float32Array {
  return tf.tidy(() => {
    const a = tf.tensor3d(c.a, shapeOf(c.m, c.k, c.batch, c.transposeA) as [number, number, number]);
    const b = tf.tensor3d(c.b, shapeOf(c.k, c.n, c.batch, c.transposeB) as [number, number, number]);
    const bias = c.bias ? tf.tensor1d(c.biasValues) : undefined;
    return tf.fused
      .matMul({ a, b, transposeA: c.transposeA, transposeB: c.transposeB, bias, activation: c.activation })
      .dataSync() as Float32Array;
  });
}

/** Gradient of Σ relu(A·B + bias)·W with respect to A, B and bias: every backward product. */
function fusedGradients(c: ProductCase): Float32Array[] {
  return tf.tidy(() => {
    const a = tf.tensor2d(c.a.slice(0, c.m * c.k), [c.m, c.k]);
    const b = tf.tensor2d(c.b.slice(0, c.k * c.n), [c.k, c.n]);
    const bias = tf.tensor1d(c.biasValues);
    const weights = tf.tensor2d(c.weightValues, [c.m, c.n]);
    const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
      tf.sum(tf.mul(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation: 'relu' }), weights)),
    )([a, b, bias]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

function assertClose(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  let scale = 1e-30;
  for (const value of expected) scale = Math.max(scale, Math.abs(value));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  }
  assert.ok(worst <= RELATIVE_TOLERANCE, `${label}: relative error ${worst} > ${RELATIVE_TOLERANCE}`);
}

const cases = fc.sample(productCase, { numRuns: 60, seed: SEED });
// Every transpose combination appears at least once, whatever the sample drew.
for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false], [true, true]]) {
  cases.push({ ...cases[0], transposeA, transposeB });
}

test('installWasmMatMulFix replaces both wasm kernels once', async () => {
  await tf.setBackend('wasm');
  assert.ok(installWasmMatMulFix());
  assert.ok(installWasmMatMulFix(), 'second install is a no-op that still reports success');
  assert.ok(isWasmMatMulFixInstalled());
  uninstallWasmMatMulFix();
  assert.not.ok(isWasmMatMulFixInstalled());
});

test('fixed wasm matMul equals cpu on random shapes and flags', async () => {
  await tf.setBackend('cpu');
  const expectedPlain = cases.map(plainProduct);
  const expectedFused = cases.map(fusedProduct);
  const expectedGradients = cases.map(fusedGradients);

  await tf.setBackend('wasm');
  installWasmMatMulFix();
  try {
    cases.forEach((c, i) => {
      const label = `case ${i} ${JSON.stringify({ ...c, a: undefined, b: undefined, biasValues: undefined, weightValues: undefined })}`;
      assertClose(plainProduct(c), expectedPlain[i], `${label} matMul`);
      assertClose(fusedProduct(c), expectedFused[i], `${label} fused`);
      fusedGradients(c).forEach((g, j) => assertClose(g, expectedGradients[i][j], `${label} gradient ${j}`));
    });
  } finally {
    uninstallWasmMatMulFix();
  }
});

test('fixed wasm matMul leaks no tensor memory', async () => {
  await tf.setBackend('wasm');
  installWasmMatMulFix();
  try {
    fusedGradients(cases[1]);
    const before = tf.memory();
    for (let i = 0; i < 5; i++) fusedGradients(cases[1]);
    const after = tf.memory();
    assert.is(after.numTensors, before.numTensors);
    assert.is(after.numBytes, before.numBytes);
  } finally {
    uninstallWasmMatMulFix();
  }
});

test.run();
