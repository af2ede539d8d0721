/**
 * Training an experiment's runs and reading them back, the part every experiment shares.
 * Runs live under `<runsDir>/<experiment>/<scale>/<id>`. The sweep skips finished runs, so
 * a repeated command resumes, and experiments that plan the same ids and configs share runs.
 */
import path from 'node:path';
import type { ExperimentContext, RunSummary, Scale } from './experiment.ts';
import type { BackendInfo } from '../src/backend.ts';
import { isStoppedToResume, RunStore, seedSecondsOf, type MetricRow, type RunStatus, type StoredSamples } from '../src/train/runStore.ts';
import { runSweep, type SweepRun } from '../src/train/sweep.ts';

/** A run as read back from the store: its status (null before it started) and metric rows. */
export interface StoredRun {
  status: RunStatus | null;
  rows: MetricRow[];
  /** Samples stored at the last sample step, or null when none were stored. */
  samples: StoredSamples | null;
}

/** Returns the folder that contains an experiment's runs at a scale. */
export function experimentRunsDir(context: ExperimentContext, experiment: string, scale: Scale): string {
  return path.join(context.runsDir, experiment, scale);
}

/**
 * Trains the runs that are not finished yet with the context's backend, shard, signal and
 * progress, and returns their folder. Throws when the context was aborted meanwhile.
 */
export async function trainExperimentRuns(
  experiment: string,
  scale: Scale,
  runs: SweepRun[],
  context: ExperimentContext,
): Promise<string> {
  const runsDir = experimentRunsDir(context, experiment, scale);
  await runSweep(runs, {
    runsDir,
    backend: context.backend.name,
    signal: context.signal,
    shard: context.shard,
    onProgress: context.progress,
    onNotice: context.notice,
  });
  context.signal?.throwIfAborted();
  return runsDir;
}

/** Reads one run's status, metric rows and last stored samples. */
export async function readStoredRun(runsDir: string, id: string): Promise<StoredRun> {
  const store = new RunStore(path.join(runsDir, id));
  const steps = await store.sampleSteps();
  return {
    status: await store.readStatus(),
    rows: await store.readMetrics(),
    samples: steps.length > 0 ? await store.readSamples(steps[steps.length - 1]) : null,
  };
}

/** Backend of a run that has no status yet, so that results.json still has one. */
const UNKNOWN_BACKEND: BackendInfo = { name: 'cpu', package: 'unknown', version: 'unknown', threads: 1, skipped: [] };

/** Returns the state results.json lists for a run, telling a run stopped to resume from one that failed. */
export function summaryStatus(status: RunStatus | null): RunSummary['status'] {
  if (status === null) return 'incomplete';
  if (status.state === 'complete' || status.state === 'diverged') return status.state;
  return isStoppedToResume(status) ? 'stopped' : 'incomplete';
}

/**
 * Summarises a run for results.json: its config, its state (complete, diverged, stopped or
 * incomplete), its backend and the given final metrics.
 */
export function summariseRun(
  experiment: string,
  run: { id: string; status: RunStatus | null },
  config: Record<string, unknown>,
  metrics: Record<string, number>,
): RunSummary {
  return {
    id: run.id,
    experiment,
    config,
    status: summaryStatus(run.status),
    backend: run.status?.backend ?? UNKNOWN_BACKEND,
    metrics,
    ...(run.status !== null && { machineSeconds: seedSecondsOf(run.status) }),
  };
}

/**
 * Counts a group's runs by how they ended, for a summary cell: "3/3" when all completed,
 * otherwise the complete ones with the others by kind, as in "2/3 (1 stopped at step 400
 * of 1000 and resumes when rerun)". Runs stopped at a checkpoint are distinguished from
 * runs that failed, which read "incomplete".
 */
export function describeCompletion(statuses: (RunStatus | null)[]): string {
  const count = (state: RunStatus['state']) => statuses.filter((status) => status?.state === state).length;
  const stopped = statuses.filter((status): status is RunStatus => status !== null && isStoppedToResume(status));
  const failed = count('incomplete') - stopped.length;
  const parts: string[] = [];
  if (count('diverged') > 0) parts.push(`${count('diverged')} diverged`);
  if (stopped.length > 0) {
    const steps = [...new Set(stopped.map((status) => status.step))].sort((a, b) => a - b);
    const resumes = stopped.length === 1 ? 'resumes' : 'resume';
    const totals = new Set(stopped.map((status) => status.steps));
    const of = totals.size === 1 ? ` of ${stopped[0].steps}` : '';
    parts.push(`${stopped.length} stopped at step ${steps.join(' or ')}${of} and ${resumes} when rerun`);
  }
  if (failed > 0) parts.push(`${failed} incomplete`);
  if (count('running') > 0) parts.push(`${count('running')} running or killed`);
  const unstarted = statuses.filter((status) => status === null).length;
  if (unstarted > 0) parts.push(`${unstarted} not started`);
  const complete = `${count('complete')}/${statuses.length}`;
  return parts.length === 0 ? complete : `${complete} (${parts.join('; ')})`;
}
