import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { attentionKeyChannels, selfAttention, type SelfAttentionBlock } from '../src/nets/selfAttention.ts';

/** float32 sums over 16 positions and channels against float64: 1e-4 absolute is ample. */
const FLOAT32_TOLERANCE = 1e-4;
const SHAPE: [number, number, number, number] = [2, 4, 4, 16];

type Rows = number[][];

function linear(x: Rows, kernel: Rows, bias: number[]): Rows {
  return x.map((row) => bias.map((b, o) => b + row.reduce((sum, value, c) => sum + value * kernel[c][o], 0)));
}

/** y = γ·W_v(softmax(q kᵀ) h) + x for one image, with plain loops in float64. */
function directAttention(x: Rows, block: SelfAttentionBlock, gamma: number): Rows {
  const [kw, kb, qw, qb, vw, vb, ow, ob] = block.variables.map((variable) => variable.arraySync() as Rows & number[]);
  const keys = linear(x, kw as Rows, kb as number[]);
  const queries = linear(x, qw as Rows, qb as number[]);
  const values = linear(x, vw as Rows, vb as number[]);
  const mixed = queries.map((q) => {
    const scores = keys.map((k) => k.reduce((sum, value, c) => sum + value * q[c], 0));
    const top = Math.max(...scores);
    const weights = scores.map((score) => Math.exp(score - top));
    const total = weights.reduce((a, b) => a + b, 0);
    return values[0].map((_, c) => values.reduce((sum, h, i) => sum + (weights[i] / total) * h[c], 0));
  });
  const output = linear(mixed, ow as Rows, ob as number[]);
  return x.map((row, j) => row.map((value, c) => gamma * output[j][c] + value));
}

function imageRows(x: tf.Tensor4D, image: number): Rows {
  const [, height, width, channels] = x.shape;
  const data = x.arraySync()[image];
  const rows: Rows = [];
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) rows.push(data[r][c].slice(0, channels));
  return rows;
}

test('attention starts as the identity', async () => {
  await tf.setBackend('cpu');
  for (const normalised of [true, false]) {
    const block = selfAttention({ name: `sa-identity-${normalised}`, channels: 16, seed: 1, spectralNorm: normalised });
    const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 2) as tf.Tensor4D;

    const y = block.apply(x, true);

    assert.equal(y.shape, SHAPE);
    assert.is(block.gamma.dataSync()[0], 0);
    assert.equal(Array.from(y.dataSync()), Array.from(x.dataSync()), 'γ = 0 gives y = x exactly');
    assert.is(block.variables.length, 9);
    assert.is(block.state.length, normalised ? 4 : 0);
    tf.dispose([x, y, ...block.variables, ...block.state]);
  }
});

test('attention matches a direct computation', async () => {
  await tf.setBackend('cpu');
  const block = selfAttention({ name: 'sa-direct', channels: 16, seed: 3, spectralNorm: false });
  block.gamma.assign(tf.scalar(0.7));
  // Non-zero biases, so a dropped bias would show.
  for (const variable of block.variables.filter((v) => v.name.endsWith('/bias'))) {
    variable.assign(tf.randomNormal(variable.shape, 0, 0.5, 'float32', 4));
  }
  const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 5) as tf.Tensor4D;

  const y = block.apply(x, false);

  assert.is(attentionKeyChannels(16), 2);
  for (let image = 0; image < SHAPE[0]; image++) {
    const expected = directAttention(imageRows(x, image), block, 0.7);
    const actual = imageRows(y, image);
    for (let j = 0; j < expected.length; j++) {
      for (let c = 0; c < 16; c++) {
        assert.ok(
          Math.abs(actual[j][c] - expected[j][c]) < FLOAT32_TOLERANCE,
          `image ${image}, position ${j}, channel ${c}: ${actual[j][c]} vs ${expected[j][c]}`,
        );
      }
    }
  }
  tf.dispose([x, y, ...block.variables]);
});

test('spectral norm makes attention scale-free', async () => {
  await tf.setBackend('cpu');
  // With W/σ(W), scaling every kernel by 10 changes nothing; without it the output moves.
  for (const normalised of [true, false]) {
    const block = selfAttention({ name: `sa-scale-${normalised}`, channels: 16, seed: 6, spectralNorm: normalised });
    block.gamma.assign(tf.scalar(1));
    const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 7) as tf.Tensor4D;
    tf.dispose(block.apply(x, true));
    const before = block.apply(x, false);
    for (const variable of block.variables.filter((v) => v.name.endsWith('/kernel'))) variable.assign(variable.mul(10));

    const after = block.apply(x, false);

    const change = tf.max(tf.abs(after.sub(before))).dataSync()[0];
    if (normalised) assert.ok(change < 1e-4, `change with spectral norm: ${change}`);
    else assert.ok(change > 1e-2, `change without spectral norm: ${change}`);
    tf.dispose([x, before, after, ...block.variables, ...block.state]);
  }
});

test('attention gradient reaches γ at zero', async () => {
  await tf.setBackend('cpu');
  const block = selfAttention({ name: 'sa-gradient', channels: 16, seed: 8, spectralNorm: false });
  const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 9) as tf.Tensor4D;
  const cotangent = tf.randomNormal(SHAPE, 0, 1, 'float32', 10) as tf.Tensor4D;

  const { grads } = tf.variableGrads(() => block.apply(x, true).mul(cotangent).sum() as tf.Scalar, block.variables);

  // ∂/∂γ Σ C⊙(γ·o + x) = Σ C⊙o; every other weight enters only through γ·o, so at γ = 0 its gradient is 0.
  let expected = 0;
  for (let image = 0; image < SHAPE[0]; image++) {
    const withOutput = directAttention(imageRows(x, image), block, 1);
    const rows = imageRows(x, image);
    const c = imageRows(cotangent, image);
    withOutput.forEach((row, j) => row.forEach((value, ch) => (expected += c[j][ch] * (value - rows[j][ch]))));
  }
  const gammaGradient = grads[block.gamma.name].dataSync()[0];
  assert.ok(Math.abs(gammaGradient - expected) < 1e-3 * Math.max(1, Math.abs(expected)), `∂/∂γ = ${gammaGradient}, expected ${expected}`);
  assert.ok(Math.abs(gammaGradient) > 1e-3, 'γ gets a non-zero gradient');
  for (const variable of block.variables.filter((v) => v !== block.gamma)) {
    const values = grads[variable.name].dataSync();
    assert.ok(values.every((value) => value === 0), `${variable.name} gradient is 0 at γ = 0`);
  }
  tf.dispose([x, cotangent, ...Object.values(grads), ...block.variables]);
});

test('attention rejects a wrong channel count', async () => {
  await tf.setBackend('cpu');
  const block = selfAttention({ name: 'sa-shape', channels: 8, seed: 1 });
  const x = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
  assert.throws(() => block.apply(x, false), /sa-shape: input must have shape \[batch, height, width, 8\], received \[1, 2, 2, 4\]/);
  assert.throws(() => selfAttention({ name: 'sa-bad', channels: 0, seed: 1 }), /channels must be a positive integer, received 0/);
  tf.dispose([x, ...block.variables, ...block.state]);
});

test.run();
