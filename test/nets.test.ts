import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installWasmConvGradients } from '../src/kernels/conv2dBackpropFilter.ts';
import { batchNormLayer } from '../src/nets/batchNorm.ts';
import { buildPreset, PRESET_NAMES, type GanNetworks } from '../src/nets/presets.ts';
import { Adam } from '../src/train/adam.ts';

const BATCH = 4;

test.before(async () => {
  await tf.setBackend('wasm');
  installWasmConvGradients();
});

function parameterCount(variables: tf.Variable[]): number {
  return variables.reduce((count, variable) => count + variable.size, 0);
}

/** One D step and one G step with the non-saturating costs; returns how far each network moved. */
function trainingStep(nets: GanNetworks): { generatorChange: number; discriminatorChange: number } {
  const before = (variables: tf.Variable[]) => variables.map((variable) => variable.clone());
  const distance = (a: tf.Tensor[], b: tf.Variable[]) =>
    tf.tidy(() => tf.addN(a.map((x, i) => tf.sum(tf.square(tf.sub(x, b[i]))))).dataSync()[0]);
  const generatorStart = before(nets.generator.variables);
  const discriminatorStart = before(nets.discriminator.variables);
  const generatorAdam = new Adam(nets.generator.variables);
  const discriminatorAdam = new Adam(nets.discriminator.variables);
  const real = tf.randomUniform([BATCH, ...nets.imageShape], -1, 1, 'float32', 3);

  tf.tidy(() => {
    const fake = nets.generator.apply(tf.randomNormal([BATCH, nets.noiseSize], 0, 1, 'float32', 4), { training: true });
    const discriminatorCost = () =>
      tf.add(
        tf.mean(tf.softplus(tf.neg(nets.discriminator.apply(real, { training: true })))),
        tf.mean(tf.softplus(nets.discriminator.apply(fake, { training: true }))),
      ) as tf.Scalar;
    const { grads: discriminatorGradients } = tf.variableGrads(discriminatorCost, nets.discriminator.variables);
    discriminatorAdam.apply(nets.discriminator.variables.map((variable) => discriminatorGradients[variable.name]));

    const generatorCost = () => {
      const images = nets.generator.apply(tf.randomNormal([BATCH, nets.noiseSize], 0, 1, 'float32', 5), { training: true });
      return tf.mean(tf.softplus(tf.neg(nets.discriminator.apply(images, { training: true })))) as tf.Scalar;
    };
    const { grads: generatorGradients } = tf.variableGrads(generatorCost, nets.generator.variables);
    generatorAdam.apply(nets.generator.variables.map((variable) => generatorGradients[variable.name]));
  });

  const result = {
    generatorChange: distance(generatorStart, nets.generator.variables),
    discriminatorChange: distance(discriminatorStart, nets.discriminator.variables),
  };
  tf.dispose([...generatorStart, ...discriminatorStart, real]);
  generatorAdam.dispose();
  discriminatorAdam.dispose();
  return result;
}

for (const preset of PRESET_NAMES) {
  for (const batchNorm of [false, true]) {
    test(`${preset}${batchNorm ? '-bn' : ''} builds and trains one step`, () => {
      const nets = buildPreset(preset, { seed: 7, batchNorm });

      const images = nets.generator.apply(tf.randomNormal([BATCH, 128]));
      const logits = nets.discriminator.apply(images);
      const range = [images.min().dataSync()[0], images.max().dataSync()[0]];
      const change = trainingStep(nets);

      assert.equal(images.shape, [BATCH, 32, 32, 1]);
      assert.equal(logits.shape, [BATCH, 1]);
      assert.ok(range[0] >= -1, `G's output ≥ −1, received ${range[0]}`);
      assert.ok(range[1] <= 1, `G's output ≤ 1, received ${range[1]}`);
      // Adam's first step moves every parameter by about the learning rate 1e-4.
      assert.ok(change.discriminatorChange > 0, 'D moved');
      assert.ok(change.generatorChange > 0, 'G moved');
      const names = [...nets.generator.variables, ...nets.discriminator.variables].map((variable) => variable.name);
      assert.is(new Set(names).size, names.length, 'variable names are unique');
      assert.is(nets.generator.state.length > 0, batchNorm, 'batch norm adds moving statistics');
      tf.dispose([images, logits]);
      nets.dispose();
    });
  }
}

test('paper sizes: FC-4 and Conv-4 parameter counts', () => {
  const fc4 = buildPreset('fc-4', { seed: 1 });
  const conv4 = buildPreset('conv-4', { seed: 1 });

  // FC-4 G: 128→512→512→512→1024; D: 1024→512→512→512→1.
  assert.is(parameterCount(fc4.generator.variables), 128 * 512 + 512 + 2 * (512 * 512 + 512) + 512 * 1024 + 1024);
  assert.is(parameterCount(fc4.discriminator.variables), 1024 * 512 + 512 + 2 * (512 * 512 + 512) + 512 + 1);
  // Conv-4 (m = 32) D: 3×3 convs 1→32→64→128→256 with biases, then a 2×2 conv to 1.
  const d = 9 * (1 * 32 + 32 * 64 + 64 * 128 + 128 * 256) + (32 + 64 + 128 + 256) + 4 * 256 + 1;
  assert.is(parameterCount(conv4.discriminator.variables), d);
  // G: dense 128→4·4·128, transposed 3×3 convs 128→256→128→64, 1×1 to 1 channel.
  const g = 128 * 2048 + 2048 + 9 * (128 * 256 + 256 * 128 + 128 * 64) + (256 + 128 + 64) + 64 + 1;
  assert.is(parameterCount(conv4.generator.variables), g);
  fc4.dispose();
  conv4.dispose();
});

test('same seed, same weights; two networks coexist', () => {
  const first = buildPreset('conv-4', { seed: 11 });
  const second = buildPreset('conv-4', { seed: 11 });
  const other = buildPreset('conv-4', { seed: 12 });

  const values = (nets: GanNetworks) => Array.from(nets.generator.variables[0].dataSync().slice(0, 20));
  assert.equal(values(first), values(second));
  assert.not.equal(values(first), values(other));
  assert.not.equal(first.generator.variables[0].name, second.generator.variables[0].name);
  [first, second, other].forEach((nets) => nets.dispose());
});

test('batch norm: batch statistics in training, moving ones otherwise', () => {
  const norm = batchNormLayer('bn-test', 2, { momentum: 0.5 });
  const x = tf.tensor2d([[1, 10], [3, 30], [5, 50]]);

  const trained = norm.apply(x, true);
  const [mean, variance] = norm.state.map((variable) => Array.from(variable.dataSync()));
  const inference = norm.apply(x, false);

  // Batch mean (3, 30), biased variance (8/3, 800/3): the output has mean 0 and variance ≈ 1.
  const column = Array.from(trained.dataSync()).filter((_, i) => i % 2 === 0);
  assert.ok(Math.abs(column.reduce((a, b) => a + b, 0)) < 1e-5);
  assert.ok(Math.abs(column[2] - 2 / Math.sqrt(8 / 3 + 1e-3)) < 1e-5);
  // Moving averages with momentum ½ from (0, 1): ½·0 + ½·mean and ½·1 + ½·variance.
  assert.ok(Math.abs(mean[0] - 1.5) < 1e-5, `moving mean ${mean[0]}`);
  assert.ok(Math.abs(mean[1] - 15) < 1e-4, `moving mean ${mean[1]}`);
  assert.ok(Math.abs(variance[0] - (0.5 + 4 / 3)) < 1e-5);
  const first = inference.dataSync()[0];
  assert.ok(Math.abs(first - (1 - 1.5) / Math.sqrt(0.5 + 4 / 3 + 1e-3)) < 1e-5);
  tf.dispose([x, trained, inference, ...norm.variables, ...norm.state]);
});

test('unknown preset and bad seed rejected', () => {
  assert.throws(() => buildPreset('conv-5', { seed: 1 }), /unknown preset "conv-5"; expected one of fc-3, fc-4, conv-4/);
  assert.throws(() => buildPreset('fc-4', { seed: 0.5 }), /seed must be an integer, received 0.5/);
  assert.throws(() => buildPreset('conv-4', { seed: 1, imageShape: [28, 28, 1] }), /imageSize must be 2\^\(depth \+ 1\) = 32/);
});

test('networks release their tensors', () => {
  const start = tf.memory().numTensors;
  const nets = buildPreset('conv-4', { seed: 3, batchNorm: true });
  tf.tidy(() => {
    nets.discriminator.apply(nets.generator.apply(tf.randomNormal([2, 128]), { training: true }), { training: true });
  });
  nets.dispose();

  assert.is(tf.memory().numTensors, start);
});

test.run();
