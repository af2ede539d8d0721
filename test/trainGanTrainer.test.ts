import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getCost } from '../src/costs/index.ts';
import { ringMixture, sampleMixture } from '../src/data/mixtures.ts';
import { denseNetwork } from '../src/nets/dense.ts';
import type { Network } from '../src/nets/network.ts';
import { resolveTrainConfig, type TrainConfigInput } from '../src/train/config.ts';
import { readMeasurement } from '../src/train/diagnostics.ts';
import { GanTrainer } from '../src/train/ganTrainer.ts';
import { realGradientPenalty } from '../src/train/gradientPenalty.ts';
import { deriveSeed } from '../src/train/seeds.ts';

const RING = ringMixture();

function toyTrainer(input: Partial<TrainConfigInput> = {}, widths = { g: [4, 8, 2], d: [2, 8, 1] }) {
  const config = resolveTrainConfig({ cost: 'ns', steps: 100, batchSize: 16, noiseDimension: widths.g[0], ...input });
  const generator = denseNetwork({ name: 'G', widths: widths.g, seed: deriveSeed(config.seed, 'g') });
  const discriminator = denseNetwork({ name: 'D', widths: widths.d, seed: deriveSeed(config.seed, 'd') });
  const trainer = new GanTrainer({
    generator,
    discriminator,
    config,
    realBatch: (batchSize, seed) => sampleMixture(RING, batchSize, seed),
  });
  const dispose = () => {
    trainer.dispose();
    generator.dispose();
    discriminator.dispose();
  };
  return { trainer, generator, discriminator, config, dispose };
}

const snapshot = (net: Network) => net.variables.map((v) => Array.from(v.dataSync()));

/** A network of one scalar weight w whose output is w·x (or w for any input when `constant`). */
function scalarNetwork(name: string, initial: number, constant: boolean): Network & { w: tf.Variable } {
  const w = tf.variable(tf.scalar(initial), true, name);
  return {
    w,
    variables: [w],
    state: [],
    apply: (input) => tf.tidy(() => (constant ? tf.mul(tf.onesLike(tf.slice(input, [0, 0], [-1, 1])), w) : tf.mul(input, w))),
    dispose: () => w.dispose(),
  };
}

test.before(async () => {
  await tf.setBackend('cpu');
});

test('generator step leaves D bit-identical', () => {
  const { trainer, generator, discriminator, dispose } = toyTrainer({ gradientPenalty: 10 });
  const before = snapshot(discriminator);
  const gBefore = snapshot(generator);
  tf.tidy(() => {
    const { gradients } = trainer.generatorGradients(trainer.noise(16, 1));
    trainer.generatorAdam.apply(gradients);
  });
  assert.equal(snapshot(discriminator), before);
  assert.not.equal(snapshot(generator), gBefore, 'G moved');
  dispose();
});

test('discriminator step leaves G bit-identical', () => {
  const { trainer, generator, discriminator, dispose } = toyTrainer({ gradientPenalty: 10 });
  const before = snapshot(generator);
  const dBefore = snapshot(discriminator);
  tf.tidy(() => {
    const real = sampleMixture(RING, 16, 3);
    const { gradients } = trainer.discriminatorGradients(real, generator.apply(trainer.noise(16, 1)));
    trainer.discriminatorAdam.apply(gradients);
  });
  assert.equal(snapshot(generator), before);
  assert.not.equal(snapshot(discriminator), dBefore, 'D moved');
  dispose();
});

test('generator gradient reaches only G weights', () => {
  // G output x = w_g (1), D logit w_d·x (1), NS cost softplus(−w_d·w_g): both gradients −σ(−1).
  // One SGD step with lr 0.1 gives w_g = 1 + 0.1·0.2689414 = 1.0268941 and must keep w_d = 1.
  const generator = scalarNetwork('Gscalar', 1, true);
  const discriminator = scalarNetwork('Dscalar', 1, false);
  const config = resolveTrainConfig({ cost: 'ns', steps: 1, batchSize: 1, noiseDimension: 1 });
  const trainer = new GanTrainer({ generator, discriminator, config, realBatch: () => tf.ones([1, 1]) });
  tf.tidy(() => {
    const { gradients } = trainer.generatorGradients(tf.zeros([1, 1]));
    assert.is(gradients.length, 1);
    assert.ok(Math.abs(gradients[0]!.dataSync()[0] - -0.2689414) < 1e-6, `dJ/dw_g ${gradients[0]!.dataSync()[0]}`);
    generator.w.assign(tf.sub(generator.w, tf.mul(gradients[0]!, 0.1)));
  });
  assert.ok(Math.abs(generator.w.dataSync()[0] - 1.0268941) < 1e-6);
  assert.is(discriminator.w.dataSync()[0], 1);
  trainer.dispose();
  generator.dispose();
  discriminator.dispose();
});

test('simultaneous step takes both gradients before updating', () => {
  const a = toyTrainer({ seed: 4 });
  const b = toyTrainer({ seed: 4 });
  a.trainer.step(1);
  // Reproduce the step by hand: both gradients at the initial parameters, then both updates.
  tf.tidy(() => {
    const noise = b.trainer.noise(16, deriveSeed(4, 'noise', 1));
    const real = sampleMixture(RING, 16, deriveSeed(4, 'real', 1));
    const generatorGradients = b.trainer.generatorGradients(noise).gradients;
    const discriminatorGradients = b.trainer.discriminatorGradients(real, b.generator.apply(noise)).gradients;
    b.trainer.generatorAdam.apply(generatorGradients);
    b.trainer.discriminatorAdam.apply(discriminatorGradients);
  });
  assert.equal(snapshot(a.generator), snapshot(b.generator));
  assert.equal(snapshot(a.discriminator), snapshot(b.discriminator));
  a.dispose();
  b.dispose();
});

test('alternating step updates D before G', () => {
  const a = toyTrainer({ seed: 6, schedule: 'alternating', discriminatorSteps: 2 });
  const b = toyTrainer({ seed: 6 });
  a.trainer.step(1);
  tf.tidy(() => {
    for (const k of [0, 1]) {
      const real = sampleMixture(RING, 16, deriveSeed(6, 'real', 1, k));
      const noise = b.trainer.noise(16, deriveSeed(6, 'noise', 1, 'd', k));
      b.trainer.discriminatorAdam.apply(b.trainer.discriminatorGradients(real, b.generator.apply(noise)).gradients);
    }
    const noise = b.trainer.noise(16, deriveSeed(6, 'noise', 1));
    b.trainer.generatorAdam.apply(b.trainer.generatorGradients(noise).gradients);
  });
  assert.equal(snapshot(a.discriminator), snapshot(b.discriminator));
  assert.equal(snapshot(a.generator), snapshot(b.generator));
  assert.equal(a.trainer.discriminatorAdam.stepCounts()[0], 2);
  a.dispose();
  b.dispose();
});

test('training steps leak no tensors', async () => {
  // Leak check: G dense 2→2, D dense 2→1, batch 4 from the ring, 50 steps with a read per step.
  await tf.setBackend('wasm');
  const { trainer, dispose } = toyTrainer({ batchSize: 4, gradientPenalty: 1, logEvery: 10 }, { g: [2, 2], d: [2, 1] });
  const run = async (step: number) => {
    const measurement = trainer.step(step, step % 10 === 0);
    if (measurement) await readMeasurement(measurement);
    await trainer.divergedAt();
  };
  await run(1);
  const afterFirst = tf.memory().numTensors;
  for (let step = 2; step <= 50; step++) await run(step);
  assert.is(tf.memory().numTensors - afterFirst, 0);
  dispose();
  await tf.setBackend('cpu');
});

test('gradient penalty matches finite differences', () => {
  const discriminator = denseNetwork({ name: 'Dpenalty', widths: [2, 6, 6, 1], seed: 21 });
  const real = tf.tensor2d([[0.3, -0.8], [1.1, 0.2], [-0.5, 0.4]]);
  const lambda = 3;
  const h = 1e-2;
  // ∇ₓ D_l by central differences; D is piecewise linear, so they are exact between kinks.
  const logits = (x: number[][]) => tf.tidy(() => Array.from(discriminator.apply(tf.tensor2d(x)).dataSync()));
  const points = real.arraySync() as number[][];
  const squaredNorms = points.map((p) => {
    let sum = 0;
    for (let d = 0; d < 2; d++) {
      const plus = p.map((v, j) => (j === d ? v + h : v));
      const minus = p.map((v, j) => (j === d ? v - h : v));
      sum += ((logits([plus])[0] - logits([minus])[0]) / (2 * h)) ** 2;
    }
    return sum;
  });
  const expected = (lambda / 2) * (squaredNorms.reduce((s, x) => s + x, 0) / 3);
  const actual = tf.tidy(() => realGradientPenalty(discriminator, real, lambda).dataSync()[0]);
  assert.ok(Math.abs(actual - expected) <= 1e-3 * Math.abs(expected), `penalty ${actual} vs ${expected}`);

  // ∂penalty/∂φ for a few weights, by central differences on the penalty itself.
  const { grads } = tf.variableGrads(() => realGradientPenalty(discriminator, real, lambda), discriminator.variables);
  const kernel = discriminator.variables[2];
  const analytic = grads[kernel.name].dataSync();
  const original = kernel.dataSync().slice();
  for (const index of [0, 7, 20, 35]) {
    const penaltyAt = (delta: number) => {
      const values = original.slice();
      values[index] += delta;
      kernel.assign(tf.tensor(values, kernel.shape));
      return tf.tidy(() => realGradientPenalty(discriminator, real, lambda).dataSync()[0]);
    };
    const numeric = (penaltyAt(1e-2) - penaltyAt(-1e-2)) / 2e-2;
    kernel.assign(tf.tensor(original, kernel.shape));
    assert.ok(
      Math.abs(analytic[index] - numeric) <= 2e-3 * Math.max(1, Math.abs(numeric)),
      `∂penalty/∂kernel[${index}]: autodiff ${analytic[index]} vs differences ${numeric}`,
    );
  }
  tf.dispose(Object.values(grads));
  real.dispose();
  discriminator.dispose();
});

test('gradient penalty stays outside the cost', () => {
  const plain = toyTrainer({ seed: 9 });
  const penalised = toyTrainer({ seed: 9, gradientPenalty: 5 });
  tf.tidy(() => {
    const real = sampleMixture(RING, 16, 1);
    const fake = plain.generator.apply(plain.trainer.noise(16, 2));
    const withoutPenalty = plain.trainer.discriminatorGradients(real, fake).loss.dataSync()[0];
    const withPenalty = penalised.trainer.discriminatorGradients(real, fake).loss.dataSync()[0];
    const penalty = realGradientPenalty(penalised.discriminator, real, 5).dataSync()[0];
    assert.ok(Math.abs(withPenalty - (withoutPenalty + penalty)) < 1e-5, `${withPenalty} vs ${withoutPenalty} + ${penalty}`);
  });
  plain.dispose();
  penalised.dispose();
});

test('diagnostics match independent computations', async () => {
  const { trainer, generator, discriminator, config, dispose } = toyTrainer({ seed: 13 });
  trainer.step(1);
  const before = { g: snapshot(generator), d: snapshot(discriminator) };
  const expected = tf.tidy(() => {
    const noise = trainer.noise(16, deriveSeed(13, 'noise', 2));
    const real = sampleMixture(RING, 16, deriveSeed(13, 'real', 2));
    const fakeLogits = discriminator.apply(generator.apply(noise));
    const gradientsFor = (name: string) => {
      const cost = getCost(name);
      const { grads } = tf.variableGrads(() => cost.generator(discriminator.apply(generator.apply(noise))), generator.variables);
      return generator.variables.map((v) => Array.from(grads[v.name].dataSync()));
    };
    const probabilities = Array.from(tf.sigmoid(fakeLogits).dataSync()).sort((a, b) => a - b);
    return {
      meanLogitReal: tf.mean(discriminator.apply(real)).dataSync()[0],
      meanLogitFake: tf.mean(fakeLogits).dataSync()[0],
      probabilities,
      ns: gradientsFor('ns').flat(),
      mmNsat: gradientsFor('mm-nsat').flat(),
    };
  });
  const diagnostics = await readMeasurement(trainer.step(2, true)!);
  const dot = expected.ns.reduce((s, x, i) => s + x * expected.mmNsat[i], 0);
  const normNs = Math.hypot(...expected.ns);
  const normMmNsat = Math.hypot(...expected.mmNsat);
  const close = (a: number, b: number, label: string) =>
    assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${label}: ${a} vs ${b}`);
  close(diagnostics.meanLogitReal, expected.meanLogitReal, 'mean D_l real');
  close(diagnostics.meanLogitFake, expected.meanLogitFake, 'mean D_l fake');
  close(diagnostics.fakeProbabilityMin, expected.probabilities[0], 'min D_p');
  close(diagnostics.fakeProbabilityMax, expected.probabilities[15], 'max D_p');
  close(diagnostics.fakeProbabilityMedian, (expected.probabilities[7] + expected.probabilities[8]) / 2, 'median D_p');
  close(diagnostics.nsMmNsatCosine, dot / (normNs * normMmNsat), 'cosine');
  close(diagnostics.nsMmNsatNormRatio, normMmNsat / normNs, 'norm ratio');
  assert.ok(diagnostics.nsMmNsatCosine > 0, 'cosine is positive');
  assert.ok(diagnostics.nsMmNsatCosine <= 1 + 1e-6, 'cosine is at most 1');

  const after = { g: snapshot(generator), d: snapshot(discriminator) };
  const change = (x: number[][], y: number[][]) => Math.hypot(...x.flat().map((v, i) => v - y.flat()[i]));
  close(diagnostics.updateNormGenerator, change(after.g, before.g), '|Δθ|');
  close(diagnostics.updateNormDiscriminator, change(after.d, before.d), '|Δφ|');
  assert.ok(diagnostics.gradientNormGenerator > 0, 'G gradient norm is positive');
  assert.ok(diagnostics.gradientNormDiscriminator > 0, 'D gradient norm is positive');
  assert.is(config.cost, 'ns');
  dispose();
});

test('unit costs rescale G gradient to norm 1', async () => {
  const { trainer, dispose } = toyTrainer({ cost: 'mm-unit', seed: 2 });
  const diagnostics = await readMeasurement(trainer.step(1, true)!);
  assert.ok(Math.abs(diagnostics.gradientNormGenerator - 1) < 1e-4, `‖∇θ‖ ${diagnostics.gradientNormGenerator}`);
  dispose();
});

test('non-finite loss marks its first step', async () => {
  const { trainer, discriminator, dispose } = toyTrainer({ seed: 3 });
  trainer.step(1);
  trainer.step(2);
  assert.is(await trainer.divergedAt(), null);
  discriminator.variables[0].assign(tf.fill(discriminator.variables[0].shape, Number.NaN));
  trainer.step(3);
  trainer.step(4);
  assert.is(await trainer.divergedAt(), 3);
  dispose();
});

test('generator adam resets every k steps', () => {
  const { trainer, dispose } = toyTrainer({ resetGeneratorAdamEvery: 3 });
  trainer.step(1);
  trainer.step(2);
  assert.ok(trainer.generatorAdam.stepCounts().every((t) => t === 2));
  trainer.step(3);
  assert.ok(trainer.generatorAdam.stepCounts().every((t) => t === 0));
  assert.ok(trainer.discriminatorAdam.stepCounts().every((t) => t === 3), 'D keeps its state');
  dispose();
});

test.run();
