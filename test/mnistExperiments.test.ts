import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../src/backend.ts';
import { planRuns, runAndLoad } from '../experiments/mnist-coverage/mnistRuns.ts';

const directory = mkdtempSync(path.join(tmpdir(), 'mnist-e2e-'));

test('tiny MNIST runs train, evaluate and store samples', async () => {
  const backend = await selectBackend('wasm');
  const setup = {
    preset: 'fc-3' as const,
    width: 32,
    trainLimit: 256,
    evaluationSamples: 100,
    referenceSamples: 200,
    storedSamples: 4,
    cacheDir: path.join(directory, 'cache'),
    // A classifier of 2000 digits reaches about 90 % in its three epochs: enough to label.
    testClassifier: { trainLimit: 2000, testLimit: 500, requiredAccuracy: 0.7 },
  };
  const planned = planRuns([{ label: 'NS', id: 'ns', cost: 'ns' }, { label: 'MM-nsat', id: 'mm-nsat', cost: 'mm-nsat' }], [setup], [1], {
    steps: 6,
    batchSize: 16,
    logEvery: 3,
    evaluateEvery: 3,
    sampleSteps: [6],
  });

  const runs = await runAndLoad('mnist-e2e', 'quick', planned, {
    runsDir: path.join(directory, 'runs'),
    backend,
    progress: () => {},
  });

  assert.is(runs.length, 2);
  for (const run of runs) {
    assert.is(run.status?.state, 'complete', `${run.id} finished`);
    assert.equal(run.rows.map((row) => row.step), [3, 6]);
    const last = run.rows[1];
    const divergence = last.classDivergence as number;
    const frechet = last.frechetDistance as number;
    assert.type(divergence, 'number');
    assert.ok(divergence >= 0, `D_JS ${divergence} ≥ 0`);
    assert.ok(divergence <= 1, `D_JS ${divergence} ≤ 1`);
    assert.type(frechet, 'number');
    assert.ok(frechet >= 0, `Fréchet distance ${frechet} ≥ 0`);
    assert.ok((last.gradientNormGenerator as number) > 0, 'G has a gradient');
    assert.equal(run.samples?.shape, [4, 32, 32, 1]);
    assert.ok(run.samples!.data.every((value) => value >= -1 && value <= 1), 'samples in [−1, 1]');
  }
  assert.is(tf.getBackend(), 'wasm');
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();
