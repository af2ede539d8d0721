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
import { readCheckpoint, writeCheckpoint, writeFileAtomic, type Checkpoint } from './checkpoint.ts';

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
  /** Wall time of all sessions together, in seconds. */
  seconds: number;
  updated: string;
  /** The error of a run that stopped with one. */
  error?: string;
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
    const text = `${JSON.stringify(config, null, 2)}\n`;
    const existing = await readText(this.configFile);
    if (existing === null) {
      await writeFileAtomic(this.configFile, text);
      return;
    }
    if (JSON.stringify(JSON.parse(existing)) !== JSON.stringify(JSON.parse(text))) {
      throw new Error(
        `${this.configFile} contains a different config; remove the run folder ${this.dir} to start the run afresh`,
      );
    }
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
