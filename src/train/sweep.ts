/**
 * Sweeps: the runs of costs × seeds × settings, trained in parallel worker processes (one
 * per core by default), each in its own run-store folder. Runs that already finished
 * (complete or diverged) are skipped, and interrupted ones resume from their checkpoints,
 * so rerunning a sweep only does what is left. `shard` restricts a sweep to one part of
 * its runs (see shard.ts).
 *
 * Runs that differ only in their seed train as seed-batched programs by default
 * (seedBatchRun.ts): their seeds are split into one job per worker, so every core trains
 * a part of the seeds in one program. `batchSeeds: false` trains every run on its own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../backend.ts';
import type { TrainConfigInput } from './config.ts';
import { describeRunState, describeRunTime, isStoppedToResume, RunStore, type RunState, type RunStatus } from './runStore.ts';
import type { RunConfig } from './setup.ts';
import { shardRuns, WHOLE_SWEEP, type Shard } from './shard.ts';
import { seedFreeKey } from './seedBatchRun.ts';
import type { WorkerReply, WorkerRequest } from './sweepWorker.ts';

export interface SweepRun {
  /** Folder name under the sweep's runs folder; letters, digits and . _ + - ( ) only. */
  id: string;
  config: RunConfig;
}

/** A named variation of the base config: training settings and setup options to override. */
export interface SweepSetting {
  train?: Partial<TrainConfigInput>;
  setupOptions?: Record<string, unknown>;
}

export interface SweepAxes {
  costs: string[];
  seeds: number[];
  /** Settings by name; one unnamed default setting when absent. */
  settings?: Record<string, SweepSetting>;
}

const SAFE_ID = /^[A-Za-z0-9._+()-]+$/;

/** Makes a run id from its parts, replacing characters that do not belong in a folder name. */
export function runId(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replace(/[^A-Za-z0-9._+()-]/g, '_')).join('__');
}

/** Lists the runs of costs × seeds × settings, settings outermost and seeds innermost. */
export function expandSweep(base: RunConfig, axes: SweepAxes): SweepRun[] {
  const settings = axes.settings ?? { default: {} };
  const runs: SweepRun[] = [];
  for (const [name, setting] of Object.entries(settings)) {
    for (const cost of axes.costs) {
      for (const seed of axes.seeds) {
        const baseOptions = (base.setup.options ?? {}) as Record<string, unknown>;
        runs.push({
          id: runId(name, cost, `seed${seed}`),
          config: {
            train: { ...base.train, ...setting.train, cost, seed },
            setup: { module: base.setup.module, options: { ...baseOptions, ...setting.setupOptions } },
          },
        });
      }
    }
  }
  return runs;
}

export interface SweepOptions {
  /** Folder holding one run folder per run id. */
  runsDir: string;
  /** Worker processes; defaults to the number of cores. */
  workers?: number;
  /**
   * Trains runs that differ only in their seed as seed-batched programs, split over the
   * workers (default true). Setups whose networks cannot be batched train run by run.
   */
  batchSeeds?: boolean;
  shard?: Shard;
  /** Backend the workers request; the best available one when absent. */
  backend?: BackendName;
  /** Stops the sweep: running runs checkpoint and stop, queued ones do not start. */
  signal?: AbortSignal;
  /**
   * Called as runs progress and finish, with finished runs, total runs, a label and the
   * runs that were finished before this sweep started. The finished count includes the share
   * of their steps that running runs trained in this sweep, so it can be fractional.
   */
  onProgress?: (done: number, total: number, label: string, finishedBefore: number) => void;
  /** Receives one line per worker start, run end and failure. */
  log?: (line: string) => void;
  /** Receives lines a person should read even when progress lines overwrite each other. */
  onNotice?: (line: string) => void;
}

export interface SweepRunResult {
  id: string;
  dir: string;
  state: RunState | 'failed';
  /** True when the run had finished before this sweep and was left as it was. */
  skipped: boolean;
  error?: string;
  status: RunStatus | null;
}

const WORKER_FILE = fileURLToPath(new URL('./sweepWorker.ts', import.meta.url));

function validateRuns(runs: SweepRun[]): void {
  const seen = new Set<string>();
  for (const run of runs) {
    if (!SAFE_ID.test(run.id)) {
      throw new RangeError(`runSweep: run id must use letters, digits and . _ + - ( ) only, received "${run.id}"`);
    }
    if (seen.has(run.id)) throw new RangeError(`runSweep: run id "${run.id}" appears twice`);
    seen.add(run.id);
  }
}

/** Starts a worker process running TypeScript through tsx. */
function startWorker(backend: BackendName | undefined): ChildProcess {
  const args = backend === undefined ? [] : ['--backend', backend];
  return fork(WORKER_FILE, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Trains the sweep's runs (of its shard) in worker processes and returns every run's outcome. */
export async function runSweep(allRuns: SweepRun[], options: SweepOptions): Promise<SweepRunResult[]> {
  validateRuns(allRuns);
  const runs = shardRuns(allRuns, options.shard ?? WHOLE_SWEEP);
  const log = options.log ?? (() => {});
  const results = new Map<string, SweepRunResult>();
  const dirOf = (run: SweepRun) => path.join(options.runsDir, run.id);

  const pending: SweepRun[] = [];
  const resuming: string[] = [];
  for (const run of runs) {
    const store = new RunStore(dirOf(run));
    const aside = await store.setAsideIfOtherConfig(run.config);
    if (aside !== null) {
      options.onNotice?.(`${run.id}: the run folder contained a run with other settings, so this command moved it to ${aside} and trains the run afresh`);
    }
    const status = await store.readStatus();
    if (status !== null && (status.state === 'complete' || status.state === 'diverged')) {
      results.set(run.id, { id: run.id, dir: dirOf(run), state: status.state, skipped: true, status });
    } else {
      pending.push(run);
      // A killed run's status still reads `running` at its session's first step, so the step comes from the checkpoint.
      const resumeStep = status === null ? null : await store.readCheckpointStep().catch(() => null);
      if (resumeStep !== null && resumeStep > 0) resuming.push(`${run.id} from step ${resumeStep}`);
    }
  }
  const total = runs.length;
  const finishedBefore = results.size;
  // Steps of each running run: the first step it reported in this sweep, its latest and its total.
  const running = new Map<string, { first: number; step: number; steps: number }>();
  // Runs stopped at a checkpoint count by the share they trained, like running ones, not as finished.
  const progress = (label: string) => {
    let share = 0;
    for (const run of running.values()) share += (run.step - run.first) / run.steps;
    const finished = [...results.values()].filter((result) => result.status === null || !isStoppedToResume(result.status)).length;
    options.onProgress?.(finished + share, total, label, finishedBefore);
  };
  progress(`${results.size} of ${total} runs already finished${resuming.length > 0 ? `; resuming ${resuming.join(', ')}` : ''}`);
  if (pending.length === 0 || options.signal?.aborted) return collect(runs, results, dirOf);

  const workerCount = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), pending.length));
  const jobs = options.batchSeeds === false ? pending.map((run) => [run]) : seedJobs(pending, workerCount);
  await new Promise<void>((resolve) => {
    let active = 0;
    const recording: Promise<void>[] = [];
    const finish = (run: SweepRun, state: RunState | 'failed', error?: string): Promise<void> => {
      const recorded = (async () => {
        const status = await new RunStore(dirOf(run)).readStatus().catch(() => null);
        results.set(run.id, { id: run.id, dir: dirOf(run), state, skipped: false, error, status });
        if (status === null || !isStoppedToResume(status)) running.delete(run.id);
        progress(`${run.id} ${runEndLabel(state, error, status)}`);
        log(`${run.id}: ${runEndLabel(state, error, status)}${status === null ? '' : `, ${describeRunTime(status)}`}`);
      })();
      recording.push(recorded);
      return recorded;
    };

    const launch = () => {
      const worker = startWorker(options.backend);
      active++;
      /** Runs of the current job that have not reported an end yet. */
      let current: SweepRun[] = [];
      const dispatch = () => {
        const job = options.signal?.aborted ? undefined : jobs.shift();
        if (job === undefined) {
          worker.disconnect();
          return;
        }
        current = [...job];
        const request: WorkerRequest =
          job.length === 1
            ? { type: 'run', id: job[0].id, dir: dirOf(job[0]), config: job[0].config }
            : { type: 'batch', runs: job.map((run) => ({ id: run.id, dir: dirOf(run), config: run.config })) };
        worker.send(request);
      };
      const onAbort = () => {
        if (worker.connected) worker.send({ type: 'stop' } satisfies WorkerRequest);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });

      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          log(`worker ${worker.pid} started on ${reply.backend.name}`);
          dispatch();
        } else if (reply.type === 'progress') {
          const first = running.get(reply.id)?.first ?? reply.step;
          running.set(reply.id, { first, step: reply.step, steps: reply.steps });
          progress(`${reply.id} step ${reply.step}/${reply.steps}`);
        } else if (reply.type === 'finished' || reply.type === 'failed') {
          const run = current.find((candidate) => candidate.id === reply.id);
          if (run === undefined) return;
          current = current.filter((candidate) => candidate !== run);
          const jobDone = current.length === 0;
          const state = reply.type === 'finished' ? reply.result.state : 'failed';
          void finish(run, state, reply.type === 'failed' ? reply.error : undefined).then(() => {
            if (!jobDone) return;
            if (worker.connected && !options.signal?.aborted) dispatch();
            else if (worker.connected) worker.disconnect();
          });
        }
      });
      worker.on('exit', (code, signal) => {
        options.signal?.removeEventListener('abort', onAbort);
        active--;
        const lost = current;
        current = [];
        const done = () => {
          // A worker that died mid-job leaves the remaining jobs to a new worker, if any remain.
          if (jobs.length > 0 && !options.signal?.aborted) launch();
          if (active === 0) void Promise.all(recording).then(() => resolve());
        };
        if (lost.length > 0) {
          const reason = `worker exited with ${signal ?? `code ${code}`} during the run`;
          void Promise.all(lost.map((run) => finish(run, 'failed', reason))).then(done);
        } else {
          done();
        }
      });
    };
    for (let i = 0; i < Math.min(workerCount, jobs.length); i++) launch();
  });
  // The progress line shows one label at a time, so a stop that ended several runs names them all at the end.
  const stopped = [...results.values()].filter((result) => !result.skipped && result.status !== null && isStoppedToResume(result.status));
  if (stopped.length > 1) {
    progress(`stopped ${stopped.map((result) => `${result.id} at step ${result.status!.step}`).join(', ')}; rerun to resume them`);
  }
  return collect(runs, results, dirOf);
}

/**
 * Describes how a run of this sweep ended: "failed: <first line of the error>" for a run
 * whose worker reported an error, otherwise its stored state, so that a run stopped at a
 * checkpoint reads as stopped and resumable rather than incomplete.
 */
export function runEndLabel(state: RunState | 'failed', error: string | undefined, status: RunStatus | null): string {
  if (state === 'failed') return `failed${error ? `: ${error.split('\n')[0]}` : ''}`;
  return status === null ? state : describeRunState(status);
}

/**
 * Groups runs that differ only in their seed and splits each group into at most
 * `workerCount` jobs of nearly equal size, in the order the runs came.
 */
export function seedJobs(runs: SweepRun[], workerCount: number): SweepRun[][] {
  const groups = new Map<string, SweepRun[]>();
  for (const run of runs) {
    const key = seedFreeKey(run.config);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const jobs: SweepRun[][] = [];
  for (const group of groups.values()) {
    const count = Math.min(workerCount, group.length);
    for (let j = 0; j < count; j++) {
      const start = Math.floor((j * group.length) / count);
      const end = Math.floor(((j + 1) * group.length) / count);
      jobs.push(group.slice(start, end));
    }
  }
  return jobs;
}

function collect(
  runs: SweepRun[],
  results: Map<string, SweepRunResult>,
  dirOf: (run: SweepRun) => string,
): SweepRunResult[] {
  return runs.map(
    (run) =>
      results.get(run.id) ?? { id: run.id, dir: dirOf(run), state: 'incomplete', skipped: false, status: null },
  );
}
