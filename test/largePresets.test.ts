import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import {
  buildLargePreset,
  LARGE_PRESET_NAMES,
  smallestResolution,
  type LargeGanNetworks,
  type LargePresetName,
} from '../src/nets/largePresets.ts';

const BATCH = 2;
/**
 * Width m of the training-step tests. tfjs 4.22's cpu Conv2DBackpropFilter is a scalar loop
 * (a full-width Conv-4-sn G step takes over a minute on one core), so the steps run at
 * m = 1 and the full widths are checked by building them and reading their layer shapes.
 */
const STEP_WIDTH = 1;
const STEPS = 3;

function kernels(network: { variables: tf.Variable[] }): [string, number[]][] {
  return network.variables
    .filter((variable) => variable.name.endsWith('/kernel'))
    .map((variable) => [variable.name.replace(/^[GD](_\d+)?\//, ''), variable.shape]);
}

function softplus(x: tf.Tensor): tf.Tensor {
  return tf.softplus(x);
}

/** Asserts that every variable got a finite gradient. */
function assertFiniteGradients(label: string, variables: tf.Variable[], grads: tf.NamedTensorMap): void {
  for (const variable of variables) {
    const gradient = grads[variable.name];
    assert.ok(gradient !== undefined, `${label}: no gradient for ${variable.name}`);
    assert.equal(gradient.shape, variable.shape, `${label}: gradient shape of ${variable.name}`);
    const finite = tf.tidy(() => tf.all(tf.isFinite(gradient)).dataSync()[0]);
    assert.is(finite, 1, `${label}: non-finite gradient for ${variable.name}`);
  }
}

/** Runs one D step and one G step with the NS costs and Adam, checking every gradient. */
function trainingStep(nets: LargeGanNetworks, real: tf.Tensor, noise: tf.Tensor, optimizers: tf.Optimizer[]): void {
  const { generator, discriminator } = nets;
  const discriminatorStep = tf.variableGrads(
    () =>
      tf.tidy(() => {
        const fake = generator.apply(noise, { training: true });
        const realLogits = discriminator.apply(real, { training: true });
        const fakeLogits = discriminator.apply(fake, { training: true });
        return softplus(realLogits.neg()).mean().add(softplus(fakeLogits).mean()) as tf.Scalar;
      }),
    discriminator.variables,
  );
  assertFiniteGradients(`${nets.preset} D`, discriminator.variables, discriminatorStep.grads);
  optimizers[0].applyGradients(discriminatorStep.grads);
  tf.dispose([discriminatorStep.value, ...Object.values(discriminatorStep.grads)]);

  const generatorStep = tf.variableGrads(
    () => tf.tidy(() => softplus(discriminator.apply(generator.apply(noise, { training: true }), { training: true }).neg()).mean() as tf.Scalar),
    generator.variables,
  );
  assertFiniteGradients(`${nets.preset} G`, generator.variables, generatorStep.grads);
  optimizers[1].applyGradients(generatorStep.grads);
  tf.dispose([generatorStep.value, ...Object.values(generatorStep.grads)]);
}

for (const name of LARGE_PRESET_NAMES) {
  test(`${name} trains without leaking`, async () => {
    await tf.setBackend('cpu');
    const baseline = tf.memory().numTensors;
    const resolution = smallestResolution(name);
    const nets = buildLargePreset(name, { seed: 5, width: STEP_WIDTH, resolution });
    const real = tf.randomUniform([BATCH, resolution, resolution, 3], -1, 1, 'float32', 6);
    const noise = tf.randomNormal([BATCH, nets.noiseSize], 0, 1, 'float32', 7);
    const optimizers = [tf.train.adam(1e-4, 0.5, 0.999, 1e-8), tf.train.adam(1e-4, 0.5, 0.999, 1e-8)];

    try {
      const images = nets.generator.apply(noise);
      const logits = nets.discriminator.apply(real);
      assert.equal(images.shape, [BATCH, resolution, resolution, 3]);
      assert.equal(logits.shape, [BATCH, 1]);
      const [low, high] = tf.tidy(() => [images.min().dataSync()[0], images.max().dataSync()[0]]);
      assert.ok(low >= -1, `G's tanh output ≥ −1: ${low}`);
      assert.ok(high <= 1, `G's tanh output ≤ 1: ${high}`);
      tf.dispose([images, logits]);

      const stateBefore = nets.discriminator.state.map((variable) => Array.from(variable.dataSync()));
      trainingStep(nets, real, noise, optimizers);
      const afterFirst = tf.memory().numTensors;
      for (let step = 1; step < STEPS; step++) trainingStep(nets, real, noise, optimizers);
      assert.is(tf.memory().numTensors, afterFirst, `${name}: tensor count after step ${STEPS} equals the count after step 1`);
      if (name !== 'conv-6' && name !== 'conv-ffhq') {
        const moved = nets.discriminator.state.some((variable, i) => variable.dataSync().some((value, j) => value !== stateBefore[i][j]));
        assert.ok(moved, `${name}: D's saved state (power-iteration vectors, moving averages) changes in training`);
      }
    } finally {
      nets.dispose();
      optimizers.forEach((optimizer) => optimizer.dispose());
      tf.dispose([real, noise]);
    }
    assert.is(tf.memory().numTensors, baseline, `${name}: disposing the networks and optimizers frees everything`);
  });
}

test('conv-ffhq 512² has the 9-layer shapes', async () => {
  await tf.setBackend('cpu');
  const nets = buildLargePreset('conv-ffhq', { seed: 1, resolution: 512 });
  const m = 32;

  // D: 3×3 stride-2 convolutions at sides 512 … 4 with m·128/r filters, then the 2×2 logit convolution.
  const discriminator: [string, number[]][] = [];
  let inChannels = 3;
  for (let side = 512; side > 2; side /= 2) {
    discriminator.push([`conv${side}/kernel`, [3, 3, inChannels, (m * 128) / side]]);
    inChannels = (m * 128) / side;
  }
  discriminator.push(['logit/kernel', [2, 2, 1024, 1]]);
  assert.is(discriminator.length, 9);
  assert.equal(kernels(nets.discriminator), discriminator);
  assert.equal(discriminator[0][1], [3, 3, 3, 8]);

  // G: z densely to 4×4×8m, transposed convolutions ([k, k, out, in]) at sides 4 … 256, then 1×1 to RGB.
  const generator: [string, number[]][] = [['dense/kernel', [128, 4 * 4 * 8 * m]]];
  inChannels = 8 * m;
  for (let side = 4; side < 512; side *= 2) {
    generator.push([`deconv${side}/kernel`, [3, 3, (m * 128) / side, inChannels]]);
    inChannels = (m * 128) / side;
  }
  generator.push(['image/kernel', [1, 1, 3, 16]]);
  assert.equal(kernels(nets.generator), generator);
  assert.equal(nets.imageShape, [512, 512, 3]);
  nets.dispose();
});

test('conv-ffhq 512² steps at reduced width', async () => {
  await tf.setBackend('cpu');
  const nets = buildLargePreset('conv-ffhq', { seed: 2, resolution: 512, width: 1 });
  const real = tf.randomUniform([BATCH, 512, 512, 3], -1, 1, 'float32', 3);
  const noise = tf.randomNormal([BATCH, 128], 0, 1, 'float32', 4);
  const optimizers = [tf.train.adam(1e-4, 0.5), tf.train.adam(1e-4, 0.5)];

  trainingStep(nets, real, noise, optimizers);
  const afterFirst = tf.memory().numTensors;
  trainingStep(nets, real, noise, optimizers);
  assert.is(tf.memory().numTensors, afterFirst);

  nets.dispose();
  optimizers.forEach((optimizer) => optimizer.dispose());
  tf.dispose([real, noise]);
});

test('conv-4-sn and conv-6-sn normalise D, not the logit', async () => {
  await tf.setBackend('cpu');
  const conv4 = buildLargePreset('conv-4-sn', { seed: 1 });
  assert.equal(kernels(conv4.discriminator), [
    ['conv0/kernel', [3, 3, 3, 32]],
    ['conv1/kernel', [3, 3, 32, 64]],
    ['conv2/kernel', [3, 3, 64, 128]],
    ['conv3/kernel', [3, 3, 128, 256]],
    ['logit/kernel', [2, 2, 256, 1]],
  ]);
  assert.equal(conv4.discriminator.state.map((variable) => variable.shape), [[32], [64], [128], [256]]);
  assert.equal(conv4.generator.state, [], 'G has no spectral norm');
  conv4.dispose();

  const conv6 = buildLargePreset('conv-6-sn', { seed: 1 });
  const d = kernels(conv6.discriminator);
  assert.equal(d.map(([name]) => name), ['conv128/kernel', 'conv64/kernel', 'conv32/kernel', 'conv16/kernel', 'conv8/kernel', 'conv4/kernel', 'logit/kernel']);
  assert.equal(conv6.discriminator.state.map((variable) => variable.shape), [[32], [64], [128], [256], [512], [1024]]);
  conv6.dispose();

  const plain = buildLargePreset('conv-6', { seed: 1 });
  assert.equal(plain.discriminator.state, []);
  plain.dispose();
});

test('dcgan-bn-sn 128² layers and attention', async () => {
  await tf.setBackend('cpu');
  for (const name of ['dcgan-bn-sn', 'dcgan-bn-sn-sa'] as LargePresetName[]) {
    const nets = buildLargePreset(name, { seed: 1 });
    const attention = name.endsWith('-sa');
    const g = kernels(nets.generator).filter(([layer]) => !layer.startsWith('attention'));
    assert.equal(g, [
      ['deconv0/kernel', [4, 4, 1024, 8]],
      ['deconv1/kernel', [4, 4, 512, 1024]],
      ['deconv2/kernel', [4, 4, 256, 512]],
      ['deconv3/kernel', [4, 4, 128, 256]],
      ['deconv4/kernel', [4, 4, 64, 128]],
      ['image/kernel', [4, 4, 3, 64]],
    ]);
    const d = kernels(nets.discriminator).filter(([layer]) => !layer.startsWith('attention'));
    assert.equal(d, [
      ['conv0/kernel', [4, 4, 3, 64]],
      ['conv1/kernel', [4, 4, 64, 128]],
      ['conv2/kernel', [4, 4, 128, 256]],
      ['conv3/kernel', [4, 4, 256, 512]],
      ['conv4/kernel', [4, 4, 512, 1024]],
      ['logit/kernel', [4, 4, 1024, 1]],
    ]);
    const gammas = (network: { variables: tf.Variable[] }) =>
      network.variables.filter((variable) => variable.name.endsWith('/gamma') && variable.name.includes('attention')).map((variable) => variable.name.replace(/^[GD](_\d+)?\//, ''));
    // Attention after G's layers 1 and 3 (512 and 128 channels) and D's layers 1 and 3 (128 and 512).
    assert.equal(gammas(nets.generator), attention ? ['attention1/gamma', 'attention3/gamma'] : []);
    assert.equal(gammas(nets.discriminator), attention ? ['attention1/gamma', 'attention3/gamma'] : []);
    if (attention) {
      const valueKernel = (network: { variables: tf.Variable[] }, index: number) =>
        network.variables.find((variable) => variable.name.endsWith(`attention${index}/value/kernel`))?.shape;
      assert.equal(valueKernel(nets.generator, 1), [512, 512]);
      assert.equal(valueKernel(nets.generator, 3), [128, 128]);
      assert.equal(valueKernel(nets.discriminator, 1), [128, 128]);
      assert.equal(valueKernel(nets.discriminator, 3), [512, 512]);
    }
    // D: one power-iteration vector per convolution (and per attention projection), two batch-norm statistics per convolution.
    const spectral = nets.discriminator.state.filter((variable) => variable.name.endsWith('/u'));
    assert.is(spectral.length, 5 + (attention ? 8 : 0));
    nets.dispose();
  }
});

test('large presets reject bad options', async () => {
  await tf.setBackend('cpu');
  assert.throws(() => buildLargePreset('conv-9', { seed: 1 }), /unknown preset "conv-9"; expected one of conv-4-sn/);
  assert.throws(() => buildLargePreset('conv-4-sn', { seed: 1, resolution: 64 }), /conv-4-sn is defined for 32² images, received resolution 64/);
  assert.throws(() => buildLargePreset('conv-ffhq', { seed: 1, resolution: 1024 }), /power-of-two resolution from 32 to 512, received 1024/);
  assert.throws(() => buildLargePreset('conv-ffhq', { seed: 1, resolution: 48 }), /received 48/);
  assert.throws(() => buildLargePreset('dcgan-bn-sn', { seed: 1, noiseSize: 100 }), /noiseSize must be 128, received 100/);
  assert.throws(() => buildLargePreset('conv-6', { seed: 1.5 }), /seed must be an integer, received 1.5/);

  const nets = buildLargePreset('conv-ffhq', { seed: 1, resolution: 32, width: 1 });
  const wrong = tf.zeros([1, 64, 64, 3]);
  assert.throws(() => nets.discriminator.apply(wrong), /D(_\d+)?: input must have shape \[batch, 32, 32, 3\], received \[1, 64, 64, 3\]/);
  const noise = tf.zeros([1, 100]);
  assert.throws(() => nets.generator.apply(noise), /G(_\d+)?: input must have shape \[batch, 128\], received \[1, 100\]/);
  tf.dispose([wrong, noise]);
  nets.dispose();
});

test.run();
