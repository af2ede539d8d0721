import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ringSweepSettings, runRingSweepBench } from '../bench/ringSweep.ts';
import { RING_SCALES } from '../experiments/ring/index.ts';

test('ring sweep settings: cpu scale intervals', () => {
  const settings = ringSweepSettings(10, 2000);
  const cpu = RING_SCALES.cpu.train;

  assert.equal(settings.variants.map((variant) => variant.label), ['NS', 'MM', 'MM-nsat']);
  assert.equal(settings.seeds, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.is(settings.train.steps, 2000);
  for (const key of ['evaluateEvery', 'logEvery', 'checkpointEvery', 'batchSize', 'generatorAdam', 'discriminatorAdam'] as const) {
    assert.equal(settings.train[key], cpu[key], key);
  }
  assert.ok((settings.train.sampleSteps ?? []).every((step) => step <= 2000));
  assert.equal(settings.setup, RING_SCALES.cpu.setup);
});

test('ring sweep: too few steps rejected', async () => {
  const backend = { name: 'cpu' as const, package: '@tensorflow/tfjs-backend-cpu', version: 'test', threads: 1, skipped: [] };
  try {
    await runRingSweepBench(backend, { seeds: 1, steps: 10 }, () => {});
    assert.unreachable('a 10-step sweep was accepted');
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /invalid --ring-steps 10: expected at least \d+/);
  }
});

test.run();
