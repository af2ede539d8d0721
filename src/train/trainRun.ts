/**
 * Trains one run in its run-store folder, from scratch or from its last checkpoint.
 *
 * The loop reads nothing back from the backend between logging steps. At a logging step it
 * reads the step's diagnostics and the divergence marker, evaluates the setup when due, and
 * appends one metrics row. A NaN or infinite loss stops the run as `diverged`, with the
 * first step it happened. Checkpoints are written every `checkpointEvery` steps, at the end,
 * and when the signal aborts. A crash loses at most the steps since the last checkpoint, and
 * the resumed run repeats them exactly (same batches, same rows).
 */
import type { BackendInfo } from '../backend.ts';
import type { TrainConfig } from './config.ts';
import { readMeasurement } from './diagnostics.ts';
import { GanTrainer } from './ganTrainer.ts';
import { RunStore, seedSecondsOf, type MetricRow, type RunState, type RunStatus } from './runStore.ts';
import { deriveSeed } from './seeds.ts';
import { validateRunConfig, type EvaluationContext, type GanSetup, type RunConfig } from './setup.ts';

export interface TrainRunOptions {
  /** The backend this process computes with; recorded in status.json. */
  backend: BackendInfo;
  /** Stops the run at the next step, after writing a checkpoint. */
  signal?: AbortSignal;
  /** Called at every logging step with the completed and the total steps. */
  onProgress?: (step: number, steps: number) => void;
}

export interface TrainRunResult {
  state: RunState;
  /** Last completed step. */
  step: number;
  /** Step the run resumed from (0 for a fresh start). */
  resumedFrom: number;
  divergedAt?: number;
  /** Set when the folder already held a finished run, which was left as it was. */
  alreadyFinished: boolean;
}

/** Lets signal handlers and IPC messages run between synchronous training steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function isDue(step: number, every: number, steps: number): boolean {
  return every > 0 && (step % every === 0 || step === steps);
}

export async function trainRun(dir: string, config: RunConfig, options: TrainRunOptions): Promise<TrainRunResult> {
  const { train, module } = await validateRunConfig(config);
  const store = new RunStore(dir);
  await store.create();
  await store.writeConfig(config);

  const previous = await store.readStatus();
  if (previous !== null && (previous.state === 'complete' || previous.state === 'diverged')) {
    return {
      state: previous.state,
      step: previous.step,
      resumedFrom: previous.step,
      divergedAt: previous.divergedAt,
      alreadyFinished: true,
    };
  }

  const setup = await module.createSetup(config.setup.options, train);
  const trainer = new GanTrainer({
    generator: setup.generator,
    discriminator: setup.discriminator,
    config: train,
    realBatch: setup.realBatch,
  });
  const status: RunStatus = {
    state: 'running',
    step: 0,
    steps: train.steps,
    backend: options.backend,
    backends: [...(previous?.backends ?? []), options.backend],
    seconds: previous?.seconds ?? 0,
    updated: new Date().toISOString(),
  };
  const started = Date.now();
  // A run trained alone keeps its share of earlier seed-batched sessions and adds its own time in full.
  const earlierShare = previous === null ? 0 : seedSecondsOf(previous);
  const saveStatus = async (changes: Partial<RunStatus>) => {
    const elapsed = (Date.now() - started) / 1000;
    Object.assign(status, changes, {
      seconds: (previous?.seconds ?? 0) + elapsed,
      batchedSeeds: 1,
      seedSeconds: earlierShare + elapsed,
      updated: new Date().toISOString(),
    });
    await store.writeStatus(status);
  };

  try {
    const resumedFrom = await restore(store, trainer, train);
    await saveStatus({ step: resumedFrom });
    const outcome = await loop(store, trainer, setup, train, resumedFrom, options);
    await saveStatus(outcome);
    return { ...outcome, resumedFrom, alreadyFinished: false };
  } catch (error) {
    await saveStatus({ state: 'incomplete', error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    trainer.dispose();
    setup.dispose();
  }
}

/** Loads the last checkpoint, if any, and drops rows and samples written after it. */
async function restore(store: RunStore, trainer: GanTrainer, train: TrainConfig): Promise<number> {
  const checkpoint = await store.readCheckpoint();
  if (checkpoint !== null && checkpoint.seed !== train.seed) {
    throw new Error(
      `${store.checkpointFile}: checkpoint seed ${checkpoint.seed} differs from config.seed ${train.seed}`,
    );
  }
  const step = checkpoint?.step ?? 0;
  if (checkpoint !== null) trainer.loadState(checkpoint.trainer);
  await store.truncateMetrics(step);
  await store.truncateSamples(step);
  return step;
}

async function loop(
  store: RunStore,
  trainer: GanTrainer,
  setup: GanSetup,
  train: TrainConfig,
  resumedFrom: number,
  options: TrainRunOptions,
): Promise<{ state: RunState; step: number; divergedAt?: number }> {
  const { steps, seed, logEvery, evaluateEvery, checkpointEvery } = train;
  const sampleSteps = new Set(train.sampleSteps);
  const checkpoint = (step: number) =>
    trainer.exportState().then((state) => store.writeCheckpoint({ step, seed, trainer: state }));

  for (let step = resumedFrom + 1; step <= steps; step++) {
    const logging = isDue(step, logEvery, steps);
    const evaluating = isDue(step, evaluateEvery, steps);
    const measurement = trainer.step(step, logging);
    const context: EvaluationContext = { step, seed: deriveSeed(seed, 'evaluate', step), trainer };

    if (logging || evaluating) {
      const row: MetricRow = { step };
      if (measurement) Object.assign(row, await readMeasurement(measurement));
      const divergedAt = await trainer.divergedAt();
      if (divergedAt === null && evaluating && setup.evaluate) Object.assign(row, await setup.evaluate(context));
      await store.appendMetrics([row]);
      if (divergedAt !== null) return { state: 'diverged', step, divergedAt };
      options.onProgress?.(step, steps);
    }
    if (sampleSteps.has(step) && setup.samples) {
      await store.writeSamples({ step, ...(await setup.samples(context)) });
    }

    await yieldToEventLoop();
    const stopping = options.signal?.aborted === true && step < steps;
    if (isDue(step, checkpointEvery, steps) || stopping) {
      // A checkpoint must never hold a diverged state, which a resume would train on.
      const divergedAt = await trainer.divergedAt();
      if (divergedAt !== null) return { state: 'diverged', step, divergedAt };
      await checkpoint(step);
    }
    if (stopping) return { state: 'incomplete', step };
  }
  return { state: 'complete', step: steps };
}
