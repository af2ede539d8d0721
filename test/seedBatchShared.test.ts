/**
 * Shared setup parts and per-seed figures of seed-batched runs. A batch builds the
 * seed-independent parts of its setups once, and MNIST setups built on shared parts
 * evaluate as setups built alone. Every run's status records the seeds that shared its
 * program and its share of the wall time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend, type BackendInfo } from '../src/backend.ts';
import { RunStore, machineSeconds, seedSecondsOf } from '../src/train/runStore.ts';
import { trainSeedBatch, type SeedBatchRun } from '../src/train/seedBatchRun.ts';
import type { RunConfig } from '../src/train/setup.ts';
import { trainRun } from '../src/train/trainRun.ts';
import { calls, COUNTING_SETUP_MODULE, resetCalls } from './countingSetup.ts';

let backend: BackendInfo;
let root: string;

function config(seed: number): RunConfig {
  return {
    train: {
      cost: 'ns',
      steps: 20,
      batchSize: 8,
      noiseDimension: 4,
      seed,
      logEvery: 10,
      evaluateEvery: 20,
      checkpointEvery: 10,
      sampleSteps: [],
      generatorAdam: { learningRate: 1e-3 },
      discriminatorAdam: { learningRate: 1e-3 },
    },
    setup: {
      module: COUNTING_SETUP_MODULE,
      options: { mixture: { kind: 'ring' }, generatorHidden: [8], discriminatorHidden: [8], evaluationSamples: 64, storedSamples: 8 },
    },
  };
}

const runsIn = (dir: string, seeds: number[]): SeedBatchRun[] =>
  seeds.map((seed) => ({ id: `seed${seed}`, dir: path.join(root, dir, `seed${seed}`), config: config(seed) }));

test.before(async () => {
  backend = await selectBackend('wasm');
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-seedbatch-shared-'));
});

test.after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('batch builds shared parts once', async () => {
  resetCalls();
  const results = await trainSeedBatch(runsIn('once', [1, 2, 3]), { backend });
  assert.equal(results.map((result) => result.state), ['complete', 'complete', 'complete']);
  assert.is(calls.sharedBuilt.length, 1, 'createShared calls');
  const [shared] = calls.sharedBuilt;
  // One setup to inspect the networks, then one per seed.
  assert.is(calls.setupsGiven.length, 4, 'createSetup calls');
  assert.ok(calls.setupsGiven.every((given) => given === shared), 'every setup got the shared parts');
  assert.equal(calls.sharedDisposed, [shared], 'shared parts disposed once');
  assert.equal(calls.setupsLiveAtSharedDisposal, [0], 'after every setup');
});

test('groups at different steps share one build', async () => {
  const runs = runsIn('groups', [4, 5]);
  const stop = new AbortController();
  stop.abort();
  await trainSeedBatch(runs.slice(0, 1), { backend, signal: stop.signal });
  resetCalls();
  const results = await trainSeedBatch(runs, { backend });
  assert.equal(results.map((result) => [result.state, result.resumedFrom]), [['complete', 1], ['complete', 0]]);
  assert.is(calls.sharedBuilt.length, 1, 'createShared calls');
  assert.is(calls.setupsGiven.length, 3, 'createSetup calls');
  assert.equal(calls.sharedDisposed.length, 1);
});

test('finished batch builds nothing', async () => {
  resetCalls();
  const results = await trainSeedBatch(runsIn('once', [1, 2, 3]), { backend });
  assert.ok(results.every((result) => result.alreadyFinished));
  assert.is(calls.sharedBuilt.length, 0);
  assert.is(calls.setupsGiven.length, 0);
});

test('status records batched seeds and shares', async () => {
  const runs = runsIn('once', [1, 2, 3]);
  const statuses = await Promise.all(runs.map(async (run) => (await new RunStore(run.dir).readStatus())!));
  for (const status of statuses) {
    assert.is(status.batchedSeeds, 3);
    // All three seeds ran to the end, so each is credited with a third of the program's wall time.
    assert.ok(Math.abs(seedSecondsOf(status) - status.seconds / 3) <= 0.01, `${seedSecondsOf(status)} s of ${status.seconds} s`);
  }
  const wall = Math.max(...statuses.map((status) => status.seconds));
  assert.ok(Math.abs(machineSeconds(statuses) - wall) <= 0.01, `machine ${machineSeconds(statuses)} s, wall ${wall} s`);
});

test('separate run reads as unbatched', async () => {
  const run = runsIn('alone', [6])[0];
  assert.is((await trainRun(run.dir, run.config, { backend })).state, 'complete');
  const status = (await new RunStore(run.dir).readStatus())!;
  assert.is(status.batchedSeeds, 1);
  assert.ok(Math.abs(seedSecondsOf(status) - status.seconds) < 1e-9, `${seedSecondsOf(status)} s of ${status.seconds} s`);
  assert.ok(Math.abs(machineSeconds([status, null]) - status.seconds) < 1e-9);
});

test.run();
