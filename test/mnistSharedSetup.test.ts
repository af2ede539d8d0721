/**
 * MNIST setups built on shared parts: they evaluate as a setup built alone (which computes
 * its own classifier reference), keep their seeds' networks and batches apart, and reject
 * shared parts built for other options.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../src/backend.ts';
import { resolveTrainConfig } from '../src/train/config.ts';
import { GanTrainer } from '../src/train/ganTrainer.ts';
import type { GanSetup } from '../src/train/setup.ts';
import { createSetup, createShared, type MnistSetupOptions } from '../experiments/mnist-coverage/mnistSetup.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'mnist-shared-'));

const OPTIONS: MnistSetupOptions = {
  preset: 'fc-3',
  width: 16,
  trainLimit: 128,
  referenceSamples: 64,
  evaluationSamples: 32,
  storedSamples: 4,
  cacheDir: directory,
  // Its accuracy does not matter here, because both sides label with the same classifier.
  testClassifier: { trainLimit: 500, testLimit: 100, requiredAccuracy: 0 },
};

const trainConfig = (seed: number) => resolveTrainConfig({ cost: 'ns', seed, steps: 1, batchSize: 8 });

async function evaluate(setup: GanSetup, seed: number) {
  const trainer = new GanTrainer({ generator: setup.generator, discriminator: setup.discriminator, config: trainConfig(seed), realBatch: setup.realBatch });
  try {
    return await setup.evaluate!({ step: 1, seed: 77, trainer });
  } finally {
    trainer.dispose();
  }
}

async function weights(setup: GanSetup): Promise<number[]> {
  return Array.from(await setup.generator.variables[0].data());
}

test.after(() => rmSync(directory, { recursive: true, force: true }));

test('shared setups evaluate as one built alone', async () => {
  await selectBackend('wasm');
  const shared = await createShared(OPTIONS);
  const first = await createSetup(OPTIONS, trainConfig(1), shared);
  const second = await createSetup(OPTIONS, trainConfig(2), shared);
  const alone = await createSetup(OPTIONS, trainConfig(2));
  try {
    // Disposing one seed's setup must leave the shared classifier to the others.
    first.dispose();
    const fromShared = await evaluate(second, 2);
    const fromAlone = await evaluate(alone, 2);
    assert.type(fromShared.frechetDistance, 'number');
    assert.equal(fromShared, fromAlone);

    assert.equal(await weights(second), await weights(alone), 'same seed, same networks');
    const [batchShared, batchAlone] = [second.realBatch(8, 5), alone.realBatch(8, 5)];
    assert.equal(Array.from(await batchShared.data()), Array.from(await batchAlone.data()), 'same seed, same batch');
    tf.dispose([batchShared, batchAlone]);
  } finally {
    second.dispose();
    alone.dispose();
    shared.dispose();
  }
});

test('seeds keep their own networks and batches', async () => {
  await selectBackend('wasm');
  const shared = await createShared({ ...OPTIONS, classMetrics: false });
  const setups = [await createSetup({ ...OPTIONS, classMetrics: false }, trainConfig(1), shared), await createSetup({ ...OPTIONS, classMetrics: false }, trainConfig(2), shared)];
  try {
    const [one, two] = await Promise.all(setups.map(weights));
    assert.not.equal(one, two);
    const batches = [setups[0].realBatch(8, 1), setups[1].realBatch(8, 2)];
    const [first, second] = await Promise.all(batches.map((batch) => batch.data()));
    assert.not.equal(Array.from(first), Array.from(second));
    tf.dispose(batches);
  } finally {
    for (const setup of setups) setup.dispose();
    shared.dispose();
  }
});

test('shared parts of other options are rejected', async () => {
  await selectBackend('wasm');
  const shared = await createShared({ ...OPTIONS, classMetrics: false });
  try {
    await createSetup({ ...OPTIONS, classMetrics: false, referenceSamples: 32 }, trainConfig(1), shared).then(
      () => assert.unreachable('shared parts of another reference size were accepted'),
      (error: Error) => assert.match(error.message, /shared parts were built for options .*"referenceSamples":64/),
    );
    await createSetup(OPTIONS, trainConfig(1), { dispose() {} }).then(
      () => assert.unreachable('a foreign shared object was accepted'),
      (error: Error) => assert.instance(error, TypeError),
    );
  } finally {
    shared.dispose();
  }
});

test.run();
