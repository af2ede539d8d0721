import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { denseNetwork } from '../src/nets/dense.ts';

/** float32 forward passes of a few layers against the same float32 arithmetic done by hand. */
const FORWARD_TOLERANCE = 1e-5;

test.before(async () => {
  await tf.setBackend('cpu');
});

test('dense network names its variables by layer', () => {
  const net = denseNetwork({ name: 'Dtest', widths: [2, 8, 8, 1], seed: 1 });
  try {
    assert.equal(
      net.variables.map((v) => v.name),
      [
        'Dtest/dense0/kernel', 'Dtest/dense0/bias',
        'Dtest/dense1/kernel', 'Dtest/dense1/bias',
        'Dtest/dense2/kernel', 'Dtest/dense2/bias',
      ],
    );
    assert.equal(net.variables.map((v) => v.shape), [[2, 8], [8], [8, 8], [8], [8, 1], [1]]);
    assert.ok(net.variables.every((v) => v.trainable));
    assert.equal(net.state, []);
  } finally {
    net.dispose();
  }
});

test('dense network gets a fresh prefix when taken', () => {
  const first = denseNetwork({ name: 'Gtwin', widths: [3, 4, 2], seed: 1 });
  const second = denseNetwork({ name: 'Gtwin', widths: [3, 4, 2], seed: 1 });
  try {
    assert.is(first.name, 'Gtwin');
    assert.is(second.name, 'Gtwin_1');
    assert.is(second.variables[0].name, 'Gtwin_1/dense0/kernel');
  } finally {
    first.dispose();
    second.dispose();
  }
});

test('dense forward equals relu layers then tanh', () => {
  const net = denseNetwork({ name: 'Gforward', widths: [3, 5, 4, 2], outputActivation: 'tanh', seed: 7 });
  try {
    // Non-zero biases so that a dropped or misplaced bias shows.
    net.variables.forEach((v, i) => {
      if (v.rank === 1) v.assign(tf.linspace(-0.5, 0.5, v.shape[0]).mul(i + 1));
    });
    const input = tf.tensor2d([[0.3, -1.2, 2], [-0.7, 0.1, 0.4], [1, 1, -1]]);
    const actual = net.apply(input).arraySync() as number[][];
    const expected = tf.tidy(() => {
      const [w0, b0, w1, b1, w2, b2] = net.variables;
      const h0 = tf.relu(tf.add(tf.matMul(input, w0 as tf.Tensor2D), b0));
      const h1 = tf.relu(tf.add(tf.matMul(h0, w1 as tf.Tensor2D), b1));
      return tf.tanh(tf.add(tf.matMul(h1, w2 as tf.Tensor2D), b2)).arraySync() as number[][];
    });
    actual.forEach((row, i) =>
      row.forEach((value, j) =>
        assert.ok(Math.abs(value - expected[i][j]) < FORWARD_TOLERANCE, `[${i}][${j}] ${value} vs ${expected[i][j]}`),
      ),
    );
    input.dispose();
  } finally {
    net.dispose();
  }
});

test('dense leaky relu passes 0.2 of negative inputs', () => {
  const net = denseNetwork({ name: 'Dleaky', widths: [1, 1, 1], hiddenActivation: 'leakyrelu', seed: 1 });
  try {
    net.variables[0].assign(tf.tensor2d([[1]]));
    net.variables[2].assign(tf.tensor2d([[1]]));
    const output = net.apply(tf.tensor2d([[-2], [3]])).dataSync();
    assert.ok(Math.abs(output[0] - -0.4) < 1e-6, `leaky output ${output[0]}`);
    assert.ok(Math.abs(output[1] - 3) < 1e-6, `positive output ${output[1]}`);
  } finally {
    net.dispose();
  }
});

test('dense weights repeat for a seed', () => {
  const a = denseNetwork({ name: 'Gseed', widths: [4, 6, 2], seed: 42 });
  const b = denseNetwork({ name: 'Gseed', widths: [4, 6, 2], seed: 42 });
  const c = denseNetwork({ name: 'Gseed', widths: [4, 6, 2], seed: 43 });
  try {
    a.variables.forEach((v, i) => assert.equal(v.dataSync(), b.variables[i].dataSync(), v.name));
    assert.not.equal(a.variables[0].dataSync(), c.variables[0].dataSync());
    assert.not.equal(a.variables[0].dataSync(), a.variables[2].dataSync().slice(0, 24));
    assert.ok(a.variables[1].dataSync().every((x) => x === 0), 'biases start at zero');
  } finally {
    [a, b, c].forEach((net) => net.dispose());
  }
});

test('glorot and he initial kernels have their scale', () => {
  const fanIn = 200;
  const fanOut = 300;
  const glorot = denseNetwork({ name: 'Ginit', widths: [fanIn, fanOut], initializer: 'glorot', seed: 3 });
  const he = denseNetwork({ name: 'Ginit', widths: [fanIn, fanOut], initializer: 'he', seed: 3 });
  try {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const g = glorot.variables[0].dataSync();
    assert.ok(g.every((x) => Math.abs(x) <= limit), 'glorot entries within ±√(6/(fan_in + fan_out))');
    // Uniform on ±limit has standard deviation limit/√3; 60 000 draws pin it to about 0.3 %.
    const std = (values: ArrayLike<number>) => Math.sqrt(Array.from(values).reduce((s, x) => s + x * x, 0) / values.length);
    assert.ok(Math.abs(std(g) / (limit / Math.sqrt(3)) - 1) < 0.02, `glorot std ${std(g)}`);
    const h = he.variables[0].dataSync();
    assert.ok(Math.abs(std(h) / Math.sqrt(2 / fanIn) - 1) < 0.02, `he std ${std(h)}`);
  } finally {
    glorot.dispose();
    he.dispose();
  }
});

test('dense dispose releases every variable', () => {
  const before = tf.memory().numTensors;
  const net = denseNetwork({ name: 'Gdispose', widths: [2, 3, 2], seed: 1 });
  net.apply(tf.zeros([4, 2])).dispose();
  net.dispose();
  assert.is(tf.memory().numTensors, before + 1, 'only the test input stays');
  assert.not.ok('Gdispose/dense0/kernel' in tf.engine().registeredVariables);
});

test('dense rejects invalid options', () => {
  assert.throws(() => denseNetwork({ name: 'X', widths: [2], seed: 1 }), /widths must list/);
  assert.throws(() => denseNetwork({ name: 'X', widths: [2, 0], seed: 1 }), /widths\[1\] must be a positive integer, received 0/);
  assert.throws(() => denseNetwork({ name: '', widths: [2, 1], seed: 1 }), /name must be a non-empty string/);
  assert.throws(() => denseNetwork({ name: 'X', widths: [2, 1], seed: 0.5 }), /seed must be an integer, received 0.5/);
  assert.throws(
    () => denseNetwork({ name: 'X', widths: [2, 1], seed: 1, outputActivation: 'sigmoid' as 'tanh' }),
    /outputActivation must be tanh or none, received sigmoid/,
  );
  const net = denseNetwork({ name: 'Xshape', widths: [2, 1], seed: 1 });
  assert.throws(() => net.apply(tf.zeros([3, 5])), /input must have shape \[batch, 2\], received \[3, 5\]/);
  net.dispose();
});

test.run();
