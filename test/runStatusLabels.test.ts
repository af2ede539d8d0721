/**
 * How stored run statuses read: a run stopped at a checkpoint apart from a failed one, the
 * wall time of a batched program with its seed count, and machine time that counts each
 * batched program once. Status files written before the batch fields existed read as
 * runs trained alone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackendInfo } from '../src/backend.ts';
import {
  batchedSeedsOf,
  describeRunState,
  describeRunTime,
  isStoppedToResume,
  machineSeconds,
  seedSecondsOf,
  type RunStatus,
} from '../src/train/runStore.ts';
import { runEndLabel } from '../src/train/sweep.ts';
import { describeCompletion, summaryStatus } from '../experiments/experimentRuns.ts';
import { summaryTable, type ToyRun, type ToyVariant } from '../experiments/ring/toyRuns.ts';
import { createMixture } from '../src/data/mixtures.ts';

const BACKEND: BackendInfo = { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: '4.22.0', threads: 2, skipped: [] };

/** A status.json as older code wrote it: no batchedSeeds, no seedSeconds. */
const OLDER: RunStatus = {
  state: 'incomplete',
  step: 400,
  steps: 1000,
  backend: BACKEND,
  backends: [BACKEND],
  seconds: 12.5,
  updated: '2025-01-01T00:00:00.000Z',
};

test('stopped run reads as resumable', () => {
  assert.ok(isStoppedToResume(OLDER));
  assert.is(describeRunState(OLDER), 'stopped at step 400 of 1000, resumes there when rerun');
});

test('failed run reads as incomplete', () => {
  const failed: RunStatus = { ...OLDER, error: 'out of memory\n    at step' };
  assert.not.ok(isStoppedToResume(failed));
  assert.is(describeRunState(failed), 'incomplete: out of memory');
});

test('results.json status tells stops from failures', () => {
  assert.is(summaryStatus(OLDER), 'stopped');
  assert.is(summaryStatus({ ...OLDER, error: 'out of memory' }), 'incomplete');
  assert.is(summaryStatus({ ...OLDER, state: 'running' }), 'incomplete');
  assert.is(summaryStatus({ ...OLDER, state: 'diverged' }), 'diverged');
  assert.is(summaryStatus(null), 'incomplete');
});

test('other states read plainly', () => {
  assert.is(describeRunState(null), 'not started');
  assert.is(describeRunState({ ...OLDER, state: 'complete', step: 1000 }), 'complete');
  assert.is(describeRunState({ ...OLDER, state: 'diverged', step: 410, divergedAt: 402 }), 'diverged at step 402');
  assert.is(describeRunState({ ...OLDER, state: 'running' }), 'running or killed, from step 400 of 1000');
});

test('older status reads as unbatched', () => {
  assert.is(batchedSeedsOf(OLDER), 1);
  assert.is(seedSecondsOf(OLDER), 12.5);
  assert.is(describeRunTime(OLDER), '12.5 s');
});

test('batched wall time counts once', () => {
  // Four seeds shared a 40 s program. A fifth run trained alone for 12.5 s.
  const batch = [0, 1, 2, 3].map((): RunStatus => ({ ...OLDER, seconds: 40, batchedSeeds: 4, seedSeconds: 10 }));
  assert.is(describeRunTime(batch[0]), '40.0 s for 4 seeds batched');
  assert.is(machineSeconds([...batch, OLDER, null]), 40 + 12.5);
});

test('sweep labels failures and stops apart', () => {
  assert.is(runEndLabel('failed', 'Error: boom\n    at x', null), 'failed: Error: boom');
  assert.is(runEndLabel('incomplete', undefined, OLDER), 'stopped at step 400 of 1000, resumes there when rerun');
  assert.is(runEndLabel('incomplete', undefined, null), 'incomplete');
});

test('completion counts stops apart from failures', () => {
  const complete: RunStatus = { ...OLDER, state: 'complete', step: 1000 };
  const failed: RunStatus = { ...OLDER, error: 'out of memory' };
  assert.is(describeCompletion([complete, complete]), '2/2');
  assert.is(describeCompletion([complete, OLDER]), '1/2 (1 stopped at step 400 of 1000 and resumes when rerun)');
  assert.is(
    describeCompletion([OLDER, { ...OLDER, step: 500 }, failed, null]),
    '0/4 (2 stopped at step 400 or 500 of 1000 and resume when rerun; 1 incomplete; 1 not started)',
  );
  assert.is(describeCompletion([{ ...OLDER, state: 'diverged', divergedAt: 3 }, { ...OLDER, state: 'running' }]), '0/2 (1 diverged; 1 running or killed)');
});

test('toy summary names stopped runs', () => {
  const variant: ToyVariant = { label: 'NS', cost: 'ns' };
  const run = (seed: number, status: RunStatus): ToyRun => ({
    id: `ns__seed${seed}`,
    variant,
    seed,
    config: { train: { cost: 'ns', steps: 1000, seed }, setup: { mixture: { kind: 'ring' } } },
    status,
    rows: [],
    samples: new Map(),
  });
  const mixture = createMixture({ kind: 'ring' });
  const table = summaryTable('final', mixture, [variant], [run(1, { ...OLDER, state: 'complete', step: 1000 }), run(2, OLDER)], 0.25, 500);
  assert.is(table.rows[0].at(-1), '1/2 (1 stopped at step 400 of 1000 and resumes when rerun)');
});

test.run();
