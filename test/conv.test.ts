import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installWasmConvGradients } from '../src/kernels/conv2dBackpropFilter.ts';

/** Tolerance for float32 sums of a few hundred products of numbers in [−1, 1], relative to the largest entry. */
const FLOAT32_TOLERANCE = 1e-5;
const SEED = 20261204;

type Padding = 'same' | 'valid' | number;

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  stride: [number, number];
  pad: Padding;
  /** Seeds the input, filter and upstream-gradient values. */
  seed: number;
}

/** Uniform values in [−1, 1) from a seeded mulberry32 generator. */
function uniformValues(count: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

function size(shape: number[]): number {
  return shape.reduce((product, n) => product * n, 1);
}

function gradientsOf(
  backend: 'cpu' | 'wasm',
  forward: (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D,
  c: ConvCase,
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
): { y: number[]; dx: number[]; dFilter: number[] } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(uniformValues(size(xShape), c.seed), xShape);
    const filter = tf.tensor4d(uniformValues(size(filterShape), c.seed + 1), filterShape);
    const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const y = forward(a as tf.Tensor4D, b as tf.Tensor4D);
      // A weighted sum, so that each output has its own upstream gradient dy.
      return y.mul(tf.tensor(uniformValues(y.size, c.seed + 2), y.shape)).sum();
    });
    const [dx, dFilter] = gradients([x, filter]);
    const y = forward(x, filter);
    return { y: Array.from(y.dataSync()), dx: Array.from(dx.dataSync()), dFilter: Array.from(dFilter.dataSync()) };
  });
}

function assertClose(actual: number[], expected: number[], label: string): void {
  assert.is(actual.length, expected.length, `${label}: length`);
  const scale = Math.max(1, ...expected.map(Math.abs));
  let worst = 0;
  let worstIndex = 0;
  actual.forEach((value, i) => {
    const difference = Math.abs(value - expected[i]);
    if (!(difference <= worst)) {
      worst = difference;
      worstIndex = i;
    }
  });
  assert.ok(
    worst <= FLOAT32_TOLERANCE * scale,
    `${label}: wasm ${actual[worstIndex]} vs cpu ${expected[worstIndex]} at ${worstIndex} (difference ${worst}, scale ${scale})`,
  );
}

const convCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    height: fc.integer({ min: 1, max: 9 }),
    width: fc.integer({ min: 1, max: 9 }),
    inChannels: fc.integer({ min: 1, max: 4 }),
    outChannels: fc.integer({ min: 1, max: 4 }),
    filterHeight: fc.integer({ min: 1, max: 4 }),
    filterWidth: fc.integer({ min: 1, max: 4 }),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pad: fc.oneof(fc.constant<Padding>('same'), fc.constant<Padding>('valid'), fc.integer({ min: 0, max: 2 })),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
  })
  .filter((c) => c.pad !== 'valid' || (c.filterHeight <= c.height && c.filterWidth <= c.width))
  .filter((c) => typeof c.pad !== 'number' || (c.filterHeight <= c.height + 2 * c.pad && c.filterWidth <= c.width + 2 * c.pad))
  // NOTE: the forward wasm Conv2D of tfjs-backend-wasm 4.22 returns zeros for "same" padding
  // when a filter side longer than 1 is shorter than its stride (e.g. 2×1 filter, strides
  // [1, 2]). It writes out of bounds for a numeric pad with a non-square filter or stride,
  // because tfjs-core sizes that output with the filter height and row stride for both axes.
  // The networks here use neither, so both are left out.
  .filter((c) => typeof c.pad !== 'number' || (c.stride[0] === c.stride[1] && c.filterHeight === c.filterWidth))
  .filter((c) => c.pad !== 'same' || c.filterHeight * c.filterWidth === 1 || (c.filterHeight >= c.stride[0] && c.filterWidth >= c.stride[1]));

test.before(async () => {
  await tf.setBackend('wasm');
  installWasmConvGradients();
});

test('convolution kernels installed once', () => {
  assert.ok(tf.getKernel('Conv2D', 'wasm'), 'Conv2D');
  assert.ok(tf.getKernel('Conv2DBackpropInput', 'wasm'), 'Conv2DBackpropInput (also the forward of conv2dTranspose)');
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'Conv2DBackpropFilter');
  assert.is(installWasmConvGradients(), false, 'installing twice registers nothing');
});

test('ones 3×3 by ones 2×2: dL/dw = 4, dL/dx counts windows', async () => {
  await tf.setBackend('wasm');
  const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
  const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;

  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid').sum())([x, w]);

  assert.equal(Array.from(await dw.data()), [4, 4, 4, 4]);
  assert.equal(Array.from(await dx.data()), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
  tf.dispose([x, w, dx, dw]);
});

test('conv2d gradients on wasm equal cpu', () => {
  fc.assert(
    fc.property(convCase, (c) => {
      const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
      const filterShape: [number, number, number, number] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
      const forward = (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.conv2d(x, filter, c.stride, c.pad);

      const wasm = gradientsOf('wasm', forward, c, xShape, filterShape);
      const cpu = gradientsOf('cpu', forward, c, xShape, filterShape);

      assertClose(wasm.dFilter, cpu.dFilter, 'dL/dfilter');
      assertClose(wasm.dx, cpu.dx, 'dL/dx');
    }),
    { numRuns: 60, seed: SEED, includeErrorInReport: true },
  );
});

test('conv2dTranspose gradients on wasm equal cpu', () => {
  fc.assert(
    fc.property(convCase, (c) => {
      // conv2dTranspose maps [b, h, w, outChannels] to the input shape of the conv2d whose
      // output is [b, h, w, outChannels]: h·s for "same", (h − 1)·s + k − 2p for a pad p.
      const padding = typeof c.pad === 'number' ? c.pad : 0;
      const outputHeight = c.pad === 'same' ? c.height * c.stride[0] : (c.height - 1) * c.stride[0] + c.filterHeight - 2 * padding;
      const outputWidth = c.pad === 'same' ? c.width * c.stride[1] : (c.width - 1) * c.stride[1] + c.filterWidth - 2 * padding;
      fc.pre(outputHeight > 0 && outputWidth > 0); // a pad larger than the filter leaves no output
      const pad = c.pad;
      const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.outChannels];
      const filterShape: [number, number, number, number] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
      const forward = (x: tf.Tensor4D, filter: tf.Tensor4D) =>
        tf.conv2dTranspose(x, filter, [c.batch, outputHeight, outputWidth, c.inChannels], c.stride, pad);

      const wasm = gradientsOf('wasm', forward, c, xShape, filterShape);
      const cpu = gradientsOf('cpu', forward, c, xShape, filterShape);

      assertClose(wasm.y, cpu.y, 'conv2dTranspose');
      assertClose(wasm.dFilter, cpu.dFilter, 'dL/dfilter');
      assertClose(wasm.dx, cpu.dx, 'dL/dx');
    }),
    { numRuns: 40, seed: SEED, includeErrorInReport: true },
  );
});

test('gradient kernels release their temporaries', async () => {
  await tf.setBackend('wasm');
  const x = tf.randomNormal([4, 8, 8, 3]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 3, 5]) as tf.Tensor4D;
  const loss = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').square().sum();
  const gradients = () => tf.dispose(tf.grads(loss)([x, w]));
  gradients();
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;

  for (let i = 0; i < 5; i++) gradients();

  assert.is(tf.memory().numTensors, tensors);
  assert.is(tf.memory().numBytes, bytes);
  tf.dispose([x, w]);
});

test.run();
