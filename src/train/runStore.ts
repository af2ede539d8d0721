/**
 * The run store: one folder per training run.
 *
 *   config.json      the run's config, written once; a rerun with another config is rejected
 *   status.json      state (running, complete, diverged, incomplete), step, backend, timings
 *   metrics.jsonl    one JSON row per logged step, appended as training goes
 *   checkpoint.bin   the latest checkpoint (see checkpoint.ts)
 *   samples/step-000000100.json   generated samples stored at chosen steps
 *
 * On resume, metric rows after the checkpoint's step are dropped, so the rows of an
 * interrupted and resumed run are exactly those of an uninterrupted one.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { BackendInfo } from '../backend.ts';
import { readCheckpoint, readCheckpointStep, writeCheckpoint, writeFileAtomic, type Checkpoint } from './checkpoint.ts';

/** One row of metrics.jsonl: the step and any numbers or lists of numbers measured there. */
export type MetricRow = { step: number } & Record<string, number | number[]>;

export type RunState = 'running' | 'complete' | 'diverged' | 'incomplete';

export interface RunStatus {
  state: RunState;
  /** Last completed step. */
  step: number;
  steps: number;
  /** First step with a NaN or infinite loss, for a diverged run. */
  divergedAt?: number;
  /** The backend of the latest session; `backends` lists every session's. */
  backend: BackendInfo;
  backends: BackendInfo[];
  /**
   * Wall time of all sessions together, in seconds. A seed-batched session counts the wall
   * time of the whole program, which its seeds shared: see `batchedSeeds` and `seedSeconds`.
   */
  seconds: number;
  /**
   * Seeds trained as one program in the latest session, this run included. Absent in status
   * files written before the field existed and for runs trained alone, which read as 1.
   */
  batchedSeeds?: number;
  /**
   * This run's share of the machine time over all sessions, in seconds: the wall time of a
   * batched program split evenly among the seeds still training in it. Summed over the seeds
   * of a batch it gives the program's wall time once. Absent where `seconds` is the share.
   */
  seedSeconds?: number;
  updated: string;
  /** The error of a run that failed; absent for a run stopped at a checkpoint. */
  error?: string;
}

/** Returns the number of seeds that shared the latest session's program: 1 for a run trained alone. */
export function batchedSeedsOf(status: RunStatus): number {
  return status.batchedSeeds ?? 1;
}

/** Returns a run's share of the machine time over all its sessions, in seconds. */
export function seedSecondsOf(status: RunStatus): number {
  return status.seedSeconds ?? status.seconds;
}

/**
 * Sums the machine time of runs, in seconds, counting the wall time of each seed-batched
 * program once rather than once per seed. Runs without a status (never started) add nothing.
 */
export function machineSeconds(statuses: (RunStatus | null)[]): number {
  return statuses.reduce((sum, status) => sum + (status === null ? 0 : seedSecondsOf(status)), 0);
}

/** Describes a run's wall time, naming the seeds that shared it: "42.1 s" or "42.1 s for 4 seeds batched". */
export function describeRunTime(status: RunStatus): string {
  const seeds = batchedSeedsOf(status);
  const wall = `${status.seconds.toFixed(1)} s`;
  return seeds > 1 ? `${wall} for ${seeds} seeds batched` : wall;
}

/** Tells whether a run was stopped at a checkpoint on request, so that rerunning resumes it. */
export function isStoppedToResume(status: RunStatus): boolean {
  return status.state === 'incomplete' && status.error === undefined;
}

/**
 * Describes a run's state for progress lines and summaries. A run stopped at a checkpoint
 * reads "stopped at step N of M, resumes there when rerun". Only a run that failed reads
 * "incomplete", followed by the first line of its error.
 */
export function describeRunState(status: RunStatus | null): string {
  if (status === null) return 'not started';
  const { state, step, steps } = status;
  if (state === 'diverged') return status.divergedAt === undefined ? 'diverged' : `diverged at step ${status.divergedAt}`;
  // Status files are written when a session starts and ends, so a killed process leaves `running`.
  if (state === 'running') return `running or killed, from step ${step} of ${steps}`;
  if (state === 'incomplete') {
    return isStoppedToResume(status)
      ? `stopped at step ${step} of ${steps}, resumes there when rerun`
      : `incomplete: ${status.error!.split('\n')[0]}`;
  }
  return state;
}

/** Samples of G stored at one step: a row-major array of the given shape. */
export interface StoredSamples {
  step: number;
  shape: number[];
  data: number[];
}

/** Parses JSON lines, dropping a trailing line that a crash cut short. */
function parseRows(text: string, file: string): MetricRow[] {
  const lines = text.split('\n');
  const rows: MetricRow[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      rows.push(JSON.parse(line) as MetricRow);
    } catch (error) {
      // Only the last line can be torn by an interrupted append; anything else is corrupt.
      if (i < lines.length - 1 && lines.slice(i + 1).some((rest) => rest.trim() !== '')) {
        throw new Error(`${file}: line ${i + 1} is not valid JSON (${(error as Error).message})`);
      }
    }
  });
  return rows;
}

/** Writes numbers so that JSON round-trips them: NaN and ±Infinity become null. */
function rowToJson(row: MetricRow): string {
  return JSON.stringify(row, (_, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value));
}

/** Tells whether the text of a stored config.json equals `config`. An unreadable file never does. */
function sameConfig(storedText: string, config: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(storedText)) === JSON.stringify(JSON.parse(JSON.stringify(config)));
  } catch {
    return false;
  }
}

export class RunStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  get configFile(): string {
    return path.join(this.dir, 'config.json');
  }
  get statusFile(): string {
    return path.join(this.dir, 'status.json');
  }
  get metricsFile(): string {
    return path.join(this.dir, 'metrics.jsonl');
  }
  get checkpointFile(): string {
    return path.join(this.dir, 'checkpoint.bin');
  }
  get samplesDir(): string {
    return path.join(this.dir, 'samples');
  }

  async create(): Promise<void> {
    await fs.mkdir(this.samplesDir, { recursive: true });
  }

  /**
   * Writes config.json, or checks that the stored one is the same config: resuming a run
   * folder with other settings would mix two runs.
   */
  async writeConfig(config: unknown): Promise<void> {
    const existing = await readText(this.configFile);
    if (existing === null) {
      await writeFileAtomic(this.configFile, `${JSON.stringify(config, null, 2)}\n`);
      return;
    }
    if (!sameConfig(existing, config)) {
      throw new Error(
        `${this.configFile} contains a different config; remove the run folder ${this.dir} to start the run afresh`,
      );
    }
  }

  /**
   * Moves the run folder aside when it contains a run of another config, such as one an
   * earlier version trained at a scale whose settings have changed since. The old run stays
   * on disk next to the new one. Returns the folder it now lives in, or null when the folder
   * has no config or the same one.
   */
  async setAsideIfOtherConfig(config: unknown): Promise<string | null> {
    const existing = await readText(this.configFile);
    if (existing === null || sameConfig(existing, config)) return null;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = `${this.dir}.superseded-${stamp}`;
    await fs.rename(this.dir, aside);
    return aside;
  }

  async readConfig<T = unknown>(): Promise<T | null> {
    const text = await readText(this.configFile);
    return text === null ? null : (JSON.parse(text) as T);
  }

  async readStatus(): Promise<RunStatus | null> {
    const text = await readText(this.statusFile);
    return text === null ? null : (JSON.parse(text) as RunStatus);
  }

  async writeStatus(status: RunStatus): Promise<void> {
    await writeFileAtomic(this.statusFile, `${JSON.stringify(status, null, 2)}\n`);
  }

  async appendMetrics(rows: MetricRow[]): Promise<void> {
    if (rows.length === 0) return;
    await fs.appendFile(this.metricsFile, rows.map((row) => `${rowToJson(row)}\n`).join(''));
  }

  async readMetrics(): Promise<MetricRow[]> {
    const text = await readText(this.metricsFile);
    return text === null ? [] : parseRows(text, this.metricsFile);
  }

  /** Keeps the rows up to and including `step` (none for step 0) and drops the rest. */
  async truncateMetrics(step: number): Promise<void> {
    const rows = (await this.readMetrics()).filter((row) => row.step <= step);
    await writeFileAtomic(this.metricsFile, rows.map((row) => `${rowToJson(row)}\n`).join(''));
  }

  async writeCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await writeCheckpoint(this.checkpointFile, checkpoint);
  }

  async readCheckpoint(): Promise<Checkpoint | null> {
    return readCheckpoint(this.checkpointFile);
  }

  /** Returns the step of the latest checkpoint, read from its header alone, or null without one. */
  async readCheckpointStep(): Promise<number | null> {
    return readCheckpointStep(this.checkpointFile);
  }

  samplesFile(step: number): string {
    return path.join(this.samplesDir, `step-${String(step).padStart(9, '0')}.json`);
  }

  async writeSamples(samples: StoredSamples): Promise<void> {
    await fs.mkdir(this.samplesDir, { recursive: true });
    await writeFileAtomic(this.samplesFile(samples.step), JSON.stringify(samples));
  }

  async readSamples(step: number): Promise<StoredSamples | null> {
    const text = await readText(this.samplesFile(step));
    return text === null ? null : (JSON.parse(text) as StoredSamples);
  }

  /** Steps with stored samples, in increasing order. */
  async sampleSteps(): Promise<number[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.samplesDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .map((name) => /^step-(\d+)\.json$/.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b);
  }

  /** Drops samples stored after `step`, which a resumed run will write again. */
  async truncateSamples(step: number): Promise<void> {
    for (const stored of await this.sampleSteps()) {
      if (stored > step) await fs.rm(this.samplesFile(stored), { force: true });
    }
  }
}

async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
