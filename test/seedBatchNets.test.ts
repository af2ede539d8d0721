import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/backend.ts';
import { denseNetwork, type HiddenActivation, type OutputActivation } from '../src/nets/dense.ts';
import { fcDiscriminator, fcGenerator } from '../src/nets/fc.ts';
import {
  copySeedWeights,
  denseLayout,
  seedBatchedDenseNetwork,
  stackDenseNetworks,
} from '../src/nets/seedBatchedDense.ts';
import { seedMatMul } from '../src/nets/seedMatMul.ts';

/**
 * float32 products of a few layers summed in different orders (XNNPACK per seed against
 * XNNPACK on the plain network, or tfjs's cpu loops): values of order 1 agree to ~1e-6.
 */
const TOLERANCE = 2e-5;

const SEEDS = [3, 11, 42];

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`seed-batched weights equal plain networks (${backend})`, async () => {
    await selectBackend(backend);
    const batched = seedBatchedDenseNetwork({ name: 'Gseed', widths: [4, 8, 8, 2] }, SEEDS);
    const plain = SEEDS.map((seed) => denseNetwork({ name: 'Gplain', widths: [4, 8, 8, 2], seed }));
    try {
      assert.equal(batched.variables.map((v) => v.shape), [[3, 4, 8], [3, 1, 8], [3, 8, 8], [3, 1, 8], [3, 8, 2], [3, 1, 2]]);
      plain.forEach((network, s) => {
        network.variables.forEach((variable, i) => {
          const slice = tf.tidy(() => tf.reshape(tf.gather(batched.variables[i], s), variable.shape));
          assert.equal(Array.from(slice.dataSync()), Array.from(variable.dataSync()), `seed ${s}, variable ${i}`);
          slice.dispose();
        });
      });
    } finally {
      batched.dispose();
      plain.forEach((network) => network.dispose());
    }
  });

  for (const [hidden, output] of [['relu', 'tanh'], ['leakyrelu', 'none']] as [HiddenActivation, OutputActivation][]) {
    test(`seed-batched apply and gradients, ${hidden}/${output} (${backend})`, async () => {
      await selectBackend(backend);
      const plain = SEEDS.map((seed) =>
        denseNetwork({ name: 'Dplain', widths: [5, 16, 16, 1], seed, hiddenActivation: hidden, outputActivation: output }),
      );
      const batched = stackDenseNetworks('Dseed', plain);
      const input = tf.randomNormal([SEEDS.length, 7, 5], 0, 1, 'float32', 5);
      try {
        const loss = (outputs: tf.Tensor) => tf.sum(tf.square(outputs));
        const batchedGrads = tf.variableGrads(() => loss(batched.apply(input)) as tf.Scalar, batched.variables);
        plain.forEach((network, s) => {
          const x = tf.gather(input, s);
          const output = network.apply(x);
          const batchedOutput = tf.gather(batched.apply(input), s);
          assert.ok(maxDifference(output, batchedOutput) < TOLERANCE, `outputs of seed ${s}`);
          const plainGrads = tf.variableGrads(() => loss(network.apply(x)) as tf.Scalar, network.variables);
          network.variables.forEach((variable, i) => {
            const slice = tf.reshape(tf.gather(batchedGrads.grads[batched.variables[i].name], s), variable.shape);
            const difference = maxDifference(plainGrads.grads[variable.name], slice);
            assert.ok(difference < TOLERANCE, `gradient of ${variable.name}, seed ${s}: ${difference}`);
          });
        });
      } finally {
        batched.dispose();
        plain.forEach((network) => network.dispose());
        input.dispose();
      }
    });
  }

  test(`seed product equals per-seed products, twice (${backend})`, async () => {
    await selectBackend(backend);
    // The second product reuses no cached XNNPACK operator of the first: new values, same shapes.
    for (const seed of [1, 2]) {
      const a = tf.randomNormal([4, 6, 9], 0, 1, 'float32', seed) as tf.Tensor3D;
      const b = tf.randomNormal([4, 9, 5], 0, 1, 'float32', seed + 10) as tf.Tensor3D;
      const expected = tf.tidy(() => tf.stack(tf.unstack(a).map((x, s) => tf.matMul(x, tf.unstack(b)[s]))));
      const product = seedMatMul(a, b);
      assert.ok(maxDifference(expected, product) < TOLERANCE);
      tf.dispose([a, b, expected, product]);
    }
  });
}

test('dense layout of FC-n and of other networks', async () => {
  await selectBackend('cpu');
  const generator = fcGenerator({ name: 'Gfc', layers: 2, hiddenWidth: 8, imageShape: [2, 2, 1], noiseSize: 3, seed: 1 });
  const normalised = fcDiscriminator({ name: 'Dbn', layers: 3, hiddenWidth: 8, imageShape: [2, 2, 1], batchNorm: true, seed: 1 });
  try {
    assert.equal(denseLayout(generator), { widths: [3, 8, 4], hiddenActivation: 'relu', outputActivation: 'tanh' });
    assert.is(denseLayout(normalised), undefined);
    assert.throws(() => stackDenseNetworks('X', [generator, normalised]), /networks\[1\] is not a dense network/);
  } finally {
    generator.dispose();
    normalised.dispose();
  }
});

test('seed weights copy into a plain network', async () => {
  await selectBackend('cpu');
  const batched = seedBatchedDenseNetwork({ name: 'Gcopy', widths: [2, 3, 1] }, [5, 6]);
  const target = denseNetwork({ name: 'Gtarget', widths: [2, 3, 1], seed: 0 });
  const reference = denseNetwork({ name: 'Greference', widths: [2, 3, 1], seed: 6 });
  try {
    copySeedWeights(batched, 1, target);
    target.variables.forEach((variable, i) => {
      assert.equal(Array.from(variable.dataSync()), Array.from(reference.variables[i].dataSync()));
    });
    assert.throws(() => copySeedWeights(batched, 2, target), /seedIndex must be an integer in \[0, 2\), received 2/);
  } finally {
    batched.dispose();
    target.dispose();
    reference.dispose();
  }
});

test('seed product rejects mismatched shapes', async () => {
  await selectBackend('cpu');
  const a = tf.zeros([2, 3, 4]) as tf.Tensor3D;
  const b = tf.zeros([3, 4, 5]) as tf.Tensor3D;
  assert.throws(() => seedMatMul(a, b), /do not form a product per seed/);
  tf.dispose([a, b]);
});

test.run();
