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
  // Four seeds shared a 40 s program; a fifth run trained alone for 10 s.
  const batch = [0, 1, 2, 3].map((): RunStatus => ({ ...OLDER, seconds: 40, batchedSeeds: 4, seedSeconds: 10 }));
  assert.is(describeRunTime(batch[0]), '40.0 s for 4 seeds batched');
  assert.is(machineSeconds([...batch, OLDER, null]), 40 + 12.5);
});

test('sweep labels failures and stops apart', () => {
  assert.is(runEndLabel('failed', 'Error: boom\n    at x', null), 'failed: Error: boom');
  assert.is(runEndLabel('incomplete', undefined, OLDER), 'stopped at step 400 of 1000, resumes there when rerun');
  assert.is(runEndLabel('incomplete', undefined, null), 'incomplete');
});

test.run();
