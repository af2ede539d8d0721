/**
 * A setup module for tests: the toy-mixture setup with a `createShared` that records how
 * often the shared parts are built and disposed, and which shared object each setup got.
 */
import * as mixture from '../src/train/mixtureSetup.ts';
import type { TrainConfig } from '../src/train/config.ts';
import type { GanSetup, SharedSetup } from '../src/train/setup.ts';

export const COUNTING_SETUP_MODULE = 'test/countingSetup.ts';

export interface SetupCalls {
  sharedBuilt: SharedSetup[];
  sharedDisposed: SharedSetup[];
  /** The shared object passed to each createSetup call, in call order. */
  setupsGiven: (SharedSetup | undefined)[];
  /** Setups not disposed yet when the shared parts were disposed, one entry per disposal. */
  setupsLiveAtSharedDisposal: number[];
}

/**
 * The records live on globalThis because a test that imports this file (loaded by require
 * under uvu) and the run that imports it by path (import()) get two instances of the module.
 */
const RECORDS = Symbol.for('gan-dynamics.test.countingSetup');
const records = ((globalThis as Record<symbol, unknown>)[RECORDS] ??= {
  calls: { sharedBuilt: [], sharedDisposed: [], setupsGiven: [], setupsLiveAtSharedDisposal: [] },
  liveSetups: 0,
}) as { calls: SetupCalls; liveSetups: number };

export const calls = records.calls;

export function resetCalls(): void {
  calls.sharedBuilt = [];
  calls.sharedDisposed = [];
  calls.setupsGiven = [];
  calls.setupsLiveAtSharedDisposal = [];
}

export const validateSetupOptions = mixture.validateSetupOptions;

export function createShared(_options: unknown): SharedSetup {
  const shared: SharedSetup = {
    dispose() {
      calls.sharedDisposed.push(shared);
      calls.setupsLiveAtSharedDisposal.push(records.liveSetups);
    },
  };
  calls.sharedBuilt.push(shared);
  return shared;
}

export function createSetup(options: unknown, config: TrainConfig, shared?: SharedSetup): GanSetup {
  calls.setupsGiven.push(shared);
  const setup = mixture.createSetup(options, config);
  records.liveSetups++;
  return {
    ...setup,
    dispose() {
      records.liveSetups--;
      setup.dispose();
    },
  };
}
