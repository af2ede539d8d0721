/**
 * Trains several runs that share everything but their seed as one seed-batched program,
 * each still in its own run-store folder with the files a separate run writes: the same
 * config.json, metrics rows, samples, checkpoints and status.json. Experiments and reports
 * read the folders unchanged.
 *
 * Each run's setup is built as a separate run builds it, except that the parts its setup
 * module shares through `createShared` (data, evaluation references) are built once for
 * the batch. When both of its networks are plain dense stacks (toy mixtures, FC-n without
 * batch norm), their weights are stacked on a seed axis and trained by a SeedBatchTrainer.
 * Otherwise the runs train one after another with `trainRun`. Evaluations and stored
 * samples copy a seed's weights back into its own setup's networks and call the setup as
 * a separate run would.
 *
 * Every run's status records the program's wall time as `seconds`, the seeds in the program
 * as `batchedSeeds`, and its share of the machine time as `seedSeconds` (runStore.ts).
 *
 * Checkpoints of all seeds are written at the same steps, each file atomically. A crash
 * between two of those writes leaves seeds at different steps. On resume the seeds are
 * grouped by their checkpoint step and each group trains as its own batched program.
 *
 * A seed whose loss turns NaN or infinite is finished as `diverged` at the logging or
 * checkpoint step where a separate run would stop. The seed stays in the batched program,
 * where its NaN values reach no other seed, but nothing more is written for it.
 */
import type { BackendInfo } from '../backend.ts';
import { copySeedWeights, denseLayout, stackDenseNetworks } from '../nets/seedBatchedDense.ts';
import type { TrainConfig } from './config.ts';
import { GanTrainer, type TrainerState } from './ganTrainer.ts';
import type { Checkpoint } from './checkpoint.ts';
import { RunStore, seedSecondsOf, type MetricRow, type RunState, type RunStatus } from './runStore.ts';
import { readSeedMeasurement } from './seedBatchDiagnostics.ts';
import { SeedBatchTrainer } from './seedBatchTrainer.ts';
import { deriveSeed } from './seeds.ts';
import {
  validateRunConfig,
  type EvaluationContext,
  type GanSetup,
  type RunConfig,
  type SetupModule,
  type SharedSetup,
} from './setup.ts';
import { trainRun, type TrainRunResult } from './trainRun.ts';

export interface SeedBatchRun {
  id: string;
  dir: string;
  config: RunConfig;
}

export interface SeedBatchRunOptions {
  backend: BackendInfo;
  /** Stops every run at the next step, after writing their checkpoints. */
  signal?: AbortSignal;
  /** Called at every logging step of a run with its id, the completed and the total steps. */
  onProgress?: (id: string, step: number, steps: number) => void;
  /** Called once per run as soon as it has finished or stopped. */
  onFinished?: (id: string, result: TrainRunResult) => void;
}

/** Lets signal handlers and IPC messages run between synchronous training steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function isDue(step: number, every: number, steps: number): boolean {
  return every > 0 && (step % every === 0 || step === steps);
}

/** Returns the run config without its seed, as a key of the runs that can share a program. */
export function seedFreeKey(config: RunConfig): string {
  const { seed: _seed, ...train } = config.train;
  return JSON.stringify({ train, setup: config.setup });
}

/** One seed's run inside a batched program. */
interface SeedRun extends SeedBatchRun {
  train: TrainConfig;
  store: RunStore;
  status: RunStatus;
  previousSeconds: number;
  previousSeedSeconds: number;
  setup?: GanSetup;
}

/**
 * Trains `runs` (which must differ only in train.seed) as one seed-batched program where
 * their networks allow it, one after another otherwise. Returns each run's result in the
 * order given.
 */
export async function trainSeedBatch(runs: SeedBatchRun[], options: SeedBatchRunOptions): Promise<TrainRunResult[]> {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new RangeError(`trainSeedBatch: runs must list at least one run, received ${String(runs)}`);
  }
  const key = seedFreeKey(runs[0].config);
  runs.forEach((run, i) => {
    if (seedFreeKey(run.config) !== key) {
      throw new RangeError(`trainSeedBatch: runs[${i}] (${run.id}) differs from runs[0] in more than its seed`);
    }
  });
  const results = new Map<string, TrainRunResult>();
  const finish = (id: string, result: TrainRunResult) => {
    results.set(id, result);
    options.onFinished?.(id, result);
  };

  const { module } = await validateRunConfig(runs[0].config);
  const pending: SeedRun[] = [];
  for (const run of runs) {
    const { train } = await validateRunConfig(run.config);
    const store = new RunStore(run.dir);
    await store.create();
    await store.writeConfig(run.config);
    const previous = await store.readStatus();
    if (previous !== null && (previous.state === 'complete' || previous.state === 'diverged')) {
      const { state, step, divergedAt } = previous;
      finish(run.id, { state, step, resumedFrom: step, divergedAt, alreadyFinished: true });
      continue;
    }
    const status: RunStatus = {
      state: 'running',
      step: 0,
      steps: train.steps,
      backend: options.backend,
      backends: [...(previous?.backends ?? []), options.backend],
      seconds: previous?.seconds ?? 0,
      updated: new Date().toISOString(),
    };
    pending.push({
      ...run,
      train,
      store,
      status,
      previousSeconds: previous?.seconds ?? 0,
      previousSeedSeconds: previous === null ? 0 : seedSecondsOf(previous),
    });
  }
  if (pending.length === 0) return runs.map((run) => results.get(run.id)!);

  let shared = await module.createShared?.(runs[0].config.setup.options);
  try {
    if (!(await batchable(module, pending[0], shared))) {
      // Each trainRun builds its whole setup, so the shared parts would only take memory.
      shared?.dispose();
      shared = undefined;
      for (const run of pending) {
        finish(run.id, await trainRun(run.dir, run.config, {
          backend: options.backend,
          signal: options.signal,
          onProgress: (step, steps) => options.onProgress?.(run.id, step, steps),
        }));
      }
      return runs.map((run) => results.get(run.id)!);
    }

    // Seeds whose checkpoints stopped at different steps train as separate groups.
    const byStep = new Map<number, { run: SeedRun; checkpoint: Checkpoint | null }[]>();
    for (const run of pending) {
      const checkpoint = await run.store.readCheckpoint();
      if (checkpoint !== null && checkpoint.seed !== run.train.seed) {
        throw new Error(`${run.store.checkpointFile}: checkpoint seed ${checkpoint.seed} differs from config.seed ${run.train.seed}`);
      }
      const step = checkpoint?.step ?? 0;
      byStep.set(step, [...(byStep.get(step) ?? []), { run, checkpoint }]);
    }
    for (const [step, group] of byStep) {
      const states = group.map(({ checkpoint }) => checkpoint?.trainer);
      await trainGroup(module, shared, group.map(({ run }) => run), states, step, options, finish);
    }
  } finally {
    shared?.dispose();
  }
  return runs.map((run) => results.get(run.id)!);
}

/** Tells whether the setup's networks can take a seed axis, by building the first run's. */
async function batchable(module: SetupModule, run: SeedRun, shared: SharedSetup | undefined): Promise<boolean> {
  // With shared parts this builds little more than the two networks.
  const setup = await module.createSetup(run.config.setup.options, run.train, shared);
  try {
    return denseLayout(setup.generator) !== undefined && denseLayout(setup.discriminator) !== undefined;
  } finally {
    setup.dispose();
  }
}

type Finish = (id: string, result: TrainRunResult) => void;

async function trainGroup(
  module: SetupModule,
  shared: SharedSetup | undefined,
  runs: SeedRun[],
  states: (TrainerState | undefined)[],
  resumedFrom: number,
  options: SeedBatchRunOptions,
  finish: Finish,
): Promise<void> {
  const active = new Set(runs);
  const started = Date.now();
  // Each interval of the program's wall time is split evenly among the seeds still in it.
  const shareSeconds = new Map(runs.map((run) => [run, 0]));
  let sharedUntil = started;
  const shareElapsedTime = () => {
    const now = Date.now();
    for (const run of active) shareSeconds.set(run, shareSeconds.get(run)! + (now - sharedUntil) / 1000 / active.size);
    sharedUntil = now;
  };
  const saveStatus = async (run: SeedRun, changes: Partial<RunStatus>) => {
    shareElapsedTime();
    Object.assign(run.status, changes, {
      seconds: run.previousSeconds + (Date.now() - started) / 1000,
      batchedSeeds: runs.length,
      seedSeconds: run.previousSeedSeconds + shareSeconds.get(run)!,
      updated: new Date().toISOString(),
    });
    await run.store.writeStatus(run.status);
  };
  let trainer: SeedBatchTrainer | undefined;
  let generator: ReturnType<typeof stackDenseNetworks> | undefined;
  let discriminator: ReturnType<typeof stackDenseNetworks> | undefined;
  try {
    for (const run of runs) run.setup = await module.createSetup(run.config.setup.options, run.train, shared);
    generator = stackDenseNetworks('G', runs.map((run) => run.setup!.generator));
    discriminator = stackDenseNetworks('D', runs.map((run) => run.setup!.discriminator));
    trainer = new SeedBatchTrainer({
      generator,
      discriminator,
      config: runs[0].train,
      seeds: runs.map((run) => run.train.seed),
      realBatch: runs.map((run) => run.setup!.realBatch),
    });
    if (resumedFrom > 0) trainer.loadStates(states.map((state) => state!));
    for (const run of runs) {
      await run.store.truncateMetrics(resumedFrom);
      await run.store.truncateSamples(resumedFrom);
      await saveStatus(run, { step: resumedFrom });
    }
    await loop(trainer, runs, active, resumedFrom, options, async (run, outcome) => {
      await saveStatus(run, outcome);
      active.delete(run);
      finish(run.id, { ...outcome, resumedFrom, alreadyFinished: false });
    });
  } catch (error) {
    for (const run of active) {
      await saveStatus(run, { state: 'incomplete', error: error instanceof Error ? error.message : String(error) });
    }
    throw error;
  } finally {
    trainer?.dispose();
    generator?.dispose();
    discriminator?.dispose();
    for (const run of runs) run.setup?.dispose();
  }
}

type Outcome = { state: RunState; step: number; divergedAt?: number };

async function loop(
  trainer: SeedBatchTrainer,
  runs: SeedRun[],
  active: Set<SeedRun>,
  resumedFrom: number,
  options: SeedBatchRunOptions,
  end: (run: SeedRun, outcome: Outcome) => Promise<void>,
): Promise<void> {
  const { steps, logEvery, evaluateEvery, checkpointEvery } = runs[0].train;
  const sampleSteps = new Set(runs[0].train.sampleSteps);

  /** Runs `task` with a GanTrainer over seed s's own setup, holding the seed's current weights. */
  const withSeedTrainer = async <T>(s: number, task: (plain: GanTrainer) => Promise<T>): Promise<T> => {
    const run = runs[s];
    copySeedWeights(trainer.generator, s, run.setup!.generator);
    copySeedWeights(trainer.discriminator, s, run.setup!.discriminator);
    const plain = new GanTrainer({ generator: run.setup!.generator, discriminator: run.setup!.discriminator, config: run.train, realBatch: run.setup!.realBatch });
    try {
      return await task(plain);
    } finally {
      plain.dispose();
    }
  };
  const context = (s: number, step: number, plain: GanTrainer): EvaluationContext => ({
    step,
    seed: deriveSeed(runs[s].train.seed, 'evaluate', step),
    trainer: plain,
  });

  for (let step = resumedFrom + 1; step <= steps && active.size > 0; step++) {
    const logging = isDue(step, logEvery, steps);
    const evaluating = isDue(step, evaluateEvery, steps);
    const measurement = trainer.step(step, logging);

    if (logging || evaluating) {
      const diagnostics = measurement ? await readSeedMeasurement(measurement) : undefined;
      const divergedAt = await trainer.divergedAt();
      for (const [s, run] of runs.entries()) {
        if (!active.has(run)) continue;
        const row: MetricRow = { step };
        if (diagnostics) Object.assign(row, diagnostics[s]);
        const diverged = divergedAt[s];
        if (diverged === null && evaluating && run.setup!.evaluate) {
          Object.assign(row, await withSeedTrainer(s, (plain) => run.setup!.evaluate!(context(s, step, plain))));
        }
        await run.store.appendMetrics([row]);
        if (diverged !== null) await end(run, { state: 'diverged', step, divergedAt: diverged });
        else options.onProgress?.(run.id, step, steps);
      }
    }
    if (sampleSteps.has(step)) {
      for (const [s, run] of runs.entries()) {
        if (!active.has(run) || !run.setup!.samples) continue;
        const samples = await withSeedTrainer(s, (plain) => run.setup!.samples!(context(s, step, plain)));
        await run.store.writeSamples({ step, ...samples });
      }
    }

    await yieldToEventLoop();
    const stopping = options.signal?.aborted === true && step < steps;
    if (isDue(step, checkpointEvery, steps) || stopping) {
      // A checkpoint must never hold a diverged state, which a resume would train on.
      const divergedAt = await trainer.divergedAt();
      const states = await trainer.exportStates();
      for (const [s, run] of runs.entries()) {
        if (!active.has(run)) continue;
        const diverged = divergedAt[s];
        if (diverged !== null) {
          await end(run, { state: 'diverged', step, divergedAt: diverged });
          continue;
        }
        await run.store.writeCheckpoint({ step, seed: run.train.seed, trainer: states[s] });
      }
    }
    if (stopping) {
      for (const run of [...active]) await end(run, { state: 'incomplete', step });
      return;
    }
  }
  for (const run of [...active]) await end(run, { state: 'complete', step: steps });
}
